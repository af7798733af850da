// Validation and mapping (docs/contract.md) from JavaScript: every accepted form and what it sends;
// every rejected form, its message, and that nothing reached the receiver.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { assertRecentTimestamp, clientFor, onlyCall, rejection, startReceiver } from './helpers.mjs';

let receiver;
let client;
before(async () => {
  receiver = await startReceiver();
  client = clientFor(receiver);
});
after(() => receiver.close());
beforeEach(() => receiver.clear());

const cycle = () => { const node = { name: 'n' }; node.self = node; return node; };
const throwingGetter = () => Object.defineProperty({}, 'secret', { enumerable: true, get() { throw new Error('no access'); } });
const events = (count) => Array.from({ length: count }, (_, i) => ({ user_id: `u${i}`, event: 'e', timestamp: 1 }));

async function sentBody(method, args) {
  assert.equal(await client[method](...args), undefined);
  return onlyCall(receiver).body;
}

describe('user IDs', () => {
  const accepted = [['u-1', 'u-1'], [' ', ' '], ['😀', '😀'], [1, '1'], [1.5, '1.5'], [-3, '-3'], [0, '0'], [-0, '0'],
    [1e21, '1e+21'], [0.1 + 0.2, '0.30000000000000004'], [2 ** 53, '9007199254740992'], [1e-7, '1e-7']];
  for (const [id, wire] of accepted) {
    test(`${typeof id} ${String(id)} is sent as ${JSON.stringify(wire)}`, async () => {
      assert.equal((await sentBody('subscribeAll', [id])).user_id, wire);
    });
  }
  test('1 and "1" produce identical requests', async () => {
    const a = await sentBody('track', [1, 'e', { k: 1 }, 5]);
    receiver.clear();
    assert.deepEqual(await sentBody('track', ['1', 'e', { k: 1 }, 5]), a);
  });

  const rejected = [[undefined, 'undefined'], [null, 'null'], ['', 'an empty string'], [NaN, 'NaN'], [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'], [true, 'a boolean'], [{}, 'an object'], [['u'], 'an array'], [10n, 'a BigInt'],
    [Symbol('u'), 'a Symbol'], [() => 'u', 'a function'], [new Date(0), 'a Date'], [new String('u'), 'a String'], [new Map([['id', 1]]), 'a Map']];
  for (const [id, got] of rejected) {
    for (const method of ['identify', 'track', 'subscribeAll', 'registerGcmToken']) {
      test(`${method} rejects userId ${got}`, async () => {
        await rejection(client[method](id, 'x'), {
          receivedCall: false, status: undefined,
          message: `${method}: userId must be a non-empty string or a finite number (got ${got})`,
        });
        assert.equal(receiver.calls().length, 0);
      });
    }
  }
  test('alias checks previousId like a user ID', async () => {
    await rejection(client.alias('u', NaN), {
      receivedCall: false, status: undefined, message: 'alias: previousId must be a non-empty string or a finite number (got NaN)',
    });
    assert.equal((await sentBody('alias', ['u', 7])).previous_id, '7');
  });
});

describe('event names and tokens', () => {
  for (const name of ['Signed Up', 'x', ' ', 'ünïcødé 😀', 'a'.repeat(1000)]) {
    test(`event ${JSON.stringify(name.slice(0, 20))} is sent as given`, async () => {
      assert.equal((await sentBody('track', ['u', name])).event, name);
    });
  }
  for (const [event, got] of [[undefined, 'undefined'], ['', 'an empty string'], [5, 'a number'], [null, 'null'], [{}, 'an object'], [['e'], 'an array']]) {
    test(`track rejects event ${got}`, async () => {
      await rejection(client.track('u', event), {
        receivedCall: false, status: undefined, message: `track: event must be a non-empty string (got ${got})`,
      });
      assert.equal(receiver.calls().length, 0);
    });
  }
  for (const method of ['registerApnsToken', 'registerGcmToken', 'disableApnsToken', 'disableGcmToken']) {
    for (const [token, got] of [[undefined, 'undefined'], ['', 'an empty string'], [5, 'a number']]) {
      test(`${method} rejects token ${got}`, async () => {
        await rejection(client[method]('u', token), {
          receivedCall: false, status: undefined, message: `${method}: token must be a non-empty string (got ${got})`,
        });
        assert.equal(receiver.calls().length, 0);
      });
    }
  }
});

describe('properties', () => {
  class Point { constructor() { this.x = 1; this.y = 2; } get sum() { return 3; } }
  const accepted = [
    ['undefined', undefined, {}],
    ['null', null, {}],
    ['an empty object', {}, {}],
    ['nested objects and arrays', { a: { b: [1, { c: null }] } }, { a: { b: [1, { c: null }] } }],
    ['a Date member becomes its ISO string', { at: new Date(Date.UTC(2020, 0, 2)) }, { at: '2020-01-02T00:00:00.000Z' }],
    ['toJSON is honoured', { money: { toJSON: () => '4.20 USD' } }, { money: '4.20 USD' }],
    ['undefined, function and symbol members are left out', { a: undefined, f() {}, s: Symbol('s'), k: 1 }, { k: 1 }],
    ['NaN and Infinity members become null', { n: NaN, i: Infinity }, { n: null, i: null }],
    ['-0 becomes 0', { z: -0 }, { z: 0 }],
    ['a null-prototype object', Object.assign(Object.create(null), { k: 'v' }), { k: 'v' }],
    ['a class instance sends its own enumerable fields', new Point(), { x: 1, y: 2 }],
    ['symbol keys are left out', { [Symbol('s')]: 1, k: 2 }, { k: 2 }],
    ['strings of any Unicode', { s: '日本語 😀 \u0000 "quoted" \\ \n' }, { s: '日本語 😀 \u0000 "quoted" \\ \n' }],
    ['a lone surrogate becomes U+FFFD', { s: 'a\ud800b' }, { s: 'a\ufffdb' }],
    ['large and small numbers', { big: 1e300, small: 5e-324, int: 9007199254740991 }, { big: 1e300, small: 5e-324, int: 9007199254740991 }],
    ['the caller\'s key order is kept', { z: 1, a: 2, m: 3 }, { z: 1, a: 2, m: 3 }],
  ];
  for (const [what, properties, wire] of accepted) {
    test(what, async () => {
      const body = await sentBody('track', ['u', 'e', properties, 1]);
      assert.deepEqual(body.properties, wire);
      assert.deepEqual(Object.keys(body.properties), Object.keys(wire));
    });
  }
  const rejected = [
    [[1, 2], 'properties must be a plain object, undefined or null (got an array)'],
    ['text', 'properties must be a plain object, undefined or null (got a string)'],
    [5, 'properties must be a plain object, undefined or null (got a number)'],
    [true, 'properties must be a plain object, undefined or null (got a boolean)'],
    [new Date(0), 'properties must be a plain object, undefined or null (got a Date)'],
    [new Map([['plan', 'pro']]), 'properties must be a plain object, undefined or null (got a Map)'],
    [new Uint8Array([1, 2]), 'properties must be a plain object, undefined or null (got a Uint8Array)'],
    [new Number(5), 'properties must be a plain object, undefined or null (got a Number)'],
    [Promise.resolve(), 'properties must be a plain object, undefined or null (got a Promise)'],
    [{ toJSON: () => 'x' }, 'properties must be a plain object (its toJSON() returned a string)'],
    [{ cart: { items: [0, 1, 2, cycle()] } }, 'properties.cart.items[3].self refers back to an enclosing object (a cycle), which JSON cannot represent'],
    [{ price: 10n }, 'properties.price is a BigInt, which JSON cannot represent'],
    [{ nested: { 'odd key': [5n] } }, 'properties.nested["odd key"][0] is a BigInt, which JSON cannot represent'],
    [{ user: throwingGetter() }, 'properties.user.secret could not be read: no access'],
    [{ bad: { toJSON() { throw new Error('boom'); } } }, 'properties.bad could not be converted to JSON: its toJSON() threw boom'],
  ];
  for (const [properties, message] of rejected) {
    test(`rejects: ${message}`, async () => {
      await rejection(client.track('u', 'e', properties), { receivedCall: false, status: undefined, message: `track: ${message}` });
      assert.equal(receiver.calls().length, 0);
    });
  }
  test('nesting deeper than 100 levels is refused', async () => {
    let deep = {};
    for (let i = 0; i < 150; i++) deep = { d: deep };
    await rejection(client.track('u', 'e', deep), {
      receivedCall: false, status: undefined, message: 'track: properties is nested more than 100 levels deep',
    });
  });
  test('arguments far too large for any body are refused before entering WebAssembly', async () => {
    await rejection(client.track('u', 'e', { big: 'x'.repeat(20 * 1024 * 1024) }), {
      receivedCall: false, status: undefined,
      message: 'track: properties takes 20971530 characters as JSON, more than a request body may hold (maxBodyBytes: 1048576); nothing was sent',
    });
    assert.equal(receiver.calls().length, 0);
  });
  test('a body over maxBodyBytes is refused with its size', async () => {
    const small = clientFor(receiver, { maxBodyBytes: 1000 });
    await rejection(small.track('u', 'e', { text: 'x'.repeat(2000) }), {
      receivedCall: false, status: undefined, message: /^track: the request body would be 20\d\d bytes, over maxBodyBytes \(1000\); nothing was sent$/,
    });
    assert.equal(receiver.calls().length, 0);
    await small.track('u', 'e', { text: 'x'.repeat(500) });
    assert.equal(receiver.calls().length, 1);
  });
});

describe('timestamps', () => {
  const accepted = [
    ['seconds', 1600000000, 1600000000],
    ['fractional seconds are floored', 1600000000.999, 1600000000],
    ['zero', 0, 0],
    ['a Date', new Date(Date.UTC(2020, 8, 13, 12, 26, 40, 999)), 1600000000],
    ['null means now', null, 'now'],
    ['undefined means now', undefined, 'now'],
  ];
  for (const [what, timestamp, wire] of accepted) {
    test(what, async () => {
      const body = await sentBody('track', ['u', 'e', {}, timestamp]);
      if (wire === 'now') assertRecentTimestamp(body.timestamp);
      else assert.equal(body.timestamp, wire);
    });
  }
  const rejected = [
    [-1, 'timestamp must be a non-negative number of UNIX seconds or a Date (got a number)'],
    [NaN, 'timestamp must be a non-negative number of UNIX seconds or a Date (got NaN)'],
    [Infinity, 'timestamp must be a non-negative number of UNIX seconds or a Date (got Infinity)'],
    [true, 'timestamp must be a non-negative number of UNIX seconds or a Date (got a boolean)'],
    ['yesterday', 'timestamp must be a non-negative number of UNIX seconds or a Date (got a string)'],
    [new Date('not a date'), 'timestamp is an invalid Date'],
    [new Date(-1000), 'timestamp must be a non-negative number of UNIX seconds or a Date (got a Date)'],
    [1700000000789, 'timestamp 1700000000789 is too large for UNIX seconds; pass seconds (Date.now() / 1000) or a Date'],
  ];
  for (const [timestamp, message] of rejected) {
    test(`rejects: ${message}`, async () => {
      await rejection(client.track('u', 'e', {}, timestamp), { receivedCall: false, status: undefined, message: `track: ${message}` });
      assert.equal(receiver.calls().length, 0);
    });
  }
});

describe('campaign IDs', () => {
  test('strings and finite numbers are sent as given', async () => {
    assert.deepEqual((await sentBody('subscribeCampaigns', ['u', [1, 'two', 3.5]])).campaign_ids, [1, 'two', 3.5]);
  });
  const rejected = [
    [[], 'campaignIds must be a non-empty array of campaign IDs (got an array)'],
    [undefined, 'campaignIds must be a non-empty array of campaign IDs (got undefined)'],
    ['c1', 'campaignIds must be a non-empty array of campaign IDs (got a string)'],
    [[1, null], 'campaignIds[1] must be a string or a finite number (got null)'],
    [[NaN], 'campaignIds[0] must be a string or a finite number (got null)'],
    [[{}], 'campaignIds[0] must be a string or a finite number (got an object)'],
  ];
  for (const method of ['subscribeCampaigns', 'unsubscribeCampaigns']) {
    for (const [ids, message] of rejected) {
      test(`${method} rejects: ${message}`, async () => {
        await rejection(client[method]('u', ids), { receivedCall: false, status: undefined, message: `${method}: ${message}` });
        assert.equal(receiver.calls().length, 0);
      });
    }
  }
});

describe('identify attributes', () => {
  test('unknown keys move into attributes instead of being dropped', async () => {
    const body = await sentBody('identify', ['u', { city: 'San Francisco', plan: 'pro', email: 'a@b.co' }]);
    assert.deepEqual(body, { user_id: 'u', email: 'a@b.co', attributes: { city: 'San Francisco', plan: 'pro' } });
  });
  test('the wire spelling wins over the camelCase one', async () => {
    const body = await sentBody('identify', ['u', { firstName: 'camel', first_name: 'wire' }]);
    assert.deepEqual(body, { user_id: 'u', first_name: 'wire' });
  });
  test('a key whose value is undefined is left out', async () => {
    assert.deepEqual(await sentBody('identify', ['u', { email: undefined, city: undefined }]), { user_id: 'u' });
  });
  test('a single token string becomes a one-element array', async () => {
    assert.deepEqual((await sentBody('identify', ['u', { apnsTokens: 't' }])).apns, ['t']);
  });
  const rejected = [
    [[], 'attributes must be a plain object, undefined or null (got an array)'],
    ['x', 'attributes must be a plain object, undefined or null (got a string)'],
    [{ apnsTokens: 5 }, 'attributes.apnsTokens must be a string or an array of strings (got a number)'],
    [{ gcmTokens: ['a', 1] }, 'attributes.gcmTokens must be a string or an array of strings (got an array)'],
    [{ previousId: '' }, 'attributes.previousId must be a non-empty string or a finite number (got an empty string)'],
    [{ groupAttributes: 'x' }, 'attributes.groupAttributes must be a plain object, undefined or null (got a string)'],
  ];
  for (const [attributes, message] of rejected) {
    test(`rejects: ${message}`, async () => {
      await rejection(client.identify('u', attributes), { receivedCall: false, status: undefined, message: `identify: ${message}` });
      assert.equal(receiver.calls().length, 0);
    });
  }
});

describe('trackBatch', () => {
  for (const count of [1, 100]) {
    test(`${count} events go in one request`, async () => {
      const body = await sentBody('trackBatch', [events(count)]);
      assert.equal(body.length, count);
      assert.deepEqual(body[count - 1], { user_id: `u${count - 1}`, event: 'e', properties: {}, timestamp: 1 });
    });
  }
  test('each event is normalised like track: numeric IDs, Dates, omitted parts', async () => {
    const body = await sentBody('trackBatch', [[{ user_id: 7, event: 'a', timestamp: new Date(Date.UTC(2020, 8, 13, 12, 26, 40)) }, { user_id: 'x', event: 'b' }]]);
    assert.deepEqual(body[0], { user_id: '7', event: 'a', properties: {}, timestamp: 1600000000 });
    assertRecentTimestamp(body[1].timestamp);
  });
  const rejected = [
    [[], 'events must be an array of 1 to 100 events (got 0 events)'],
    [events(101), 'events must be an array of 1 to 100 events (got 101 events)'],
    [{ user_id: 'u', event: 'e' }, 'events must be an array of 1 to 100 events (got an object)'],
    [undefined, 'events must be an array of 1 to 100 events (got undefined)'],
    [[{ user_id: 'u', event: 'e' }, 'x'], 'events[1] must be an object {user_id, event, properties?, timestamp?} (got a string)'],
    [[{ event: 'e' }], 'events[0].user_id must be a non-empty string or a finite number (got undefined)'],
    [[{ user_id: 'u', event: '' }], 'events[0].event must be a non-empty string (got an empty string)'],
    [[{ user_id: 'u', event: 'e', properties: [] }], 'events[0].properties must be a plain object, undefined or null (got an array)'],
    [[{ userId: 'u', event: 'e' }], 'events[0] has an unknown field "userId"; the fields are user_id, event, properties and timestamp'],
    [[{ user_id: 'u', event: 'e', properties: { n: 1n } }], 'events[0].properties.n is a BigInt, which JSON cannot represent'],
  ];
  for (const [batch, message] of rejected) {
    test(`rejects: ${message}`, async () => {
      await rejection(client.trackBatch(batch), { receivedCall: false, status: undefined, message: `trackBatch: ${message}` });
      assert.equal(receiver.calls().length, 0);
    });
  }
});

describe('each method takes exactly its parameters', () => {
  test('a missing argument is undefined', async () => {
    await rejection(client.alias('u'), {
      receivedCall: false, status: undefined, message: 'alias: previousId must be a non-empty string or a finite number (got undefined)',
    });
    assert.equal(receiver.calls().length, 0);
  });
  test('an extra argument is never read', async () => {
    assert.deepEqual(await sentBody('subscribeAll', ['u', throwingGetter(), 10n]), { user_id: 'u' });
    receiver.clear();
    assert.equal((await sentBody('track', ['u', 'e', {}, 5, cycle()])).timestamp, 5);
  });
});

describe('the client works normally after rejections', () => {
  test('a valid call after a run of invalid ones is sent', async () => {
    await Promise.allSettled([client.track(), client.identify(null), client.trackBatch([]), client.track('u', 'e', cycle())]);
    await client.track('u', 'after');
    assert.equal(onlyCall(receiver).body.event, 'after');
  });
});
