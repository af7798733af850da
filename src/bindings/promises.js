// The JavaScript half of the bindings, part 2: the API methods' calls (`callApi`), the Promises and
// Error objects the C++ side hands back, and the reporting of failures (onError, warnings).
// Included with --pre-js after js_args.js, whose encoding and outboundErrorText it uses.
// The Promise and Error classes are the public class's (js/outbound-api.js gives them to the module
// as Module['OutboundPromise'] and Module['OutboundError']): every method's Promise, and every
// rejection, is of those classes, whichever side made it.

/** A Promise with its resolve and reject, as `settle` keeps them. */
function outboundSettlers() {
  var promise = new Module['OutboundPromise'](outboundCaptureSettlers);
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
Module['settle'] = function (table, key, error, hooks) {
  var settlers = table.get(key);
  if (!settlers) return;
  table.delete(key);
  outboundSettle(settlers, error, hooks);
};

// settle, for the Promise of `settlers` itself.
function outboundSettle(settlers, error, hooks) {
  if (error === undefined) return settlers.resolve();
  settlers.promise.catch(outboundIgnore);
  settlers.reject(error);
  Module['report'](error, hooks);
}

// Each embind client's table of Promises, asked for once.
var outboundTables = new WeakMap();
// The error of the call being refused, and its client's hooks (`refuse`, during a call's hand-over).
var outboundRefusal = null;
// The calls made and not yet taken by the core, in order, from outboundNextCall on:
// {embindClient, methodName, pointer and bytes (the name, a newline and the arguments, in the
// heap: js_args.js), onlineThen, settlers}.
var outboundWaitingCalls = [];
var outboundNextCall = 0;
var outboundHandOverDue = false;
// The most calls one hand-over gives the core before it lets the event loop run: the requests of
// a burst start, and their answers are read, while the core takes the rest of it.
var outboundCallsPerTask = 500;

/**
 * Calls the API method `method` of `client` (the embind class) with the array `args`. What the
 * caller passed is captured now, as JSON (js_args.js) written into the heap, with the network's
 * state; the core takes the calls once the caller's synchronous code has run (a microtask, before
 * any I/O; a burst of thousands in parts, a task each), so a call costs the caller little more
 * than its JSON.stringify, and a Promise. An unreadable or oversized argument still makes a text,
 * which the core refuses with its message.
 */
Module['callApi'] = function (client, method, args) {
  var call = {
    embindClient: client,
    methodName: method,
    // The session asks for the network's state during the call (page.js isOnline).
    onlineThen: Module['isOnline'](),
    settlers: outboundSettlers(),
  };
  outboundStageText(call, method + '\n' + outboundEncodeArgs(client, args));
  outboundWaitingCalls.push(call);
  if (!outboundHandOverDue) {
    outboundHandOverDue = true;
    queueMicrotask(outboundHandOverSome);
  }
  return call.settlers.promise;
};

// The scheduled hand-over: a part of the waiting calls, and the rest in a task of its own.
function outboundHandOverSome() {
  outboundHandOverDue = false;
  outboundHandOverCalls(outboundCallsPerTask);
  if (outboundNextCall < outboundWaitingCalls.length && !outboundHandOverDue) {
    outboundHandOverDue = true;
    outboundLater(outboundHandOverSome);
  }
}

// Runs `task` in a task of its own, soon.
function outboundLater(task) {
  (typeof setImmediate === 'function' ? setImmediate : queueMicrotask)(task);
}

/**
 * Hands the waiting calls to the core, in order: all of them, or at most `limit`. Also run before
 * a flush or close (which must count them) and as the page goes away. Never throws: each call
 * settles on its own.
 */
function outboundHandOverCalls(limit) {
  // Without a limit, `taken >= limit` is never true.
  for (var taken = 0; outboundNextCall < outboundWaitingCalls.length && !(taken >= limit); taken++) {
    var call = outboundWaitingCalls[outboundNextCall];
    outboundWaitingCalls[outboundNextCall++] = null;
    try {
      outboundHandOver(call);
    } catch (error) {  // the module itself failed (out of memory): the call fails, nothing throws
      outboundSettle(call.settlers, Module['callError'](call.methodName +
        ': the call could not be made: ' + outboundErrorText(error), false));
    }
  }
  if (outboundNextCall === outboundWaitingCalls.length) {
    outboundWaitingCalls = [];
    outboundNextCall = 0;
    outboundAllTaken();
  }
}

// Lets the core judge and queue one call, from its text in the heap.
function outboundHandOver(call) {
  var client = call.embindClient;
  var table = outboundTables.get(client);
  if (!table) outboundTables.set(client, table = client['promises']());
  if (!call.pointer) throw new Error('out of memory when it was made');
  var id = client['call'](call.pointer, call.bytes, call.onlineThen);
  if (id > 0) {
    table.set(id, call.settlers);
    return;
  }
  if (id < 0) return call.settlers.resolve();  // options.disabled: valid, and sent nowhere
  var refusal = outboundRefusal;
  outboundRefusal = null;
  outboundSettle(call.settlers, refusal.error, refusal.hooks);
}

/** `client`'s flush() (or close(), when `closing`), once the calls made before it are in. */
Module['flushClient'] = function (client, closing) {
  outboundHandOverCalls();
  return closing ? client['close']() : client['flush']();
};

/** Deletes `client` (the embind object of a collected outbound), once its calls are in. */
Module['releaseClient'] = function (client) {
  outboundHandOverCalls();
  client['delete']();
};

/** For C++, refusing the call being made: its Promise rejects with `error` (see `settle`). */
Module['refuse'] = function (error, hooks) {
  outboundRefusal = { error: error, hooks: hooks };
};

function outboundIgnore() {}

/**
 * Hands a final failure to the caller's onError, or warns in one line. Later, in a microtask: the
 * caller's function may call us again, or throw, and neither may happen inside the WebAssembly
 * frames that settle the call.
 */
Module['report'] = function (error, hooks) {
  var onError = hooks && hooks.onError;
  Promise.resolve().then(function () {
    if (onError) onError(error);
    else Module['warn']('outbound: ' + error.message);
  }).catch(function (thrown) {
    Module['warn']('outbound: options.onError threw: ' + outboundErrorText(thrown));
  });
};

/**
 * What of a client's options does not survive their JSON text, for the core to hand back with each
 * request and failure: its onError and fetch functions (undefined when not functions). Never throws.
 */
Module['hooksOf'] = function (options) {
  return { onError: outboundFunctionOption(options, 'onError'), fetch: outboundFunctionOption(options, 'fetch') };
};

function outboundFunctionOption(options, name) {
  try {
    var value = options !== null && typeof options === 'object' ? options[name] : undefined;
    return typeof value === 'function' ? value : undefined;
  } catch (unreadable) {
    return undefined;  // the constructor reports the unreadable options
  }
}

/** The error a call rejects with (docs/contract.md, Errors). */
Module['callError'] = function (message, receivedCall, status) {
  return new Module['OutboundError'](message, receivedCall, status);
};

Module['warnOnce'] = (function () {
  var warned = {};
  return function (message) {
    if (warned[message]) return;
    warned[message] = true;
    Module['warn'](message);
  };
})();

/** Writes out an event of options.debug's log (core/session.hpp, DebugEvent), as one line. */
Module['log'] = function (event, subject, calls, detail) {
  var count = calls + (calls === 1 ? ' call' : ' calls');
  outboundConsole('log', 'outbound: ' + [
    subject + ': not sent (options.disabled)',
    'POST ' + subject + ' (' + count + '): ' + detail,
    'POST ' + subject + ' (' + count + '): delivered, ' + detail,
    subject + ' (' + count + ', to be retried)',
    subject + ' (' + count + ', failed for good)',
  ][event]);
};

Module['warn'] = function (message) {
  outboundConsole('warn', message);
};

function outboundConsole(level, text) {
  try {
    console[level](text);
  } catch (replacedConsole) {
    // A page's own console method that throws must not reach the WebAssembly frames below.
  }
}
