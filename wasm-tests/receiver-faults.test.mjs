// Tests for the local receiver (docs/contract.md, The receiver): the fault modes, set
// from code and over /faults (README.md, The local receiver).
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { once } from 'node:events';
import { createReceiver, start, DEFAULT_FAULTS, FAULT_KINDS } from '../receiver/receiver.mjs';
import {
  KEY, post, jsonOf, assertError, assertCors, TRACK, statsWith, rawPost, postTakenUp, assertConnectionFailed, waitFor, putFaults,
} from './receiver-helpers.mjs';

describe('fault injection', () => {
  let receiver;
  before(async () => {
    receiver = await start();
  });
  after(() => receiver.close());
  beforeEach(() => {
    receiver.resetFaults();
    receiver.clear();
  });

  for (const kind of ['500', '503', '429']) {
    const retryAfter = kind === '500' ? null : '7';
    test(`'${kind}' at rate 1 answers ${kind} with a JSON error${retryAfter ? ' and Retry-After' : ''}, with CORS, recording nothing`, async () => {
      receiver.setFaults({ rate: 1, kinds: [kind], retryAfterSeconds: 7 });
      const origin = 'http://demo.example:8080';
      const response = await post(receiver.url, '/track', TRACK, { origin });
      await assertError(response, Number(kind), new RegExp(`^injected fault: ${kind} `));
      assertCors(response, origin);
      assert.equal(response.headers.get('retry-after'), retryAfter);
      assert.deepEqual(receiver.calls(), []);
      assert.deepEqual(receiver.faultStats(), statsWith({ requests: 1, [kind]: 1 }));
    });
  }

  test("'reset' records the call, then resets the connection without a reply, so a retry duplicates it", async () => {
    receiver.setFaults({ rate: 1, kinds: ['reset'] });
    assertConnectionFailed(await rawPost(`${receiver.url}/track`, TRACK));
    assert.equal(receiver.calls().length, 1, 'the server processed the call before the reply was lost');
    await assert.rejects(post(receiver.url, '/track', TRACK), TypeError, 'fetch should fail too');
    receiver.setFaults({ rate: 0 });
    assert.equal((await rawPost(`${receiver.url}/track`, TRACK)).status, 200);
    const calls = receiver.calls();
    assert.equal(calls.length, 3);
    assert.ok(calls.every((call) => call.path === '/v2/track' && call.body.event === 'e'), 'the same call, three times');
    assert.deepEqual(receiver.faultStats(), statsWith({ requests: 3, reset: 2, recorded: 3 }));
  });

  test("'drop' closes the connection without a reply and records nothing", async () => {
    receiver.setFaults({ rate: 1, kinds: ['drop'] });
    assertConnectionFailed(await rawPost(`${receiver.url}/identify`, { user_id: 'u1' }));
    await assert.rejects(post(receiver.url, '/identify', { user_id: 'u1' }), TypeError);
    assert.deepEqual(receiver.calls(), []);
    assert.deepEqual(receiver.faultStats(), statsWith({ requests: 2, drop: 2 }));
  });

  test("'hang' never answers and records nothing, while other requests are still answered", { timeout: 30_000 }, async () => {
    receiver.setFaults({ rate: 1, kinds: ['hang'] });
    const controller = new AbortController();
    const startedAt = performance.now();
    const hanging = fetch(`${receiver.url}/track`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Outbound-Key': KEY },
      body: JSON.stringify(TRACK),
      signal: controller.signal,
    });
    await waitFor(() => receiver.faultStats().faulted.hang === 1);
    receiver.setFaults({ rate: 0 });
    assert.equal((await post(receiver.url, '/track', TRACK)).status, 200, 'the receiver kept answering');
    setTimeout(() => controller.abort(), 300);
    await assert.rejects(hanging, { name: 'AbortError' });
    assert.ok(performance.now() - startedAt >= 290, 'it was the client giving up that ended it');
    assert.equal(receiver.calls().length, 1, 'only the unfaulted call was recorded');
    assert.deepEqual(receiver.faultStats(), statsWith({ requests: 2, hang: 1, recorded: 1 }));
  });

  test('a seeded rate of 0.3 over 1,000 requests faults 24-36% of them, draws every kind, and replays exactly', { timeout: 120_000 }, async () => {
    // 50 requests at a time, none given a deadline: on a loaded machine a slow 200 is still a 200. A request
    // under a 'hang' fault is never answered, and the receiver counts each one it holds, so the count says
    // how many of the requests still unanswered are held: they give up their place among the 50, and the
    // run is over once every request has either settled or is held. Those are then aborted.
    async function run() {
      receiver.resetFaults();
      receiver.clear();
      receiver.setFaults({ rate: 0.3, seed: 42 }); // every kind, by default
      const held = () => receiver.faultStats().faulted.hang;
      const controller = new AbortController();
      const seen = {};
      const outcomes = [];
      let sent = 0;
      let settled = 0;
      let over = false;
      while (settled + held() < 1000) {
        while (sent < 1000 && sent - settled - held() < 50) {
          sent += 1;
          outcomes.push(rawPost(`${receiver.url}/track`, TRACK, { signal: controller.signal }).then((outcome) => {
            if (over) return outcome;
            settled += 1;
            const label = outcome.status ?? 'connectionFailed';
            seen[label] = (seen[label] ?? 0) + 1;
            return null;
          }));
        }
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      over = true;
      seen.unanswered = sent - settled;
      controller.abort();
      const abandoned = (await Promise.all(outcomes)).filter((outcome) => outcome !== null);
      assert.equal(abandoned.length, seen.unanswered);
      for (const { error } of abandoned) assert.equal(error?.name, 'AbortError', 'a held request was answered after all');
      return { stats: receiver.faultStats(), recorded: receiver.calls().length, seen };
    }
    const first = await run();
    const { requests, faulted, recorded } = first.stats;
    const total = Object.values(faulted).reduce((sum, count) => sum + count, 0);
    assert.equal(requests, 1000);
    assert.ok(total >= 240 && total <= 360, `${total} of 1000 faulted`);
    for (const kind of FAULT_KINDS) assert.ok(faulted[kind] > 0, `no '${kind}' was drawn`);
    // What the clients saw agrees with what the receiver counted, and with what it recorded.
    assert.deepEqual(first.seen, {
      200: 1000 - total,
      500: faulted['500'],
      503: faulted['503'],
      429: faulted['429'],
      connectionFailed: faulted.reset + faulted.drop,
      unanswered: faulted.hang,
    });
    assert.equal(first.recorded, 1000 - total + faulted.reset);
    assert.equal(recorded, first.recorded);
    assert.deepEqual((await run()).stats, first.stats, 'the same seed gave different faults');
  });

  test('giving the seed again restarts the same sequence; another seed gives another', async () => {
    const statuses = async () => {
      const seen = [];
      for (let n = 0; n < 40; n += 1) seen.push((await post(receiver.url, '/subscribe/all', { user_id: n })).status);
      return seen.join(',');
    };
    receiver.setFaults({ rate: 0.5, kinds: ['500', '429'], seed: 42 });
    const first = await statuses();
    assert.match(first, /200/);
    assert.match(first, /500/);
    assert.match(first, /429/);
    receiver.setFaults({ seed: 42 });
    assert.equal(await statuses(), first);
    receiver.setFaults({ seed: 43 });
    assert.notEqual(await statuses(), first);
  });

  test('latencyMs delays every API answer by at least its minimum: accepted, refused, or faulted', async () => {
    const timed = async (path, body, options) => {
      const startedAt = performance.now();
      const response = await post(receiver.url, path, body, options);
      await response.arrayBuffer();
      return { status: response.status, elapsed: performance.now() - startedAt };
    };
    receiver.setFaults({ latencyMs: [120, 160] });
    for (const [body, options, status] of [[TRACK, {}, 200], [{ user_id: 'u1' }, {}, 400], [TRACK, { key: null }, 401]]) {
      const { status: got, elapsed } = await timed('/track', body, options);
      assert.equal(got, status);
      assert.ok(elapsed >= 119, `a ${status} came back after ${elapsed.toFixed(1)} ms`);
    }
    receiver.setFaults({ latencyMs: 80, rate: 1, kinds: ['503'] });
    const { status, elapsed } = await timed('/track', TRACK);
    assert.equal(status, 503);
    assert.ok(elapsed >= 79, `the fault came back after ${elapsed.toFixed(1)} ms`);
  });

  test('a client that gives up during the added latency leaves nothing recorded', { timeout: 60_000 }, async () => {
    // The receiver is composed into a server of the test's own, which sees when the receiver has read a
    // body (its latency starts then) and when it has seen the client go. The second request, sent after
    // the first client went, has the same latency, so its timer runs out after the first one's: once it
    // is answered, the receiver has already decided what to do with the first request.
    for (let latencyMs = 200; ; latencyMs *= 2) {
      const composed = createReceiver({ faults: { latencyMs } });
      const arrivals = [];
      const server = http.createServer((req, res) => {
        const arrival = { bodyRead: once(req, 'end'), gone: once(res, 'close') };
        arrival.bodyRead.catch(() => {});
        arrivals.push(arrival);
        composed.handle(req, res);
      });
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
      const base = `http://127.0.0.1:${server.address().port}/v2`;
      try {
        const controller = new AbortController();
        const givingUp = post(base, '/track', { ...TRACK, event: 'given up' }, { signal: controller.signal });
        givingUp.catch(() => {});
        await waitFor(() => arrivals.length === 1);
        await arrivals[0].bodyRead;
        controller.abort();
        await assert.rejects(givingUp, { name: 'AbortError' });
        await arrivals[0].gone;
        // On a machine slow enough for the latency to run out before the receiver saw the client go, the
        // request went through as it should: that is not the case under test, so try a longer latency.
        if (composed.faultStats().requests !== 0) continue;
        const kept = await post(base, '/track', { ...TRACK, event: 'kept' });
        assert.equal(kept.status, 200);
        assert.deepEqual(composed.calls().map((call) => call.body.event), ['kept']);
        assert.equal(composed.faultStats().requests, 1);
        return;
      } finally {
        composed.endStreams();
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    }
  });

  test('faults and latency never touch OPTIONS preflights, /calls or /faults', { timeout: 30_000 }, async () => {
    // A minute of latency on any of them would run into the test's timeout.
    receiver.setFaults({ rate: 1, kinds: ['drop'], latencyMs: 60_000 });
    const preflight = await fetch(`${receiver.url}/track`, { method: 'OPTIONS', headers: { Origin: 'http://x.example' } });
    assert.equal(preflight.status, 204);
    assert.equal((await fetch(`${receiver.origin}/calls`)).status, 200);
    assert.equal((await fetch(`${receiver.origin}/calls`, { method: 'DELETE' })).status, 200);
    assert.equal((await fetch(`${receiver.origin}/faults`)).status, 200);
    assert.deepEqual(receiver.faultStats(), statsWith({}));
  });

  test('a request that fails its checks gets its usual answer, never a fault', async () => {
    receiver.setFaults({ rate: 1, kinds: ['drop'] });
    await assertError(await post(receiver.url, '/track', TRACK, { key: null }), 401, /X-Outbound-Key/);
    await assertError(await post(receiver.url, '/track', { user_id: 'u1' }), 400, /event is missing/);
    await assertError(await post(receiver.url, '/track', '{', { raw: true }), 500, /not well-formed JSON/);
    await assertError(await post(receiver.url, '/nope', TRACK), 404);
    assert.deepEqual(receiver.faultStats(), statsWith({}));
    assertConnectionFailed(await rawPost(`${receiver.url}/track`, TRACK)); // and a good one is faulted
  });

  test('GET /faults reports settings and counts; PUT changes part of them; DELETE turns them off and zeroes counts', async () => {
    const noFaults = { faults: { ...DEFAULT_FAULTS }, stats: statsWith({}) };
    let response = await fetch(`${receiver.origin}/faults`);
    assert.equal(response.status, 200);
    assertCors(response);
    assert.deepEqual(await jsonOf(response), noFaults);

    response = await putFaults(receiver.origin, { rate: 1, kinds: ['503'], retryAfterSeconds: 2 });
    assert.equal(response.status, 200);
    assertCors(response);
    const on = { ...DEFAULT_FAULTS, rate: 1, kinds: ['503'], retryAfterSeconds: 2 };
    assert.deepEqual(await jsonOf(response), { faults: on });
    const faulted = await post(receiver.url, '/track', TRACK);
    await assertError(faulted, 503, /injected fault/);
    assert.equal(faulted.headers.get('retry-after'), '2');

    response = await putFaults(receiver.origin, { rate: 0 }); // off; the rest is kept
    assert.deepEqual(await jsonOf(response), { faults: { ...on, rate: 0 } });
    assert.equal((await post(receiver.url, '/track', TRACK)).status, 200);
    assert.deepEqual(await jsonOf(await fetch(`${receiver.origin}/faults`)), {
      faults: { ...on, rate: 0 },
      stats: statsWith({ requests: 2, 503: 1, recorded: 1 }),
    });

    response = await fetch(`${receiver.origin}/faults`, { method: 'DELETE' });
    assert.equal(response.status, 200);
    assertCors(response);
    assert.deepEqual(await jsonOf(response), noFaults);
    assert.deepEqual(receiver.faultStats(), statsWith({}));
  });

  test('PUT /faults refuses a bad body with 400 naming the field, changing nothing', async () => {
    const before = receiver.setFaults({ rate: 0.5, kinds: ['500'], seed: 3 });
    for (const [body, message] of [
      ['{"rate":', /not well-formed JSON/],
      ['', /empty/],
      ['[{"rate": 1}]', /^faults must be an object of fault settings, got an array/],
      ['{"rate": 2}', /^faults\.rate must be a number from 0 to 1, got 2$/],
      ['{"rate": "0.5"}', /^faults\.rate must be a number/],
      ['{"kinds": []}', /^faults\.kinds must be a non-empty array/],
      ['{"kinds": "500"}', /^faults\.kinds must be a non-empty array/],
      ['{"kinds": ["500", "timeout"]}', /^faults\.kinds\[1\] must be one of 500, 503, 429, reset, drop, hang, got "timeout"/],
      ['{"kinds": [500]}', /^faults\.kinds\[0\] must be one of/],
      ['{"kinds": ["500", "500"]}', /^faults\.kinds must not name a kind twice/],
      ['{"retryAfterSeconds": 1.5}', /^faults\.retryAfterSeconds must be a non-negative integer/],
      ['{"retryAfterSeconds": -1}', /^faults\.retryAfterSeconds/],
      ['{"latencyMs": [200, 100]}', /^faults\.latencyMs must be .*got \[200,100\]/],
      ['{"latencyMs": [5]}', /^faults\.latencyMs/],
      ['{"latencyMs": -1}', /^faults\.latencyMs/],
      ['{"latencyMs": 600000}', /^faults\.latencyMs/],
      ['{"seed": 1.5}', /^faults\.seed must be an integer/],
      ['{"rate": 1, "ratio": 0.1}', /^faults\.ratio is not a fault setting; use rate, kinds, retryAfterSeconds, latencyMs, seed$/],
    ]) {
      const response = await putFaults(receiver.origin, body);
      await assertError(response, 400, message);
      assertCors(response);
    }
    assert.deepEqual(receiver.setFaults({}), before, 'a refused PUT changed the settings');
  });

  test('/faults answers a preflight for GET, PUT and DELETE, 405 to another method, and 404 below it', async () => {
    const preflight = await fetch(`${receiver.origin}/faults`, { method: 'OPTIONS', headers: { Origin: 'http://x.example' } });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-methods'), 'GET, PUT, DELETE');
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'http://x.example');
    const postResponse = await fetch(`${receiver.origin}/faults`, { method: 'POST', body: '{}' });
    await assertError(postResponse, 405);
    assert.equal(postResponse.headers.get('allow'), 'GET, PUT, DELETE, OPTIONS');
    await assertError(await fetch(`${receiver.origin}/faults/rate`), 404);
  });

  test('the faults option is merged over DEFAULT_FAULTS; a bad one throws a TypeError naming the field', () => {
    assert.deepEqual(createReceiver({ faults: { rate: 0.25, latencyMs: [1, 2] } }).options.faults, {
      ...DEFAULT_FAULTS, rate: 0.25, latencyMs: [1, 2],
    });
    for (const [faults, message] of [
      ['on', /^options\.faults must be an object/],
      [{ rate: 1.5 }, /^options\.faults\.rate/],
      [{ rate: Number.NaN }, /^options\.faults\.rate/],
      [{ kinds: ['timeout'] }, /^options\.faults\.kinds\[0\]/],
      [{ retryAfterSeconds: '1' }, /^options\.faults\.retryAfterSeconds/],
      [{ latencyMs: [1, 2, 3] }, /^options\.faults\.latencyMs/],
      [{ seed: 'abc' }, /^options\.faults\.seed/],
      [{ rates: 0.1 }, /^options\.faults\.rates is not a fault setting/],
    ]) {
      assert.throws(() => createReceiver({ faults }), { name: 'TypeError', message }, JSON.stringify(faults));
    }
    const receiver = createReceiver({ faults: { rate: 0.5 } });
    assert.throws(() => receiver.setFaults({ rate: -1 }), { name: 'TypeError', message: /^faults\.rate/ });
    assert.throws(() => receiver.setFaults(null), { name: 'TypeError', message: /^faults must be an object/ });
    assert.equal(receiver.setFaults({}).rate, 0.5);
    assert.deepEqual(receiver.resetFaults(), DEFAULT_FAULTS);
  });

  test('close() resolves while a hang fault and a delayed request are open', { timeout: 30_000 }, async () => {
    // The delayed request waits a minute, past the test's timeout, so close() must not wait for it.
    const faulty = await start({ faults: { rate: 1, kinds: ['hang'] } });
    const hanging = rawPost(`${faulty.url}/track`, TRACK);
    await waitFor(() => faulty.faultStats().faulted.hang === 1);
    faulty.setFaults({ rate: 0, latencyMs: 60_000 });
    const { outcome: delayed } = await postTakenUp(`${faulty.url}/track`);
    await faulty.close();
    assertConnectionFailed(await hanging);
    assertConnectionFailed(await delayed);
    assert.deepEqual(faulty.calls(), []);
  });
});
