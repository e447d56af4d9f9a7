//! Entry point of the page: mounts the app on <body> and installs the
//! scripting hook (`window.etalonRun`, see `automation`).

fn main() {
    console_error_panic_hook::set_once();
    etalon_web::automation::install();
    leptos::mount::mount_to_body(etalon_web::app::App);
}
