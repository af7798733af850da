// The transport of the bindings, included with --pre-js after page.js (docs/transport.md).
//
// fetch_transport.cpp sends every request through postHttp, here, and hears of its answer through
// Module['httpAnswered']. One set of rules holds in every runtime: a reply is read up to
// outboundReplyLimit bytes and no further, so a huge reply never reaches WebAssembly memory; a
// failure says why when the runtime knows; a redirect counts as delivered only when the POST itself
// was repeated. The sending is done over `fetch` (outboundSendWithFetch: pages, workers, edge
// runtimes), or over node:http in the Node build, whose js/node-environment.js sets
// Module['sendHttp']; a client given options.fetch sends over that function in every runtime.

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
 * POSTs the `bodyLength` bytes at `body` in the heap to `url`, with the headers of `headerLines`
 * (name and value alternating, one a line). The body is copied at once, in the form its sender
 * takes: text for fetch (outboundSendWithFetch), bytes for Module['sendHttp'] where a build has one
 * (Node's). The sender, given (request, done), calls done once, later, with {status, headers, body}
 * for an answer, {status: 0, failure} when none came (failure says why), or {status: 0} for a
 * timeout; C++ gets the failure text as the body of status 0 (core/client.hpp, HttpResponse).
 * `request` is C++'s, handed back; `hooks` are the client's (promises.js hooksOf).
 */
Module['postHttp'] = function (request, url, body, bodyLength, headerLines, timeoutMs, hooks) {
  var headers = {};
  var fields = headerLines.split('\n');
  for (var i = 0; i + 1 < fields.length; i += 2) headers[fields[i]] = fields[i + 1];
  var bytes = HEAPU8.subarray(body, body + bodyLength);
  var viaFetch = hooks.fetch || !Module['sendHttp'];
  var message = {
    method: 'POST', url: url, headers: headers, body: viaFetch ? UTF8Decoder.decode(bytes) : bytes.slice(), timeoutMs: timeoutMs,
  };
  function answered(reply) {
    var answer = reply.status ? reply.body : reply.failure || '';
    Module['httpAnswered'](request, reply.status, answer, reply.headers || '');
  }
  if (viaFetch) outboundSendWithFetch(hooks.fetch, message, answered);
  else Module['sendHttp'](message, answered);
};

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

// fetch follows every redirect by itself and says only where it ended: the core decides what a
// redirected reply means (core/client.cpp, Client::outcome). The body comes as text (postHttp):
// Node's fetch detaches a byte array it has sent, and then fails to send it again after a 307 or
// 308. Without
// `fetchFunction`, the runtime's fetch; a runtime without one fails each request, saying so.
function outboundSendWithFetch(fetchFunction, request, done) {
  var controller = typeof AbortController === 'function' ? new AbortController() : null;
  var end = outboundRequestEnd(request.timeoutMs, done, function () { if (controller) controller.abort(); });
  end.start();
  var init = { 'method': request.method, 'headers': request.headers, 'body': request.body, 'redirect': 'follow' };
  if (controller) init['signal'] = controller.signal;
  var sent;
  try {
    sent = Promise.resolve((fetchFunction || fetch)(request.url, init));
  } catch (error) {
    sent = Promise.reject(error);
  }
  sent.then(function (response) {
    var headers = outboundHeaderText(response.headers);
    if (response.redirected) headers += 'x-outbound-redirected-to: ' + response.url + '\r\n';
    return outboundReadBounded(response, end.answered(response.status, headers), outboundReplyLimit)
      .then(function () { end.finish(end.reply()); });
  }).catch(function (error) {
    end.finish({ status: 0, failure: outboundFetchFailure(error) });
  });
}

// Why a fetch failed, as far as anyone can tell: Node's says why in its `cause`; a browser's says
// nothing (a network error and a CORS refusal look alike); another (options.fetch) may.
function outboundFetchFailure(error) {
  if (error && error.cause) return outboundErrorText(error.cause);
  return error instanceof TypeError ? 'network error, or refused by CORS (a browser does not say which)'
    : outboundErrorText(error);
}
