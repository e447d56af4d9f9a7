//! The measurement worker's entry point (Trunk builds it as a Web Worker).

fn main() {
    console_error_panic_hook::set_once();
    etalon_web::measure::start_worker();
}
