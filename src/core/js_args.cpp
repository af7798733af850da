#include "core/js_args.hpp"

#include <cctype>
#include <optional>
#include <string>
#include <utility>

namespace outbound {
namespace {

constexpr std::string_view kAllKinds = "snbzuNIiBSFdaox";

bool isHighSurrogate(unsigned unit) { return unit >= 0xD800 && unit <= 0xDBFF; }
bool isLowSurrogate(unsigned unit) { return unit >= 0xDC00 && unit <= 0xDFFF; }

// The code unit of a \uXXXX escape starting at text[at], or 0x110000 when there is none.
unsigned escapedUnitAt(std::string_view text, size_t at) {
  if (at + 6 > text.size() || text[at] != '\\' || text[at + 1] != 'u') return 0x110000;
  unsigned unit = 0;
  for (const char h : text.substr(at + 2, 4)) {
    const int digit = hexDigitValue(h);
    if (digit < 0) return 0x110000;
    unit = unit * 16 + digit;
  }
  return unit;
}

struct ScannedArgs {
  std::string replaced;  // the text with lone surrogates replaced by U+FFFD; empty if it had none
  int tooDeepArg = -1;   // index of the first argument nested too deeply, or -1
  std::vector<std::pair<size_t, size_t>> elements;  // [begin, end) of each argument in text
  bool wellFormed = false;                          // one array, and nothing around it
};

// One pass over JSON.stringify's output of the argument array. JSON.stringify escapes lone
// surrogates as \udXXX, which a JSON reader (rightly) refuses; we send U+FFFD in their place, as any
// UTF-8 encoder (TextEncoder, say) would. The same pass measures nesting per argument and finds
// where each argument's text begins and ends, so each is read on its own, as far as needed.
ScannedArgs scanArgumentArray(std::string_view json) {
  ScannedArgs scanned;
  bool inString = false;
  bool closed = false;
  bool malformed = false;
  int depth = 0;
  int argIndex = 0;
  size_t elementStart = 0;
  const char* const data = json.data();  // indexed directly: -Oz leaves accessors as calls
  const size_t size = json.size();
  for (size_t i = 0; i < size; ++i) {
    const char c = data[i];
    if (inString) {
      if (c == '"') {
        inString = false;
      } else if (c == '\\') {
        const unsigned unit = escapedUnitAt(json, i);
        if (isHighSurrogate(unit) && isLowSurrogate(escapedUnitAt(json, i + 6))) {
          i += 11;
        } else if (isHighSurrogate(unit) || isLowSurrogate(unit)) {
          // Replaced in place (the same length), in a copy made at the first.
          if (scanned.replaced.empty()) scanned.replaced = std::string(json);
          scanned.replaced.replace(i, 6, "\\ufffd");
          i += 5;
        } else {
          i += 1;
        }
      }
      continue;
    }
    if (depth == 0 && c != '[') {
      malformed |= !std::isspace(static_cast<unsigned char>(c));
      continue;
    }
    if (c == '"') {
      inString = true;
    } else if (c == '[' || c == '{') {
      if (++depth == 1) {
        malformed |= closed;
        elementStart = i + 1;
      }
      if (depth > kMaxNestingDepth + 1 && scanned.tooDeepArg < 0) scanned.tooDeepArg = argIndex;
    } else if (c == ']' || c == '}') {
      if (depth == 1) {
        malformed |= c != ']';
        if (i > elementStart || !scanned.elements.empty()) {
          scanned.elements.emplace_back(elementStart, i);
        }
        closed = true;
      }
      --depth;
    } else if (c == ',' && depth == 1) {
      scanned.elements.emplace_back(elementStart, i);
      elementStart = i + 1;
      ++argIndex;
    }
  }
  scanned.wellFormed = closed && depth == 0 && !inString && !malformed;
  return scanned;
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
  const ScannedArgs scanned = scanArgumentArray(encoded.substr(colon + 1));
  const std::string_view array =
      scanned.replaced.empty() ? encoded.substr(colon + 1) : std::string_view(scanned.replaced);
  if (scanned.tooDeepArg >= 0) {
    return invalidArgument(argName(argNames, scanned.tooDeepArg) + " is nested more than " +
                           std::to_string(kMaxNestingDepth) + " levels deep");
  }
  if (!scanned.wellFormed || scanned.elements.size() != kinds.size() ||
      kinds.find_first_not_of(kAllKinds) != std::string_view::npos) {
    return invalidArgument("the arguments could not be read");
  }
  std::vector<JsArg> args(kinds.size());
  for (size_t i = 0; i < kinds.size(); ++i) {
    const auto [begin, end] = scanned.elements[i];
    const std::string_view text = array.substr(begin, end - begin);
    JsArg& arg = args[i];
    arg.kind = static_cast<JsKind>(kinds[i]);
    if (arg.kind == JsKind::Object) {
      // Kept as text: what only needs checking is not turned into a tree (see JsArg::raw).
      if (!isWellFormedJson(text)) return invalidArgument("the arguments could not be read");
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
