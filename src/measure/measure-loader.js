// Starts the measurement worker: loads the stamping loop (plain JavaScript,
// see stamp.js), its wasm-bindgen glue (built by Trunk with the no-modules
// target) and then its wasm.
importScripts("./stamp.js", "./measure_worker.js");
wasm_bindgen({ module_or_path: "./measure_worker_bg.wasm" });
