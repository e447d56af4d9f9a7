//! Entry point of the page: mounts the app on <body>.

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(etalon_web::app::App);
}
