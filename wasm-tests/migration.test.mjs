// Moving from outbound@1.3.0 is one line (README.md): code written for the old library runs
// against this one. The old library's own test file (node_modules/outbound/test.js) runs unchanged,
// its `require("./outbound.js")` answered by this package pointed at the receiver; and the old
// promises' methods (D.js: success, error, otherwise, ensure, nodify) behave on ours as they did on
// the old library's, compared case by case with D.js itself.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { clientFor, importedOutbound, startReceiver } from './helpers.mjs';

const require = createRequire(import.meta.url);
const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const oldLibrary = join(root, 'node_modules', 'outbound');
const { OutboundError } = importedOutbound;

// The key test.js makes its client with.
const OLD_TEST_KEY = 'bf6af822c410b56807abfafa42e67d95';

/**
 * A folder holding the old library's test.js as it ships, beside an outbound.js that is this
 * package (installed as node_modules/outbound-wasm) sending to `baseUrl`: all the old usage needs.
 */
function oldTestFolder(workdir, baseUrl) {
  mkdirSync(join(workdir, 'node_modules'), { recursive: true });
  symlinkSync(root, join(workdir, 'node_modules', 'outbound-wasm'), 'dir');
  copyFileSync(join(oldLibrary, 'test.js'), join(workdir, 'test.js'));
  // The one line a user changes is the require; the base URL is the test's, the key test.js's own.
  writeFileSync(join(workdir, 'outbound.js'), `const outbound = require('outbound-wasm');
module.exports = class extends outbound {
  constructor(apiKey) { super(apiKey, { baseUrl: ${JSON.stringify(baseUrl)} }); }
};
`);
  return workdir;
}

describe('node_modules/outbound/test.js, the old library\'s own test, run against this package', () => {
  let workdir;
  before(() => { workdir = mkdtempSync(join(tmpdir(), 'outbound-migration-')); });
  after(() => rmSync(workdir, { recursive: true, force: true }));

  // test.js waits 5 s (its own setTimeout) before its last line; its process then exits by itself.
  async function runOldTest(name, receiver) {
    const folder = oldTestFolder(join(workdir, name), receiver.url);
    const { stdout } = await run(process.execPath, ['test.js'], { cwd: folder });
    return stdout;
  }

  test('a server that takes the key: the invalid calls are refused without receivedCall, the valid one is delivered', async (t) => {
    const receiver = await startReceiver({ port: 0 });
    t.after(() => receiver.close());
    const stdout = await runOldTest('accepted', receiver);
    // No "[FAIL ...]" line: each .error(fn) had an error without receivedCall.
    assert.equal(stdout, ['Testing identify call.', 'Testing track call.', 'Testing register token.',
      'all good in the hood', 'done waiting', ''].join('\n'));
    assert.deepEqual(receiver.calls().map(({ path, body }) => ({ path, body })),
      [{ path: '/v2/apns/register', body: { user_id: 'travis', token: 'token' } }]);
    assert.match(receiver.calls()[0].headers['x-outbound-client'], /^outbound-wasm\//);
  });

  test('a server that refuses the key: the error handler of .then(ok, fail) gets receivedCall and the status', async (t) => {
    const receiver = await startReceiver({ port: 0, keys: ['another-key'] });
    t.after(() => receiver.close());
    const stdout = await runOldTest('refused', receiver);
    assert.doesNotMatch(stdout, /FAIL|all good/);
    assert.match(stdout, /^OutboundError: registerApnsToken: the server answered 401 to POST \/apns\/register/m);
    assert.match(stdout, /receivedCall: true,\s+status: 401/);
    assert.ok(!stdout.includes(OLD_TEST_KEY), 'the key is printed');
    assert.deepEqual(receiver.calls(), []);
  });
});

/** D.js, the old library's promises: the first line of its outbound.js. */
function loadDjs() {
  const firstLine = readFileSync(join(oldLibrary, 'outbound.js'), 'utf8').split('\n')[0];
  return new Function(`${firstLine}\nreturn D;`)();  // eslint-disable-line no-new-func
}

/**
 * What `use(promise, callback)` did, as plain data: how the callback was called, whether it
 * returned the same Promise, and how the Promise it returned settled.
 */
async function observe(promise, use) {
  const calls = [];
  const returned = use(promise, (...args) => { calls.push(args); return 'returned by the callback'; });
  const outcome = await new Promise((resolve) => {
    returned.then((value) => resolve({ resolved: value }), (error) => resolve({ rejected: error }));
  });
  return { calls, sameReturned: returned === promise, outcome };
}

const USES = {
  'success(fn)': (promise, fn) => promise.success(fn),
  'error(fn)': (promise, fn) => promise.error(fn),
  'otherwise(fn)': (promise, fn) => promise.otherwise(fn),
  'ensure(fn)': (promise, fn) => promise.ensure(fn),
  'nodify(fn)': (promise, fn) => promise.nodify(fn),
  'then(ok, fail)': (promise, fn) => promise.then((value) => fn('ok', value), (error) => fn('fail', error)),
  'then(f).nodify(fn), f returning an array': (promise, fn) => promise.then(() => ['a', 'b']).nodify(fn),
};

describe('the old promises\' methods, on what our methods return and on what .then makes of it', () => {
  let receiver;
  let ob;
  const D = loadDjs();
  before(async () => {
    receiver = await startReceiver({ port: 0 });
    ob = clientFor(receiver, { onError: () => {} });
  });
  after(() => receiver.close());

  for (const [name, use] of Object.entries(USES)) {
    test(`${name}: as D.js does it, resolved and rejected`, async () => {
      const delivered = await observe(ob.track('u', 'Signed Up'), use);
      assert.deepEqual(delivered, await observe(D.resolved(undefined), use), 'a delivered call');

      const refused = await observe(ob.track('', 'Signed Up'), use);
      const error = refused.calls[0]?.find((arg) => arg instanceof Error) ?? refused.outcome.rejected;
      assert.ok(error instanceof OutboundError, `${name}: ${error}`);
      assert.equal(error.receivedCall, false);
      assert.deepEqual(refused, await observe(D.rejected(error), use), 'a refused call');
    });
  }

  test('flush(), close() and a call after close() offer them too', async () => {
    const client = clientFor(receiver, { onError: () => {} });
    const heard = [];
    await client.track('u', 'e').success(() => heard.push('track'));
    await client.flush().ensure(() => heard.push('flush'));
    await client.close().nodify((error) => heard.push(`close ${error}`));
    await client.track('u', 'e').error((error) => heard.push(`${error.constructor.name} ${error.receivedCall} ${error.message}`));
    assert.deepEqual(heard, ['track', 'flush', 'close undefined',
      'OutboundError false track: close() was called on this client; it sends nothing more']);
  });

  test('await and Promise.all still work; each derived Promise keeps the methods', async () => {
    const calls = [ob.track('u', 'a'), ob.track('u', 'b').then(() => 'b'), ob.identify('u').catch(() => 'never')];
    assert.deepEqual(await Promise.all(calls), [undefined, 'b', undefined]);
    for (const promise of [calls[1], calls[2], calls[0].finally(() => {})]) {
      for (const method of ['success', 'error', 'otherwise', 'ensure', 'nodify']) assert.equal(typeof promise[method], 'function', method);
    }
    assert.equal(await ob.track('u', 'c'), undefined);
  });
});

// A failure nobody handles is not an unhandled rejection, even passed on by `.success(f)` or
// `.then(f)`, as old code does when it only wants to hear of success; what a callback of the
// caller's throws stays an unhandled rejection, as with any Promise.
test('old-style chains without an error handler: no unhandled rejection for our failures; a callback\'s throw still is one', async () => {
  const script = `
    const outbound = require('outbound-wasm');
    const unhandled = [];
    process.on('unhandledRejection', (error) => unhandled.push(error.message));
    const ob = new outbound('k', { baseUrl: 'http://127.0.0.1:9/v2', retries: 0, onError() {} });
    ob.track('', 'x').success(() => {});
    ob.track('u', 'x').then(() => 1).then(() => 2).success(() => 3);
    ob.identify('u').ensure(() => {});
    ob.track('', 'x').then(undefined, () => { throw new Error('the callback threw'); });
    ob.flush().then(() => setImmediate(() => console.log(JSON.stringify(unhandled))));`;
  const { stdout } = await run(process.execPath, ['-e', script], { cwd: root });
  assert.deepEqual(JSON.parse(stdout), ['the callback threw']);
});

test('D.js is the old library\'s promise library, and the comparison above reads it', () => {
  const D = loadDjs();
  const promise = D.resolved(1);
  for (const method of ['success', 'error', 'otherwise', 'ensure', 'nodify']) assert.equal(typeof promise[method], 'function', method);
  assert.equal(require(join(oldLibrary, 'package.json')).version, '1.3.0');
});
