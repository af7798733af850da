// The .wasm carried inside JavaScript, for where no file beside the code can be counted on
// (scripts/bundle.mjs): dist/outbound-wasm-inline.mjs holds it for dist/outbound.mjs, whose bundler
// may not have shipped outbound.wasm (esbuild does not follow
// `new URL('./outbound.wasm', import.meta.url)`; Vite 5's dev server answers its index.html for it),
// and dist/outbound.cjs (require() with the `browser` condition: Jest's jsdom environment, webpack
// apps that require) carries it always.
//
// It is written in hex: twice the bytes, but each byte of the .wasm is still two characters, so
// gzip and brotli find the .wasm's repetitions again: 40.9 KB gzip -9 against 46.9 KB for base64
// (36.9 KB for the .wasm itself), and no atob needed.

/** A Promise of the WebAssembly.Module whose bytes `hex` spells (lower case, two digits a byte). */
function outboundCompileInlined(hex) {
  var bytes = new Uint8Array(hex.length >> 1);
  for (var i = 0; i < bytes.length; i++) {
    bytes[i] = (outboundHexDigit(hex.charCodeAt(2 * i)) << 4) | outboundHexDigit(hex.charCodeAt(2 * i + 1));
  }
  return WebAssembly.compile(bytes);
}

function outboundHexDigit(code) {
  return code > 57 ? code - 87 : code - 48;  // 'a'-'f', '0'-'9'
}

/**
 * A Promise of the WebAssembly.Module: the one at `locate()` (the .wasm where the bundler put it),
 * or, when that fails, the copy inlined in the module that `importInlined()` imports; bundlers that
 * follow `import()` make that a chunk of its own, requested only then. Whatever failed is worth the
 * try: no answer, an error status, an HTML page (a dev server's answer for a file it does not have),
 * no URL at all (a bundle without import.meta.url). A failure of both names the URL tried and why
 * the inlined copy did not do either.
 */
function outboundCompileWasmOrInlined(locate, importInlined) {
  return new Promise(function (resolve) { resolve(outboundCompileWasm(locate())); }).catch(function (problem) {
    return importInlined().then(function (inlined) { return outboundCompileInlined(inlined.default); })
      .catch(function (error) {
        throw new Error(problem.message + ', and the copy inlined in outbound-wasm-inline.mjs failed too: ' +
          (error && error.message ? error.message : String(error)));
      });
  });
}
