//! etalon-web: the browser app. Browser-only glue; every figure it shows is
//! computed by `etalon-core` from a recording.

pub mod app;
pub mod automation;
pub mod measure;
pub mod worker_client;
