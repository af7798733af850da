// Shared by the Node suites that run the library the way a user's program does: in a process of
// its own, with its own limits, judged by its exit code and what it prints.
import { spawn } from 'node:child_process';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/**
 * Runs `source` in a child Node from the repository's root (so `require('outbound-wasm')` finds the
 * package), CommonJS or ES module, under `ulimit -n fileLimit` when given. Resolves its exit code,
 * signal and output (stdout and stderr together), killing it after `killAfterMs`.
 */
export function runNode(source, { type = 'commonjs', fileLimit = null, killAfterMs = 120000 } = {}) {
  const node = [process.execPath, `--input-type=${type}`, '-e', source];
  const [command, args] = fileLimit === null
    ? [node[0], node.slice(1)]
    : ['bash', ['-c', `ulimit -n ${fileLimit} && exec "$@"`, 'bash', ...node]];
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root });
    let output = '';
    child.stdout.on('data', (chunk) => { output += chunk; });
    child.stderr.on('data', (chunk) => { output += chunk; });
    const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, output });
    });
  });
}

/** The last line of `output` that parses as JSON: what a child script reports. */
export function reported(output) {
  const lines = output.trim().split('\n').reverse();
  for (const line of lines) {
    try {
      return JSON.parse(line);
    } catch {
      // not the report
    }
  }
  throw new Error(`no JSON report in: ${output.slice(0, 2000)}`);
}

/** A request's body, as text. */
export function bodyOf(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString()));
    req.on('error', reject);
  });
}

/**
 * An HTTP server on 127.0.0.1 answering with `handler(req, res)`, that counts connections: how many
 * are open, the most open at once, and how many there were.
 */
export async function countingServer(handler) {
  const stats = { open: 0, peak: 0, total: 0 };
  const server = http.createServer(handler);
  server.keepAliveTimeout = 60000;
  server.on('connection', (socket) => {
    stats.open += 1;
    stats.total += 1;
    stats.peak = Math.max(stats.peak, stats.open);
    socket.on('close', () => { stats.open -= 1; });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return {
    origin,
    url: `${origin}/v2`,
    stats,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

/** Writes `megabytes` MB of `fill` to `res` as the client reads them, and stops if it goes away. */
export function streamMegabytes(res, megabytes, fill) {
  const chunk = Buffer.alloc(1024 * 1024, fill);
  let left = megabytes;
  const pump = () => {
    while (left > 0 && !res.destroyed) {
      left -= 1;
      if (!res.write(chunk)) return res.once('drain', pump);
    }
    res.end();
  };
  res.on('close', () => { left = 0; });
  pump();
}

/** Child-script source: settles `calls` (an array of Promises) and prints how many resolved. */
export function reportOutcomes(calls) {
  return `Promise.allSettled(${calls}).then((outcomes) => {
    const failed = outcomes.filter((o) => o.status === 'rejected');
    console.log(JSON.stringify({ resolved: outcomes.length - failed.length, firstFailure: failed[0] && failed[0].reason.message }));
  });`;
}
