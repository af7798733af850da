// Tests for the local receiver (docs/contract.md, The receiver): createReceiver() inside
// another server, as the demo server uses it.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  post, jsonOf, useComposedServer, TRACK, rawPost, assertConnectionFailed, waitFor, putFaults,
} from './receiver-helpers.mjs';

describe('createReceiver composed into another server', () => {
  const composed = useComposedServer();

  test('endStreams() ends every open /calls/stream response', { timeout: 5000 }, async () => {
    const response = await fetch(`${composed.origin}/calls/stream`);
    const reader = response.body.getReader();
    await reader.read(); // the opening comment
    composed.receiver.endStreams();
    assert.equal((await reader.read()).done, true);
  });

  test('handle() leaves other paths to the caller and answers /v2 and /calls itself', async () => {
    for (const path of ['/', '/index.html', '/v2x', '/callsign']) {
      const response = await fetch(`${composed.origin}${path}`);
      assert.equal(await response.text(), 'static file', path);
    }
    assert.equal((await post(`${composed.origin}/v2`, '/track', { user_id: 'u', event: 'e' })).status, 200);
    assert.equal((await jsonOf(await fetch(`${composed.origin}/calls`))).calls.length, 1);
    assert.equal(composed.receiver.calls().length, 1);
  });
});

describe('fault injection composed into another server', () => {
  const composed = useComposedServer();

  test('handle() answers /faults, and endStreams() destroys requests a hang fault holds open', { timeout: 30_000 }, async () => {
    assert.equal(await (await fetch(`${composed.origin}/faultsx`)).text(), 'static file');
    assert.equal((await putFaults(composed.origin, { rate: 1, kinds: ['hang'] })).status, 200);
    const hanging = rawPost(`${composed.origin}/v2/track`, TRACK);
    await waitFor(() => composed.receiver.faultStats().faulted.hang === 1);
    composed.receiver.endStreams();
    assertConnectionFailed(await hanging);
    assert.deepEqual(composed.receiver.calls(), []);
  });
});
