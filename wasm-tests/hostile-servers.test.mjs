// Servers and proxies that misbehave, and programs that forget a `.catch`: the host process lives
// on, nothing is counted as delivered that was not, and a failure says why (docs/transport.md).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { start as startReceiver } from '../receiver/receiver.mjs';
import { API_KEY, rejection, requiredOutbound } from './helpers.mjs';
import { bodyOf, countingServer, reported, runNode, streamMegabytes } from './node-processes.mjs';

let receiver;
before(async () => { receiver = await startReceiver(); });
after(() => receiver.close());

const quiet = { onError: () => {} };

describe('huge replies', () => {
  // Answers `status`, then streams `megabytes` of "x" for as long as the client reads.
  async function hugeReplyServer(status, megabytes) {
    return countingServer(async (req, res) => {
      await bodyOf(req);
      res.writeHead(status, { 'content-type': 'application/json' });
      streamMegabytes(res, megabytes, 'x');
    });
  }

  test('a 300 MB reply: the call settles, memory hardly grows, the process lives on and the next call works', { timeout: 120000 }, async (t) => {
    const ok = await hugeReplyServer(200, 300);
    const failing = await hugeReplyServer(500, 300);
    t.after(ok.close);
    t.after(failing.close);
    const { code, output } = await runNode(`
      const outbound = require('outbound-wasm');
      const rss = () => process.memoryUsage().rss;
      (async () => {
        // The first client instantiates the module, so the baseline includes it.
        const next = new outbound('k', { baseUrl: ${JSON.stringify(receiver.url)}, onError() {} });
        await next.track('u', 'Before');
        const before = rss();
        const big = new outbound('k', { baseUrl: ${JSON.stringify(ok.url)}, onError() {} });
        const delivered = await big.track('u', 'Huge Reply').then(() => 'resolved', (e) => e.message);
        const failing = new outbound('k', { baseUrl: ${JSON.stringify(failing.url)}, retries: 0, onError() {} });
        const failure = await failing.track('u', 'Huge Failure').then(() => 'resolved', (e) => e.message);
        const grew = rss() - before;
        const after = await next.track('u', 'After').then(() => 'resolved', (e) => e.message);
        console.log(JSON.stringify({ delivered, failure, after, grewMB: grew / 1048576 }));
      })();`);
    assert.equal(code, 0, output.slice(0, 2000));
    const report = reported(output);
    t.diagnostic(JSON.stringify(report));
    assert.equal(report.delivered, 'resolved');
    assert.equal(report.after, 'resolved');
    assert.match(report.failure, /^track: the server answered 500 to POST \/track: x{500}…/);
    assert.ok(report.failure.length < 700, report.failure.length);
    assert.ok(report.grewMB < 64, `RSS grew ${report.grewMB} MB`);
  });
});

describe('slow replies', () => {
  // Answers `status` at once, then trickles a space every 50 ms and never ends.
  async function tricklingServer(status) {
    let requests = 0;
    const server = await countingServer(async (req, res) => {
      await bodyOf(req);
      requests += 1;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.write('{"error":"slow"');
      const trickle = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(trickle));
    });
    return { ...server, requests: () => requests };
  }

  for (const [status, outcome] of [[200, 'resolves'], [400, 'rejects with the status']]) {
    test(`a ${status} whose body never ends: once the timeout passes, the call ${outcome}, and is not sent again`, async (t) => {
      const slow = await tricklingServer(status);
      t.after(slow.close);
      const client = new requiredOutbound(API_KEY, { baseUrl: slow.url, timeout: 1000, ...quiet });
      if (status === 200) {
        assert.equal(await client.track('u', 'Slow Reply'), undefined);
      } else {
        const error = await rejection(client.track('u', 'Slow Reply'), { receivedCall: true, status });
        assert.match(error.message, /^track: the server answered 400 to POST \/track: \{"error":"slow" *$/);
      }
      assert.equal(slow.requests(), 1);
    });
  }
});

describe('redirects', () => {
  // `target` answers 200 to anything and records what reached it; `redirector` answers every
  // request with `status` and a Location pointing at the target.
  async function redirectPair(status) {
    const reached = [];
    const target = await countingServer(async (req, res) => {
      reached.push({ method: req.method, path: req.url, body: await bodyOf(req), key: req.headers['x-outbound-key'] });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    const redirector = await countingServer(async (req, res) => {
      await bodyOf(req);
      res.writeHead(status, { location: `${target.url}${req.url.slice(3)}`, 'content-type': 'application/json' }).end('{}');
    });
    return { reached, target, redirector, close: () => Promise.all([target.close(), redirector.close()]) };
  }

  for (const status of [307, 308]) {
    test(`${status}: the POST is repeated with its headers and body, and then it resolves`, async (t) => {
      const pair = await redirectPair(status);
      t.after(pair.close);
      const client = new requiredOutbound(API_KEY, { baseUrl: pair.redirector.url, ...quiet });
      assert.equal(await client.track('u', 'Moved', { plan: 'pro' }, 1700000000), undefined);
      assert.equal(pair.reached.length, 1);
      const [arrived] = pair.reached;
      assert.equal(arrived.method, 'POST');
      assert.equal(arrived.path, '/v2/track');
      assert.equal(arrived.key, API_KEY);
      assert.deepEqual(JSON.parse(arrived.body), { user_id: 'u', event: 'Moved', properties: { plan: 'pro' }, timestamp: 1700000000 });
    });
  }

  for (const status of [301, 302, 303]) {
    test(`${status}: not delivered (it would drop the body); the error names the Location`, async (t) => {
      const pair = await redirectPair(status);
      t.after(pair.close);
      const client = new requiredOutbound(API_KEY, { baseUrl: pair.redirector.url, ...quiet });
      const error = await rejection(client.track('u', 'Moved'), { receivedCall: true, status });
      assert.ok(error.message.startsWith(`track: the server answered ${status} to POST /track, redirecting to ${pair.target.url}/track;`), error.message);
      assert.match(error.message, /set options\.baseUrl/);
      assert.deepEqual(pair.reached, [], 'nothing may reach the target as a GET');
    });
  }

  test('a redirect loop rejects, naming where it leads', async (t) => {
    let hops = 0;
    const loop = await countingServer(async (req, res) => {
      await bodyOf(req);
      hops += 1;
      res.writeHead(307, { location: req.url }).end();
    });
    t.after(loop.close);
    const client = new requiredOutbound(API_KEY, { baseUrl: loop.url, retries: 0, ...quiet });
    const error = await rejection(client.track('u', 'Loop'), { receivedCall: true, status: 307 });
    assert.match(error.message, /redirecting to \/v2\/track;/);
    assert.equal(hops, 6, 'the first request and five redirects');
  });

  test('a relative Location is followed on the same server', async (t) => {
    const reached = [];
    const server = await countingServer(async (req, res) => {
      const body = await bodyOf(req);
      if (req.url.startsWith('/v2/')) return res.writeHead(308, { location: `/v3/${req.url.slice(4)}` }).end();
      reached.push({ path: req.url, body });
      res.writeHead(200).end('{}');
    });
    t.after(server.close);
    await new requiredOutbound(API_KEY, { baseUrl: server.url, ...quiet }).subscribeAll('u');
    assert.deepEqual(reached, [{ path: '/v3/subscribe/all', body: '{"user_id":"u"}' }]);
  });
});

describe('failures name their cause', () => {
  test('a connection reset before any answer', async (t) => {
    const resetting = await countingServer((req) => req.socket.destroy());
    t.after(resetting.close);
    const client = new requiredOutbound(API_KEY, { baseUrl: resetting.url, retries: 0, ...quiet });
    await rejection(client.track('u', 'e'), {
      receivedCall: false, status: undefined, message: `track: could not reach ${resetting.url}/track: socket hang up (ECONNRESET)`,
    });
  });

  test('TLS spoken to a server that does not speak it', async (t) => {
    const plain = await countingServer((req, res) => res.end());
    t.after(plain.close);
    const url = plain.url.replace('http:', 'https:');
    const client = new requiredOutbound(API_KEY, { baseUrl: url, retries: 0, ...quiet });
    const error = await rejection(client.track('u', 'e'), { receivedCall: false, status: undefined });
    assert.ok(error.message.startsWith(`track: could not reach ${url}/track: `), error.message);
    assert.match(error.message, /SSL|TLS|EPROTO/);
    assert.doesNotMatch(error.message, /CORS/);
  });
});

describe('a program that forgets .catch', () => {
  test('a failed call with no handler prints one short line, and the process exits 0', async () => {
    const { code, signal, output } = await runNode(`
      const outbound = require('outbound-wasm');
      new outbound('k', { baseUrl: 'http://127.0.0.1:1/v2', retries: 0 }).track('u', 'x');`);
    assert.equal(signal, null);
    assert.equal(code, 0, output.slice(0, 2000));
    assert.equal(output, 'outbound: track: could not reach http://127.0.0.1:1/v2/track: connect ECONNREFUSED 127.0.0.1:1\n');
  });

  test('no unhandled rejection, a handled rejection still rejects, and onError hears of every failure', async () => {
    const { code, output } = await runNode(`
      const outbound = require('outbound-wasm');
      const heard = [];
      let unhandled = 0;
      process.on('unhandledRejection', () => { unhandled += 1; });
      const ob = new outbound('sk_secret_key_123', { baseUrl: 'http://127.0.0.1:1/v2', retries: 0, onError: (e) => heard.push(e.message) });
      ob.track('u', 'no catch');
      ob.track('', 'invalid, no catch');
      ob.identify('u').then(() => 'resolved', (e) => 'rejected').then((handled) => {
        setTimeout(() => console.log(JSON.stringify({ handled, heard: heard.length, unhandled, key: heard.some((m) => m.includes('sk_secret')) })), 50);
      });`);
    assert.equal(code, 0, output);
    assert.deepEqual(reported(output), { handled: 'rejected', heard: 3, unhandled: 0, key: false });
  });

  test('an onError that throws does not break delivery; the throw is warned about', async () => {
    const { code, output } = await runNode(`
      const outbound = require('outbound-wasm');
      const ob = new outbound('k', { baseUrl: 'http://127.0.0.1:1/v2', retries: 0, onError() { throw new Error('handler bug'); } });
      ob.track('u', 'x').catch(() => console.log('rejected'));`);
    assert.equal(code, 0, output);
    assert.equal(output, 'rejected\noutbound: options.onError threw: handler bug\n');
  });

  test('options.onError must be a function', () => {
    assert.throws(() => new requiredOutbound(API_KEY, { onError: 'log' }),
      { name: 'TypeError', message: 'new outbound(): options.onError must be a function (got a string)' });
  });
});
