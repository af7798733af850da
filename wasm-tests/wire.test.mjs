// What every method puts on the wire (docs/contract.md, API and Requests on the wire), seen by the
// receiver over real HTTP.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  API_KEY, assertRecentTimestamp, clientFor, importedOutbound, onlyCall, requiredOutbound, startReceiver,
} from './helpers.mjs';
import packageJson from '../package.json' with { type: 'json' };

// method, arguments, path, exact body (a timestamp of "now" is checked apart).
const CALLS = [
  ['identify', ['user-1', { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', city: 'San Francisco' }],
    '/identify', { user_id: 'user-1', first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.com', attributes: { city: 'San Francisco' } }],
  ['identify', ['user-1'], '/identify', { user_id: 'user-1' }],
  ['identify', [42, { phoneNumber: '+15555550100', timezone: 'America/Los_Angeles', apnsTokens: 'apns-1', gcmTokens: ['g1', 'g2'],
    groupId: 'acme', groupAttributes: { plan: 'pro' }, previousId: 'anon-7', attributes: { plan: 'free' } }],
    '/identify', { user_id: '42', phone_number: '+15555550100', timezone: 'America/Los_Angeles', apns: ['apns-1'], gcm: ['g1', 'g2'],
      group_id: 'acme', group_attributes: { plan: 'pro' }, previous_id: 'anon-7', attributes: { plan: 'free' } }],
  ['alias', ['user-1', 'anon-7'], '/identify', { user_id: 'user-1', previous_id: 'anon-7' }],
  ['track', ['user-1', 'Signed Up', { plan: 'pro', referrer: { source: 'ad', id: 3 } }, 1600000000],
    '/track', { user_id: 'user-1', event: 'Signed Up', properties: { plan: 'pro', referrer: { source: 'ad', id: 3 } }, timestamp: 1600000000 }],
  ['track', ['user-1', 'Uploaded Picture'], '/track', { user_id: 'user-1', event: 'Uploaded Picture', properties: {} }],
  ['trackBatch', [[{ user_id: 'a', event: 'x', timestamp: 5 }, { user_id: 2, event: 'y', properties: { k: 1 }, timestamp: 6 }]],
    '/track/batch', [{ user_id: 'a', event: 'x', properties: {}, timestamp: 5 }, { user_id: '2', event: 'y', properties: { k: 1 }, timestamp: 6 }]],
  ['registerApnsToken', ['user-1', 'apns-tok'], '/apns/register', { user_id: 'user-1', token: 'apns-tok' }],
  ['registerGcmToken', ['user-1', 'gcm-tok'], '/gcm/register', { user_id: 'user-1', token: 'gcm-tok' }],
  ['disableApnsToken', ['user-1', 'apns-tok'], '/apns/disable', { user_id: 'user-1', token: 'apns-tok' }],
  ['disableGcmToken', ['user-1', 'gcm-tok'], '/gcm/disable', { user_id: 'user-1', token: 'gcm-tok' }],
  ['disableAllApnsTokens', ['user-1'], '/apns/disable', { user_id: 'user-1', all: true }],
  ['disableAllGcmTokens', ['user-1'], '/gcm/disable', { user_id: 'user-1', all: true }],
  ['subscribeAll', ['user-1'], '/subscribe/all', { user_id: 'user-1' }],
  ['unsubscribeAll', ['user-1'], '/unsubscribe/all', { user_id: 'user-1' }],
  ['subscribeCampaigns', ['user-1', [1, 'welcome']], '/subscribe/campaigns', { user_id: 'user-1', campaign_ids: [1, 'welcome'] }],
  ['unsubscribeCampaigns', ['user-1', [7]], '/unsubscribe/campaigns', { user_id: 'user-1', campaign_ids: [7] }],
];

for (const [entry, Outbound] of [['require', requiredOutbound], ['import', importedOutbound]]) {
  describe(`every method on the wire (${entry})`, () => {
    let receiver;
    let client;
    before(async () => {
      receiver = await startReceiver();
      client = clientFor(receiver, {}, Outbound);
    });
    after(() => receiver.close());
    beforeEach(() => receiver.clear());

    for (const [method, args, path, body] of CALLS) {
      test(`${method}(${JSON.stringify(args).slice(1, -1).slice(0, 60)})`, async () => {
        assert.equal(await client[method](...args), undefined);
        const call = onlyCall(receiver);
        assert.equal(call.method, 'POST');
        assert.equal(call.path, `/v2${path}`);
        assert.equal(call.headers['content-type'], 'application/json');
        assert.equal(call.headers['x-outbound-key'], '****');
        assert.equal(call.headers['x-outbound-client'], `outbound-wasm/${packageJson.version}`);
        if (method === 'track' && !('timestamp' in body)) {
          assertRecentTimestamp(call.body.timestamp);
          delete call.body.timestamp;
        }
        assert.deepEqual(call.body, body);
      });
    }
  });
}

describe('the key and the base URL belong to each instance', () => {
  let first;
  let second;
  before(async () => {
    first = await startReceiver({ keys: ['key-one'] });
    second = await startReceiver({ keys: ['key-two'] });
  });
  after(() => Promise.all([first.close(), second.close()]));

  test('two clients with different keys and receivers do not mix', async () => {
    const one = new requiredOutbound('key-one', { baseUrl: first.url });
    const two = new requiredOutbound('key-two', { baseUrl: second.url });
    await Promise.all([one.track('u1', 'one'), two.track('u2', 'two'), one.subscribeAll('u1')]);
    assert.deepEqual(first.calls().map((call) => call.body.event ?? call.path), ['one', '/v2/subscribe/all']);
    assert.deepEqual(second.calls().map((call) => call.body.event), ['two']);
  });

  test('a trailing slash on baseUrl is not doubled', async () => {
    const client = new requiredOutbound('key-one', { baseUrl: `${first.url}/` });
    first.clear();
    await client.subscribeAll('u1');
    assert.equal(onlyCall(first).path, '/v2/subscribe/all');
  });
});

describe('requests', () => {
  test('the raw request has the three headers and a UTF-8 JSON body', async (t) => {
    const http = await import('node:http');
    let seen;
    const server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (chunk) => chunks.push(chunk));
      req.on('end', () => {
        seen = { method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks) };
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(() => server.close());
    const client = new requiredOutbound(API_KEY, { baseUrl: `http://127.0.0.1:${server.address().port}/v2` });
    await client.track('ü-1', 'Café ☕', { emoji: '😀', text: '日本語' }, 1);
    assert.equal(seen.method, 'POST');
    assert.equal(seen.url, '/v2/track');
    assert.equal(seen.headers['content-type'], 'application/json');
    assert.equal(seen.headers['x-outbound-key'], API_KEY);
    assert.match(seen.headers['x-outbound-client'], /^outbound-wasm\/\d+\.\d+\.\d+/);
    assert.equal(Number(seen.headers['content-length']), seen.body.length);
    assert.deepEqual(JSON.parse(seen.body.toString('utf8')),
      { user_id: 'ü-1', event: 'Café ☕', properties: { emoji: '😀', text: '日本語' }, timestamp: 1 });
  });
});
