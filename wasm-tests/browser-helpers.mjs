// Shared by the Chromium suites: Debian's Chromium (never a downloaded browser) driven by
// playwright-core, the built files, and small servers.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
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
