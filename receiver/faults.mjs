// The receiver's fault modes (README.md, The local receiver): error statuses, lost replies, dropped
// and unanswered requests and added latency, drawn from a seedable PRNG so a test can replay them, and
// /faults, which changes them at run time.

import { describeValue, isPlainObject } from './api-rules.mjs';
import { parseJsonBody, readBody, rejectOversizedBody, sendError, sendJson, sendPreflight } from './http.mjs';

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

export const FAULTS_PATH = '/faults';
const FAULTS_METHODS = 'GET, PUT, DELETE';
// setTimeout cannot wait longer than about 24.8 days (it fires at once instead), and a latency of more than
// a minute is a mistake, not a slow network: a request that should never be answered is the 'hang' fault.
const MAX_LATENCY_MS = 60_000;

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
export function resolveFaults(current, partial, name) {
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
export function createFaultInjector(initial) {
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
// What a fault does

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
export const FAULT_BEHAVIOURS = {
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

// ---------------------------------------------------------------------------------------------------
// Routing

const faultsReport = (faults) => ({ faults: faults.settings(), stats: faults.stats() });

// GET reads the settings and what they did, PUT changes part of the settings, DELETE turns faults off and
// zeroes the counts: a page or a test can make the network bad and good again without a restart.
export async function handleFaults(req, res, url, { options, faults }) {
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
