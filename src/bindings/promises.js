// The JavaScript half of the bindings, part 2: the Promises and Error objects the C++ side hands
// back, and the reporting of failures (onError, warnings). Included with --pre-js after js_args.js,
// whose outboundErrorText it uses.

// The settling functions of the Promises `pending` made, until `settle` uses them. C++ holds the
// Promise alone: one handle, and one trip into JavaScript to make it and one to settle it.
var outboundSettlers = new WeakMap();

/** A Promise for a call that completes later. */
Module['pending'] = function () {
  var settlers;
  var promise = new Promise(function (resolve, reject) {
    settlers = { resolve: resolve, reject: reject };
  });
  outboundSettlers.set(promise, settlers);
  return promise;
};

/**
 * Settles a Promise of `pending`: resolved, or rejected with `error`, which is also reported (see
 * `report`). A rejection nobody handles is not an unhandled rejection: analytics calls are often
 * made without a `.catch`, and Node ends the process on an unhandled rejection.
 */
Module['settle'] = function (promise, error, onError) {
  var settlers = outboundSettlers.get(promise);
  outboundSettlers.delete(promise);
  if (error === undefined) return settlers.resolve();
  promise.catch(outboundIgnore);
  settlers.reject(error);
  Module['report'](error, onError);
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
  error.receivedCall = receivedCall;
  if (status) error.status = status;
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
