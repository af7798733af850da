// The demo server behind `npm start`: ONE port that answers the local Outbound receiver's /v2 API and
// /calls log, the demo page from web-demo/, and the browser build from dist/ under /dist/. Same origin
// for page and API keeps the demo free of CORS surprises (the browser tests cover the cross-origin case).
// Node built-ins only.

import http from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createReceiver, createHardenedServer } from '../receiver/receiver.mjs';

const DEMO_DIR = path.dirname(fileURLToPath(import.meta.url));
const DIST_DIR = path.join(DEMO_DIR, '..', 'dist');

// Only these file types are served: that keeps server.mjs and anything else that happens
// to sit in the folders private, and every reply has a correct Content-Type.
const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm', // WebAssembly.instantiateStreaming refuses any other type
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

function sendText(res, status, text, extraHeaders = {}) {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'X-Content-Type-Options': 'nosniff',
    ...extraHeaders,
  });
  res.end(text);
}

/**
 * Maps a request path to a file, or says why not: { file } | { status }.
 * The raw path is decoded here rather than through `new URL`, which would quietly resolve "/../x" to "/x":
 * a path that tries to climb out is refused outright (403), not served from somewhere else.
 */
function resolveFile(rawUrl) {
  let pathname;
  try {
    pathname = decodeURIComponent(rawUrl.split(/[?#]/)[0]);
  } catch {
    return { status: 400 };
  }
  const segments = pathname.split('/').filter((segment) => segment !== '');
  // ".." climbs, "\" is a separator on Windows, NUL truncates paths in some APIs, dotfiles stay private.
  if (!pathname.startsWith('/') || segments.some((s) => s.startsWith('.') || s.includes('\\') || s.includes('\0'))) {
    return { status: 403 };
  }
  let root = DEMO_DIR;
  if (segments[0] === 'dist') {
    root = DIST_DIR;
    segments.shift();
  }
  if (segments.length === 0) {
    if (root === DIST_DIR) return { status: 404 };
    segments.push('index.html');
  }
  const file = path.join(root, ...segments);
  // Belt and braces: whatever the checks above missed, never leave the root.
  if (!file.startsWith(root + path.sep)) return { status: 403 };
  const type = CONTENT_TYPES[path.extname(file).toLowerCase()];
  return type ? { file, type } : { status: 404 };
}

async function serveStatic(req, res) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return sendText(res, 405, 'Method not allowed\n', { Allow: 'GET, HEAD' });
  }
  const target = resolveFile(req.url);
  if (target.status === 400) return sendText(res, 400, 'Bad request\n');
  if (target.status === 403) return sendText(res, 403, 'Forbidden\n');
  if (target.status) return sendText(res, 404, 'Not found\n');
  let body;
  try {
    if (!(await stat(target.file)).isFile()) return sendText(res, 404, 'Not found\n');
    body = await readFile(target.file);
  } catch {
    const hint = target.file.startsWith(DIST_DIR) ? ' (run `bash scripts/build.sh` to build dist/)' : '';
    return sendText(res, 404, `Not found${hint}\n`);
  }
  res.writeHead(200, {
    'Content-Type': target.type,
    'Content-Length': body.length,
    'X-Content-Type-Options': 'nosniff',
    // A rebuilt dist/ must show up on the next reload, not after some cache expires.
    'Cache-Control': 'no-cache',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

/**
 * Starts the demo. Resolves { url, receiverUrl, close() }: `url` is the page, `receiverUrl` the baseUrl
 * the page's client sends to; close() resolves once the server is closed. Rejects if the port is taken
 * (error.code 'EADDRINUSE').
 */
export async function startDemo({ port = 8080, host = '127.0.0.1' } = {}) {
  const receiver = createReceiver();
  const server = createHardenedServer((req, res) => {
    if (receiver.handle(req, res)) return;
    serveStatic(req, res).catch(() => {
      if (!res.headersSent) sendText(res, 500, 'Internal server error\n');
      else res.destroy();
    });
  }, receiver.options);
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${server.address().port}`;

  let closing = null;
  function close() {
    closing ??= new Promise((resolve) => {
      receiver.endStreams(); // an open EventSource would otherwise keep the server alive
      server.close(() => resolve());
      server.closeAllConnections(); // and so would idle keep-alive sockets
    });
    return closing;
  }

  return { url: `${origin}/`, receiverUrl: `${origin}/v2`, close };
}

async function main() {
  const port = process.env.PORT === undefined || process.env.PORT === '' ? 8080 : Number(process.env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`outbound-wasm demo: PORT must be an integer from 0 to 65535, got "${process.env.PORT}"`);
    process.exit(1);
  }
  let demo;
  try {
    demo = await startDemo({ port });
  } catch (error) {
    if (error.code === 'EADDRINUSE') {
      console.error(`outbound-wasm demo: port ${port} is already in use. Stop whatever is using it, or pick another port: PORT=8081 npm start`);
    } else {
      console.error(`outbound-wasm demo: could not start: ${error.message}`);
    }
    process.exit(1);
  }
  console.log(`outbound-wasm demo: ${demo.url}`);
  console.log(`Outbound receiver (the page's baseUrl): ${demo.receiverUrl}  (recorded calls: ${demo.url}calls)`);
  const shutDown = () => {
    // A second Ctrl-C while closing means "now".
    process.once('SIGINT', () => process.exit(130));
    demo.close().then(() => process.exit(0));
  };
  process.once('SIGINT', shutDown);
  process.once('SIGTERM', shutDown);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
