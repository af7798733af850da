// decodeJsArgs, and the checks of validation.hpp on what it decodes. Input: the encoded
// arguments as js_args.js writes them, "<one kind letter per argument>:<JSON array>" or
// "!<report of a value JSON.stringify threw on>".
// Invariants: decoded arguments are as many as the kind letters, each value of its kind's JSON
// type; every message of a check starts with the name it was given.
#include "core/js_args.hpp"

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "core/validation.hpp"
#include "fuzz_support.hpp"

using namespace outbound;
using fuzzing::startsWith;

namespace {

bool valueFitsKind(const JsArg& arg) {
  switch (arg.kind) {
    case JsKind::String:
      return arg.value.isString();
    case JsKind::Number:
      return arg.value.isNumber();
    case JsKind::Boolean:
      return arg.value.isBoolean();
    case JsKind::Array:
      return arg.value.isArray();
    case JsKind::Date:
      return arg.value.isString() || arg.value.isNull();
    case JsKind::BuiltIn:  // its class name
      return arg.value.isString();
    case JsKind::Object:  // kept as text, which must be JSON
      return arg.value.isNull() && !arg.raw.empty() && nlohmann::json::accept(arg.raw) &&
             !arg.json().isInvalid();
    default:
      return arg.value.isNull();
  }
}

template <class T>
void checkNamed(const Result<T>& result, const std::string& name) {
  if (!result.ok()) FUZZ_INVARIANT(startsWith(result.error().message, name));
}

// Each argument through every check a method may apply to it.
void checkValidation(const JsArg& arg, const std::string& name) {
  FUZZ_INVARIANT(!describe(arg).empty());
  const auto userId = userIdFrom(arg, name);
  checkNamed(userId, name);
  if (userId.ok()) FUZZ_INVARIANT(!userId.value().empty());
  checkNamed(nonEmptyStringFrom(arg, name), name);
  const auto object = optionalObjectFrom(arg, name);
  checkNamed(object, name);
  if (object.ok()) FUZZ_INVARIANT(object.value().isObject() || object.value().isNull());
  const auto timestamp = timestampFrom(arg, name, fuzzing::kNowMs);
  checkNamed(timestamp, name);
  if (timestamp.ok()) FUZZ_INVARIANT(timestamp.value() >= 0 && timestamp.value() <= 1e11);
  checkNamed(campaignIdsFrom(arg, name), name);
  if (arg.kind == JsKind::Number) FUZZ_INVARIANT(nlohmann::json::accept(arg.value.text()));
  if (arg.value.isString()) parseIsoUtcMs(arg.value.text());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::vector<std::string> names{"userId", "event", "properties", "timestamp"};
  const std::string_view encoded(reinterpret_cast<const char*>(data), size);
  const auto args = decodeJsArgs(encoded, names);
  if (!args.ok()) {
    FUZZ_INVARIANT(!args.error().message.empty() && !args.error().receivedCall);
    return 0;
  }
  const size_t kinds = encoded.find(':');
  FUZZ_INVARIANT(encoded.front() != '!' && kinds != std::string_view::npos);
  FUZZ_INVARIANT(args.value().size() == kinds);
  for (size_t i = 0; i < args.value().size(); ++i) {
    const JsArg& arg = args.value()[i];
    FUZZ_INVARIANT(static_cast<char>(arg.kind) == encoded[i]);
    FUZZ_INVARIANT(valueFitsKind(arg));
    checkValidation(arg, i < names.size() ? names[i] : "argument " + std::to_string(i + 1));
  }
  return 0;
}
