// The table of API methods (docs/contract.md, API): name, path, and how each argument is checked
// and placed in the request body. One table drives all 14 methods.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/js_args.hpp"
#include "core/json.hpp"
#include "core/result.hpp"

namespace outbound {

/// How one argument is validated and where it goes in the body.
enum class Param {
  UserId,       // user_id
  PreviousId,   // previous_id, validated like a user ID
  EventName,    // event
  Properties,   // properties, {} when left out
  Timestamp,    // timestamp, integer seconds, now when left out
  Attributes,   // identify's attributes, mapped onto top-level fields
  Token,        // token
  CampaignIds,  // campaign_ids
  Events,       // the whole body: an array of 1 to 100 track bodies
};

struct ParamSpec {
  std::string_view name;  // as the JavaScript signature names it, for error messages
  Param kind;
};

struct MethodSpec {
  std::string_view name;
  std::string_view path;  // relative to baseUrl
  std::vector<ParamSpec> params;
  bool allTokens = false;                    // the disableAll* methods add "all": true
  std::vector<std::string> paramNames = {};  // the params' names, for messages
};

/// Every method of the API, in the order of docs/contract.md.
const std::vector<MethodSpec>& apiMethods();

/// The method called `name`, or nullptr.
const MethodSpec* findMethod(std::string_view name);

/// The most events one /track/batch request may carry.
constexpr size_t kMaxBatchEvents = 100;

/// A request body and whose calls it holds (each user_id, in body order).
struct BuiltBody {
  std::string text;
  std::vector<std::string> userIds;
};

/// Validates `args` against `method` and builds its request body. Messages name the argument.
Result<BuiltBody> buildBody(const MethodSpec& method, const std::vector<JsArg>& args,
                            std::int64_t nowMs);

}  // namespace outbound
