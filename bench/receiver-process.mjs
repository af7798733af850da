// receiver/receiver.mjs in a process of its own, driven over IPC by bench/lib.mjs
// (startReceiverProcess). Counts what it accepted without sending every body back.
import { start } from '../receiver/receiver.mjs';

let receiver = null;

function stats() {
  const calls = receiver.calls();
  const byPath = {};
  let events = 0;
  const seqs = new Set();
  const batchSizes = {}; // events per /track/batch request -> number of such requests
  const see = (event) => {
    events += 1;
    const seq = event && event.properties && event.properties.seq;
    if (seq !== undefined) seqs.add(`${event.user_id}/${seq}`);
  };
  for (const call of calls) {
    byPath[call.path] = (byPath[call.path] || 0) + 1;
    if (Array.isArray(call.body)) {
      call.body.forEach(see);
      batchSizes[call.body.length] = (batchSizes[call.body.length] || 0) + 1;
    }
    else see(call.body);
  }
  return { requests: calls.length, events, distinctSeq: seqs.size, byPath, batchSizes };
}

const commands = {
  async start(options) {
    receiver = await start({ port: 0, maxRecorded: 200_000, ...options });
    return receiver.url;
  },
  stats,
  clear() {
    receiver.clear();
    // What the run before left behind (sockets, garbage) is not charged to the next one.
    globalThis.gc?.();
    return true;
  },
  async close() {
    await receiver.close();
    setImmediate(() => process.exit(0));
    return true;
  },
};

process.on('message', async ({ id, command, args }) => {
  try {
    process.send({ id, result: await commands[command](args) });
  } catch (error) {
    process.send({ id, error: String(error && error.stack ? error.stack : error) });
  }
});
process.on('disconnect', () => process.exit(0));
