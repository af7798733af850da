// How each kind of argument is checked and normalised (docs/contract.md, Validation and
// mapping). Each function names the argument (`name`, as the caller wrote it: "userId",
// "events[2].user_id") in the message it fails with.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/js_args.hpp"
#include "core/json.hpp"
#include "core/result.hpp"

namespace outbound {

/// The error "<name> must be <expectation> (got <what arg is>)".
CallError mustBe(std::string_view name, std::string_view expectation, const JsArg& got);

/// A user ID as the API stores it: a non-empty string, or a finite number as JavaScript prints it.
Result<std::string> userIdFrom(const JsArg& arg, std::string_view name);

/// A non-empty string (event names, tokens).
Result<std::string> nonEmptyStringFrom(const JsArg& arg, std::string_view name);

/// A plain object, or a null Json when the argument was left out (undefined or null).
Result<Json> optionalObjectFrom(const JsArg& arg, std::string_view name);

/// Integer UNIX seconds from a number of seconds, a Date, or an ISO 8601 UTC string (what a Date
/// becomes inside JSON); `nowMs` when the argument was left out.
Result<std::int64_t> timestampFrom(const JsArg& arg, std::string_view name, std::int64_t nowMs);

/// A non-empty array of strings or finite numbers, returned as given.
Result<Json> campaignIdsFrom(const JsArg& arg, std::string_view name);

/// Milliseconds since the epoch of "YYYY-MM-DDTHH:MM:SS[.fff]Z", the form Date.prototype.toJSON
/// writes; nothing for any other text.
std::optional<std::int64_t> parseIsoUtcMs(std::string_view text);

}  // namespace outbound
