// Type declarations for dist/outbound.js, the script-tag file (`outbound-wasm/browser`), which sets
// the global `outbound`: the same class as the package's default export, with its named exports
// (outbound.Outbound, outbound.OutboundError) and its types (outbound.Options, ...). A page's
// TypeScript reads them with `/// <reference types="outbound-wasm/browser" />`, a bundled one with
// `import 'outbound-wasm/browser'`.
import outboundClass = require('./outbound');

declare global {
  /**
   * The client class the script tag sets.
   * @example const ob = new outbound('YOUR_API_KEY'); ob.track('user-1', 'Signed Up');
   */
  export import outbound = outboundClass;
}
