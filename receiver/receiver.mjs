// A local Outbound-compatible receiver (docs/contract.md, The receiver): answers the 11 API paths
// under /v2 the way the Outbound API documents, records what it accepted, and lets tests and the
// demo read that back over HTTP.
// It can also make the network bad on purpose (fault modes: error statuses, lost replies, dropped and
// unanswered requests, added latency), set from code, the command line, or at run time over /faults.
// Node built-ins only, so it runs anywhere the package's tests run.
// This is its public entry: the API, the call log, the faults and the HTTP plumbing are modules of
// their own in this folder, and the command line is cli.mjs.

import process from 'node:process';
import { API_PREFIX, API_ROUTES, isNonEmptyString, keyProblem } from './api-rules.mjs';
import { CALLS_PATH, createCallLog, handleCalls } from './call-log.mjs';
import {
  DEFAULT_FAULTS, FAULTS_PATH, FAULT_BEHAVIOURS, createFaultInjector, handleFaults, resolveFaults,
} from './faults.mjs';
import {
  createHardenedServer, declaredLength, listen, originFor, parseJsonBody, readBody, rejectOversizedBody, sendError, sendJson,
  sendPreflight,
} from './http.mjs';

export { DEFAULT_FAULTS, FAULT_KINDS } from './faults.mjs';
export { createHardenedServer } from './http.mjs';

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
// Routing

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
