// The switches users reach for first (README.md, Options): `debug` logs each request and its
// outcome, `disabled` checks calls and sends nothing, and `fetch` sends every request through the
// caller's own function, under the same rules as the built-in transports (docs/transport.md).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { API_KEY, clientFor, onlyCall, rejection, requiredOutbound, startReceiver } from './helpers.mjs';
import { bodyOf, countingServer, streamMegabytes } from './node-processes.mjs';

let receiver;
before(async () => { receiver = await startReceiver(); });
after(() => receiver.close());

const quiet = { onError: () => {} };

/** What console.log printed while `run` ran (node:test restores console.log after the test). */
async function logged(t, run) {
  const lines = [];
  t.mock.method(console, 'log', (line) => { lines.push(String(line)); });
  await run();
  t.mock.restoreAll();
  return lines;
}

/** A server answering every POST with `answer(req, res)`, closed after test `t`. */
async function misbehaving(t, answer) {
  const server = await countingServer(async (req, res) => {
    await bodyOf(req);
    answer(req, res);
  });
  t.after(server.close);
  return server;
}

describe('debug', () => {
  test('each request is logged with its body, then its outcome; the key never appears', async (t) => {
    receiver.clear();
    const lines = await logged(t, async () => {
      const ob = clientFor(receiver, { debug: true });
      await ob.track('u1', 'Signed Up', { note: `a key pasted by mistake: ${API_KEY}` });
    });
    assert.equal(lines.length, 2, lines.join('\n'));
    assert.match(lines[0], new RegExp(`^outbound: POST ${receiver.url}/track \\(1 call\\): \\{"user_id":"u1","event":"Signed Up","properties":\\{"note":"a key pasted by mistake: \\[API key\\]"\\}`));
    assert.equal(lines[1], 'outbound: POST /track (1 call): delivered, 200');
    for (const line of lines) assert.ok(!line.includes(API_KEY), line);
    assert.equal(onlyCall(receiver).body.event, 'Signed Up');
  });

  test('a failed attempt says it will be retried, and the last one that it failed for good', async (t) => {
    const failing = await misbehaving(t, (req, res) => res.writeHead(503).end('busy'));
    const lines = await logged(t, async () => {
      const ob = new requiredOutbound(API_KEY, { baseUrl: failing.url, debug: true, retries: 1, ...quiet });
      await ob.identify('u1').catch(() => {});
    });
    assert.equal(lines.length, 4, lines.join('\n'));
    assert.match(lines[1], /^outbound: identify: the server answered 503 to POST \/identify: busy \(1 call, to be retried\)$/);
    assert.equal(lines[2], lines[0]);
    assert.match(lines[3], /^outbound: identify: the server answered 503 .* \(1 call, failed for good\)$/);
  });

  test('is off by default, and must be true or false', async (t) => {
    const lines = await logged(t, () => clientFor(receiver).track('u1', 'Quiet'));
    assert.deepEqual(lines, []);
    assert.throws(() => clientFor(receiver, { debug: 'yes' }),
      { name: 'TypeError', message: 'new outbound(): options.debug must be true or false (got a string)' });
  });
});

describe('disabled', () => {
  test('valid calls resolve and nothing is sent; invalid ones still reject, naming the argument', async (t) => {
    receiver.clear();
    const lines = await logged(t, async () => {
      const ob = clientFor(receiver, { disabled: true, debug: true, ...quiet });
      await ob.identify('u1', { email: 'ada@example.com' });
      await ob.track('u1', 'Signed Up');
      await rejection(ob.track('', 'Signed Up'), { receivedCall: false, status: undefined, message: /^track: userId must be/ });
      await ob.flush();
      await ob.close();
    });
    assert.deepEqual(receiver.calls(), []);
    assert.deepEqual(lines, ['outbound: identify: not sent (options.disabled)', 'outbound: track: not sent (options.disabled)']);
  });

  test('must be true or false', () => {
    assert.throws(() => clientFor(receiver, { disabled: 1 }),
      { name: 'TypeError', message: 'new outbound(): options.disabled must be true or false (got a number)' });
  });
});

describe('fetch', () => {
  /** Node's own fetch, recording what it is asked to send. */
  function recordingFetch() {
    const requests = [];
    const send = (url, init) => {
      requests.push({ url, init });
      return fetch(url, init);
    };
    return { send, requests };
  }

  test('every request goes through it, with the headers and body of any other transport', async () => {
    receiver.clear();
    const recording = recordingFetch();
    await clientFor(receiver, { fetch: recording.send }).track('u1', 'Through Fetch', { plan: 'pro' });
    assert.equal(onlyCall(receiver).body.event, 'Through Fetch');
    assert.equal(recording.requests.length, 1);
    const { url, init } = recording.requests[0];
    assert.equal(url, `${receiver.url}/track`);
    assert.equal(init.method, 'POST');
    assert.equal(init.headers['X-Outbound-Key'], API_KEY);
    assert.equal(init.headers['Content-Type'], 'application/json');
    assert.match(init.headers['X-Outbound-Client'], /^outbound-wasm\//);
    assert.deepEqual(JSON.parse(init.body).properties, { plan: 'pro' });
  });

  test('a client without it keeps the runtime\'s transport', async () => {
    const recording = recordingFetch();
    clientFor(receiver, { fetch: recording.send });
    await clientFor(receiver).track('u1', 'Not Through Fetch');
    assert.equal(recording.requests.length, 0);
  });

  test('a redirect it follows counts as not delivered, naming where it went', async (t) => {
    receiver.clear();
    const moved = await misbehaving(t, (req, res) => res.writeHead(308, { location: `${receiver.url}${req.url.slice(3)}` }).end());
    const ob = new requiredOutbound(API_KEY, { baseUrl: moved.url, fetch, retries: 0, ...quiet });
    await rejection(ob.track('u', 'Moved'), {
      receivedCall: true, status: 200, message: new RegExp(`^track: POST /track was redirected to ${receiver.url}/track, which answered 200, but fetch does not say`),
    });
  });

  test('a 50 MB reply is read no further than its start', async (t) => {
    const huge = await misbehaving(t, (req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      streamMegabytes(res, 50, 'x');
    });
    const ob = new requiredOutbound(API_KEY, { baseUrl: huge.url, fetch, retries: 0, ...quiet });
    const error = await rejection(ob.track('u', 'Huge'), { receivedCall: true, status: 500, message: /^track: the server answered 500 to POST \/track: x{20}/ });
    assert.ok(error.message.length < 1000, `${error.message.length} characters`);
  });

  test('a server that never answers: the timeout ends the request', async (t) => {
    const silent = await countingServer(() => {});
    t.after(silent.close);
    const ob = new requiredOutbound(API_KEY, { baseUrl: silent.url, fetch, timeout: 300, retries: 0, ...quiet });
    await rejection(ob.track('u', 'Silent'), {
      receivedCall: false, status: undefined, message: `track: no answer from ${silent.url}/track within 300 ms (timeout); the call may not have arrived`,
    });
  });

  test('its failure is the call\'s error: a refused connection, or the function\'s own throw', async () => {
    const closed = await countingServer(() => {});
    await closed.close();
    const refused = new requiredOutbound(API_KEY, { baseUrl: closed.url, fetch, retries: 0, ...quiet });
    await rejection(refused.track('u', 'Nowhere'), {
      receivedCall: false, status: undefined, message: `track: could not reach ${closed.url}/track: connect ECONNREFUSED ${new URL(closed.url).host}`,
    });
    const throwing = () => { throw new Error('blocked by policy'); };
    const blocked = clientFor(receiver, { fetch: throwing, retries: 0, ...quiet });
    await rejection(blocked.track('u', 'Blocked'), {
      receivedCall: false, status: undefined, message: `track: could not reach ${receiver.url}/track: blocked by policy`,
    });
  });

  test('must be a function', () => {
    assert.throws(() => clientFor(receiver, { fetch: 'https://proxy' }),
      { name: 'TypeError', message: 'new outbound(): options.fetch must be a function (got a string)' });
  });
});
