// What the receiver accepted (docs/contract.md, The receiver): the recorded calls, GET and DELETE
// /calls, and /calls/stream, which pushes each call to a watching page as server-sent events.

import { corsHeaders, sendError, sendJson, sendPreflight } from './http.mjs';

export const CALLS_PATH = '/calls';
const CALLS_STREAM_PATH = '/calls/stream';
const MASKED_KEY = '****';
const RECORDED_HEADERS = ['content-type', 'x-outbound-key', 'x-outbound-client', 'origin'];

// ---------------------------------------------------------------------------------------------------
// The call log, and the event streams that watch it

function recordedHeaders(req) {
  const headers = {};
  for (const name of RECORDED_HEADERS) {
    if (req.headers[name] !== undefined) headers[name] = name === 'x-outbound-key' ? MASKED_KEY : req.headers[name];
  }
  return headers;
}

export function createCallLog(maxRecorded) {
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

export function handleCalls(req, res, url, { log, openStreams }) {
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
