// The JavaScript half of the bindings, part 1: a call's arguments in the encoding
// src/core/js_args.hpp reads. Like every file of the JavaScript half, it is included with --pre-js,
// so it runs inside the module's scope (where the parts share their functions) and is reached from
// C++ through bindings/glue.hpp. No validation happens here: the core judges.
//
// In all four files, a property that C++ reads (a JSON key), that callers read (an error's
// receivedCall) or that belongs to something made elsewhere (embind's objects, options given to
// fetch) is written quoted, x['name']: the browser build goes through Closure Compiler when it is
// installed (CMakeLists.txt), which renames every property written x.name that its externs do not
// declare (src/bindings/closure_externs.js).

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
  return '!' + JSON.stringify({ 'arg': arg, 'path': outboundCut(path, 300), 'problem': problem });
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
 * "<kind letters>:<JSON array of the values>" for the array `args`, or "!<report>" when
 * JSON.stringify throws or the text is far longer than a body of `maxBodyBytes` could be (such a
 * text is never copied into the WebAssembly heap; near the limit, the core measures the body itself
 * and says so). For the constructor's arguments (outbound_class.cpp).
 */
Module['encodeArgs'] = function (maxBodyBytes, args) {
  return outboundEncodeArgs({ 'maxBodyBytes': function () { return maxBodyBytes; } }, args);
};

/**
 * encodeArgs, with `limits['maxBodyBytes']()` (the embind client's, for a call) asked for only
 * when the text is long. Never throws.
 */
function outboundEncodeArgs(limits, args) {
  // Called from C++, or with the caller's values: an exception thrown through WebAssembly frames
  // would leave the module's stack pointer behind, so nothing may escape.
  try {
    return outboundEncodeEach(limits, args);
  } catch (error) {
    return outboundReport(0, '', 'could not be read: ' + outboundErrorText(error));
  }
}

// The longest text of arguments a body of `maxBodyBytes` could come from.
function outboundMaxLength(maxBodyBytes) {
  return 2 * maxBodyBytes + 1024;
}

// The client's maxBodyBytes when a text of `length` is too long for it, else 0. 1 is the least
// maxBodyBytes may be: a text that short fits every client, which is not asked.
function outboundTooLongFor(length, limits) {
  if (length <= outboundMaxLength(1)) return 0;
  var max = limits['maxBodyBytes']();
  return length > outboundMaxLength(max) ? max : 0;
}

function outboundEncodeEach(limits, args) {
  var count = args.length;
  var kinds = '';
  var values = new Array(count);  // what JSON gets: a BigInt as null, a built-in object as its class name
  var withProperties = -1;  // an argument that is an object, an array or a Date; -2 when several
  for (var i = 0; i < count; i++) {
    var kind;
    try {
      kind = outboundKindOf(args[i]);
    } catch (error) {  // a Proxy whose traps throw
      return outboundReport(i, '', 'could not be read: ' + outboundErrorText(error));
    }
    kinds += kind;
    values[i] = kind === 'B' ? null : kind === 'x' ? outboundBuiltInName(args[i]) : args[i];
    if (kind === 'o' || kind === 'a' || kind === 'd') withProperties = withProperties === -1 ? i : -2;
  }
  // Only an object, an array or a Date (its toJSON, its getters, a cycle) can make JSON.stringify
  // throw. With one of them at most, all the arguments go through one JSON.stringify, a fifth
  // faster than one each, and when it throws, that one is at fault; with more, or when the text
  // may be too long, each argument is taken on its own, so that the one at fault is named.
  if (withProperties === -2) return outboundEncodeOneByOne(limits, kinds, values);
  var text;
  try {
    text = JSON.stringify(values);
  } catch (error) {
    var culprit = Math.max(withProperties, 0);
    return outboundUnserializableReport(culprit, values[culprit], error);
  }
  if (outboundTooLongFor(text.length, limits)) return outboundEncodeOneByOne(limits, kinds, values);
  return kinds + ':' + text;
}

// The encoding made one argument at a time: the text, or the report that names the argument
// JSON.stringify threw on, or the longest when the text is too long.
function outboundEncodeOneByOne(limits, kinds, values) {
  var texts = new Array(values.length);
  var length = 0;
  for (var i = 0; i < values.length; i++) {
    try {
      texts[i] = JSON.stringify(values[i]);
    } catch (error) {
      return outboundUnserializableReport(i, values[i], error);
    }
    if (texts[i] === undefined) texts[i] = 'null';  // a function or a symbol, as in an array
    length += texts[i].length + 1;
  }
  var max = outboundTooLongFor(length, limits);
  if (max) return outboundTooLongReport(texts, max);
  return kinds + ':[' + texts.join(',') + ']';
}

// Where the calls' texts wait in the WebAssembly heap until the core takes them (promises.js):
// chunks the texts are appended to as the calls are made, so that no text lives on as a
// JavaScript string. Once the core has taken every waiting call, the full chunks are freed and
// the current one is written from its start again.
var outboundChunkBytes = 64 * 1024;
var outboundChunk = { pointer: 0, capacity: 0, used: 0 };  // the chunk being written to
var outboundFullChunks = [];
var outboundUtf8 = new TextEncoder();

/**
 * Writes `text` as UTF-8 into the heap, and where to `call.pointer` and its length in bytes to
 * `call.bytes`; no pointer when the heap cannot hold it.
 */
function outboundStageText(call, text) {
  // Where it does not fit, a chunk with room for the most UTF-8 can take, 3 bytes per UTF-16 unit.
  if (!outboundAppend(call, text) && outboundNewChunk(3 * text.length)) outboundAppend(call, text);
}

// Appends `text` to the current chunk if it fits there: whether it did.
function outboundAppend(call, text) {
  var chunk = outboundChunk;
  var pointer = chunk.pointer + chunk.used;
  var done = outboundUtf8.encodeInto(text, HEAPU8.subarray(pointer, chunk.pointer + chunk.capacity));
  if (done['read'] !== text.length) return false;
  chunk.used += done['written'];
  call.pointer = pointer;
  call.bytes = done['written'];
  return true;
}

function outboundNewChunk(needed) {
  var capacity = Math.max(needed, outboundChunkBytes);
  var pointer = _malloc(capacity);
  if (!pointer) return false;
  if (outboundChunk.used) outboundFullChunks.push(outboundChunk.pointer);
  else _free(outboundChunk.pointer);
  outboundChunk = { pointer: pointer, capacity: capacity, used: 0 };
  return true;
}

/** The core has taken every text written: their room is free again. */
function outboundAllTaken() {
  outboundFullChunks.forEach(_free);
  outboundFullChunks = [];
  outboundChunk.used = 0;
}
