// The Node build's environment, included with --pre-js after the JavaScript half of src/bindings
// (js_args.js, promises.js, page.js, http.js), so all of it lives in the module's own scope and
// nothing global changes.

// Node has no page: no storage to keep a queue in, no network state to wait for, no pagehide.
// Said here rather than probed, so that a server-side renderer's fake `window` or `navigator` is
// never touched.
Module['hasStorage'] = function () { return false; };
Module['isOnline'] = function () { return true; };
Module['watchPage'] = function () { return false; };

// Requests go over node:http and node:https (src/bindings/http.js has the rules every transport
// keeps). Keep-alive sockets are reused across calls and clients; Node unrefs idle ones, so they
// never keep a process alive. Each client keeps at most maxInFlight requests in flight; the agents
// also bound what all clients of the process together open to one host, since a server may make
// many clients. A request's timeout starts once it has a socket.
/** Node's reason for a failed request, in one line: its message, and its code if not in it. */
function outboundFailureText(error, fallback) {
  var code = error && typeof error.code === 'string' ? error.code : '';
  var message = error && error.message ? String(error.message) : fallback;
  return code && message.indexOf(code) < 0 ? message + ' (' + code + ')' : message;
}

var outboundNodeHttp = (function () {
  var http = require('http');
  var https = require('https');
  var socketsPerHost = 64;
  var agents = {
    'http:': new http.Agent({ keepAlive: true, maxSockets: socketsPerHost }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: socketsPerHost }),
  };
  // 307 and 308 repeat the POST with its body; this many of them in a row end as a failure.
  var maxRedirects = 5;

  function withLength(headers, body) {
    var all = Object.assign({}, headers);
    all['Content-Length'] = body ? body.length : 0;
    return all;
  }

  function headerText(headers) {
    return Object.keys(headers).map(function (name) { return name + ': ' + headers[name] + '\r\n'; }).join('');
  }

  // Where a 307 or 308 may take the POST: http or https, and never from https down to http (the
  // key would then travel in the clear).
  function redirectTarget(response, from) {
    var status = response.statusCode;
    if ((status !== 307 && status !== 308) || !response.headers.location) return null;
    var to;
    try {
      to = new URL(response.headers.location, from);
    } catch (invalid) {
      return null;
    }
    if (to.protocol !== 'http:' && to.protocol !== 'https:') return null;
    if (from.protocol === 'https:' && to.protocol === 'http:') return null;
    return to;
  }

  function send(request, url, body, redirectsLeft, done) {
    var outgoing;
    var end = outboundRequestEnd(request.timeoutMs, done, function () { outgoing.destroy(); });
    var options = { method: request.method, headers: withLength(request.headers, body), agent: agents[url.protocol] };
    try {
      outgoing = (url.protocol === 'https:' ? https : http).request(url, options, function (response) {
        var next = redirectsLeft > 0 ? redirectTarget(response, url) : null;
        if (next) {
          end.handOver();
          response.resume();
          return send(request, next, body, redirectsLeft - 1, done);
        }
        readReply(response, end.answered(response.statusCode, headerText(response.headers)), function () {
          // Later, once Node has put the socket back for reuse: the next request, which this
          // reply may start at once, then takes it instead of opening another.
          setImmediate(function () { end.finish(end.reply()); });
        });
      });
    } catch (error) {  // a header Node refuses, say
      return process.nextTick(end.finish, { status: 0, failure: outboundFailureText(error, 'the request could not be made') });
    }
    outgoing.on('error', function (error) {
      end.finish({ status: 0, failure: outboundFailureText(error, 'the connection failed') });
    });
    outgoing.on('socket', end.start);
    outgoing.end(body);
  }

  // Collects at most outboundReplyLimit bytes into `chunks`; once they are in, the rest is not
  // waited for: the socket is closed rather than a huge reply drained.
  function readReply(response, chunks, done) {
    var length = 0;
    var ended = false;
    function end() {
      if (ended) return;
      ended = true;
      done();
    }
    response.on('data', function (chunk) {
      if (ended) return;
      chunks.push(chunk);
      length += chunk.length;
      if (length >= outboundReplyLimit) {
        end();
        response.destroy();
      }
    });
    response.on('end', end);
    response.on('error', end);
    response.on('close', end);
  }

  // A client sends every request to the same few URLs: the last one read is kept.
  var lastUrl = { text: '', url: null };
  function urlOf(text) {
    if (lastUrl.text !== text) lastUrl = { text: text, url: new URL(text) };
    return lastUrl.url;
  }

  return function (request, done) {
    var url;
    try {
      url = urlOf(request.url);
    } catch (invalid) {
      return process.nextTick(done, { status: 0, failure: 'invalid URL ' + request.url });
    }
    var body = request.body ? Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength) : null;
    send(request, url, body, maxRedirects, done);
  };
})();

Module['sendHttp'] = outboundNodeHttp;
