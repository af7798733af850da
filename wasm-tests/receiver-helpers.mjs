// What the receiver's test files share (docs/contract.md, The receiver): requests, assertions on
// replies, one valid and several invalid bodies per API path, and a receiver composed into a server.
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { createReceiver, FAULT_KINDS } from '../receiver/receiver.mjs';

export const RECEIVER_SCRIPT = fileURLToPath(new URL('../receiver/cli.mjs', import.meta.url));
export const KEY = 'sk_live_Q7x9ZeTa4';
export const CLIENT = 'outbound-wasm-test/0.0.0';

export function post(baseUrl, path, body, { key = KEY, client = CLIENT, origin, raw = false, contentType = 'application/json', signal } = {}) {
  const headers = { 'Content-Type': contentType, 'X-Outbound-Client': client };
  if (key !== null) headers['X-Outbound-Key'] = key; // null: send no key at all
  if (origin !== undefined) headers.Origin = origin;
  return fetch(`${baseUrl}${path}`, { method: 'POST', headers, body: raw ? body : JSON.stringify(body), signal });
}

export async function jsonOf(response) {
  assert.equal(response.headers.get('content-type'), 'application/json');
  return response.json();
}

export async function assertError(response, status, messagePattern) {
  assert.equal(response.status, status);
  const payload = await jsonOf(response);
  assert.deepEqual(Object.keys(payload), ['error']);
  assert.equal(typeof payload.error, 'string');
  if (messagePattern) assert.match(payload.error, messagePattern);
  return payload;
}

export function assertCors(response, origin = '*') {
  assert.equal(response.headers.get('access-control-allow-origin'), origin);
  assert.equal(response.headers.get('access-control-expose-headers'), 'Retry-After');
}

// One valid body per API path, and the invalid forms each path must refuse with 400 (and the field named).
export const PATHS = [
  {
    path: '/identify',
    valid: { user_id: 'u1', previous_id: 7, first_name: 'Ada', attributes: { plan: 'pro' } },
    invalid: [
      [{}, /user_id is missing/],
      [{ user_id: '' }, /user_id must be/],
      [{ user_id: true }, /user_id must be .*boolean/],
      [{ user_id: null }, /user_id must be .*null/],
      [{ user_id: { id: 1 } }, /user_id must be .*object/],
      [{ user_id: 'u1', previous_id: [] }, /previous_id must be .*array/],
      [['u1'], /request body must be a JSON object/],
      ['u1', /request body must be a JSON object/],
    ],
  },
  {
    path: '/track',
    valid: { user_id: 42, event: 'Signed up', properties: { plan: 'pro' }, timestamp: 1700000000 },
    invalid: [
      [{ event: 'e' }, /user_id is missing/],
      [{ user_id: 'u1' }, /event is missing/],
      [{ user_id: 'u1', event: 5 }, /event must be .*number/],
      [{ user_id: 'u1', event: '' }, /event must be/],
      [null, /request body must be a JSON object, got null/],
    ],
  },
  {
    path: '/track/batch',
    valid: [
      { user_id: 'u1', event: 'a', properties: {}, timestamp: 1 },
      { user_id: 2, event: 'b' },
    ],
    invalid: [
      [[], /1 to 100 .* got 0/],
      [Array.from({ length: 101 }, () => ({ user_id: 'u', event: 'e' })), /1 to 100 .* got 101/],
      [{ user_id: 'u1', event: 'e' }, /JSON array .* got an object/],
      [[{ user_id: 'u1', event: 'a' }, 5], /body\[1\] must be a JSON object/],
      [[{ user_id: 'u1', event: 'a' }, { user_id: 'u2' }], /body\[1\]\.event is missing/],
      [[{ event: 'a' }], /body\[0\]\.user_id is missing/],
    ],
  },
  ...['apns', 'gcm'].flatMap((service) => [
    {
      path: `/${service}/register`,
      valid: { user_id: 'u1', token: 'device-token' },
      invalid: [
        [{ token: 't' }, /user_id is missing/],
        [{ user_id: 'u1' }, /token is missing/],
        [{ user_id: 'u1', token: 12 }, /token must be .*number/],
        [{ user_id: 'u1', all: true }, /token is missing/],
      ],
    },
    {
      path: `/${service}/disable`,
      valid: { user_id: 'u1', token: 'device-token' },
      alsoValid: [{ user_id: 'u1', all: true }],
      invalid: [
        [{ user_id: 'u1' }, /token is missing.*all: true/],
        [{ user_id: 'u1', all: false }, /token is missing/],
        [{ user_id: 'u1', all: 'true' }, /token is missing/],
        [{ user_id: 'u1', token: '' }, /token must be/],
        [{ all: true }, /user_id is missing/],
      ],
    },
  ]),
  ...['subscribe', 'unsubscribe'].flatMap((verb) => [
    {
      path: `/${verb}/all`,
      valid: { user_id: 'u1' },
      invalid: [
        [{}, /user_id is missing/],
        [{ user_id: [] }, /user_id must be .*array/],
      ],
    },
    {
      path: `/${verb}/campaigns`,
      valid: { user_id: 'u1', campaign_ids: [1, 'two'] },
      invalid: [
        [{ user_id: 'u1' }, /campaign_ids is missing/],
        [{ user_id: 'u1', campaign_ids: [] }, /campaign_ids must be a non-empty array/],
        [{ user_id: 'u1', campaign_ids: 3 }, /campaign_ids must be .*number/],
        [{ user_id: 'u1', campaign_ids: [1, null] }, /campaign_ids\[1\] must be/],
        [{ campaign_ids: [1] }, /user_id is missing/],
      ],
    },
  ]),
];

/**
 * A receiver composed into another server, as web-demo/server.mjs composes it with static files,
 * for the tests of the enclosing describe: its fields are set before they run.
 */
export function useComposedServer() {
  const composed = {};
  before(async () => Object.assign(composed, await composedServer()));
  after(() => composed.close());
  return composed;
}

async function composedServer() {
  const receiver = createReceiver();
  const server = http.createServer((req, res) => {
    if (receiver.handle(req, res)) return;
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('static file');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    receiver,
    origin: `http://127.0.0.1:${server.address().port}`,
    async close() {
      receiver.endStreams();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// Fault modes: the receiver making the network bad on purpose.

export const TRACK = { user_id: 'u1', event: 'e' };

/** The fault counts with every kind at 0 except those given. */
export function statsWith({ requests = 0, recorded = 0, ...faulted }) {
  return { requests, faulted: { ...Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])), ...faulted }, recorded };
}

/**
 * POSTs with node:http on a connection of its own (no keep-alive pool to blur what happened to it), with no
 * deadline: resolves { status, headers, body }, or { error } when the connection failed or `signal` aborted it.
 */
export function rawPost(url, body, { signal } = {}) {
  return new Promise((resolve) => {
    const payload = JSON.stringify(body);
    const request = http.request(url, {
      method: 'POST',
      agent: false,
      signal,
      headers: { 'Content-Type': 'application/json', 'X-Outbound-Key': KEY, 'Content-Length': Buffer.byteLength(payload) },
    }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => { text += chunk; });
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body: text }));
      response.on('error', (error) => resolve({ error }));
    });
    request.on('error', (error) => resolve({ error }));
    request.end(payload);
  });
}

/**
 * POSTs TRACK announcing Expect: 100-continue, and resolves once the server has taken the request up
 * (its 100 Continue came back) and the body is sent, with { outcome }: a Promise of what rawPost resolves.
 */
export function postTakenUp(url) {
  return new Promise((resolveTakenUp) => {
    const payload = JSON.stringify(TRACK);
    let settle;
    const outcome = new Promise((resolve) => { settle = resolve; });
    const request = http.request(url, {
      method: 'POST',
      agent: false,
      headers: {
        'Content-Type': 'application/json', 'X-Outbound-Key': KEY, 'Content-Length': Buffer.byteLength(payload),
        Expect: '100-continue',
      },
    }, (response) => {
      response.resume();
      response.on('end', () => settle({ status: response.statusCode }));
      response.on('error', (error) => settle({ error }));
    });
    request.on('error', (error) => settle({ error }));
    request.on('continue', () => request.end(payload, () => resolveTakenUp({ outcome })));
    request.flushHeaders();
  });
}

export function assertConnectionFailed(outcome) {
  assert.ok(outcome.error, `expected the connection to fail, got ${JSON.stringify(outcome)}`);
  assert.match(`${outcome.error.code} ${outcome.error.message}`, /ECONNRESET|socket hang up/);
}

/**
 * Resolves once `condition()` holds, looking every few milliseconds. No deadline of its own: what it
 * waits for comes at whatever speed the machine has, and the test's timeout stops a wait that never ends.
 */
export async function waitFor(condition) {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

export const putFaults = (origin, body) => fetch(`${origin}/faults`, {
  method: 'PUT',
  headers: { 'Content-Type': 'application/json' },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
