'use strict';
// The package's Node.js entry: const outbound = require('outbound-wasm'), whose Outbound (the same
// class) and OutboundError are the named exports.
// The module is instantiated at the first `new outbound()`, synchronously, so importing the
// package costs nothing and touches no browser global.
const defineOutbound = require('./outbound-api.js');
const createOutboundModule = require('../dist/outbound-node.cjs');

const outbound = defineOutbound(createOutboundModule);
outbound.default = outbound;  // for transpiled `import outbound from` without interop helpers
module.exports = outbound;
