// A page's script using the global that dist/outbound.js sets, typed by `outbound-wasm/browser`.
// A script, not a module: it has no import. Compiled by types.test.mjs, never run.
/// <reference types="outbound-wasm/browser" />

const pageClient: outbound = new outbound('YOUR_API_KEY', { persist: true, batch: true });
const pageOptions: outbound.Options = { retries: 1 };
pageClient.track('user-1', 'Signed Up', { plan: 'pro' }).error((error) => console.warn(error.receivedCall));
function isOurs(error: unknown): error is outbound.OutboundError {
  return error instanceof outbound.OutboundError;
}
const sameClass: boolean = outbound.Outbound === outbound;
// @ts-expect-error the global is a class: it needs `new`
outbound('YOUR_API_KEY');
void [pageOptions, isOurs, sameClass];
