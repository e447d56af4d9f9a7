// Starts the app: imports its wasm-bindgen module and instantiates its wasm,
// whose hashed file names Trunk writes into this tag's data attributes
// (Trunk.toml's `pattern_script`). A file rather than Trunk's inline script,
// so that the page's Content-Security-Policy can forbid every inline script
// (script-src 'self').
const tag = document.querySelector("script[data-app-js]");
const { default: init } = await import(tag.dataset.appJs);
const wasm = await init({ module_or_path: tag.dataset.appWasm });
// The size of the app's memory (the recording lives in it), for the scale
// benchmark: a wasm memory grows and never shrinks, so this is its peak.
window.etalonWasmBytes = () => wasm.memory.buffer.byteLength;
