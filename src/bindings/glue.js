// The JavaScript half of the bindings, included with --pre-js (so it runs inside the module's
// scope). It turns a call's arguments into the encoding src/core/js_args.hpp reads, and makes
// the Promises and Error objects the C++ side hands back. No validation happens here.

/** The kind letter of one argument (JsKind in src/core/js_args.hpp). */
function outboundKindOf(value) {
  switch (typeof value) {
    case 'string': return 's';
    case 'number':
      if (value !== value) return 'N';
      return value === Infinity ? 'I' : value === -Infinity ? 'i' : 'n';
    case 'boolean': return 'b';
    case 'undefined': return 'u';
    case 'bigint': return 'B';
    case 'symbol': return 'S';
    case 'function': return 'F';
  }
  if (value === null) return 'z';
  if (Array.isArray(value)) return 'a';
  if (value instanceof Date) return 'd';
  // Only a plain object (a class instance, a null-prototype object) is one; a Map, a typed array,
  // a boxed primitive, a Promise... would reach JSON as {} or index keys, losing the caller's data.
  return outboundBuiltInName(value) === 'Object' ? 'o' : 'x';
}

function outboundBuiltInName(value) {
  return Object.prototype.toString.call(value).slice(8, -1);
}

// Text from the caller's objects (an exception's message, a key) goes into our messages cut short.
function outboundCut(text, limit) {
  return text.length <= limit ? text : text.slice(0, limit) + '…';
}

function outboundErrorText(error) {
  try {
    return outboundCut(String(error && error.message ? error.message : error), 200);
  } catch (unreadable) {
    return 'an exception';
  }
}

var outboundIdentifier = /^[A-Za-z_$][\w$]*$/;

function outboundChildPath(path, key, inArray) {
  if (inArray) return path + '[' + key + ']';
  key = outboundCut(key, 100);
  return outboundIdentifier.test(key) ? path + '.' + key : path + '[' + JSON.stringify(key) + ']';
}

// Finds why JSON.stringify threw inside `value`: the first BigInt, cycle, throwing getter or
// toJSON, with its path. Runs only after a failure, so it may be slow.
function outboundFindUnserializable(value, path, ancestors) {
  if (ancestors.length > 100) return { path: '', problem: 'is nested more than 100 levels deep' };
  try {
    if (value !== null && typeof value === 'object' && typeof value.toJSON === 'function') {
      value = value.toJSON();
    }
  } catch (error) {
    return { path: path, problem: 'could not be converted to JSON: its toJSON() threw ' + outboundErrorText(error) };
  }
  if (typeof value === 'bigint') return { path: path, problem: 'is a BigInt, which JSON cannot represent' };
  if (value === null || typeof value !== 'object') return null;
  if (ancestors.indexOf(value) >= 0) {
    return { path: path, problem: 'refers back to an enclosing object (a cycle), which JSON cannot represent' };
  }
  ancestors.push(value);
  var inArray = Array.isArray(value);
  var keys;
  try {
    keys = inArray ? Object.keys(Array.from({ length: value.length })) : Object.keys(value);
  } catch (error) {
    return { path: path, problem: 'could not be read: ' + outboundErrorText(error) };
  }
  for (var i = 0; i < keys.length; i++) {
    var childPath = outboundChildPath(path, keys[i], inArray);
    var child;
    try {
      child = value[keys[i]];
    } catch (error) {
      return { path: childPath, problem: 'could not be read: ' + outboundErrorText(error) };
    }
    var found = outboundFindUnserializable(child, childPath, ancestors);
    if (found) return found;
  }
  ancestors.pop();
  return null;
}

function outboundReport(arg, path, problem) {
  return '!' + JSON.stringify({ arg: arg, path: outboundCut(path, 300), problem: problem });
}

// Why JSON.stringify threw on argument `arg`. The walk may find nothing (a boxed BigInt, a getter
// that throws only once): then the argument itself is named, with the exception's message.
function outboundUnserializableReport(arg, value, error) {
  var found;
  try {
    found = outboundFindUnserializable(value, '', []);
  } catch (walkError) {
    error = walkError;
  }
  if (found) return outboundReport(arg, found.path, found.problem);
  return outboundReport(arg, '', 'cannot be sent as JSON: ' + outboundErrorText(error));
}

// The argument that makes the text too long: the longest one as JSON.
function outboundTooLongReport(texts, maxBodyBytes) {
  var longest = 0;
  for (var i = 1; i < texts.length; i++) {
    if (texts[i].length > texts[longest].length) longest = i;
  }
  return outboundReport(longest, '', 'takes ' + texts[longest].length + ' characters as JSON, more than a ' +
    'request body may hold (maxBodyBytes: ' + maxBodyBytes + '); nothing was sent');
}

/**
 * "<kind letters>:<JSON array of the values>", or "!<report>" when JSON.stringify throws or the
 * text is far longer than a body of `maxBodyBytes` could be (such a text is never copied into the
 * WebAssembly heap; near the limit, the core measures the body itself and says so).
 */
Module['encodeArgs'] = function () {
  // Called from C++: an exception thrown through WebAssembly frames would leave the module's stack
  // pointer behind, so nothing may escape.
  try {
    return outboundEncodeArgs.apply(null, arguments);
  } catch (error) {
    return outboundReport(0, '', 'could not be read: ' + outboundErrorText(error));
  }
};

function outboundEncodeArgs(maxBodyBytes) {
  var maxLength = 2 * maxBodyBytes + 1024;
  var count = arguments.length - 1;
  var kinds = '';
  var texts = new Array(count);
  var length = 0;
  // One JSON.stringify per argument, so that when one throws, it is the one named.
  for (var i = 0; i < count; i++) {
    var value = arguments[i + 1];
    var kind;
    try {
      kind = outboundKindOf(value);
    } catch (error) {  // a Proxy whose traps throw
      return outboundReport(i, '', 'could not be read: ' + outboundErrorText(error));
    }
    kinds += kind;
    if (kind === 'B') value = null;
    if (kind === 'x') value = outboundBuiltInName(value);
    try {
      texts[i] = JSON.stringify(value);
    } catch (error) {
      return outboundUnserializableReport(i, value, error);
    }
    if (texts[i] === undefined) texts[i] = 'null';  // a function or a symbol, as in an array
    length += texts[i].length + 1;
  }
  if (length > maxLength) return outboundTooLongReport(texts, maxBodyBytes);
  return kinds + ':[' + texts.join(',') + ']';
}

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

// --- the page: storage, network state, page lifecycle (browsers only) ---------------------

// The Node build replaces hasStorage and isOnline (js/node-environment.js).
Module['hasStorage'] = function () {
  try {
    var probe = 'outbound:probe';
    localStorage.setItem(probe, probe);
    localStorage.removeItem(probe);
    return true;
  } catch (missingOrBlocked) {  // private modes, sandboxed frames, storage turned off
    return false;
  }
};

Module['storageGet'] = function (key) {
  try {
    return localStorage.getItem(key);
  } catch (error) {
    return null;
  }
};

Module['storageSet'] = function (key, value) {
  try {
    localStorage.setItem(key, value);
    return true;
  } catch (fullOrBlocked) {
    return false;
  }
};

Module['storageRemove'] = function (key) {
  try {
    localStorage.removeItem(key);
  } catch (error) {
    // Nothing to do: the entry expires by its heartbeat.
  }
};

/** The storage keys starting with `prefix`, one a line. */
Module['storageKeys'] = function (prefix) {
  var keys = [];
  try {
    for (var i = 0; i < localStorage.length; i++) {
      var key = localStorage.key(i);
      if (key && key.indexOf(prefix) === 0) keys.push(key);
    }
  } catch (error) {
    // As if empty.
  }
  return keys.join('\n');
};

Module['randomId'] = function () {
  return Date.now().toString(36) + '-' + Math.random().toString(36).slice(2, 10);
};

Module['isOnline'] = function () {
  try {
    return typeof navigator === 'undefined' || navigator.onLine !== false;
  } catch (error) {
    return true;
  }
};

/**
 * Listens, once per module, for the page going away and the network coming back. Whether there
 * is a page (or a worker) to listen to.
 */
Module['watchPage'] = function () {
  if (Module['watchingPage']) return true;
  if (typeof addEventListener !== 'function') return false;
  try {
    addEventListener('pagehide', function () { Module['releaseAll'](); });
    addEventListener('online', function () { Module['resumeAll'](); });
  } catch (error) {
    // Without the events, the heartbeat and the next page still recover the stored calls.
    return false;
  }
  Module['watchingPage'] = true;
  return true;
};

/**
 * A request that outlives the page (fetch's keepalive), sent as the page goes away. Nobody hears
 * how it ends: the stored copy of its calls stays for a later page.
 */
Module['sendKeepalive'] = function (url, body, headers) {
  try {
    fetch(url, { method: 'POST', headers: headers, body: body, keepalive: true }).catch(outboundIgnore);
  } catch (refused) {
    // No fetch, or over the browser's keepalive budget: the stored copy remains.
  }
};
