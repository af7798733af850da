#include "core/methods.hpp"

#include <algorithm>
#include <utility>

#include "core/identify_attributes.hpp"
#include "core/validation.hpp"

namespace outbound {
namespace {

const MethodSpec& trackMethod() { return *findMethod("track"); }

template <class T>
Result<bool> put(Json& body, const char* field, Result<T> value) {
  if (!value.ok()) return value.error();
  body[field] = std::move(value.value());
  return true;
}

Result<Json> propertiesFrom(const JsArg& arg, const std::string& name) {
  auto object = optionalObjectFrom(arg, name);
  if (object.ok() && object.value().is_null()) return Json::object();
  return object;
}

Result<Json> buildBodyWithNames(const MethodSpec& method, const std::vector<JsArg>& args,
                                const std::vector<std::string>& names, std::int64_t nowMs);

// A batch event is an object with exactly the fields of a /track body; anything else is refused
// (a camelCase `userId` would otherwise look like a missing user_id).
Result<Json> batchEventBody(const Json& event, const std::string& name, std::int64_t nowMs) {
  if (!event.is_object()) {
    return invalidArgument(name +
                           " must be an object {user_id, event, properties?, timestamp?} (got " +
                           describe(JsArg::fromJson(event)) + ")");
  }
  static const std::vector<std::string> kFields{"user_id", "event", "properties", "timestamp"};
  for (const auto& item : event.items()) {
    if (std::find(kFields.begin(), kFields.end(), item.key()) == kFields.end()) {
      return invalidArgument(name + " has an unknown field \"" + item.key() +
                             "\"; the fields are user_id, event, properties and timestamp");
    }
  }
  std::vector<JsArg> fields;
  std::vector<std::string> names;
  for (const auto& field : kFields) {
    const auto found = event.find(field);
    fields.push_back(found == event.end() ? JsArg{} : JsArg::fromJson(*found));
    names.push_back(name + "." + field);
  }
  return buildBodyWithNames(trackMethod(), fields, names, nowMs);
}

Result<Json> batchBody(const JsArg& events, const std::string& name, std::int64_t nowMs) {
  const bool sizeOk = events.kind == JsKind::Array && !events.value.empty() &&
                      events.value.size() <= kMaxBatchEvents;
  if (!sizeOk) {
    const std::string got = events.kind == JsKind::Array
                                ? std::to_string(events.value.size()) + " events"
                                : describe(events);
    return invalidArgument(name + " must be an array of 1 to " + std::to_string(kMaxBatchEvents) +
                           " events (got " + got + ")");
  }
  Json body = Json::array();
  for (size_t i = 0; i < events.value.size(); ++i) {
    auto event = batchEventBody(events.value[i], name + "[" + std::to_string(i) + "]", nowMs);
    if (!event.ok()) return event.error();
    body.push_back(std::move(event.value()));
  }
  return body;
}

Result<bool> addParam(Param kind, const JsArg& arg, const std::string& name, std::int64_t nowMs,
                      Json& body) {
  switch (kind) {
    case Param::UserId:
      return put(body, "user_id", userIdFrom(arg, name));
    case Param::PreviousId:
      return put(body, "previous_id", userIdFrom(arg, name));
    case Param::EventName:
      return put(body, "event", nonEmptyStringFrom(arg, name));
    case Param::Properties:
      return put(body, "properties", propertiesFrom(arg, name));
    case Param::Timestamp:
      return put(body, "timestamp", timestampFrom(arg, name, nowMs));
    case Param::Attributes:
      return addIdentifyAttributes(arg, name, body);
    case Param::Token:
      return put(body, "token", nonEmptyStringFrom(arg, name));
    case Param::CampaignIds:
      return put(body, "campaign_ids", campaignIdsFrom(arg, name));
    case Param::Events: {
      auto batch = batchBody(arg, name, nowMs);
      if (!batch.ok()) return batch.error();
      body = std::move(batch.value());
      return true;
    }
  }
  return invalidArgument(name + " has no rule");
}

Result<Json> buildBodyWithNames(const MethodSpec& method, const std::vector<JsArg>& args,
                                const std::vector<std::string>& names, std::int64_t nowMs) {
  Json body = Json::object();
  for (size_t i = 0; i < method.params.size(); ++i) {
    const JsArg missing;
    const JsArg& arg = i < args.size() ? args[i] : missing;
    auto added = addParam(method.params[i].kind, arg, names[i], nowMs, body);
    if (!added.ok()) return added.error();
  }
  if (method.allTokens) body["all"] = true;
  return body;
}

}  // namespace

const std::vector<MethodSpec>& apiMethods() {
  static const std::vector<MethodSpec> kMethods{
      {"identify", "/identify", {{"userId", Param::UserId}, {"attributes", Param::Attributes}}},
      {"alias", "/identify", {{"userId", Param::UserId}, {"previousId", Param::PreviousId}}},
      {"track",
       "/track",
       {{"userId", Param::UserId},
        {"event", Param::EventName},
        {"properties", Param::Properties},
        {"timestamp", Param::Timestamp}}},
      {"trackBatch", "/track/batch", {{"events", Param::Events}}},
      {"registerApnsToken", "/apns/register", {{"userId", Param::UserId}, {"token", Param::Token}}},
      {"registerGcmToken", "/gcm/register", {{"userId", Param::UserId}, {"token", Param::Token}}},
      {"disableApnsToken", "/apns/disable", {{"userId", Param::UserId}, {"token", Param::Token}}},
      {"disableGcmToken", "/gcm/disable", {{"userId", Param::UserId}, {"token", Param::Token}}},
      {"disableAllApnsTokens", "/apns/disable", {{"userId", Param::UserId}}, true},
      {"disableAllGcmTokens", "/gcm/disable", {{"userId", Param::UserId}}, true},
      {"subscribeAll", "/subscribe/all", {{"userId", Param::UserId}}},
      {"unsubscribeAll", "/unsubscribe/all", {{"userId", Param::UserId}}},
      {"subscribeCampaigns",
       "/subscribe/campaigns",
       {{"userId", Param::UserId}, {"campaignIds", Param::CampaignIds}}},
      {"unsubscribeCampaigns",
       "/unsubscribe/campaigns",
       {{"userId", Param::UserId}, {"campaignIds", Param::CampaignIds}}},
  };
  return kMethods;
}

const MethodSpec* findMethod(std::string_view name) {
  for (const auto& method : apiMethods()) {
    if (method.name == name) return &method;
  }
  return nullptr;
}

std::vector<std::string> paramNames(const MethodSpec& method) {
  std::vector<std::string> names;
  for (const auto& param : method.params) names.emplace_back(param.name);
  return names;
}

Result<Json> buildBody(const MethodSpec& method, const std::vector<JsArg>& args,
                       std::int64_t nowMs) {
  return buildBodyWithNames(method, args, paramNames(method), nowMs);
}

}  // namespace outbound
