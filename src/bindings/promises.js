// The JavaScript half of the bindings, part 2: the API methods' calls (`callApi`), the Promises and
// Error objects the C++ side hands back, and the reporting of failures (onError, warnings).
// Included with --pre-js after js_args.js, whose encoding and outboundErrorText it uses.

/** A Promise with its resolve and reject, as `settle` keeps them. */
function outboundSettlers() {
  var promise = new Promise(outboundCaptureSettlers);
  return { promise: promise, resolve: outboundCaptured.resolve, reject: outboundCaptured.reject };
}

// The executor of every Promise made here: one function, not a closure made for each call.
var outboundCaptured = { resolve: null, reject: null };
function outboundCaptureSettlers(resolve, reject) {
  outboundCaptured.resolve = resolve;
  outboundCaptured.reject = reject;
}

/**
 * A Promise for what completes later, kept in `table` under `key` until `settle` settles it. Each
 * client has its table, a Map (ClientSession's promises_), with a call's id or minus a flush's id
 * as the key: settling takes one trip into JavaScript with a number, and C++ holds no Promise.
 */
Module['pending'] = function (table, key) {
  var settlers = outboundSettlers();
  table.set(key, settlers);
  return settlers.promise;
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
  outboundSettle(settlers, error, onError);
};

// settle, for the Promise of `settlers` itself.
function outboundSettle(settlers, error, onError) {
  if (error === undefined) return settlers.resolve();
  settlers.promise.catch(outboundIgnore);
  settlers.reject(error);
  Module['report'](error, onError);
}

// Each embind client's table of Promises, asked for once.
var outboundTables = new WeakMap();
// The error of the call being refused, and its onError (`refuse`, during a call's hand-over).
var outboundRefusal = null;
// The calls made since the core last took them, in order:
// {embindClient, methodName, callText (the name, a newline, the arguments), onlineThen, settlers}.
var outboundTurnCalls = [];
// The length of their texts. Past outboundTurnLimit, the core takes them at once: a burst of
// thousands of calls in one turn keeps only a few hundred texts alive, which the garbage collector
// frees young and cheaply (kept to the end of the turn, they cost a tenth more in all).
var outboundTurnLength = 0;
var outboundTurnLimit = 128 * 1024;

/**
 * Calls the API method `method` of `client` (the embind class) with the array `args`. What the
 * caller passed is captured now, as JSON (js_args.js), with the network's state; the core takes
 * the calls of one turn of the event loop together, once the caller's synchronous code has run
 * (a microtask, before any I/O), so a burst of calls costs the caller little more than its
 * JSON.stringify, and a Promise. An unreadable or oversized argument still makes a text, which
 * the core refuses with its message.
 */
Module['callApi'] = function (client, method, args) {
  var call = {
    embindClient: client,
    methodName: method,
    callText: method + '\n' + outboundEncodeArgs(client, args),
    // The session asks for the network's state during the call (page.js isOnline).
    onlineThen: Module['isOnline'](),
    settlers: outboundSettlers(),
  };
  outboundTurnCalls.push(call);
  outboundTurnLength += call.callText.length;
  if (outboundTurnLength > outboundTurnLimit) outboundHandOverCalls();
  else if (outboundTurnCalls.length === 1) queueMicrotask(outboundHandOverCalls);
  return call.settlers.promise;
};

/**
 * Hands the calls made so far to the core, in order. Also run before a flush or close (which must
 * count them) and as the page goes away. Never throws: each call settles on its own.
 */
function outboundHandOverCalls() {
  var calls = outboundTurnCalls;
  outboundTurnCalls = [];
  outboundTurnLength = 0;
  for (var i = 0; i < calls.length; i++) {
    try {
      outboundHandOver(calls[i]);
    } catch (error) {  // the module itself failed (out of memory): the call fails, nothing throws
      outboundSettle(calls[i].settlers, Module['callError'](calls[i].methodName +
        ': the call could not be made: ' + outboundErrorText(error), false));
    }
  }
}

// Writes one call's name and arguments into the heap and lets the core judge and queue it.
function outboundHandOver(call) {
  var client = call.embindClient;
  var table = outboundTables.get(client);
  if (!table) outboundTables.set(client, table = client['promises']());
  var length = outboundWriteText(call.callText);
  // Out of memory: a text the core cannot read, which it refuses as such.
  if (length < 0) length = outboundWriteText(call.methodName + '\n!');
  var id = client['call'](outboundText.pointer, length, call.onlineThen);
  if (id) {
    table.set(id, call.settlers);
    return;
  }
  var refusal = outboundRefusal;
  outboundRefusal = null;
  outboundSettle(call.settlers, refusal.error, refusal.onError);
}

/** `client`'s flush() (or close(), when `closing`), once the calls made before it are in. */
Module['flushClient'] = function (client, closing) {
  outboundHandOverCalls();
  return closing ? client['close']() : client['flush']();
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
