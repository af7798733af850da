// A consumer of the package as installed, compiled strictly by types.test.mjs as an ES module (for
// a bundler, and for Node's node16 resolution) and as CommonJS, then run against the receiver. The
// lines marked @ts-expect-error are mistakes the declarations must refuse: tsc fails if one of
// them stops being an error.
import outbound, { Outbound, OutboundError } from 'outbound-wasm';

// Values typed by the caller's own interfaces and classes, as application code has them.
interface Plan { plan: string; seats: number }
interface Person { email: string; firstName: string; city: string }
class Referrer { constructor(public source: string, public campaign?: string) {} }

const baseUrl = process.env.OUTBOUND_BASE_URL ?? 'http://127.0.0.1:9/v2';
const goodKey = process.env.OUTBOUND_KEY ?? 'key';

/** Every method with the argument types the README allows; each must resolve. */
async function everyMethod(ob: Outbound): Promise<void> {
  const plan: Plan = { plan: 'pro', seats: 3 };
  const person: Person = { email: 'ada@example.com', firstName: 'Ada', city: 'San Francisco' };
  await ob.identify('user-1', person);
  await ob.identify(42, { apnsTokens: 't', attributes: new Referrer('ad'), groupAttributes: plan });
  await ob.identify('user-2');
  await ob.alias('user-1', 'anon-1');
  await ob.track('user-1', 'Signed Up', plan, new Date());
  await ob.track('user-1', 'Referred', new Referrer('ad', 'spring'), 1700000000);
  await ob.track(7, 'Signed Up', null);
  await ob.trackBatch([
    { user_id: 'u', event: 'e', properties: plan, timestamp: 5 },
    { user_id: 1, event: 'e', timestamp: new Date(1700000000000) },
    { user_id: 'u', event: 'e', timestamp: '2023-11-14T22:13:20.000Z' },
    { user_id: 'u', event: 'e', timestamp: null },
  ] as const);
  await ob.registerApnsToken('u', 't');
  await ob.registerGcmToken('u', 't');
  await ob.disableApnsToken('u', 't');
  await ob.disableGcmToken('u', 't');
  await ob.disableAllApnsTokens('u');
  await ob.disableAllGcmTokens('u');
  await ob.subscribeAll('u');
  await ob.unsubscribeAll('u');
  await ob.subscribeCampaigns('u', [1, 'two']);
  await ob.unsubscribeCampaigns('u', [3]);
  const done: void = await ob.flush();
  void done;
}

/** What a run prints, one fact a line, for types.test.mjs to check. */
async function run(): Promise<string[]> {
  const facts: string[] = [];
  facts.push(`same class: ${Outbound === outbound && outbound.Outbound === outbound && outbound.OutboundError === OutboundError}`);
  const ob = new outbound(goodKey, { baseUrl, retries: 0, onError: () => {} });
  await everyMethod(ob);

  // A refusal by the library, and one by the server (another key: 401).
  const refused = await ob.track('', 'Signed Up').then(() => null, (error: OutboundError) => error);
  facts.push(`refused: ${refused instanceof OutboundError} ${refused instanceof Error} ${refused?.receivedCall}`);
  const stranger = new Outbound('not-the-key', { baseUrl, retries: 0, onError: null });
  const answered = await stranger.subscribeAll('u').catch((error: unknown) => error);
  if (answered instanceof OutboundError) facts.push(`answered: ${answered.name} ${answered.receivedCall} ${answered.status}`);

  // outbound@1.3.0's promise methods, typed.
  const heard: string[] = [];
  await ob.track('', 'x').error((error) => { heard.push(`error ${error.receivedCall}`); });
  await ob.track('u', 'x').success(() => { heard.push('success'); });
  await ob.track('', 'x').otherwise((error) => heard.push(`otherwise ${error instanceof OutboundError}`));
  await ob.alias('u', 'v').ensure(() => heard.push('ensure'));
  const noded: number = await ob.alias('u', 'v').nodify((error) => (error ? 1 : 0));
  heard.push(`nodify ${noded}`);
  facts.push(`old promise methods: ${heard.join(', ')}`);
  await ob.close();
  return facts;
}

/** Mistakes; compiled, never run. */
function mistakes(ob: outbound): void {
  // @ts-expect-error the event name is required
  ob.track('u');
  // @ts-expect-error a user ID is a string or a number
  ob.subscribeAll({ id: 1 });
  // @ts-expect-error campaign IDs are an array
  ob.subscribeCampaigns('u', 5);
  // @ts-expect-error properties are an object
  ob.track('u', 'e', 'pro');
  // @ts-expect-error a timestamp is a number or a Date; an ISO string only inside trackBatch
  ob.track('u', 'e', {}, '2023-11-14T22:13:20.000Z');
  // @ts-expect-error a batch event's fields are the wire's: user_id, not userId
  ob.trackBatch([{ userId: 'u', event: 'e' }]);
  // @ts-expect-error firstName is a string
  ob.identify('u', { firstName: 7 });
  // @ts-expect-error options are checked by name
  new outbound('key', { baseURL: 'x' });
  // @ts-expect-error disabled is a boolean
  new outbound('key', { disabled: 'yes' });
  // @ts-expect-error the key is required
  new outbound();
  // @ts-expect-error ensure's callback takes nothing
  ob.flush().ensure((value: string) => value);
  // The options other engineers' code reads; compiled only.
  new outbound('key', { debug: true, disabled: false, fetch: (url, init) => Promise.resolve({ status: 200, headers: new Map<string, string>(), arrayBuffer: () => Promise.resolve(new ArrayBuffer(0)), url: `${url}${init.method}` }) });
}

run().then((facts) => { for (const fact of facts) console.log(fact); }, (error: unknown) => {
  console.log(`run failed: ${error instanceof Error ? error.stack : String(error)}`);
});

export { everyMethod, mistakes };
