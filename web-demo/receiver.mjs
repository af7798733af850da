// A local Outbound-compatible receiver (docs/contract.md, The receiver): answers the 11 API paths
// under /v2 the way the Outbound API documents, records what it accepted, and lets tests and the
// demo read that back over HTTP.
// It can also make the network bad on purpose (fault modes: error statuses, lost replies, dropped and
// unanswered requests, added latency), set from code, the command line, or at run time over /faults.
// Node built-ins only, so it runs anywhere the package's tests run.

import http from 'node:http';
import process from 'node:process';
import { pathToFileURL } from 'node:url';

/** Every kind of fault the receiver can inject; what each one does is in FAULT_BEHAVIOURS below. */
export const FAULT_KINDS = Object.freeze(['500', '503', '429', 'reset', 'drop', 'hang']);

/**
 * The fault settings, and their defaults: no faults. `options.faults`, setFaults() and PUT /faults take any
 * part of this shape and merge it over the current settings.
 */
export const DEFAULT_FAULTS = Object.freeze({
  rate: 0, // the fraction (0..1) of accepted API POSTs answered with a fault instead of their normal reply
  kinds: FAULT_KINDS, // a faulted request gets one of these, drawn uniformly
  retryAfterSeconds: 1, // the Retry-After sent with 429 and 503: short, so tests that honour it stay quick
  latencyMs: 0, // waited before answering every API POST, faulted or not: ms, or [min, max] drawn uniformly
  seed: null, // an integer makes the draws repeatable (same seed, same sequence of faults); null: Math.random
});

/** The options a receiver starts with; a caller's options are merged over these. */
export const DEFAULT_OPTIONS = Object.freeze({
  port: 0, // 0 lets the OS pick a free port, so parallel test runs never collide
  host: '127.0.0.1',
  keys: null, // null accepts any non-empty X-Outbound-Key; an array accepts only those keys
  maxBodyBytes: 1024 * 1024,
  maxRecorded: 1000,
  faults: DEFAULT_FAULTS,
  // A slow or stalled client cannot hold the server: it gets this long for its headers, for its
  // whole request, and an idle keep-alive connection is closed after the last.
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 5_000,
});

const API_PREFIX = '/v2';
const CALLS_PATH = '/calls';
const CALLS_STREAM_PATH = '/calls/stream';
const FAULTS_PATH = '/faults';
const FAULTS_METHODS = 'GET, PUT, DELETE';
// setTimeout cannot wait longer than about 24.8 days (it fires at once instead), and a latency of more than
// a minute is a mistake, not a slow network: a request that should never be answered is the 'hang' fault.
const MAX_LATENCY_MS = 60_000;
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
  for (const name of ['headersTimeoutMs', 'requestTimeoutMs', 'idleTimeoutMs']) {
    if (!Number.isInteger(options[name]) || options[name] < 1) throw new TypeError(`options.${name} must be a positive integer`);
  }
}

function resolveOptions(callerOptions = {}) {
  warnOnceAboutUnknownOptions(callerOptions);
  const given = Object.fromEntries(
    Object.entries(callerOptions).filter(([name, value]) => name in DEFAULT_OPTIONS && value !== undefined),
  );
  const options = { ...DEFAULT_OPTIONS, ...given };
  checkOptions(options);
  options.faults = resolveFaults(DEFAULT_FAULTS, given.faults ?? {}, 'options.faults');
  if (options.keys) options.keys = Object.freeze([...options.keys]);
  return Object.freeze(options);
}

// ---------------------------------------------------------------------------------------------------
// Fault settings: each field's check, as `(value, name) => problem or null`.

const showValue = (value) => (typeof value === 'number' ? String(value) : describeValue(value));
const isMilliseconds = (value) => typeof value === 'number' && value >= 0 && value <= MAX_LATENCY_MS;

function kindsProblem(kinds, name) {
  const expectation = `a non-empty array of distinct fault kinds from ${FAULT_KINDS.join(', ')}`;
  if (!Array.isArray(kinds) || kinds.length === 0) return `${name} must be ${expectation}, got ${describeValue(kinds)}`;
  const unknown = kinds.findIndex((kind) => !FAULT_KINDS.includes(kind));
  if (unknown !== -1) return `${name}[${unknown}] must be one of ${FAULT_KINDS.join(', ')}, got ${JSON.stringify(kinds[unknown])}`;
  // A repeated kind would quietly double its share, which is not what "drawn uniformly" promises.
  if (new Set(kinds).size !== kinds.length) return `${name} must not name a kind twice`;
  return null;
}

function latencyProblem(latency, name) {
  if (isMilliseconds(latency)) return null;
  const range = Array.isArray(latency) && latency.length === 2 && latency.every(isMilliseconds) && latency[0] <= latency[1];
  if (range) return null;
  return `${name} must be milliseconds from 0 to ${MAX_LATENCY_MS}, or [min, max] of those with min <= max, got ${
    Array.isArray(latency) ? JSON.stringify(latency) : showValue(latency)}`;
}

function check(isValid, expectation) {
  return (value, name) => (isValid(value) ? null : `${name} must be ${expectation}, got ${showValue(value)}`);
}

const FAULT_SETTING_CHECKS = {
  rate: check((value) => typeof value === 'number' && value >= 0 && value <= 1, 'a number from 0 to 1'),
  kinds: kindsProblem,
  retryAfterSeconds: check((value) => Number.isInteger(value) && value >= 0, 'a non-negative integer (seconds)'),
  latencyMs: latencyProblem,
  seed: check((value) => value === null || Number.isSafeInteger(value), 'an integer, or null for Math.random'),
};

/**
 * Merges `partial` over `current` and returns the frozen result, or throws a TypeError naming the first
 * bad field. Unlike top-level options, an unknown field throws: nothing else shares this object, so an
 * unknown name can only be a typo that would otherwise leave faults silently off.
 */
function resolveFaults(current, partial, name) {
  if (!isPlainObject(partial)) throw new TypeError(`${name} must be an object of fault settings, got ${describeValue(partial)}`);
  const merged = { ...current };
  for (const [field, value] of Object.entries(partial)) {
    if (value === undefined) continue;
    if (!(field in FAULT_SETTING_CHECKS)) {
      throw new TypeError(`${name}.${field} is not a fault setting; use ${Object.keys(DEFAULT_FAULTS).join(', ')}`);
    }
    const problem = FAULT_SETTING_CHECKS[field](value, `${name}.${field}`);
    if (problem) throw new TypeError(problem);
    merged[field] = Array.isArray(value) ? Object.freeze([...value]) : value;
  }
  return Object.freeze(merged);
}

// mulberry32: a tiny 32-bit PRNG, plenty for picking faults, and the same sequence for the same seed.
function mulberry32(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const emptyFaultStats = () => ({ requests: 0, faulted: Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])), recorded: 0 });

/**
 * The current fault settings, the random source they draw from, and counts of what they did:
 * `requests` API POSTs got as far as the fault draw (valid ones), `faulted[kind]` of them got that fault,
 * and `recorded` were recorded (answered 200, or recorded then reset).
 */
function createFaultInjector(initial) {
  let settings = DEFAULT_FAULTS;
  let random = Math.random;
  let stats = emptyFaultStats();

  function set(partial, name = 'faults') {
    settings = resolveFaults(settings, partial, name);
    // Re-seeding only when a seed is given keeps a running sequence going across other changes, while
    // giving the same seed again restarts it, so a test can replay exactly the same faults.
    if (isPlainObject(partial) && partial.seed !== undefined) random = settings.seed === null ? Math.random : mulberry32(settings.seed);
    return settings;
  }
  set(initial);

  return {
    settings: () => settings,
    set,
    reset() {
      settings = DEFAULT_FAULTS;
      random = Math.random;
      stats = emptyFaultStats();
      return settings;
    },
    latency() {
      const { latencyMs } = settings;
      return Array.isArray(latencyMs) ? latencyMs[0] + random() * (latencyMs[1] - latencyMs[0]) : latencyMs;
    },
    /** Counts one eligible request and returns the fault it gets, or null. */
    draw() {
      stats.requests += 1;
      if (settings.rate === 0 || random() >= settings.rate) return null;
      const kind = settings.kinds[Math.floor(random() * settings.kinds.length)];
      stats.faulted[kind] += 1;
      return kind;
    },
    countRecorded() {
      stats.recorded += 1;
    },
    stats: () => structuredClone(stats),
  };
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

function handleCalls(req, res, url, { log, openStreams }) {
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

// A TCP reset (RST) rather than a plain close, so the client sees ECONNRESET as on a real network. Sockets
// that cannot be reset (TLS, pipes, a composing server's own transport) are closed instead.
function resetConnection(res) {
  try {
    res.socket.resetAndDestroy();
  } catch {
    res.destroy();
  }
}

function injectedError(status, reason, withRetryAfter) {
  return ({ req, res, faults }) => {
    const headers = withRetryAfter ? { 'Retry-After': String(faults.settings().retryAfterSeconds) } : {};
    sendError(req, res, status, `injected fault: ${status} ${reason}`, headers);
  };
}

/** What each kind of fault does, and whether the call is recorded (did it reach the server?). */
const FAULT_BEHAVIOURS = {
  // The server failed before doing anything: a client should retry.
  500: { records: false, act: injectedError(500, 'Internal Server Error', false) },
  // Overloaded, or rate-limited: nothing was done, and Retry-After says how long to wait before retrying.
  503: { records: false, act: injectedError(503, 'Service Unavailable', true) },
  429: { records: false, act: injectedError(429, 'Too Many Requests', true) },
  // The call was processed but the reply was lost: the client cannot tell, so a retry makes a duplicate.
  reset: { records: true, act: ({ res }) => resetConnection(res) },
  // The connection went before the request got through: nothing was processed.
  drop: { records: false, act: ({ res }) => res.destroy() },
  // No reply, ever: only the client's own timeout ends it, or the receiver closing (endStreams destroys it).
  hang: { records: false, act: ({ res, hold }) => hold(res) },
};

const sleep = (ms) => new Promise((resolve) => {
  // Unref'd: a pending delay alone must not keep a closing receiver's process alive.
  setTimeout(resolve, ms).unref();
});

const connectionGone = (res) => res.destroyed || !res.socket || res.socket.destroyed;

async function acceptApiCall(req, res, path, validate, context) {
  const { options, log, faults } = context;
  const read = await readBody(req, options.maxBodyBytes);
  if (read.aborted) return;
  // Refused at once, not after the added latency: the client may still be sending what we will not read.
  if (read.tooLarge) return rejectOversizedBody(req, res, options.maxBodyBytes);
  const latency = faults.latency();
  if (latency > 0) {
    await sleep(latency);
    // The request is only looked at after the delay, so a client that gave up during it left nothing behind.
    if (connectionGone(res)) return;
  }
  const authProblem = keyProblem(req, options.keys);
  if (authProblem) return sendError(req, res, 401, authProblem);
  const parsed = parseJsonBody(read.bytes);
  if (parsed.problem) return sendError(req, res, 500, parsed.problem);
  const problem = validate(parsed.value);
  if (problem) return sendError(req, res, 400, problem);
  // Only a request the API would accept is eligible for a fault: a bad one keeps its 4xx (or 500), so a
  // test of validation never sees an injected fault.
  const kind = faults.draw();
  const behaviour = kind === null ? null : FAULT_BEHAVIOURS[kind];
  if (!behaviour || behaviour.records) {
    log.add(req, path, parsed.value);
    faults.countRecorded();
  }
  if (behaviour) return behaviour.act({ req, res, ...context });
  sendJson(req, res, 200, {});
}

function handleApi(req, res, url, context) {
  const { pathname } = url;
  if (req.method === 'OPTIONS') return sendPreflight(req, res, 'POST');
  const validate = API_ROUTES.get(pathname.slice(API_PREFIX.length));
  if (!validate) return sendError(req, res, 404, `there is no Outbound API endpoint at ${pathname}`);
  if (req.method !== 'POST') {
    return sendError(req, res, 405, `${pathname} only accepts POST, got ${req.method}`, { Allow: 'POST, OPTIONS' });
  }
  return acceptApiCall(req, res, pathname, validate, context);
}

const faultsReport = (faults) => ({ faults: faults.settings(), stats: faults.stats() });

// GET reads the settings and what they did, PUT changes part of the settings, DELETE turns faults off and
// zeroes the counts: a page or a test can make the network bad and good again without a restart.
async function handleFaults(req, res, url, { options, faults }) {
  const { pathname } = url;
  if (pathname !== FAULTS_PATH) {
    return sendError(req, res, 404, `there is nothing at ${pathname}; use GET, PUT or DELETE ${FAULTS_PATH}`);
  }
  if (req.method === 'OPTIONS') return sendPreflight(req, res, FAULTS_METHODS);
  if (req.method === 'GET') return sendJson(req, res, 200, faultsReport(faults));
  if (req.method === 'DELETE') {
    faults.reset();
    return sendJson(req, res, 200, faultsReport(faults));
  }
  if (req.method !== 'PUT') {
    return sendError(req, res, 405, `${FAULTS_PATH} does not accept ${req.method}; use ${FAULTS_METHODS}`, {
      Allow: `${FAULTS_METHODS}, OPTIONS`,
    });
  }
  const read = await readBody(req, options.maxBodyBytes);
  if (read.aborted) return;
  if (read.tooLarge) return rejectOversizedBody(req, res, options.maxBodyBytes);
  // Unlike the API (which mimics Outbound's 500), a bad body here is plainly the client's mistake: 400.
  const parsed = parseJsonBody(read.bytes);
  if (parsed.problem) return sendError(req, res, 400, parsed.problem);
  try {
    return sendJson(req, res, 200, { faults: faults.set(parsed.value) });
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    return sendError(req, res, 400, error.message);
  }
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

/** Which handler answers a path, or null when the path is not the receiver's. */
function routeFor(pathname) {
  if (isUnder(pathname, API_PREFIX)) return handleApi;
  if (isUnder(pathname, CALLS_PATH)) return handleCalls;
  if (isUnder(pathname, FAULTS_PATH)) return handleFaults;
  return null;
}

/**
 * Creates a receiver whose `handle(req, res)` answers /v2/..., /calls... and /faults requests and returns
 * false, without touching `res`, for any other path.
 */
export function createReceiver(callerOptions = {}) {
  const options = resolveOptions(callerOptions);
  const log = createCallLog(options.maxRecorded);
  const openStreams = new Set();
  const faults = createFaultInjector(options.faults);
  const held = new Set(); // responses a 'hang' fault is holding open
  const context = { options, log, openStreams, faults, hold: holdOpen };

  function holdOpen(res) {
    held.add(res);
    res.once('close', () => held.delete(res));
  }

  function handle(req, res) {
    const url = requestUrl(req);
    const route = url && routeFor(url.pathname);
    if (!route) return false;
    req.on('error', () => {}); // a client that aborts mid-body is not our failure
    res.on('error', () => {});
    try {
      Promise.resolve(route(req, res, url, context)).catch(() => failSafely(req, res));
    } catch {
      failSafely(req, res);
    }
    return true;
  }

  return {
    handle,
    calls: () => log.since(0),
    clear: () => log.clear(),
    /**
     * Ends every open /calls/stream response and destroys every request a 'hang' fault is holding, so the
     * server holding them can close.
     */
    endStreams() {
      for (const stream of openStreams) stream.end();
      for (const res of held) res.destroy();
    },
    /** Merges `partial` over the current fault settings (as PUT /faults does) and returns the new settings. */
    setFaults: (partial) => faults.set(partial),
    /** Turns faults off and zeroes their counts (as DELETE /faults does); returns the settings. */
    resetFaults: () => faults.reset(),
    /** { requests, faulted: { kind: count }, recorded } since the receiver started or faults were reset. */
    faultStats: () => faults.stats(),
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

/**
 * Starts a receiver on its own HTTP server. Resolves { url, origin, port, close, calls, clear, setFaults,
 * resetFaults, faultStats } where `url` (origin + "/v2") is the baseUrl a client sends to; close() resolves
 * once the server is closed.
 */
export async function start(callerOptions = {}) {
  const receiver = createReceiver(callerOptions);
  const { host } = receiver.options;
  const answer = (req, res) => {
    if (!receiver.handle(req, res)) sendError(req, res, 404, `there is nothing at ${req.url}; the API is under ${API_PREFIX}`);
  };
  const server = createHardenedServer(answer, receiver.options);
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

  const { calls, clear, setFaults, resetFaults, faultStats } = receiver;
  return { url: `${origin}${API_PREFIX}`, origin, port, close, calls, clear, setFaults, resetFaults, faultStats };
}

// ---------------------------------------------------------------------------------------------------
// Command line

const USAGE = `usage: node web-demo/receiver.mjs [--port N] [--host H] [--key K ...]
       [--fault-rate 0..1] [--faults ${FAULT_KINDS.join(',')}] [--retry-after SECONDS]
       [--latency MS | MIN-MAX] [--seed N]`;

function numberFrom(flag, text) {
  if (!/^\s*-?(\d+\.?\d*|\.\d+)\s*$/.test(text)) throw new TypeError(`${flag} needs a number, got "${text}"\n${USAGE}`);
  return Number(text);
}

function latencyFrom(flag, text) {
  const range = text.split('-');
  if (range.length > 2) throw new TypeError(`${flag} needs milliseconds, as 50 or 50-200, got "${text}"\n${USAGE}`);
  const [min, max] = range.map((part) => numberFrom(flag, part));
  return max === undefined ? min : [min, max];
}

const setFault = (field, parse) => (options, value, flag) => {
  options.faults = { ...options.faults, [field]: parse(flag, value) };
};

/** Each flag, and how its value goes into the options; the range checks are the options' own. */
const FLAGS = {
  '--port': (options, value) => { options.port = Number(value); },
  '--host': (options, value) => { options.host = value; },
  '--key': (options, value) => { options.keys = [...(options.keys ?? []), value]; },
  '--fault-rate': setFault('rate', numberFrom),
  '--faults': setFault('kinds', (flag, value) => value.split(',').map((kind) => kind.trim())),
  '--retry-after': setFault('retryAfterSeconds', numberFrom),
  '--latency': setFault('latencyMs', latencyFrom),
  '--seed': setFault('seed', numberFrom),
};

function parseCommandLine(args) {
  const options = {};
  for (let index = 0; index < args.length; index += 1) {
    const [flag, inlineValue] = args[index].split(/=(.*)/s);
    if (flag === '--help' || flag === '-h') return { help: true };
    const apply = Object.hasOwn(FLAGS, flag) ? FLAGS[flag] : null;
    if (!apply) throw new TypeError(`unknown argument ${flag}\n${USAGE}`);
    const value = inlineValue ?? args[(index += 1)];
    if (value === undefined) throw new TypeError(`${flag} needs a value\n${USAGE}`);
    apply(options, value, flag);
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
    const faults = receiver.setFaults({}); // changes nothing; returns the settings in force
    if (faults.rate > 0 || faults.latencyMs !== 0) {
      console.log(`Injecting faults: ${JSON.stringify(faults)} (change them with PUT ${receiver.origin}${FAULTS_PATH})`);
    }
    const shutDown = () => receiver.close().then(() => process.exit(0));
    process.once('SIGINT', shutDown);
    process.once('SIGTERM', shutDown);
  } catch (error) {
    console.error(`Outbound receiver: ${error.message}`);
    process.exitCode = 2;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
