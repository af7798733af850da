// The JavaScript half of the bindings, part 2: the API methods' calls (`callApi`), the Promises and
// Error objects the C++ side hands back, and the reporting of failures (onError, warnings).
// Included with --pre-js after js_args.js, whose encoding and outboundErrorText it uses.

/**
 * A Promise for what completes later, kept in `table` under `key` until `settle` settles it. Each
 * client has its table, a Map (ClientSession's promises_), with a call's id or minus a flush's id
 * as the key: settling takes one trip into JavaScript with a number, and C++ holds no Promise.
 */
Module['pending'] = function (table, key) {
  var settlers = {};
  var promise = new Promise(function (resolve, reject) {
    settlers.resolve = resolve;
    settlers.reject = reject;
  });
  settlers.promise = promise;
  table.set(key, settlers);
  return promise;
};

/**
 * Settles the Promise of `pending(table, key)`: resolved, or rejected with `error`, which is also
 * reported (see `report`). A rejection nobody handles is not an unhandled rejection: analytics
 * calls are often made without a `.catch`, and Node ends the process on an unhandled rejection.
 */
Module['settle'] = function (table, key, error, onError) {
  var settlers = table.get(key);
  if (!settlers) return;
  table.delete(key);
  if (error === undefined) return settlers.resolve();
  settlers.promise.catch(outboundIgnore);
  settlers.reject(error);
  Module['report'](error, onError);
};

// Each embind client's table of Promises, asked for once.
var outboundTables = new WeakMap();
// The error of the call being refused, and its onError (`refuse`, during `callApi`).
var outboundRefusal = null;

/**
 * Calls the API method `method` of `client` (the embind class) with the array `args`: encodes
 * them (js_args.js), writes the name and the arguments into the heap, and makes the call's
 * Promise once C++ has its id. An unreadable or oversized argument still makes a text, which the
 * core refuses with its message.
 */
Module['callApi'] = function (client, method, args) {
  var table = outboundTables.get(client);
  if (!table) outboundTables.set(client, table = client['promises']());
  var text = method + '\n' + outboundEncodeArgs(function () { return client['maxBodyBytes'](); }, args);
  var length = outboundWriteText(text);
  // Out of memory: a text the core cannot read, which it refuses as such.
  if (length < 0) length = outboundWriteText(method + '\n!');
  // The network's state goes along: the session asks for it during the call (page.js isOnline).
  var id = client['call'](outboundText.pointer, length, Module['isOnline']());
  if (id) return Module['pending'](table, id);
  var refusal = outboundRefusal;
  outboundRefusal = null;
  var promise = Module['pending'](table, 0);
  Module['settle'](table, 0, refusal.error, refusal.onError);
  return promise;
};

/** For C++, refusing the call being made: its Promise rejects with `error` (see `settle`). */
Module['refuse'] = function (error, onError) {
  outboundRefusal = { error: error, onError: onError };
};

function outboundIgnore() {}

/**
 * Hands a final failure to the caller's onError, or warns in one line. Later, in a microtask: the
 * caller's function may call us again, or throw, and neither may happen inside the WebAssembly
 * frames that settle the call.
 */
Module['report'] = function (error, onError) {
  Promise.resolve().then(function () {
    if (typeof onError === 'function') onError(error);
    else Module['warn']('outbound: ' + error.message);
  }).catch(function (thrown) {
    Module['warn']('outbound: options.onError threw: ' + outboundErrorText(thrown));
  });
};

/** options[name] when it is a function (options.onError), else undefined; never throws. */
Module['functionOption'] = function (options, name) {
  try {
    var value = options !== null && typeof options === 'object' ? options[name] : undefined;
    return typeof value === 'function' ? value : undefined;
  } catch (unreadable) {
    return undefined;
  }
};

/** The Error a call rejects with (docs/contract.md, Errors). */
Module['callError'] = function (message, receivedCall, status) {
  var error = new Error(message);
  error['receivedCall'] = receivedCall;
  if (status) error['status'] = status;
  return error;
};

Module['typeError'] = function (message) {
  return new TypeError(message);
};

Module['warnOnce'] = (function () {
  var warned = {};
  return function (message) {
    if (warned[message]) return;
    warned[message] = true;
    Module['warn'](message);
  };
})();

Module['warn'] = function (message) {
  try {
    console.warn(message);
  } catch (replacedConsole) {
    // A page's own console.warn that throws must not reach the WebAssembly frames below.
  }
};
