// Tests for the local receiver (docs/contract.md, The receiver): the command line
// (receiver/cli.mjs), in a process of its own.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { RECEIVER_SCRIPT, post, jsonOf, assertError, TRACK, waitFor } from './receiver-helpers.mjs';

describe('command line', () => {
  test('starts with --port 0 --key, prints its URL, accepts only that key, and exits on SIGTERM', async () => {
    const child = spawn(process.execPath, [RECEIVER_SCRIPT, '--port', '0', '--key', 'cli-key'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    try {
      const url = await new Promise((resolve, reject) => {
        let output = '';
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', (chunk) => {
          output += chunk;
          const match = output.match(/^Outbound receiver listening on (http:\/\/127\.0\.0\.1:\d+\/v2)$/m);
          if (match) resolve(match[1]);
        });
        child.once('exit', () => reject(new Error(`receiver exited before listening: ${output}`)));
      });
      assert.equal((await post(url, '/track', { user_id: 'u', event: 'e' }, { key: 'cli-key' })).status, 200);
      await assertError(await post(url, '/track', { user_id: 'u', event: 'e' }, { key: 'other' }), 401);
      child.kill('SIGTERM');
      assert.deepEqual(await exited, { code: 0, signal: null });
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});

describe('fault flags on the command line', () => {
  function runCli(args) {
    const child = spawn(process.execPath, [RECEIVER_SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk) => { output += chunk; });
    child.stderr.on('data', (chunk) => { output += chunk; });
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, output })));
    const listening = new Promise((resolve, reject) => {
      child.stdout.on('data', () => {
        const match = output.match(/^Outbound receiver listening on (http:\/\/127\.0\.0\.1:\d+)\/v2$/m);
        if (match && output.includes('\n', match.index + match[0].length)) resolve(match[1]);
      });
      child.once('exit', () => reject(new Error(`receiver exited before listening: ${output}`)));
    });
    listening.catch(() => {});
    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    return { child, listening, exited, kill, output: () => output };
  }

  test('--fault-rate --faults --retry-after --latency --seed set the faults, and say so', { timeout: 30_000 }, async () => {
    const cli = runCli(['--port', '0', '--fault-rate', '1', '--faults', '429,503', '--retry-after=3', '--latency', '10-20', '--seed', '7']);
    try {
      const origin = await cli.listening;
      const expected = { rate: 1, kinds: ['429', '503'], retryAfterSeconds: 3, latencyMs: [10, 20], seed: 7 };
      assert.deepEqual((await jsonOf(await fetch(`${origin}/faults`))).faults, expected);
      const response = await post(`${origin}/v2`, '/track', TRACK);
      assert.ok([429, 503].includes(response.status), `got ${response.status}`);
      assert.equal(response.headers.get('retry-after'), '3');
      await waitFor(() => /^Injecting faults: /m.test(cli.output()));
      cli.child.kill('SIGTERM');
      assert.deepEqual(await cli.exited.then(({ code, signal }) => ({ code, signal })), { code: 0, signal: null });
    } finally {
      cli.kill();
    }
  });

  test('a bad fault flag exits with status 2 and names the flag or the setting', async () => {
    for (const [args, message] of [
      [['--fault-rate', 'lots'], /--fault-rate needs a number, got "lots"/],
      [['--fault-rate', '2'], /options\.faults\.rate must be a number from 0 to 1, got 2/],
      [['--faults', '500,oops'], /options\.faults\.kinds\[1\] must be one of/],
      [['--latency', '50-20'], /options\.faults\.latencyMs/],
      [['--latency', '1-2-3'], /--latency needs milliseconds/],
      [['--seed', '4.5'], /options\.faults\.seed/],
    ]) {
      const cli = runCli(['--port', '0', ...args]);
      try {
        const { code, output } = await cli.exited;
        assert.equal(code, 2, `${args.join(' ')}: ${output}`);
        assert.match(output, message);
      } finally {
        cli.kill();
      }
    }
  });
});
