// Shared by the Chromium suites: Debian's Chromium (never a downloaded browser) driven by
// playwright-core, the built files, and small servers.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const DIST = fileURLToPath(new URL('../dist/', import.meta.url));
export const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));

/** Only a missing browser skips a suite (npm test installs it); everything else must fail. */
export const skipWithoutBrowser = existsSync(CHROMIUM)
  ? false
  : `Chromium is not installed at ${CHROMIUM} (apt-get install chromium); browser tests skipped`;

export function launchChromium() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

export function readDist(name) {
  const file = `${DIST}${name}`;
  assert.ok(existsSync(file), `${file} is missing: run \`bash scripts/build.sh\` first`);
  return readFileSync(file);
}

/**
 * The page a user would write: dist/outbound.js by a script tag, and `script` in the very next
 * one (no favicon request, so that a page's only 404s are the test's).
 */
export function scriptTagPage(title, script) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title><link rel="icon" href="data:,"></head>
<body>
<script src="/dist/outbound.js"></script>
<script>
${script}
</script>
</body></html>`;
}

/** Listens on a free loopback port; resolves with the origin. */
export function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`));
  });
}

export function closeServer(server) {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Collects console errors, uncaught page errors and dialogs (dismissed), so a test can assert there were none. */
export function watchPage(page) {
  const seen = { errors: [], dialogs: [] };
  page.on('console', (message) => {
    if (message.type() === 'error') seen.errors.push(`console.error: ${message.text()}`);
  });
  page.on('pageerror', (error) => seen.errors.push(`page error: ${error.message}`));
  page.on('dialog', (dialog) => {
    seen.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  return seen;
}

/**
 * Serves `files` ({ path: [contentType, body] }) on a free loopback port, with `headers` on every
 * reply, for the length of test `t`. Resolves with the origin.
 */
export async function serveFiles(t, files, headers = {}) {
  const server = http.createServer((req, res) => {
    const [type, body] = files[req.url] ?? ['text/plain', 'Not found'];
    res.writeHead(files[req.url] ? 200 : 404, { 'Content-Type': type, ...headers }).end(body);
  });
  const origin = await listen(server);
  t.after(() => closeServer(server));
  return origin;
}

/** A fresh Chromium page for the length of test `t`, and the errors it reports. */
export async function openPage(t) {
  const browser = await launchChromium();
  t.after(() => browser.close());
  const page = await browser.newPage();
  return { page, errors: watchPage(page).errors };
}

/** In an expected body, stands for "a recent integer timestamp" (see assertBody). */
export const RECENT = Symbol('a recent integer number of UNIX seconds');
export const nowSeconds = () => Math.floor(Date.now() / 1000);

export function assertRecent(timestamp, since) {
  assert.ok(Number.isInteger(timestamp), `timestamp must be integer seconds, got ${timestamp}`);
  const now = nowSeconds();
  assert.ok(timestamp >= since - 2 && timestamp <= now + 2, `timestamp ${timestamp} is not recent (now ${now})`);
}

/** Compares a recorded body with the expected one, where RECENT stands for "a recent integer timestamp". */
export function assertBody(actual, expected, since) {
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `expected an array body, got ${JSON.stringify(actual)}`);
    assert.equal(actual.length, expected.length);
    expected.forEach((item, index) => assertBody(actual[index], item, since));
    return;
  }
  if (expected.timestamp === RECENT) {
    const { timestamp, ...rest } = actual;
    const { timestamp: _, ...expectedRest } = expected;
    assertRecent(timestamp, since);
    assert.deepEqual(rest, expectedRest);
    return;
  }
  assert.deepEqual(actual, expected);
}
