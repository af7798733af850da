#include "core/js_args.hpp"

#include <optional>
#include <string>
#include <utility>

namespace outbound {
namespace {

constexpr std::string_view kAllKinds = "snbzuNIiBSFdaox";

// JSON.stringify escapes a lone surrogate as \udXXX, which a JSON reader (rightly) refuses as
// text; we send U+FFFD in its place, as any UTF-8 encoder (TextEncoder, say) would. The escapes
// have the same length, so the elements' places do not move.
std::string withLoneSurrogatesReplaced(std::string_view text, const std::vector<size_t>& offsets) {
  std::string replaced(text);
  for (const size_t at : offsets) replaced.replace(at, 6, "\\ufffd");
  return replaced;
}

std::string argName(const std::vector<std::string>& names, size_t index) {
  return index < names.size() ? names[index] : "argument " + std::to_string(index + 1);
}

std::string stringField(const Json& object, const char* key, std::string fallback) {
  const Json* found = object.find(key);
  return found != nullptr && found->isString() ? found->text() : fallback;
}

// js_args.js reports a value JSON.stringify threw on as
// {"arg": i, "path": ".a[3]", "problem": "..."}.
CallError unserializableValue(std::string_view report, const std::vector<std::string>& names) {
  const Json parsed = parseJson(report);
  if (!parsed.isObject()) return invalidArgument("the arguments could not be read");
  const Json* arg = parsed.find("arg");
  const auto given = arg != nullptr ? arg->integerValue() : std::nullopt;
  const size_t index = given && *given >= 0 ? static_cast<size_t>(*given) : 0;
  return invalidArgument(argName(names, index) + stringField(parsed, "path", "") + " " +
                         stringField(parsed, "problem", "cannot be sent as JSON"));
}

// Guards against a malformed encoding: every later reader may rely on the value's JSON type.
bool kindMatchesValue(JsKind kind, const Json& value) {
  switch (kind) {
    case JsKind::String:
      return value.isString();
    case JsKind::Number:
      return value.isNumber();
    case JsKind::Boolean:
      return value.isBoolean();
    case JsKind::Array:
      return value.isArray();
    case JsKind::Date:
      return value.isString() || value.isNull();
    case JsKind::Object:
      return !value.isInvalid();
    case JsKind::BuiltIn:
      return value.isString();
    default:
      return value.isNull();
  }
}

// What JSON.stringify writes for most arguments — an ASCII string without escapes — read without
// starting the reader (three per track call). Anything else, UTF-8 included, is left to the
// reader, which checks it.
std::optional<Json> plainString(std::string_view text) {
  if (text.size() < 2 || text.front() != '"' || text.back() != '"') return std::nullopt;
  const std::string_view inside = text.substr(1, text.size() - 2);
  for (const char c : inside) {
    if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\') return std::nullopt;
  }
  return Json::string(std::string(inside));
}

}  // namespace

Json JsArg::json() const { return raw.empty() ? value : parseJson(raw); }

JsArg JsArg::fromJson(const Json& value) {
  switch (value.type()) {
    case Json::Type::String:
      return {JsKind::String, value};
    case Json::Type::Boolean:
      return {JsKind::Boolean, value};
    case Json::Type::Null:
      return {JsKind::Null, value};
    case Json::Type::Array:
      return {JsKind::Array, value};
    case Json::Type::Object:
      return {JsKind::Object, value};
    case Json::Type::Number:
      return {JsKind::Number, value};
    case Json::Type::Invalid:
      break;
  }
  return {JsKind::Undefined, Json()};
}

std::string describe(const JsArg& arg) {
  switch (arg.kind) {
    case JsKind::String:
      return arg.value.text().empty() ? "an empty string" : "a string";
    case JsKind::Number:
      return "a number";
    case JsKind::Boolean:
      return "a boolean";
    case JsKind::Null:
      return "null";
    case JsKind::Undefined:
      return "undefined";
    case JsKind::NaN:
      return "NaN";
    case JsKind::Infinity:
      return "Infinity";
    case JsKind::NegativeInfinity:
      return "-Infinity";
    case JsKind::BigInt:
      return "a BigInt";
    case JsKind::Symbol:
      return "a Symbol";
    case JsKind::Function:
      return "a function";
    case JsKind::Date:
      return "a Date";
    case JsKind::Array:
      return "an array";
    case JsKind::Object:
      return "an object";
    case JsKind::BuiltIn: {
      const auto& name = arg.value.text();
      const bool vowel =
          !name.empty() && std::string_view("AEIO").find(name.front()) != std::string_view::npos;
      return (vowel ? "an " : "a ") + name;
    }
  }
  return "an unknown value";
}

Result<std::vector<JsArg>> decodeJsArgs(std::string_view encoded,
                                        const std::vector<std::string>& argNames) {
  if (!encoded.empty() && encoded.front() == '!') {
    return unserializableValue(encoded.substr(1), argNames);
  }
  const size_t colon = encoded.find(':');
  if (colon == std::string_view::npos) return invalidArgument("the arguments could not be read");
  const std::string_view kinds = encoded.substr(0, colon);
  std::string_view array = encoded.substr(colon + 1);
  // One pass reads and checks the whole array, and finds where each argument's text is.
  JsonArrayElements read;
  if (!readJsonArrayElements(array, read))
    return invalidArgument("the arguments could not be read");
  const auto& elements = read.elements;
  for (size_t i = 0; i < elements.size(); ++i) {
    if (elements[i].depth <= kMaxNestingDepth) continue;
    return invalidArgument(argName(argNames, i) + " is nested more than " +
                           std::to_string(kMaxNestingDepth) + " levels deep");
  }
  if (elements.size() != kinds.size() ||
      kinds.find_first_not_of(kAllKinds) != std::string_view::npos) {
    return invalidArgument("the arguments could not be read");
  }
  std::string replaced;
  if (!read.loneSurrogates.empty()) {
    replaced = withLoneSurrogatesReplaced(array, read.loneSurrogates);
    array = replaced;
  }
  std::vector<JsArg> args(kinds.size());
  for (size_t i = 0; i < kinds.size(); ++i) {
    const std::string_view text =
        array.substr(elements[i].begin, elements[i].end - elements[i].begin);
    JsArg& arg = args[i];
    arg.kind = static_cast<JsKind>(kinds[i]);
    if (arg.kind == JsKind::Object) {
      // Kept as text, checked already: what only needs checking is not turned into a tree (see
      // JsArg::raw).
      arg.raw = std::string(text);
      continue;
    }
    auto plain = plainString(text);
    arg.value = plain ? std::move(*plain) : parseJson(text);
    if (!kindMatchesValue(arg.kind, arg.value)) {
      return invalidArgument("the arguments could not be read");
    }
  }
  return args;
}

}  // namespace outbound
