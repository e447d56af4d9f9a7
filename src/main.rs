//! Entry point of the page: mounts the app on <body> and installs the
//! scripting hook (`window.etalonRun`, see `automation`).

fn main() {
    console_error_panic_hook::set_once();
    etalon_web::automation::install();
    etalon_web::history::install_bench_hooks();
    leptos::mount::mount_to_body(etalon_web::app::App);
}
