// Starts the measurement worker: loads its wasm-bindgen glue (built by Trunk
// with the no-modules target) and then its wasm.
importScripts("./measure_worker.js");
wasm_bindgen("./measure_worker_bg.wasm");
