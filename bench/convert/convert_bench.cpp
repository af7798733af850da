// Two ways for JavaScript argument values to reach C++, built into the same /track body:
//   (a) viaJsonString: JS sends "<kinds>:" + JSON.stringify([userId, event, properties, ts]),
//       C++ parses it with nlohmann (the product's design, src/core/js_args.cpp).
//   (b) viaValWalk: C++ walks the emscripten::val arguments into the same ordered_json.
// Each returns the dumped body's size; the body* variants return the body for the equality check.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

using Json = nlohmann::ordered_json;
using emscripten::val;

namespace {

std::string dump(const Json& body) {
  return body.dump(-1, ' ', false, nlohmann::detail::error_handler_t::replace);
}

Json trackBody(Json userId, Json event, Json properties, Json timestamp) {
  Json body = Json::object();
  body["user_id"] = std::move(userId);
  body["event"] = std::move(event);
  body["properties"] = std::move(properties);
  body["timestamp"] = std::move(timestamp);
  return body;
}

// ---- (a) ---------------------------------------------------------------------------------------

std::string bodyViaJsonString(const std::string& encoded) {
  const size_t colon = encoded.find(':');  // the kind letters come first, as in the product
  if (colon == std::string::npos) return "";
  Json args = Json::parse(encoded.begin() + colon + 1, encoded.end(), nullptr, false);
  if (!args.is_array() || args.size() != 4) return "";
  return dump(
      trackBody(std::move(args[0]), std::move(args[1]), std::move(args[2]), std::move(args[3])));
}

// ---- (b) ---------------------------------------------------------------------------------------

// Made once: val::global() reads globalThis, and a val from a C string copies it into JS.
const val& jsObject() {
  static const val v = val::global("Object");
  return v;
}
const val& jsArray() {
  static const val v = val::global("Array");
  return v;
}
const val& objectType() {
  static const val v("object");
  return v;
}
const val& functionType() {
  static const val v("function");
  return v;
}
const val& toJSONKey() {
  static const val v("toJSON");
  return v;
}

// Whether `value` is a number JSON.stringify writes without a fraction: nlohmann stores those
// as integers, so the walk must too for both paths to dump the same text ("1", not "1.0").
bool isSafeInteger(double value) {
  return std::trunc(value) == value && std::fabs(value) <= 9007199254740991.0;
}

// As JSON.stringify: false when the value is left out (undefined, functions, symbols).
bool walk(const val& input, Json& out) {
  if (input.isString()) {
    out = input.as<std::string>();
    return true;
  }
  if (input.isNumber()) {
    const double number = input.as<double>();
    if (!std::isfinite(number))
      out = nullptr;
    else if (isSafeInteger(number))
      out = static_cast<std::int64_t>(number);
    else
      out = number;
    return true;
  }
  if (input.isTrue() || input.isFalse()) {
    out = input.isTrue();
    return true;
  }
  if (input.isNull()) {
    out = nullptr;
    return true;
  }
  if (input.isUndefined() || !input.typeOf().strictlyEquals(objectType())) return false;

  const val toJSON = input[toJSONKey()];  // Date, and anything else that defines it
  if (toJSON.typeOf().strictlyEquals(functionType())) {
    return walk(toJSON.call<val>("call", input), out);
  }
  if (input.instanceof (jsArray())) {
    out = Json::array();
    const unsigned length = input["length"].as<unsigned>();
    for (unsigned i = 0; i < length; ++i) {
      Json item;
      out.push_back(walk(input[i], item) ? std::move(item) : Json());
    }
    return true;
  }
  out = Json::object();
  const val keys = jsObject().call<val>("keys", input);
  const unsigned count = keys["length"].as<unsigned>();
  for (unsigned i = 0; i < count; ++i) {
    const val key = keys[i];
    Json item;
    if (walk(input[key], item)) out[key.as<std::string>()] = std::move(item);
  }
  return true;
}

Json walked(const val& input) {
  Json out;
  return walk(input, out) ? out : Json();
}

std::string bodyViaValWalk(val userId, val event, val properties, val timestamp) {
  return dump(trackBody(walked(userId), walked(event), walked(properties), walked(timestamp)));
}

// ---- exports -----------------------------------------------------------------------------------

size_t viaJsonString(std::string encoded) { return bodyViaJsonString(encoded).size(); }

size_t viaValWalk(val userId, val event, val properties, val timestamp) {
  return bodyViaValWalk(userId, event, properties, timestamp).size();
}

}  // namespace

EMSCRIPTEN_BINDINGS(convert_bench) {
  emscripten::function("viaJsonString", &viaJsonString);
  emscripten::function("viaValWalk", &viaValWalk);
  emscripten::function("bodyViaJsonString", &bodyViaJsonString);
  emscripten::function("bodyViaValWalk", &bodyViaValWalk);
}
