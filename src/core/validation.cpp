#include "core/validation.hpp"

#include <cctype>
#include <cmath>

#include "core/civil_time.hpp"

namespace outbound {

CallError mustBe(std::string_view name, std::string_view expectation, const JsArg& got) {
  return invalidArgument(std::string(name) + " must be " + std::string(expectation) + " (got " +
                         describe(got) + ")");
}

namespace {

bool isNonEmptyString(const JsArg& arg) {
  return arg.kind == JsKind::String && !arg.value.text().empty();
}

// Above this many seconds (the year 5138) a timestamp is almost surely Date.now()'s milliseconds.
constexpr double kLargestPlausibleSeconds = 1e11;

// `written` is how the caller wrote the number, for the message.
Result<std::int64_t> secondsFromNumber(double seconds, std::string_view written,
                                       std::string_view name, const JsArg& arg) {
  if (seconds < 0) return mustBe(name, "a non-negative number of UNIX seconds or a Date", arg);
  if (seconds > kLargestPlausibleSeconds) {
    return invalidArgument(
        std::string(name) + " " + std::string(written) +
        " is too large for UNIX seconds; pass seconds (Date.now() / 1000) or a Date");
  }
  return static_cast<std::int64_t>(std::floor(seconds));
}

bool readDigits(std::string_view text, size_t at, size_t count, int& out) {
  if (at + count > text.size()) return false;
  out = 0;
  for (size_t i = at; i < at + count; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

}  // namespace

Result<std::string> userIdFrom(const JsArg& arg, std::string_view name) {
  if (isNonEmptyString(arg)) return arg.value.text();
  // As JSON.stringify wrote it, which is String(number): what JavaScript code calls that ID.
  if (arg.kind == JsKind::Number) return arg.value.text();
  return mustBe(name, "a non-empty string or a finite number", arg);
}

Result<std::string> nonEmptyStringFrom(const JsArg& arg, std::string_view name) {
  if (isNonEmptyString(arg)) return arg.value.text();
  return mustBe(name, "a non-empty string", arg);
}

Result<Json> optionalObjectFrom(const JsArg& arg, std::string_view name) {
  if (arg.omitted()) return Json();
  if (arg.kind == JsKind::Object) {
    Json object = arg.json();
    if (object.isObject()) return object;
    // An object whose toJSON() returned something else: say so, it is a surprise otherwise.
    return invalidArgument(std::string(name) + " must be a plain object (its toJSON() returned " +
                           describe(JsArg::fromJson(object)) + ")");
  }
  return mustBe(name, "a plain object, undefined or null", arg);
}

Result<std::int64_t> timestampFrom(const JsArg& arg, std::string_view name, std::int64_t nowMs) {
  if (arg.omitted()) return nowMs / 1000;
  if (arg.kind == JsKind::Number) {
    return secondsFromNumber(arg.value.numberValue(), arg.value.text(), name, arg);
  }
  const bool textual = arg.kind == JsKind::String || arg.kind == JsKind::Date;
  if (textual && arg.value.isString()) {
    if (const auto ms = parseIsoUtcMs(arg.value.text())) {
      const std::int64_t seconds = *ms / 1000 - (*ms % 1000 < 0 ? 1 : 0);  // rounded down
      return secondsFromNumber(static_cast<double>(seconds), std::to_string(seconds), name, arg);
    }
  }
  if (arg.kind == JsKind::Date && arg.value.isString()) {
    return invalidArgument(std::string(name) + " is a Date outside the years 1970 to 9999");
  }
  if (arg.kind == JsKind::Date) return invalidArgument(std::string(name) + " is an invalid Date");
  return mustBe(name, "a non-negative number of UNIX seconds or a Date", arg);
}

Result<Json> campaignIdsFrom(const JsArg& arg, std::string_view name) {
  if (arg.kind != JsKind::Array || arg.value.empty()) {
    return mustBe(name, "a non-empty array of campaign IDs", arg);
  }
  for (size_t i = 0; i < arg.value.size(); ++i) {
    const JsArg element = JsArg::fromJson(arg.value.elements()[i]);
    if (element.kind != JsKind::String && element.kind != JsKind::Number) {
      return mustBe(std::string(name) + "[" + std::to_string(i) + "]",
                    "a string or a finite number", element);
    }
  }
  return arg.value;
}

std::optional<std::int64_t> parseIsoUtcMs(std::string_view text) {
  int year, month, day, hour, minute, second, millis = 0;
  const bool shapeOk = text.size() >= 20 && text[4] == '-' && text[7] == '-' && text[10] == 'T' &&
                       text[13] == ':' && text[16] == ':' && text.back() == 'Z';
  if (!shapeOk || !readDigits(text, 0, 4, year) || !readDigits(text, 5, 2, month) ||
      !readDigits(text, 8, 2, day) || !readDigits(text, 11, 2, hour) ||
      !readDigits(text, 14, 2, minute) || !readDigits(text, 17, 2, second)) {
    return std::nullopt;
  }
  if (text.size() == 24) {
    if (text[19] != '.' || !readDigits(text, 20, 3, millis)) return std::nullopt;
  } else if (text.size() != 20) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) {
    return std::nullopt;
  }
  return utcMs(year, static_cast<unsigned>(month), static_cast<unsigned>(day), hour, minute, second,
               millis);
}

}  // namespace outbound
