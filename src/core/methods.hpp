// The table of API methods (docs/contract.md, API): name, path, how each argument is checked and
// placed in the request body, and what a call is to the delivery queue. One table drives all 14
// methods: the embind class's single entry point, the public class's methods (written into dist/ by
// scripts/bundle.mjs from methodTableJson()) and the queue's order and batching rules.
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

/// What a call is to the delivery queue (docs/delivery.md).
enum class Delivery {
  InOrder,    // keeps its place among its users' calls
  Event,      // carries its own timestamp, so a user's events may overtake one another
  Batchable,  // an event that may also join others in a /track/batch body
};

struct MethodSpec {
  std::string_view name;
  std::string_view path;  // relative to baseUrl
  std::vector<ParamSpec> params;
  Delivery delivery = Delivery::InOrder;
  bool allTokens = false;                    // the disableAll* methods add "all": true
  std::vector<std::string> paramNames = {};  // the params' names, for messages

  bool isEvent() const { return delivery != Delivery::InOrder; }
  bool batchable() const { return delivery == Delivery::Batchable; }
};

/// Every method of the API, in the order of docs/contract.md.
const std::vector<MethodSpec>& apiMethods();

/// The method called `name`, or nullptr.
const MethodSpec* findMethod(std::string_view name);

/// The table as JavaScript sees it, [["identify",["userId","attributes"]],...] in table order: the
/// public class has one method per row, taking those parameters.
std::string methodTableJson();

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
