// The transport of the bindings, included with --pre-js after page.js (docs/transport.md).
//
// Emscripten's Fetch.js sends every request with `new XMLHttpRequest()`. The one declared here,
// in the module's own scope, takes the place of the runtime's, so that one set of rules holds in
// every runtime: a reply is read up to outboundReplyLimit bytes and no further, so a huge reply
// never reaches WebAssembly memory; a failure says why when the runtime knows; a redirect counts
// as delivered only when the POST itself was repeated. Module['sendHttp'] does the sending: over
// `fetch` here (pages and workers), over node:http in the Node build (js/node-environment.js).

/** The most bytes of a reply that are read: messages quote 500 of them, after the key is removed. */
var outboundReplyLimit = 4096;

/** The first `limit` bytes of `chunks` (Uint8Arrays), as one Uint8Array. */
function outboundJoinBytes(chunks, limit) {
  var length = 0;
  for (var i = 0; i < chunks.length; i++) length += chunks[i].length;
  var bytes = new Uint8Array(Math.min(length, limit));
  for (var at = 0, j = 0; at < bytes.length; j++) {
    var part = chunks[j].subarray(0, bytes.length - at);
    bytes.set(part, at);
    at += part.length;
  }
  return bytes;
}

/**
 * The part of XMLHttpRequest that Fetch.js uses. Module['sendHttp'](request, done) calls done once,
 * later, with {status, headers, body} for an answer, {status: 0, failure} when none came (failure
 * says why), or {status: 0} for a timeout. The failure text travels as the response body of an
 * error, which Fetch.js hands to C++ as it is (core/client.hpp, HttpResponse).
 */
function OutboundHttpRequest() {
  this.readyState = 0;
  this.status = 0;
  this.statusText = '';
  this.response = null;
  this.responseType = '';
  this.timeout = 0;
  this.withCredentials = false;
  this.requestHeaders = {};
  this.responseHeaderText = '';
}

OutboundHttpRequest.prototype.open = function (method, url) {
  this.method = method;
  this.url = url;
  this.readyState = 1;
};
OutboundHttpRequest.prototype.setRequestHeader = function (name, value) {
  this.requestHeaders[name] = value;
};
OutboundHttpRequest.prototype.overrideMimeType = function () {};
OutboundHttpRequest.prototype.getAllResponseHeaders = function () {
  return this.responseHeaderText;
};
OutboundHttpRequest.prototype.abort = function () {};

OutboundHttpRequest.prototype.send = function (body) {
  var xhr = this;
  var request = {
    method: this.method, url: this.url, headers: this.requestHeaders, body: body, timeoutMs: this.timeout,
  };
  Module['sendHttp'](request, function (reply) {
    xhr.readyState = 4;
    xhr.status = reply.status;
    xhr.responseHeaderText = reply.headers || '';
    var bytes = reply.status ? reply.body : reply.failure ? new TextEncoder().encode(reply.failure) : null;
    xhr.response = bytes || null;
    var handler = reply.status ? xhr.onload : reply.failure ? xhr.onerror : xhr.ontimeout;
    var size = bytes ? bytes.length : 0;
    if (handler) handler.call(xhr, { loaded: size, total: size });
  });
};

/** @suppress {duplicate} (for Closure Compiler: this name is meant to hide the browser's) */
var XMLHttpRequest = OutboundHttpRequest;

/**
 * How one request ends, the same for every sender: `done` is called once, by finish(), or when
 * `timeoutMs` (0: none) passes after start(), then with the reply so far if its status came (a
 * server that answered but trickles its body has answered: its status counts), else as a timeout;
 * `abort` then stops the request. A sender calls answered(status, headers) when the status comes
 * and collects the body into the chunks it returns; handOver() ends it without a word, when
 * another request (a followed redirect) reports instead.
 */
function outboundRequestEnd(timeoutMs, done, abort) {
  var finished = false;
  var timer = null;
  var reply = null;
  var end = {
    finish: function (result) {
      if (finished) return;
      end.handOver();
      done(result);
    },
    handOver: function () {
      finished = true;
      if (timer !== null) clearTimeout(timer);
    },
    start: function () {
      if (timeoutMs > 0 && timer === null && !finished) {
        timer = setTimeout(function () {
          end.finish(reply ? end.reply() : { status: 0 });
          abort();
        }, timeoutMs);
      }
    },
    answered: function (status, headers) {
      reply = { status: status, headers: headers, chunks: [] };
      return reply.chunks;
    },
    /** The reply as it stands: status, headers and the body read so far. */
    reply: function () {
      return { status: reply.status, headers: reply.headers, body: outboundJoinBytes(reply.chunks, outboundReplyLimit) };
    },
  };
  return end;
}

// --- pages and workers: fetch ------------------------------------------------------------

/**
 * Reads at most `limit` bytes of a fetch Response's body into `chunks`, and resolves with them; a
 * body that breaks off keeps what came.
 */
function outboundReadBounded(response, chunks, limit) {
  var length = 0;
  if (!response.body || typeof response.body.getReader !== 'function') {
    return response.arrayBuffer().then(function (buffer) {
      return new Uint8Array(buffer, 0, Math.min(buffer.byteLength, limit));
    }, function () { return new Uint8Array(0); });
  }
  var reader = response.body.getReader();
  function next() {
    return reader.read().then(function (step) {
      if (step.done) return outboundJoinBytes(chunks, limit);
      chunks.push(step.value);
      length += step.value.length;
      if (length < limit) return next();
      reader.cancel().catch(outboundIgnore);
      return outboundJoinBytes(chunks, limit);
    });
  }
  return next().catch(function () { return outboundJoinBytes(chunks, limit); });
}

function outboundHeaderText(headers) {
  var text = '';
  headers.forEach(function (value, name) { text += name + ': ' + value + '\r\n'; });
  return text;
}

// A browser follows every redirect by itself and says only where it ended: the core decides what a
// redirected reply means (core/client.cpp, Client::outcome).
Module['sendHttp'] = function (request, done) {
  var controller = typeof AbortController === 'function' ? new AbortController() : null;
  var end = outboundRequestEnd(request.timeoutMs, done, function () { if (controller) controller.abort(); });
  end.start();
  var init = { 'method': request.method, 'headers': request.headers, 'body': request.body, 'redirect': 'follow' };
  if (controller) init['signal'] = controller.signal;
  var sent;
  try {
    sent = fetch(request.url, init);
  } catch (error) {
    sent = Promise.reject(error);
  }
  sent.then(function (response) {
    var headers = outboundHeaderText(response.headers);
    if (response.redirected) headers += 'x-outbound-redirected-to: ' + response.url + '\r\n';
    return outboundReadBounded(response, end.answered(response.status, headers), outboundReplyLimit)
      .then(function () { end.finish(end.reply()); });
  }).catch(function () {
    end.finish({ status: 0, failure: 'network error, or refused by CORS (a browser does not say which)' });
  });
};
