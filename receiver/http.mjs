// The receiver's HTTP plumbing (docs/contract.md, The receiver): CORS on every reply, JSON replies,
// bodies read within a limit, and a server that holds up against slow and malformed clients. It knows
// nothing of the API, the call log or faults, so each of those can use it without a cycle.

import http from 'node:http';

const PREFLIGHT_MAX_AGE_SECONDS = '600';

// ---------------------------------------------------------------------------------------------------
// Replies

export function corsHeaders(req) {
  return {
    // Echoing the page's origin (rather than always "*") keeps working if a page ever sends credentials.
    'Access-Control-Allow-Origin': req.headers.origin || '*',
    'Access-Control-Expose-Headers': 'Retry-After',
    Vary: 'Origin',
  };
}

export function sendJson(req, res, status, payload, extraHeaders = {}) {
  if (res.headersSent || res.destroyed) return;
  const body = JSON.stringify(payload);
  res.writeHead(status, {
    ...corsHeaders(req),
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    ...extraHeaders,
  });
  res.end(body);
}

export function sendError(req, res, status, message, extraHeaders) {
  sendJson(req, res, status, { error: message }, extraHeaders);
}

export function sendPreflight(req, res, allowedMethods) {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(204, {
    ...corsHeaders(req),
    'Access-Control-Allow-Methods': allowedMethods,
    'Access-Control-Allow-Headers': 'Content-Type, X-Outbound-Key, X-Outbound-Client',
    'Access-Control-Max-Age': PREFLIGHT_MAX_AGE_SECONDS,
    'Content-Type': 'application/json',
  });
  res.end();
}

// ---------------------------------------------------------------------------------------------------
// Request bodies

export function declaredLength(req) {
  const header = req.headers['content-length'];
  return header === undefined ? null : Number(header);
}

/**
 * Reads the body up to `limit` bytes. Resolves { bytes } when it fits, { tooLarge: true } as soon as it
 * is known not to, and { aborted: true } when the client went away first.
 */
export function readBody(req, limit) {
  return new Promise((resolve) => {
    const declared = declaredLength(req);
    if (declared !== null && declared > limit) {
      resolve({ tooLarge: true });
      return;
    }
    const chunks = [];
    let received = 0;
    const finish = (result) => {
      req.removeListener('data', onData);
      resolve(result);
    };
    const onData = (chunk) => {
      received += chunk.length;
      if (received > limit) finish({ tooLarge: true });
      else chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => finish({ bytes: Buffer.concat(chunks) }));
    req.once('error', () => finish({ aborted: true }));
    req.once('close', () => {
      if (!req.complete) finish({ aborted: true });
    });
  });
}

// The rest of the body is discarded, not kept: a client still sending when we stopped reading would see a
// connection reset instead of the 413. Connection: close then ends the socket once the reply is out.
export function rejectOversizedBody(req, res, limit) {
  req.resume();
  sendError(req, res, 413, `the request body is larger than the receiver's limit of ${limit} bytes`, {
    Connection: 'close',
  });
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Resolves { value } for a well-formed UTF-8 JSON body, else { problem }. */
export function parseJsonBody(bytes) {
  let text;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return { problem: 'the request body is not valid UTF-8' };
  }
  if (text.trim() === '') return { problem: 'the request body is empty; it must be well-formed JSON' };
  try {
    return { value: JSON.parse(text) };
  } catch {
    // V8's message quotes the body back; keep the reply short and free of whatever the client sent.
    return { problem: 'the request body is not well-formed JSON' };
  }
}

// ---------------------------------------------------------------------------------------------------
// Servers

export function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.removeListener('error', reject);
      resolve(server.address().port);
    });
  });
}

export function originFor(host, port) {
  return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

/**
 * An HTTP server for `handler` that holds up against slow, stalled and malformed clients, with the
 * timeouts of `options` (a receiver's): Node answers a late request 408 and closes it; a request
 * that is not HTTP gets a JSON 400 (or 431 for oversized headers) instead of Node's plain text. Used
 * by start() and by the demo server, which composes the receiver.
 */
export function createHardenedServer(handler, options) {
  const server = http.createServer({
    headersTimeout: options.headersTimeoutMs,
    requestTimeout: options.requestTimeoutMs,
    keepAliveTimeout: options.idleTimeoutMs,
    // Node checks those timeouts on this interval (30 s by default): often enough to honour them.
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(options.headersTimeoutMs / 2))),
  }, handler);
  server.on('clientError', (error, socket) => {
    if (!socket.writable || error.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const status = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : tooLarge ? 431 : 400;
    const reason = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' }[status];
    const body = JSON.stringify({ error: status === 408
      ? 'the request was not received in time'
      : tooLarge ? 'the request headers are too large' : 'the request is not valid HTTP' });
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\n`
      + `Access-Control-Allow-Origin: *\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
  return server;
}
