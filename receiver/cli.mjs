// The receiver from the command line (README.md, The local receiver): flags become start()'s options,
// so the command line checks nothing the options do not.

import process from 'node:process';
import { FAULTS_PATH } from './faults.mjs';
import { FAULT_KINDS, start } from './receiver.mjs';

const USAGE = `usage: node receiver/cli.mjs [--port N] [--host H] [--key K ...]
       [--fault-rate 0..1] [--faults ${FAULT_KINDS.join(',')}] [--retry-after SECONDS]
       [--latency MS | MIN-MAX] [--seed N]`;

function numberFrom(flag, text) {
  if (!/^\s*-?(\d+\.?\d*|\.\d+)\s*$/.test(text)) throw new TypeError(`${flag} needs a number, got "${text}"\n${USAGE}`);
  return Number(text);
}

function latencyFrom(flag, text) {
  const range = text.split('-');
  if (range.length > 2) throw new TypeError(`${flag} needs milliseconds, as 50 or 50-200, got "${text}"\n${USAGE}`);
  const [min, max] = range.map((part) => numberFrom(flag, part));
  return max === undefined ? min : [min, max];
}

const setFault = (field, parse) => (options, value, flag) => {
  options.faults = { ...options.faults, [field]: parse(flag, value) };
};

/** Each flag, and how its value goes into the options; the range checks are the options' own. */
const FLAGS = {
  '--port': (options, value) => { options.port = Number(value); },
  '--host': (options, value) => { options.host = value; },
  '--key': (options, value) => { options.keys = [...(options.keys ?? []), value]; },
  '--fault-rate': setFault('rate', numberFrom),
  '--faults': setFault('kinds', (flag, value) => value.split(',').map((kind) => kind.trim())),
  '--retry-after': setFault('retryAfterSeconds', numberFrom),
  '--latency': setFault('latencyMs', latencyFrom),
  '--seed': setFault('seed', numberFrom),
};

function parseCommandLine(args) {
  const options = {};
  for (let index = 0; index < args.length; index += 1) {
    const [flag, inlineValue] = args[index].split(/=(.*)/s);
    if (flag === '--help' || flag === '-h') return { help: true };
    const apply = Object.hasOwn(FLAGS, flag) ? FLAGS[flag] : null;
    if (!apply) throw new TypeError(`unknown argument ${flag}\n${USAGE}`);
    const value = inlineValue ?? args[(index += 1)];
    if (value === undefined) throw new TypeError(`${flag} needs a value\n${USAGE}`);
    apply(options, value, flag);
  }
  return { options };
}

async function main() {
  let parsed;
  try {
    parsed = parseCommandLine(process.argv.slice(2));
    if (parsed.help) {
      console.log(USAGE);
      return;
    }
    const receiver = await start(parsed.options);
    console.log(`Outbound receiver listening on ${receiver.url}`);
    const faults = receiver.setFaults({}); // changes nothing; returns the settings in force
    if (faults.rate > 0 || faults.latencyMs !== 0) {
      console.log(`Injecting faults: ${JSON.stringify(faults)} (change them with PUT ${receiver.origin}${FAULTS_PATH})`);
    }
    const shutDown = () => receiver.close().then(() => process.exit(0));
    process.once('SIGINT', shutDown);
    process.once('SIGTERM', shutDown);
  } catch (error) {
    console.error(`Outbound receiver: ${error.message}`);
    process.exitCode = 2;
  }
}

main();
