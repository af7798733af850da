// The Node build's environment, included with --pre-js after src/bindings/glue.js, so all of it
// lives in the module's own scope and nothing global changes.

// Node has no page: no storage to keep a queue in, no network state to wait for. Said here rather
// than probed, so that a server-side renderer's fake `window` or `navigator` is never touched.
Module['hasStorage'] = function () { return false; };
Module['isOnline'] = function () { return true; };

// Node has no XMLHttpRequest, and emscripten_fetch sends with one. This is the part of it that
// Emscripten 3.1.6's Fetch.js uses, over node:http and node:https.
var XMLHttpRequest = (function () {
  var http = require('http');
  var https = require('https');
  // Keep-alive sockets are reused across calls; Node unrefs idle ones, so they never keep a
  // process alive.
  var agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };

  function NodeXMLHttpRequest() {
    this.readyState = 0;
    this.status = 0;
    this.statusText = '';
    this.response = null;
    this.responseType = '';
    this.timeout = 0;
    this.withCredentials = false;
    this.requestHeaders = {};
    this.responseHeaderText = '';
    this.request = null;
  }

  NodeXMLHttpRequest.prototype.open = function (method, url) {
    this.method = method;
    this.url = url;
    this.readyState = 1;
  };
  NodeXMLHttpRequest.prototype.setRequestHeader = function (name, value) {
    this.requestHeaders[name] = value;
  };
  NodeXMLHttpRequest.prototype.overrideMimeType = function () {};
  NodeXMLHttpRequest.prototype.getAllResponseHeaders = function () {
    return this.responseHeaderText;
  };
  NodeXMLHttpRequest.prototype.abort = function () {
    if (this.request) this.request.destroy();
  };

  NodeXMLHttpRequest.prototype.send = function (data) {
    var xhr = this;
    var settled = false;
    var timer = null;
    function finish(eventName, event) {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      xhr.readyState = 4;
      var handler = xhr['on' + eventName];
      if (handler) handler.call(xhr, event || { loaded: 0, total: 0 });
    }
    function fail() {
      xhr.status = 0;
      finish('error');
    }

    var url;
    try {
      url = new URL(this.url);
    } catch (invalid) {
      return fail();
    }
    var transport = url.protocol === 'https:' ? https : http;
    var body = data ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : null;
    var headers = Object.assign({}, this.requestHeaders);
    headers['Content-Length'] = body ? body.length : 0;

    var request = transport.request(url, { method: this.method, headers: headers, agent: agents[url.protocol] },
      function (response) {
        var chunks = [];
        response.on('data', function (chunk) { chunks.push(chunk); });
        response.on('error', fail);
        response.on('end', function () {
          var all = Buffer.concat(chunks);
          xhr.status = response.statusCode;
          xhr.statusText = response.statusMessage || '';
          xhr.responseHeaderText = Object.keys(response.headers).map(function (name) {
            return name + ': ' + response.headers[name] + '\r\n';
          }).join('');
          xhr.response = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
          finish('load', { loaded: all.length, total: all.length });
        });
      });
    request.on('error', fail);
    if (this.timeout > 0) {
      timer = setTimeout(function () {
        request.destroy();
        finish('timeout');
      }, this.timeout);
    }
    this.request = request;
    request.end(body);
  };

  return NodeXMLHttpRequest;
})();
