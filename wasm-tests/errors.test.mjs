// docs/contract.md, Errors: the error objects calls reject with, for every way a call can fail, and the
// constructor's TypeErrors. The key must appear in no message.
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { after, before, describe, test } from 'node:test';
import { API_KEY, clientFor, importedOutbound, rejection, requiredOutbound, startReceiver } from './helpers.mjs';

/** A server answering every request with `status` and `body`, for statuses the receiver gives only for bad requests. */
async function fixedReplyServer(status, body) {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/v2`, close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) };
}

describe('server failures are received calls with a status', () => {
  let receiver;
  before(async () => { receiver = await startReceiver({ keys: ['the-right-key'] }); });
  after(() => receiver.close());

  test('401 from the receiver for an unknown key', async () => {
    const error = await rejection(clientFor(receiver).track('u', 'e'), {
      receivedCall: true, status: 401, message: /^track: the server answered 401 to POST \/track: \{.*\}$/,
    });
    assert.match(error.message, /key/i);
    assert.equal(receiver.calls().length, 0);
  });

  for (const [status, body] of [[400, '{"error":"user_id is missing"}'], [404, '{"error":"no such path"}'], [429, '{"error":"slow down"}'],
    [500, '{"error":"internal"}'], [503, 'Service Unavailable']]) {
    test(`${status} is a received call whose message quotes the reply`, async (t) => {
      const server = await fixedReplyServer(status, body);
      t.after(server.close);
      // retries: 0, so each status is seen on the first attempt (retrying is tested in delivery.test.mjs).
      const client = new requiredOutbound(API_KEY, { baseUrl: server.url, retries: 0 });
      await rejection(client.identify('u', { email: 'a@b.co' }), {
        receivedCall: true, status, message: `identify: the server answered ${status} to POST /identify: ${body}`,
      });
    });
  }

  test('a reply that echoes the key does not carry it into the message', async (t) => {
    const server = await fixedReplyServer(403, `{"error":"key ${API_KEY} is revoked"}`);
    t.after(server.close);
    const error = await rejection(new requiredOutbound(API_KEY, { baseUrl: server.url }).subscribeAll('u'), {
      receivedCall: true, status: 403,
    });
    assert.equal(error.message, 'subscribeAll: the server answered 403 to POST /subscribe/all: {"error":"key [API key] is revoked"}');
  });

  test('a key that also occurs in the message text is handled at once (short keys once hung)', async () => {
    for (const key of ['k', 'e', 'key', 'API']) {
      const client = new requiredOutbound(key, { baseUrl: 'http://127.0.0.1:9/v2' });
      await rejection(client.track('', 'x'), {
        receivedCall: false, status: undefined,
        message: 'track: userId must be a non-empty string or a finite number (got an empty string)',
      });
    }
  });

  test('a long reply is cut to a sane length', async (t) => {
    const server = await fixedReplyServer(500, 'x'.repeat(100000));
    t.after(server.close);
    const error = await rejection(new requiredOutbound(API_KEY, { baseUrl: server.url, retries: 0 }).subscribeAll('u'), { receivedCall: true, status: 500 });
    assert.ok(error.message.length < 700, `message is ${error.message.length} characters`);
    assert.match(error.message, /… \(100000 bytes\)$/);
  });

  test('2xx other than 200 resolves', async (t) => {
    const server = await fixedReplyServer(204, '');
    t.after(server.close);
    assert.equal(await new requiredOutbound(API_KEY, { baseUrl: server.url }).subscribeAll('u'), undefined);
  });
});

describe('failures before any answer are not received calls', () => {
  test('a refused connection', async () => {
    const port = await new Promise((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => { const { port } = probe.address(); probe.close(() => resolve(port)); });
    });
    const client = new requiredOutbound(API_KEY, { baseUrl: `http://127.0.0.1:${port}/v2`, retries: 0 });
    await rejection(client.track('u', 'e'), {
      receivedCall: false, status: undefined,
      message: `track: could not reach http://127.0.0.1:${port}/v2/track: connect ECONNREFUSED 127.0.0.1:${port}`,
    });
  });

  test('a server that never answers times out after options.timeout', async (t) => {
    const sockets = new Set();
    const silent = net.createServer((socket) => { sockets.add(socket); socket.on('error', () => {}); });
    await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
    t.after(() => { for (const socket of sockets) socket.destroy(); silent.close(); });
    const baseUrl = `http://127.0.0.1:${silent.address().port}/v2`;
    const started = Date.now();
    await rejection(new requiredOutbound(API_KEY, { baseUrl, timeout: 300, retries: 0 }).track('u', 'e'), {
      receivedCall: false, status: undefined,
      message: `track: no answer from ${baseUrl}/track within 300 ms (timeout); the call may not have arrived`,
    });
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 290 && elapsed < 5000, `settled after ${elapsed} ms`);
  });

  test('an unresolvable host', async () => {
    // A minute: the resolver's answer comes first, however slowly it comes.
    const client = new requiredOutbound(API_KEY, { baseUrl: 'http://no-such-host.invalid/v2', timeout: 60000, retries: 0 });
    await rejection(client.subscribeAll('u'), { receivedCall: false, status: undefined, message: /^subscribeAll: could not reach/ });
  });
});

describe('the constructor', () => {
  for (const [Outbound, entry] of [[requiredOutbound, 'require'], [importedOutbound, 'import']]) {
    test(`is the same class through ${entry}`, () => {
      assert.equal(typeof Outbound, 'function');
      assert.equal(Outbound, requiredOutbound);
      assert.ok(new Outbound('k') instanceof requiredOutbound);
    });
  }

  const badKeys = [[undefined, 'undefined'], [null, 'null'], ['', 'an empty string'], [42, 'a number'], [{}, 'an object'], [['k'], 'an array']];
  for (const key of ['key\nX-Injected: 1', 'two words', 'k\u00e9y', 'k\ud800']) {
    test(`throws a TypeError for an apiKey that cannot be an HTTP header: ${JSON.stringify(key)}`, () => {
      assert.throws(() => new requiredOutbound(key), (error) => error instanceof TypeError &&
        error.message === 'new outbound(): apiKey must be printable ASCII without spaces (it is sent as the X-Outbound-Key header)');
    });
  }
  test('3,000 refused constructions leave the module working', async () => {
    const receiver = await startReceiver();
    try {
      for (let i = 0; i < 3000; i++) assert.throws(() => new requiredOutbound(i % 2 ? '' : 5), TypeError);
      assert.equal(await new requiredOutbound(API_KEY, { baseUrl: receiver.url }).subscribeAll('u'), undefined);
    } finally {
      await receiver.close();
    }
  });
  for (const [key, got] of badKeys) {
    test(`throws a TypeError for apiKey ${got}`, () => {
      assert.throws(() => new requiredOutbound(key), (error) => error instanceof TypeError &&
        error.message === `new outbound(): apiKey must be a non-empty string (got ${got})`);
    });
  }

  const badOptions = [
    [[], 'options must be a plain object, undefined or null (got an array)'],
    [{ baseUrl: 'ftp://example.com' }, 'options.baseUrl must be http:// or https:// followed by a host'],
    [{ baseUrl: 'http://' }, 'options.baseUrl must be http:// or https:// followed by a host'],
    [{ baseUrl: 5 }, 'options.baseUrl must be a non-empty string (got a number)'],
    [{ timeout: 0 }, 'options.timeout must be a whole number from 1 to 3600000 (got a number)'],
    [{ timeout: '10' }, 'options.timeout must be a whole number from 1 to 3600000 (got a string)'],
    [{ maxBodyBytes: -1 }, 'options.maxBodyBytes must be a whole number from 1 to 1000000000 (got a number)'],
    [{ retries: -1 }, 'options.retries must be a whole number from 0 to 10 (got a number)'],
    [{ retries: 1.5 }, 'options.retries must be a whole number from 0 to 10 (got a number)'],
    [{ batch: 'yes' }, 'options.batch must be true, false or {maxEvents, flushIntervalMs} (got a string)'],
    [{ batch: { maxEvents: 101 } }, 'options.batch.maxEvents must be a whole number from 1 to 100 (got a number)'],
    [{ batch: { flushIntervalMs: -5 } }, 'options.batch.flushIntervalMs must be a whole number from 0 to 600000 (got a number)'],
    [{ batch: { flushMs: 5 } }, 'options.batch has an unknown field "flushMs"; the fields are maxEvents and flushIntervalMs'],
    [{ persist: 'no' }, 'options.persist must be true or false (got a string)'],
    [new Map([['baseUrl', 'http://127.0.0.1:9/v2']]), 'options must be a plain object, undefined or null (got a Map)'],
  ];
  for (const [options, message] of badOptions) {
    test(`throws a TypeError: ${message}`, () => {
      assert.throws(() => new requiredOutbound(API_KEY, options), (error) => error instanceof TypeError &&
        error.message === `new outbound(): ${message}` && !error.message.includes(API_KEY));
    });
  }

  test('an unknown option is warned about once, never thrown', (t) => {
    const warnings = [];
    t.mock.method(console, 'warn', (message) => warnings.push(message));
    new requiredOutbound(API_KEY, { timout: 5 });
    new requiredOutbound(API_KEY, { timout: 5 });
    assert.deepEqual(warnings, ['outbound: ignoring unknown option "timout" (known: baseUrl, timeout, maxBodyBytes, retries, batch, persist, maxInFlight, onError, fetch, debug, disabled)']);
  });

  test('calling it without new is a TypeError', () => {
    assert.throws(() => requiredOutbound(API_KEY), TypeError);
  });
});
