// The arguments of one call as they cross from JavaScript: a kind per argument (JSON alone cannot
// tell NaN from null, or a Date from a string) and the values as JSON.stringify wrote them.
// src/bindings/js_args.js writes this encoding; decodeJsArgs reads it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/json.hpp"
#include "core/result.hpp"

namespace outbound {

/// What an argument was in JavaScript. The letters are the encoding js_args.js writes.
enum class JsKind : char {
  String = 's',
  Number = 'n',  // finite
  Boolean = 'b',
  Null = 'z',
  Undefined = 'u',
  NaN = 'N',
  Infinity = 'I',
  NegativeInfinity = 'i',
  BigInt = 'B',
  Symbol = 'S',
  Function = 'F',
  Date = 'd',  // value: its ISO string, or null for an invalid Date
  Array = 'a',
  Object = 'o',   // a plain object; value: what JSON.stringify made of it (toJSON honoured)
  BuiltIn = 'x',  // any other object (Map, Uint8Array, Promise...); value: its class name
};

struct JsArg {
  JsKind kind = JsKind::Undefined;
  Json value;
  // An object argument's JSON text, left unparsed (then `value` is null): a track's properties
  // need only checking, and go into the body as the caller's JSON.stringify wrote them.
  std::string raw = {};

  /// The value as a tree, parsing `raw` if need be.
  Json json() const;

  /// A value found inside JSON (a batch event's field, say): its kind follows its JSON type.
  static JsArg fromJson(const Json& value);
  /// undefined and null both mean "not given" for optional arguments.
  bool omitted() const { return kind == JsKind::Undefined || kind == JsKind::Null; }
};

/// How an error message names what it got: "undefined", "NaN", "a boolean", "an empty string"...
std::string describe(const JsArg& arg);

/// Deeper nesting is refused: it is never real analytics data, and serializing it recurses.
constexpr int kMaxNestingDepth = 100;

/// Reads the encoding of js_args.js. `argNames` names the arguments in error messages, in order.
Result<std::vector<JsArg>> decodeJsArgs(std::string_view encoded,
                                        const std::vector<std::string>& argNames);

}  // namespace outbound
