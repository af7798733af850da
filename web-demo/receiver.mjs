// A local Outbound-compatible receiver (SPEC section 6): answers the 11 API paths under /v2 the way the
// Outbound API documents, records what it accepted, and lets tests and the demo read that back over HTTP.
// Node built-ins only, so it runs anywhere the package's tests run.

import http from 'node:http';
import process from 'node:process';
import { pathToFileURL } from 'node:url';

/** The options a receiver starts with; a caller's options are merged over these. */
export const DEFAULT_OPTIONS = Object.freeze({
  port: 0, // 0 lets the OS pick a free port, so parallel test runs never collide
  host: '127.0.0.1',
  keys: null, // null accepts any non-empty X-Outbound-Key; an array accepts only those keys
  maxBodyBytes: 1024 * 1024,
  maxRecorded: 1000,
});

const API_PREFIX = '/v2';
const CALLS_PATH = '/calls';
const CALLS_STREAM_PATH = '/calls/stream';
const MASKED_KEY = '****';
const MAX_BATCH_EVENTS = 100;
const PREFLIGHT_MAX_AGE_SECONDS = '600';
const RECORDED_HEADERS = ['content-type', 'x-outbound-key', 'x-outbound-client', 'origin'];

// ---------------------------------------------------------------------------------------------------
// Validation: small rules composed into one table of the 11 API paths.
// A rule takes the parsed body and returns null when it is fine, else a sentence naming the problem.

function describeValue(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value === '' ? 'an empty string' : 'a string';
  return /^[aeiou]/.test(typeof value) ? `an ${typeof value}` : `a ${typeof value}`;
}

const isUserId = (value) =>
  (typeof value === 'string' && value !== '') || (typeof value === 'number' && Number.isFinite(value));
const isNonEmptyString = (value) => typeof value === 'string' && value !== '';
const isPlainObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

// `subject` is undefined for a top-level body, or names the batch element ("body[3]") being checked.
const fieldName = (subject, name) => (subject ? `${subject}.${name}` : name);

function requiredField(name, isValid, expectation) {
  return (body, subject) => {
    const field = fieldName(subject, name);
    if (!(name in body)) return `${field} is missing: it must be ${expectation}`;
    if (!isValid(body[name])) return `${field} must be ${expectation}, got ${describeValue(body[name])}`;
    return null;
  };
}

function optionalField(name, isValid, expectation) {
  const required = requiredField(name, isValid, expectation);
  return (body, subject) => (body[name] === undefined ? null : required(body, subject));
}

const userIdRule = requiredField('user_id', isUserId, 'a non-empty string or a number');
const previousIdRule = optionalField('previous_id', isUserId, 'a non-empty string or a number');
const eventRule = requiredField('event', isNonEmptyString, 'a non-empty string (the event name)');
const tokenRule = requiredField('token', isNonEmptyString, 'a non-empty string (the device token)');

// A disable call names one token, or says `all: true`; anything else would silently disable nothing.
function tokenOrAllRule(body, subject) {
  if (body.token === undefined && body.all === true) return null;
  if (body.token === undefined) {
    return `${fieldName(subject, 'token')} is missing: give a non-empty string token, or all: true to disable every token`;
  }
  return tokenRule(body, subject);
}

const isCampaignId = (id) => isNonEmptyString(id) || (typeof id === 'number' && Number.isFinite(id));

function campaignIdsRule(body, subject) {
  const field = fieldName(subject, 'campaign_ids');
  const ids = body.campaign_ids;
  if (ids === undefined) return `${field} is missing: it must be a non-empty array of campaign IDs`;
  if (!Array.isArray(ids)) return `${field} must be a non-empty array of campaign IDs, got ${describeValue(ids)}`;
  if (ids.length === 0) return `${field} must be a non-empty array of campaign IDs, got an empty array`;
  const badIndex = ids.findIndex((id) => !isCampaignId(id));
  if (badIndex === -1) return null;
  return `${field}[${badIndex}] must be a string or a number, got ${describeValue(ids[badIndex])}`;
}

function objectBody(...rules) {
  return (body, subject) => {
    if (!isPlainObject(body)) return `${subject ?? 'the request body'} must be a JSON object, got ${describeValue(body)}`;
    for (const rule of rules) {
      const problem = rule(body, subject);
      if (problem) return problem;
    }
    return null;
  };
}

const trackBody = objectBody(userIdRule, eventRule);

function trackBatchBody(body) {
  if (!Array.isArray(body)) {
    return `the request body must be a JSON array of 1 to ${MAX_BATCH_EVENTS} track events, got ${describeValue(body)}`;
  }
  if (body.length < 1 || body.length > MAX_BATCH_EVENTS) {
    return `the request body must hold 1 to ${MAX_BATCH_EVENTS} track events, got ${body.length}`;
  }
  for (let index = 0; index < body.length; index += 1) {
    const problem = trackBody(body[index], `body[${index}]`);
    if (problem) return problem;
  }
  return null;
}

/** The API paths (relative to /v2) and how each one's body is validated. */
const API_ROUTES = new Map([
  ['/identify', objectBody(userIdRule, previousIdRule)],
  ['/track', trackBody],
  ['/track/batch', trackBatchBody],
  ['/apns/register', objectBody(userIdRule, tokenRule)],
  ['/gcm/register', objectBody(userIdRule, tokenRule)],
  ['/apns/disable', objectBody(userIdRule, tokenOrAllRule)],
  ['/gcm/disable', objectBody(userIdRule, tokenOrAllRule)],
  ['/subscribe/all', objectBody(userIdRule)],
  ['/unsubscribe/all', objectBody(userIdRule)],
  ['/subscribe/campaigns', objectBody(userIdRule, campaignIdsRule)],
  ['/unsubscribe/campaigns', objectBody(userIdRule, campaignIdsRule)],
]);

// ---------------------------------------------------------------------------------------------------
// Options

const warnedOptionNames = new Set();

// An unknown option is most likely a typo; say so once rather than throw, so composed servers can pass theirs.
function warnOnceAboutUnknownOptions(options) {
  for (const name of Object.keys(options)) {
    if (name in DEFAULT_OPTIONS || warnedOptionNames.has(name)) continue;
    warnedOptionNames.add(name);
    process.emitWarning(`Outbound receiver: unknown option "${name}" is ignored`, { code: 'OUTBOUND_RECEIVER_OPTION' });
  }
}

function checkOptions(options) {
  const { port, host, keys, maxBodyBytes, maxRecorded } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new TypeError('options.port must be an integer from 0 to 65535');
  if (!isNonEmptyString(host)) throw new TypeError('options.host must be a non-empty string');
  if (keys !== null && (!Array.isArray(keys) || !keys.every(isNonEmptyString))) {
    throw new TypeError('options.keys must be null (accept any key) or an array of non-empty strings');
  }
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1) throw new TypeError('options.maxBodyBytes must be a positive integer');
  if (!Number.isInteger(maxRecorded) || maxRecorded < 0) throw new TypeError('options.maxRecorded must be a non-negative integer');
}

function resolveOptions(callerOptions = {}) {
  warnOnceAboutUnknownOptions(callerOptions);
  const given = Object.fromEntries(
    Object.entries(callerOptions).filter(([name, value]) => name in DEFAULT_OPTIONS && value !== undefined),
  );
  const options = { ...DEFAULT_OPTIONS, ...given };
  checkOptions(options);
  if (options.keys) options.keys = Object.freeze([...options.keys]);
  return Object.freeze(options);
}

// ---------------------------------------------------------------------------------------------------
// Replies

function corsHeaders(req) {
  return {
    // Echoing the page's origin (rather than always "*") keeps working if a page ever sends credentials.
    'Access-Control-Allow-Origin': req.headers.origin || '*',
    'Access-Control-Expose-Headers': 'Retry-After',
    Vary: 'Origin',
  };
}

function sendJson(req, res, status, payload, extraHeaders = {}) {
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

function sendError(req, res, status, message, extraHeaders) {
  sendJson(req, res, status, { error: message }, extraHeaders);
}

function sendPreflight(req, res, allowedMethods) {
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

function declaredLength(req) {
  const header = req.headers['content-length'];
  return header === undefined ? null : Number(header);
}

/**
 * Reads the body up to `limit` bytes. Resolves { bytes } when it fits, { tooLarge: true } as soon as it
 * is known not to, and { aborted: true } when the client went away first.
 */
function readBody(req, limit) {
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
function rejectOversizedBody(req, res, limit) {
  req.resume();
  sendError(req, res, 413, `the request body is larger than the receiver's limit of ${limit} bytes`, {
    Connection: 'close',
  });
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Resolves { value } for a well-formed UTF-8 JSON body, else { problem }. */
function parseJsonBody(bytes) {
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
// Authentication

function keyProblem(req, acceptedKeys) {
  const key = req.headers['x-outbound-key'];
  if (key === undefined || key.trim() === '') return 'the X-Outbound-Key header is missing or empty; send your Outbound API key in it';
  if (acceptedKeys && !acceptedKeys.includes(key)) return 'the X-Outbound-Key header does not hold an accepted API key';
  return null;
}

// ---------------------------------------------------------------------------------------------------
// The call log, and the event streams that watch it

function recordedHeaders(req) {
  const headers = {};
  for (const name of RECORDED_HEADERS) {
    if (req.headers[name] !== undefined) headers[name] = name === 'x-outbound-key' ? MASKED_KEY : req.headers[name];
  }
  return headers;
}

function createCallLog(maxRecorded) {
  let calls = [];
  let lastSeq = 0;
  const listeners = new Set();
  return {
    add(req, path, body) {
      lastSeq += 1;
      const call = { seq: lastSeq, receivedAt: new Date().toISOString(), method: req.method, path, headers: recordedHeaders(req), body };
      calls.push(call);
      if (calls.length > maxRecorded) calls = calls.slice(calls.length - maxRecorded);
      for (const listener of listeners) listener(call);
    },
    // Copies, so a caller mutating what it read cannot change what later readers see.
    since: (seq) => structuredClone(calls.filter((call) => call.seq > seq)),
    clear() {
      const cleared = calls.length;
      calls = [];
      return cleared;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

function openCallStream(req, res, log, openStreams) {
  res.writeHead(200, {
    ...corsHeaders(req),
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-cache',
    Connection: 'keep-alive',
  });
  // A comment line flushes the headers, so the browser's EventSource reports "open" straight away.
  res.write(': connected\n\n');
  const unsubscribe = log.subscribe((call) => res.write(`data: ${JSON.stringify(call)}\n\n`));
  const stream = { end: () => res.end() };
  openStreams.add(stream);
  res.once('close', () => {
    unsubscribe();
    openStreams.delete(stream);
  });
}

// ---------------------------------------------------------------------------------------------------
// Routing

function parseSince(searchParams) {
  const raw = searchParams.get('since');
  if (raw === null) return { seq: 0 };
  if (!/^\d+$/.test(raw)) return { problem: `since must be a non-negative integer (a call's seq), got "${raw}"` };
  return { seq: Number(raw) };
}

function handleCalls(req, res, url, log, openStreams) {
  const { pathname } = url;
  if (pathname !== CALLS_PATH && pathname !== CALLS_STREAM_PATH) {
    sendError(req, res, 404, `there is nothing at ${pathname}; use GET or DELETE ${CALLS_PATH}, or GET ${CALLS_STREAM_PATH}`);
    return;
  }
  const allowed = pathname === CALLS_PATH ? 'GET, DELETE' : 'GET';
  if (req.method === 'OPTIONS') return sendPreflight(req, res, allowed);
  if (pathname === CALLS_STREAM_PATH && req.method === 'GET') return openCallStream(req, res, log, openStreams);
  if (pathname === CALLS_PATH && req.method === 'DELETE') return sendJson(req, res, 200, { cleared: log.clear() });
  if (pathname === CALLS_PATH && req.method === 'GET') {
    const since = parseSince(url.searchParams);
    if (since.problem) return sendError(req, res, 400, since.problem);
    return sendJson(req, res, 200, { calls: log.since(since.seq) });
  }
  sendError(req, res, 405, `${pathname} does not accept ${req.method}; use ${allowed}`, { Allow: `${allowed}, OPTIONS` });
}

async function acceptApiCall(req, res, path, validate, options, log) {
  const read = await readBody(req, options.maxBodyBytes);
  if (read.aborted) return;
  if (read.tooLarge) return rejectOversizedBody(req, res, options.maxBodyBytes);
  const authProblem = keyProblem(req, options.keys);
  if (authProblem) return sendError(req, res, 401, authProblem);
  const parsed = parseJsonBody(read.bytes);
  if (parsed.problem) return sendError(req, res, 500, parsed.problem);
  const problem = validate(parsed.value);
  if (problem) return sendError(req, res, 400, problem);
  log.add(req, path, parsed.value);
  sendJson(req, res, 200, {});
}

function handleApi(req, res, url, options, log) {
  const { pathname } = url;
  if (req.method === 'OPTIONS') return sendPreflight(req, res, 'POST');
  const validate = API_ROUTES.get(pathname.slice(API_PREFIX.length));
  if (!validate) return sendError(req, res, 404, `there is no Outbound API endpoint at ${pathname}`);
  if (req.method !== 'POST') {
    return sendError(req, res, 405, `${pathname} only accepts POST, got ${req.method}`, { Allow: 'POST, OPTIONS' });
  }
  return acceptApiCall(req, res, pathname, validate, options, log);
}

const isUnder = (pathname, prefix) => pathname === prefix || pathname.startsWith(`${prefix}/`);

function requestUrl(req) {
  try {
    return new URL(req.url, 'http://receiver.invalid');
  } catch {
    return null;
  }
}

// Whatever goes wrong inside one request must not take the process (and every other test) down with it.
function failSafely(req, res) {
  if (!res.headersSent && !res.destroyed) sendError(req, res, 500, 'the receiver failed while handling this request');
  else res.destroy();
}

/**
 * Creates a receiver whose `handle(req, res)` answers /v2/... and /calls... requests and returns false,
 * without touching `res`, for any other path.
 */
export function createReceiver(callerOptions = {}) {
  const options = resolveOptions(callerOptions);
  const log = createCallLog(options.maxRecorded);
  const openStreams = new Set();

  function handle(req, res) {
    const url = requestUrl(req);
    if (!url) return false;
    const ours = isUnder(url.pathname, API_PREFIX) || isUnder(url.pathname, CALLS_PATH);
    if (!ours) return false;
    req.on('error', () => {}); // a client that aborts mid-body is not our failure
    res.on('error', () => {});
    try {
      const pending = isUnder(url.pathname, API_PREFIX)
        ? handleApi(req, res, url, options, log)
        : handleCalls(req, res, url, log, openStreams);
      Promise.resolve(pending).catch(() => failSafely(req, res));
    } catch {
      failSafely(req, res);
    }
    return true;
  }

  return {
    handle,
    calls: () => log.since(0),
    clear: () => log.clear(),
    /** Ends every open /calls/stream response, so the server holding them can close. */
    endStreams() {
      for (const stream of openStreams) stream.end();
    },
    options,
  };
}

// ---------------------------------------------------------------------------------------------------
// Standalone server

function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.removeListener('error', reject);
      resolve(server.address().port);
    });
  });
}

function originFor(host, port) {
  return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

/**
 * Starts a receiver on its own HTTP server. Resolves { url, origin, port, close, calls, clear } where
 * `url` (origin + "/v2") is the baseUrl a client sends to; close() resolves once the server is closed.
 */
export async function start(callerOptions = {}) {
  const receiver = createReceiver(callerOptions);
  const { host } = receiver.options;
  const answer = (req, res) => {
    if (!receiver.handle(req, res)) sendError(req, res, 404, `there is nothing at ${req.url}; the API is under ${API_PREFIX}`);
  };
  const server = http.createServer(answer);
  // "Expect: 100-continue" (curl sends it for large bodies): refuse an oversized body before it is sent.
  server.on('checkContinue', (req, res) => {
    if (!(declaredLength(req) > receiver.options.maxBodyBytes)) res.writeContinue();
    answer(req, res);
  });
  const port = await listen(server, receiver.options.port, host);
  const origin = originFor(host, port);

  let closing = null;
  function close() {
    closing ??= new Promise((resolve) => {
      receiver.endStreams();
      server.close(() => resolve());
      // Keep-alive sockets would otherwise hold close() open until they time out.
      server.closeAllConnections();
    });
    return closing;
  }

  return { url: `${origin}${API_PREFIX}`, origin, port, close, calls: receiver.calls, clear: receiver.clear };
}

// ---------------------------------------------------------------------------------------------------
// Command line: node web-demo/receiver.mjs [--port N] [--host H] [--key K ...]

const USAGE = 'usage: node web-demo/receiver.mjs [--port N] [--host H] [--key K ...]';

function parseCommandLine(args) {
  const options = {};
  for (let index = 0; index < args.length; index += 1) {
    const [flag, inlineValue] = args[index].split(/=(.*)/s);
    if (flag === '--help' || flag === '-h') return { help: true };
    const value = inlineValue ?? args[(index += 1)];
    if (value === undefined) throw new TypeError(`${flag} needs a value\n${USAGE}`);
    if (flag === '--port') options.port = Number(value);
    else if (flag === '--host') options.host = value;
    else if (flag === '--key') options.keys = [...(options.keys ?? []), value];
    else throw new TypeError(`unknown argument ${flag}\n${USAGE}`);
  }
  return { options };
}

async function main() {
  let parsed;
  try {
    parsed = parseCommandLine(process.argv.slice(2));
    if (parsed.help) {
      console.log(USAGE);
      return;
    }
    const receiver = await start(parsed.options);
    console.log(`Outbound receiver listening on ${receiver.url}`);
    const shutDown = () => receiver.close().then(() => process.exit(0));
    process.once('SIGINT', shutDown);
    process.once('SIGTERM', shutDown);
  } catch (error) {
    console.error(`Outbound receiver: ${error.message}`);
    process.exitCode = 2;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
