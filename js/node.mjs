// The package's ES module entry: import outbound from 'outbound-wasm'.
import outbound from './node.cjs';

export default outbound;
