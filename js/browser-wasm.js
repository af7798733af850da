// How the browser files fetch and compile dist/outbound.wasm (scripts/bundle.mjs puts this first in
// dist/outbound.js and dist/outbound.mjs; the Node module reads its .wasm from disk instead).
// Emscripten's loader fetches the .wasm only once its own runtime has been set up, at the end of the
// script, and fetches it a second time when streaming compilation fails (a server that does not
// say application/wasm). Here the request is made first, the module is compiled as it downloads,
// and the loader receives it through its instantiateWasm hook (js/outbound-api.js), so the rest of
// the script runs while the .wasm is on the way, and it is requested once whatever the server says.

/**
 * A Promise of the WebAssembly.Module at `url`, compiled as it downloads when the reply says
 * application/wasm, else from the whole body; either way one request. A page's
 * `<link rel="preload" href="…/outbound.wasm" as="fetch" crossorigin>` is the same request (a
 * CORS-mode GET with the same-origin credentials), so the browser hands this fetch its reply. A
 * failure's message names the URL, why (no answer, an error status, bytes that do not compile: a
 * dev server's index.html for a file it does not have, a CSP without 'wasm-unsafe-eval'), and asks
 * the question most of these answer.
 */
function outboundCompileWasm(url) {
  var compiled = fetch(url, { credentials: 'same-origin' }).then(function (response) {
    if (!response.ok) throw new Error('HTTP ' + response.status);
    if (typeof WebAssembly.compileStreaming === 'function' &&
        /^application\/wasm\b/i.test(response.headers.get('Content-Type') || '')) {
      return WebAssembly.compileStreaming(response);
    }
    return response.arrayBuffer().then(function (bytes) { return WebAssembly.compile(bytes); });
  }).catch(function (error) {
    throw new Error(url + ': ' + error.message + ' (is outbound.wasm served there?)');
  });
  // A failure is reported by every call (js/outbound-api.js); it is not an unhandled rejection.
  compiled.catch(function () {});
  return compiled;
}

/**
 * Where dist/outbound.js finds outbound.wasm: beside the script (in a blob: script, the page's
 * base). A page names its running script (document.currentScript); a worker does not, so there the
 * script is found in the stack of an Error made here, failing that the worker's own address.
 */
function outboundWasmBesideScript() {
  var script = typeof document !== 'undefined' && document.currentScript ? document.currentScript.src : '';
  if (!script && typeof importScripts === 'function') script = outboundScriptInStack() || self.location.href;
  var folder = script.indexOf('blob:') === 0 ? '' : script.slice(0, script.replace(/[?#].*/, '').lastIndexOf('/') + 1);
  return folder + 'outbound.wasm';
}

/** The address of the script running this function, as the first frame of a stack names it. */
function outboundScriptInStack() {
  var frame = /((?:blob:)?(?:https?|file):\/\/[^\s()]+?):\d+:\d+/.exec(String(new Error().stack));
  return frame ? frame[1] : '';
}
