// The fetch option against the DOM's own fetch types. Compiled by types.test.mjs, never run.
import outbound from 'outbound-wasm';

export const clients = [
  new outbound('key', { fetch }),
  new outbound('key', { fetch: (url, init) => fetch(url, { ...init, cache: 'no-store' }) }),
  new outbound('key', { fetch: async (url: string, init?: RequestInit) => fetch(url, init) }),
];
