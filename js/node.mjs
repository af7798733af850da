// The package's ES module entry: import outbound, { Outbound, OutboundError } from 'outbound-wasm'.
import outbound from './node.cjs';

export default outbound;
export const { Outbound, OutboundError } = outbound;
