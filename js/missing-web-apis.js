// What the module uses of the web platform and jsdom does not have (jsdom is the page that Jest's
// jest-environment-jsdom gives a test: in Jest 30 it has XMLHttpRequest, atob and WebAssembly, but
// no fetch, TextEncoder or TextDecoder). Only dist/outbound.cjs carries this, for require() with the
// `browser` condition; there the module's names fetch, TextEncoder and TextDecoder are this file's
// (scripts/bundle.mjs), and each is the environment's own wherever it has one. The module's rules
// stay in the module: these only move bytes.

/** UTF-8 as TextEncoder writes it: encode, encodeInto; a lone surrogate becomes U+FFFD. */
function OutboundUtf8Encoder() {}
OutboundUtf8Encoder.prototype.encodeInto = function (text, into) {
  var read = 0;
  var written = 0;
  while (read < text.length) {
    var code = text.codePointAt(read);
    var units = code > 0xffff ? 2 : 1;
    if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd;
    var size = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (written + size > into.length) break;
    into[written++] = size === 1 ? code : [0, 0, 0xc0, 0xe0, 0xf0][size] | (code >> (6 * (size - 1)));
    for (var shift = 6 * (size - 2); shift >= 0; shift -= 6) into[written++] = 0x80 | ((code >> shift) & 0x3f);
    read += units;
  }
  return { read: read, written: written };
};
OutboundUtf8Encoder.prototype.encode = function (text) {
  var bytes = new Uint8Array(3 * text.length);
  return bytes.slice(0, this.encodeInto(text, bytes).written);
};

/** UTF-8 as TextDecoder reads it (the WHATWG decoder): each ill-formed sequence becomes U+FFFD. */
function OutboundUtf8Decoder() {}
OutboundUtf8Decoder.prototype.decode = function (bytes) {
  var text = '';
  var code = 0;
  var needed = 0;
  var lower = 0x80;
  var upper = 0xbf;
  for (var i = 0; i < bytes.length; i++) {
    var byte = bytes[i];
    if (needed === 0) {
      if (byte < 0x80) text += String.fromCharCode(byte);
      else if (byte >= 0xc2 && byte <= 0xdf) { needed = 1; code = byte & 0x1f; }
      else if (byte >= 0xe0 && byte <= 0xef) {
        needed = 2; code = byte & 0xf;
        if (byte === 0xe0) lower = 0xa0;
        if (byte === 0xed) upper = 0x9f;
      } else if (byte >= 0xf0 && byte <= 0xf4) {
        needed = 3; code = byte & 0x7;
        if (byte === 0xf0) lower = 0x90;
        if (byte === 0xf4) upper = 0x8f;
      } else text += '\ufffd';
      continue;
    }
    if (byte < lower || byte > upper) {  // the sequence ends early: this byte starts anew
      text += '\ufffd';
      needed = 0; lower = 0x80; upper = 0xbf;
      i--;
      continue;
    }
    lower = 0x80; upper = 0xbf;
    code = (code << 6) | (byte & 0x3f);
    if (--needed === 0) text += String.fromCodePoint(code);
  }
  return needed ? text + '\ufffd' : text;
};

/**
 * fetch over XMLHttpRequest, as much of it as the module uses: method, headers (an object), body,
 * signal; a response with status, ok, url, redirected, headers (get, forEach) and arrayBuffer().
 * Like fetch, it rejects only when no answer came, and sends cookies only to the page's origin.
 */
function outboundFetchOverXhr(url, init) {
  init = init || {};
  return new Promise(function (resolve, reject) {
    var xhr = new XMLHttpRequest();
    xhr.open(init.method || 'GET', url);
    xhr.responseType = 'arraybuffer';
    var headers = init.headers || {};
    Object.keys(headers).forEach(function (name) { xhr.setRequestHeader(name, headers[name]); });
    xhr.onload = function () { resolve(outboundXhrResponse(xhr, url)); };
    xhr.onerror = xhr.ontimeout = xhr.onabort = function () { reject(new TypeError('Failed to fetch')); };
    if (init.signal) init.signal.addEventListener('abort', function () { xhr.abort(); });
    xhr.send(init.body === undefined ? null : init.body);
  });
}

function outboundXhrResponse(xhr, url) {
  var headers = [];  // [lower-case name, value], in the order given
  xhr.getAllResponseHeaders().split('\r\n').forEach(function (line) {
    var colon = line.indexOf(':');
    if (colon > 0) headers.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  });
  return {
    status: xhr.status,
    ok: xhr.status >= 200 && xhr.status < 300,
    url: xhr.responseURL,
    redirected: !!xhr.responseURL && xhr.responseURL !== new URL(url, self.location.href).href,
    headers: {
      get: function (name) {
        var found = headers.filter(function (header) { return header[0] === name.toLowerCase(); });
        return found.length ? found.map(function (header) { return header[1]; }).join(', ') : null;
      },
      forEach: function (visit) { headers.forEach(function (header) { visit(header[1], header[0]); }); },
    },
    body: null,
    arrayBuffer: function () { return Promise.resolve(xhr.response); },
  };
}
