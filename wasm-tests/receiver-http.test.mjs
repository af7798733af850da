// Tests for the local receiver (docs/contract.md, The receiver): a server that holds up
// against slow and malformed clients.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { createReceiver, start } from '../receiver/receiver.mjs';

describe('a receiver that holds up against slow and malformed clients', () => {
  // Short timeouts, for clients that are slow on purpose (no request of theirs could ever complete), and
  // a short idle timeout with the default headers and request timeouts, for clients that are not.
  let impatient;
  let idleCloser;
  before(async () => {
    impatient = await start({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
    idleCloser = await start({ idleTimeoutMs: 200 });
  });
  after(() => Promise.all([impatient.close(), idleCloser.close()]));

  /**
   * Writes `chunks` to a raw socket, `pauseMs` apart, and resolves with all it got back once the server
   * has closed the connection: the client never does, so each test waits for the server to do it.
   */
  function rawExchange(receiver, chunks, { pauseMs = 0 } = {}) {
    return new Promise((resolve) => {
      const socket = net.connect(receiver.port, '127.0.0.1');
      let reply = '';
      socket.on('data', (data) => { reply += data; });
      socket.on('error', () => {});
      socket.on('close', () => resolve({ reply }));
      let i = 0;
      const next = () => {
        if (i >= chunks.length || socket.destroyed) return;
        socket.write(chunks[i++]);
        if (i < chunks.length) setTimeout(next, pauseMs);
      };
      socket.on('connect', next);
    });
  }

  test('a client that never finishes its headers is answered 408 and cut off', { timeout: 30_000 }, async () => {
    const { reply } = await rawExchange(impatient, ['POST /v2/track HTTP/1.1\r\nHost: x\r\n']);
    assert.match(reply, /^HTTP\/1\.1 408 /);
    assert.match(reply, /"error":"the request was not received in time"/);
  });

  test('a client that sends its body too slowly is cut off', { timeout: 30_000 }, async () => {
    const head = 'POST /v2/track HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Outbound-Key: k\r\nContent-Length: 100\r\n\r\n';
    await rawExchange(impatient, [head, '{"user_id":', '"u"'], { pauseMs: 400 });
    assert.equal(impatient.calls().length, 0);
  });

  test('an idle keep-alive connection is closed', { timeout: 30_000 }, async () => {
    const { reply } = await rawExchange(idleCloser, ['GET /calls HTTP/1.1\r\nHost: x\r\n\r\n']);
    assert.match(reply, /^HTTP\/1\.1 200 /);
    assert.match(reply, /^Connection: keep-alive\r$/mi, 'the reply kept the connection open: the close came later');
    // The server was given the configured idle timeout (announced in whole seconds: 200 ms is 0), not
    // Node's default of 5 s, which would close the connection too.
    assert.match(reply, /^Keep-Alive: timeout=0\r$/mi);
  });

  for (const [what, bytes, status] of [
    ['a request line that is not HTTP', 'HELLO THERE\r\n\r\n', 400],
    ['a malformed header', 'POST /v2/track HTTP/1.1\r\nHost x\r\n\r\n', 400],
    ['headers beyond the limit', `GET /calls HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`, 431],
  ]) {
    test(`${what} is answered ${status} with a JSON error`, { timeout: 30_000 }, async () => {
      const { reply } = await rawExchange(idleCloser, [bytes]);
      assert.match(reply, new RegExp(`^HTTP/1\\.1 ${status} `));
      assert.match(reply, /Content-Type: application\/json/);
      const body = JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4));
      assert.equal(typeof body.error, 'string');
    });
  }

  test('bad timeouts are refused with a TypeError naming the option', () => {
    assert.throws(() => createReceiver({ headersTimeoutMs: 0 }), /options\.headersTimeoutMs must be a positive integer/);
  });
});
