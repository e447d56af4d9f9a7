// Starts the app: imports its wasm-bindgen module and instantiates its wasm,
// whose hashed file names Trunk writes into this tag's data attributes
// (Trunk.toml's `pattern_script`). A file rather than Trunk's inline script,
// so that the page's Content-Security-Policy can forbid every inline script
// (script-src 'self').
const tag = document.querySelector("script[data-app-js]");
const { default: init } = await import(tag.dataset.appJs);
await init({ module_or_path: tag.dataset.appWasm });
