// Compiled by types.test.mjs with `tsc --noEmit --strict`: the shipped declarations must accept
// every documented use and refuse the mistakes marked @ts-expect-error.
import outbound from 'outbound-wasm';

async function everyMethod(): Promise<void> {
  const ob = new outbound('key', { baseUrl: 'http://127.0.0.1:8080/v2', timeout: 5000, maxBodyBytes: 65536, retries: 0, batch: { maxEvents: 50 }, persist: false, maxInFlight: 8, onError: (error) => console.log(error.receivedCall, error.status) });
  await ob.identify('user-1', { firstName: 'Ada', email: 'a@b.co', apnsTokens: 't', city: 'San Francisco' });
  await ob.identify(42);
  await ob.alias('user-1', 'anon-1');
  await ob.track('user-1', 'Signed Up', { plan: 'pro' }, new Date());
  await ob.track(7, 'Signed Up', null, 1700000000);
  await ob.trackBatch([{ user_id: 'u', event: 'e', properties: { k: 1 }, timestamp: 5 }]);
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
  await ob.flush();
  await ob.close();
  const done: void = await ob.track('u', 'e');
  void done;
}

function errorShape(error: outbound.CallError): string {
  const status: number | undefined = error.status;
  return `${error.message} ${error.receivedCall} ${status}`;
}

function mistakes(ob: outbound): void {
  // @ts-expect-error the event name is required
  ob.track('u');
  // @ts-expect-error a user ID is a string or a number
  ob.subscribeAll({ id: 1 });
  // @ts-expect-error campaign IDs are an array
  ob.subscribeCampaigns('u', 5);
  // @ts-expect-error options are checked by name
  new outbound('key', { baseURL: 'x' });
  // @ts-expect-error the key is required
  new outbound();
}

export { everyMethod, errorShape, mistakes };
