// `import outbound from 'outbound-wasm'` with no configuration at all, in the bundlers and test
// runners apps use: Vite (today's and 5) building and serving in development, webpack 5 (import and
// require), esbuild (ES module and its default IIFE), and Jest with jest-environment-jsdom running a
// test file as a React app's would be (babel-jest turns its import into a require). Each app lives
// in a temporary project whose node_modules holds the package as npm installs it (the packed
// tarball, unpacked); it is built (or served) there, opened in Chromium, and the receiver must get
// its track. Which copy of the .wasm each one used is checked too: the file the bundler shipped, or
// the copy inlined in JavaScript (docs/architecture.md, "Entries"), and that the inlined copy costs
// a bundler that ships the file nothing on the page.
// Needs dist/ built and Chromium at /usr/bin/chromium (Jest needs neither browser nor page).

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import * as esbuild from 'esbuild';
import webpack from 'webpack';
import * as vite from 'vite';
import * as vite5 from 'vite5';
import { start as startReceiver } from '../receiver/receiver.mjs';
import { closeServer, launchChromium, listen, readDist, skipWithoutBrowser } from './browser-helpers.mjs';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const resolveHere = createRequire(import.meta.url).resolve;
// A hang must fail the run, not stall it: far more than a build and a page take on a busy machine.
const TIMEOUT = { timeout: 180000 };
const WAIT = { timeout: 60000 };

// The first bytes of the .wasm as the inlined copy spells them (js/inlined-wasm.js): a file or a
// reply holding them holds the inlined copy.
const INLINED_MARK = readDist('outbound.wasm').subarray(0, 48).toString('hex');

// The app: one track, its outcome on window. The receiver's URL and the bundler's name come in the
// page's query string, so that one source serves every build.
const APP_CODE = `const params = new URLSearchParams(location.search);
const ob = new outbound('bundled-key', { baseUrl: params.get('receiver') });
ob.track('bundled-user', 'Bundled', { by: params.get('by') })
  .then(() => 'resolved', (error) => 'rejected: ' + error.message).then((outcome) => { window.result = outcome; });
`;
const APP = {
  'main.js': `import outbound from 'outbound-wasm';\n${APP_CODE}`,
  'main-require.js': `const outbound = require('outbound-wasm');\n${APP_CODE}`,
  // Vite's entry; the other bundlers' pages are written beside their output.
  'index.html': page('<script type="module" src="/main.js"></script>'),
};

function page(script) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>bundled</title>
<link rel="icon" href="data:,"></head><body>${script}</body></html>\n`;
}

let receiver;
let workdir;
let installed; // the unpacked tarball, as npm installs it
let browser;

before(async () => {
  receiver = await startReceiver({ port: 0 });
  workdir = mkdtempSync(join(tmpdir(), 'outbound-bundlers-'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', workdir], { cwd: root, maxBuffer: 1 << 24 });
  const [packed] = JSON.parse(stdout.slice(stdout.indexOf('[')));
  installed = join(workdir, 'package');
  await run('tar', ['xzf', join(workdir, packed.filename), '-C', workdir]);
  if (!skipWithoutBrowser) browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await receiver?.close();
  rmSync(workdir, { recursive: true, force: true });
});

/** A fresh project named `name` with the app's files and the package in node_modules. */
function project(name, files = APP) {
  const dir = join(workdir, name);
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', private: true }));
  cpSync(installed, join(dir, 'node_modules', 'outbound-wasm'), { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
}

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };

/** Serves the files of `dir` as a static host would, 404 for anything else; resolves with the origin. */
async function serveDirectory(t, dir) {
  const server = http.createServer((req, res) => {
    const path = join(dir, decodeURIComponent(new URL(req.url, 'http://x').pathname));
    const file = path.endsWith('/') ? join(path, 'index.html') : path;
    if (!file.startsWith(dir) || !existsSync(file)) return res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  const origin = await listen(server);
  t.after(() => closeServer(server));
  return origin;
}

/** A port nobody listens on now (Vite takes 0 for its default, 5173). */
async function freePort() {
  const server = http.createServer();
  const origin = await listen(server);
  await closeServer(server);
  return Number(new URL(origin).port);
}

/** Every file under `dir`, as paths relative to it. */
function filesUnder(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name).slice(dir.length + 1));
}

/**
 * Opens `url` (the app) with the receiver and bundler named in its query string; resolves with its
 * outcome, the answers to its requests for a .wasm, the scripts that brought the inlined copy, and
 * the console's errors.
 */
async function openApp(t, url, by) {
  const context = await browser.newContext();
  t.after(() => context.close());
  const tab = await context.newPage();
  const seen = { wasm: [], inlinedIn: [], errors: [] };
  const reading = [];
  tab.on('console', (message) => { if (message.type() === 'error') seen.errors.push(message.text()); });
  tab.on('pageerror', (error) => seen.errors.push(`page error: ${error.message}`));
  tab.on('response', (response) => {
    const path = new URL(response.url()).pathname;
    if (path.endsWith('.wasm')) seen.wasm.push(`${response.status()} ${response.headers()['content-type']}`);
    if (response.request().resourceType() === 'script') {
      reading.push(response.body().then((body) => { if (body.includes(INLINED_MARK)) seen.inlinedIn.push(path); }, () => {}));
    }
  });
  const query = new URLSearchParams({ receiver: receiver.url, by });
  await tab.goto(`${url}?${query}`);
  await tab.waitForFunction(() => typeof window.result === 'string', null, WAIT);
  seen.result = await tab.evaluate(() => window.result);
  await Promise.all(reading);
  return seen;
}

/** The receiver got exactly the app's track, sent by the app built by `by`. */
function assertTracked(by) {
  const calls = receiver.calls().filter((call) => call.body?.properties?.by === by);
  assert.equal(calls.length, 1, JSON.stringify(receiver.calls()));
  assert.equal(calls[0].path, '/v2/track');
  assert.equal(calls[0].body.user_id, 'bundled-user');
  assert.equal(calls[0].body.event, 'Bundled');
}

function sizes(file) {
  const bytes = readFileSync(file);
  return `${bytes.length} B raw, ${gzipSync(bytes, { level: 9 }).length} B gzip -9`;
}

// Each bundler's build, as its documentation's first example makes it: entry, output folder, and
// nothing about the .wasm. `page` loads its output; Vite's build writes its own.
const builds = [
  {
    name: 'Vite 8 build',
    build: (dir, out) => vite.build({ root: dir, configFile: false, logLevel: 'silent', build: { outDir: out } }),
    wasmFrom: 'file',
  },
  {
    name: 'Vite 5 build',
    build: (dir, out) => vite5.build({ root: dir, configFile: false, logLevel: 'silent', build: { outDir: out } }),
    wasmFrom: 'file',
  },
  {
    name: 'webpack 5, import',
    build: (dir, out) => webpackBuild(dir, './main.js', out),
    page: page('<script src="main.js"></script>'),
    wasmFrom: 'file',
  },
  {
    name: 'webpack 5, require',
    build: (dir, out) => webpackBuild(dir, './main-require.js', out),
    page: page('<script src="main.js"></script>'),
    wasmFrom: 'inlined', // the CommonJS file (dist/outbound.cjs) carries it
  },
  {
    name: 'esbuild --format=esm',
    build: (dir, out) => esbuild.build({ absWorkingDir: dir, entryPoints: ['main.js'], bundle: true, format: 'esm',
      platform: 'browser', outdir: out, logLevel: 'silent' }),
    page: page('<script type="module" src="main.js"></script>'),
    wasmFrom: 'inlined', // esbuild leaves new URL('./outbound.wasm', import.meta.url) alone: it is not there
    missingWasm: true,
  },
  {
    name: 'esbuild (its default format, an IIFE)',
    build: (dir, out) => esbuild.build({ absWorkingDir: dir, entryPoints: ['main.js'], bundle: true,
      platform: 'browser', outdir: out, logLevel: 'silent' }),
    page: page('<script src="main.js"></script>'),
    wasmFrom: 'inlined', // no import.meta.url: no URL to try
  },
];

function webpackBuild(dir, entry, out) {
  return new Promise((resolve, reject) => {
    webpack({ mode: 'production', context: dir, entry, output: { path: out } }, (error, stats) => {
      if (error) return reject(error);
      const { errors, warnings } = stats.toJson({ all: false, errors: true, warnings: true });
      // A Node built-in reached by the browser entry is an error here ("Can't resolve 'http'").
      if (errors.length || warnings.length) return reject(new Error(JSON.stringify({ errors, warnings })));
      resolve();
    });
  });
}

describe('bundled with no configuration, the app delivers its track', { skip: skipWithoutBrowser }, () => {
  for (const { name, build, page: html, wasmFrom, missingWasm } of builds) {
    test(`${name}: the .wasm from ${wasmFrom === 'file' ? 'the file it ships' : 'the inlined copy'}`, TIMEOUT, async (t) => {
      const dir = project(name.replace(/\W+/g, '-'));
      const out = join(dir, 'out');
      await build(dir, out);
      if (html) writeFileSync(join(out, 'index.html'), html);
      const carriers = filesUnder(out).filter((file) => readFileSync(join(out, file), 'latin1').includes(INLINED_MARK));
      const seen = await openApp(t, `${await serveDirectory(t, out)}/`, name);

      assert.equal(seen.result, 'resolved', JSON.stringify(seen));
      assertTracked(name);
      if (wasmFrom === 'file') {
        assert.deepEqual(seen.wasm, ['200 application/wasm']);
        // The inlined copy is there, in a chunk of its own, and the page never asked for it.
        assert.equal(carriers.length, 1, carriers.join(', '));
        assert.deepEqual(seen.inlinedIn, []);
        assert.deepEqual(seen.errors, []);
      } else {
        assert.deepEqual(seen.wasm, missingWasm ? ['404 text/plain'] : []);
        assert.deepEqual(seen.inlinedIn, ['/main.js'], 'the bundle itself carries the inlined copy');
        t.diagnostic(`${name}: out/main.js is ${sizes(join(out, 'main.js'))}`);
        // The one error is the browser's line for the 404 of the .wasm tried first.
        assert.deepEqual(seen.errors, missingWasm ? ['Failed to load resource: the server responded with a status of 404 (Not Found)'] : []);
      }
    });
  }
});

// The development servers, as `vite` starts them: modules served one by one, the package
// pre-bundled into node_modules/.vite.
const devServers = [
  { name: 'Vite 8 dev server', createServer: vite.createServer, wasm: ['200 application/wasm'] },
  // Vite 5 answers its index.html for the .wasm beside the pre-bundled copy: the inlined copy does.
  { name: 'Vite 5 dev server', createServer: vite5.createServer, wasm: ['200 text/html'] },
];

describe('served by a development server with no configuration, the app delivers its track', { skip: skipWithoutBrowser }, () => {
  for (const { name, createServer, wasm } of devServers) {
    test(name, TIMEOUT, async (t) => {
      const dir = project(name.replace(/\W+/g, '-'));
      const server = await createServer({ root: dir, configFile: false, logLevel: 'silent',
        server: { host: '127.0.0.1', port: await freePort(), strictPort: false } });
      t.after(() => server.close());
      await server.listen();
      const { port } = server.httpServer.address();
      const seen = await openApp(t, `http://127.0.0.1:${port}/`, name);

      assert.equal(seen.result, 'resolved', JSON.stringify(seen));
      assertTracked(name);
      assert.deepEqual(seen.errors, []);
      assert.deepEqual(seen.wasm, wasm);
      if (wasm[0] === '200 application/wasm') {
        assert.deepEqual(seen.inlinedIn, []);
      } else {  // the inlined copy, from a module of its own
        assert.equal(seen.inlinedIn.length, 1, JSON.stringify(seen.inlinedIn));
        assert.doesNotMatch(seen.inlinedIn[0], /\/main\.js$/);
      }
    });
  }
});

// A React app's test: babel-jest with @babel/preset-env (which turns the import into a require), in
// jest-environment-jsdom, whose page has no fetch, TextEncoder or TextDecoder (Jest 30).
describe('Jest 30 with jest-environment-jsdom', () => {
  test("a test file's track reaches the receiver", TIMEOUT, async () => {
    const dir = project('jest-app', {
      'babel.config.js': `module.exports = { presets: [[${JSON.stringify(resolveHere('@babel/preset-env'))}, { targets: { node: 'current' } }]] };\n`,
      'jest.config.js': `module.exports = { testEnvironment: ${JSON.stringify(resolveHere('jest-environment-jsdom'))} };\n`,
      'track.test.js': `import outbound from 'outbound-wasm';

test('track', async () => {
  expect(typeof fetch).toBe('undefined');
  expect(typeof TextEncoder).toBe('undefined');
  const ob = new outbound('jest-key', { baseUrl: process.env.RECEIVER });
  await ob.track('jest-user', 'Tested', { by: 'jest', city: 'Zürich 🚀' });
});
`,
    });
    const jest = join(root, 'node_modules', 'jest', 'bin', 'jest.js');
    const { stderr } = await run(process.execPath, [jest, '--ci', '--rootDir', dir], {
      cwd: dir, env: { ...process.env, RECEIVER: receiver.url }, maxBuffer: 1 << 24,
    });
    assert.match(stderr, /Tests:\s+1 passed, 1 total/);
    const calls = receiver.calls().filter((call) => call.body?.properties?.by === 'jest');
    assert.equal(calls.length, 1, JSON.stringify(receiver.calls()));
    assert.equal(calls[0].body.event, 'Tested');
    assert.deepEqual(calls[0].body.properties, { by: 'jest', city: 'Zürich 🚀' }, 'UTF-8 without TextEncoder');
    assert.equal(calls[0].headers.origin, 'http://localhost', "jsdom's page sent it");
  });
});
