#include "core/methods.hpp"

#include <algorithm>
#include <iterator>
#include <optional>
#include <utility>

#include "core/identify_attributes.hpp"
#include "core/validation.hpp"

namespace outbound {
namespace {

const MethodSpec& trackMethod() { return *findMethod("track"); }

// A body while it is built: an object written field by field, in wire order, straight into its
// text, so that a field already in JSON text (a track's properties) is spliced in unparsed; or,
// for a batch, the array as text.
struct BodyParts {
  std::string text;  // "{..." while fields are added, or a batch's whole "[...]"
  std::vector<std::string> userIds;

  void addJsonText(std::string_view name, std::string_view json) {
    text += text.empty() ? '{' : ',';
    appendJsonString(text, name);
    text += ':';
    text += json;
  }
  void add(std::string_view name, const Json& value) { addJsonText(name, toJsonText(value)); }

  BuiltBody finish() && {
    if (text.empty()) text = "{";
    if (text.front() == '{') text += '}';
    return BuiltBody{std::move(text), std::move(userIds)};
  }
};

std::string jsonText(const std::string& value) {
  std::string text;
  appendJsonString(text, value);
  return text;
}
std::string jsonText(std::int64_t value) { return std::to_string(value); }
std::string jsonText(const Json& value) { return toJsonText(value); }

template <class T>
Status put(BodyParts& body, const char* field, const Result<T>& value) {
  if (!value.ok()) return value.error();
  body.addJsonText(field, jsonText(value.value()));
  return {};
}

Status putUserId(BodyParts& body, const char* field, const Result<std::string>& id) {
  if (id.ok()) body.userIds.push_back(id.value());
  return put(body, field, id);
}

Status putAttributes(BodyParts& body, const JsArg& attributes, const std::string& name) {
  Json fields = Json::object();
  auto added = addIdentifyAttributes(attributes, name, fields);
  if (!added.ok()) return added;
  for (size_t i = 0; i < fields.size(); ++i) body.add(fields.keys()[i], fields.elements()[i]);
  return {};
}

// Properties as JSON text: the caller's own, as JSON.stringify wrote it, when they came
// unparsed; else written from the tree (a batch event's), or {} when left out.
Status addProperties(BodyParts& body, const JsArg& arg, const std::string& name) {
  if (arg.kind == JsKind::Object && !arg.raw.empty() && arg.raw.front() == '{') {
    body.addJsonText("properties", arg.raw);
    return {};
  }
  auto object = optionalObjectFrom(arg, name);
  if (!object.ok()) return object.error();
  body.addJsonText("properties", object.value().isNull() ? "{}" : toJsonText(object.value()));
  return {};
}

Result<BuiltBody> buildBodyWithNames(const MethodSpec& method, const std::vector<JsArg>& args,
                                     const std::vector<std::string>& names, std::int64_t nowMs);

// A batch event is an object with exactly the fields of a /track body; anything else is refused
// (a camelCase `userId` would otherwise look like a missing user_id).
Result<BuiltBody> batchEventBody(const Json& event, const std::string& name, std::int64_t nowMs) {
  if (!event.isObject()) {
    return mustBe(name, "an object {user_id, event, properties?, timestamp?}",
                  JsArg::fromJson(event));
  }
  constexpr std::string_view kFields[] = {"user_id", "event", "properties", "timestamp"};
  for (const auto& key : event.keys()) {
    if (std::find(std::begin(kFields), std::end(kFields), key) == std::end(kFields)) {
      return invalidArgument(name + " has an unknown field \"" + key +
                             "\"; the fields are user_id, event, properties and timestamp");
    }
  }
  // At their final size, as buildBodyWithNames reads them (no growth, no moves).
  std::vector<JsArg> fields(std::size(kFields));
  std::vector<std::string> names(std::size(kFields));
  for (size_t i = 0; i < std::size(kFields); ++i) {
    if (const Json* found = event.find(kFields[i])) fields[i] = JsArg::fromJson(*found);
    names[i] = name + "." + std::string(kFields[i]);
  }
  return buildBodyWithNames(trackMethod(), fields, names, nowMs);
}

Status addBatch(const JsArg& events, const std::string& name, std::int64_t nowMs, BodyParts& body) {
  const bool sizeOk = events.kind == JsKind::Array && !events.value.empty() &&
                      events.value.size() <= kMaxBatchEvents;
  if (!sizeOk) {
    const std::string got = events.kind == JsKind::Array
                                ? std::to_string(events.value.size()) + " events"
                                : describe(events);
    return invalidArgument(name + " must be an array of 1 to " + std::to_string(kMaxBatchEvents) +
                           " events (got " + got + ")");
  }
  std::string& text = body.text;
  text = "[";
  for (size_t i = 0; i < events.value.size(); ++i) {
    auto event =
        batchEventBody(events.value.elements()[i], name + "[" + std::to_string(i) + "]", nowMs);
    if (!event.ok()) return event.error();
    if (i > 0) text += ',';
    text += event.value().text;
    body.userIds.insert(body.userIds.end(), event.value().userIds.begin(),
                        event.value().userIds.end());
  }
  text += ']';
  return {};
}

Status addParam(Param kind, const JsArg& arg, const std::string& name, std::int64_t nowMs,
                BodyParts& body) {
  switch (kind) {
    case Param::UserId:
      return putUserId(body, "user_id", userIdFrom(arg, name));
    case Param::PreviousId:
      return put(body, "previous_id", userIdFrom(arg, name));
    case Param::EventName:
      return put(body, "event", nonEmptyStringFrom(arg, name));
    case Param::Properties:
      return addProperties(body, arg, name);
    case Param::Timestamp:
      return put(body, "timestamp", timestampFrom(arg, name, nowMs));
    case Param::Attributes:
      return putAttributes(body, arg, name);
    case Param::Token:
      return put(body, "token", nonEmptyStringFrom(arg, name));
    case Param::CampaignIds:
      return put(body, "campaign_ids", campaignIdsFrom(arg, name));
    case Param::Events:
      return addBatch(arg, name, nowMs, body);
  }
  return invalidArgument(name + " has no rule");
}

Result<BuiltBody> buildBodyWithNames(const MethodSpec& method, const std::vector<JsArg>& args,
                                     const std::vector<std::string>& names, std::int64_t nowMs) {
  BodyParts body;
  // Room for the whole body at once: its fields' JSON and their names.
  size_t expected = 64;
  for (const auto& arg : args) expected += arg.raw.size() + arg.value.text().size();
  body.text.reserve(expected);
  for (size_t i = 0; i < method.params.size(); ++i) {
    const JsArg missing;
    const JsArg& arg = i < args.size() ? args[i] : missing;
    auto added = addParam(method.params[i].kind, arg, names[i], nowMs, body);
    if (!added.ok()) return added.error();
  }
  if (method.allTokens) body.addJsonText("all", "true");
  return std::move(body).finish();
}

// The table as data, turned into MethodSpecs by one loop: written as 14 initializer lists of
// vectors, each entry compiled into code of its own. A row's parameters end at the first without
// a name.
struct MethodRow {
  std::string_view name;
  std::string_view path;
  ParamSpec params[4];
  Delivery delivery = Delivery::InOrder;
  bool allTokens = false;
};

constexpr ParamSpec kUserId{"userId", Param::UserId};
constexpr ParamSpec kToken{"token", Param::Token};
constexpr ParamSpec kCampaignIds{"campaignIds", Param::CampaignIds};

constexpr MethodRow kMethodRows[] = {
    {"identify", "/identify", {kUserId, {"attributes", Param::Attributes}}},
    {"alias", "/identify", {kUserId, {"previousId", Param::PreviousId}}},
    {"track",
     "/track",
     {kUserId,
      {"event", Param::EventName},
      {"properties", Param::Properties},
      {"timestamp", Param::Timestamp}},
     Delivery::Batchable},
    {"trackBatch", "/track/batch", {{"events", Param::Events}}, Delivery::Event},
    {"registerApnsToken", "/apns/register", {kUserId, kToken}},
    {"registerGcmToken", "/gcm/register", {kUserId, kToken}},
    {"disableApnsToken", "/apns/disable", {kUserId, kToken}},
    {"disableGcmToken", "/gcm/disable", {kUserId, kToken}},
    {"disableAllApnsTokens", "/apns/disable", {kUserId}, Delivery::InOrder, true},
    {"disableAllGcmTokens", "/gcm/disable", {kUserId}, Delivery::InOrder, true},
    {"subscribeAll", "/subscribe/all", {kUserId}},
    {"unsubscribeAll", "/unsubscribe/all", {kUserId}},
    {"subscribeCampaigns", "/subscribe/campaigns", {kUserId, kCampaignIds}},
    {"unsubscribeCampaigns", "/unsubscribe/campaigns", {kUserId, kCampaignIds}},
};

// Each method's argument names are also made into strings here, once: every call's messages may
// need them. The table is filled in place at its final size: growing it would move MethodSpecs,
// code of its own in the .wasm.
std::vector<MethodSpec> methodsFromRows() {
  std::vector<MethodSpec> methods(std::size(kMethodRows));
  for (size_t i = 0; i < methods.size(); ++i) {
    const MethodRow& row = kMethodRows[i];
    MethodSpec& method = methods[i];
    method.name = row.name;
    method.path = row.path;
    method.delivery = row.delivery;
    method.allTokens = row.allTokens;
    for (const auto& param : row.params) {
      if (param.name.empty()) break;
      method.params.push_back(param);
      method.paramNames.emplace_back(param.name);
    }
  }
  return methods;
}

}  // namespace

const std::vector<MethodSpec>& apiMethods() {
  static const std::vector<MethodSpec> kMethods = methodsFromRows();
  return kMethods;
}

const MethodSpec* findMethod(std::string_view name) {
  for (const auto& method : apiMethods()) {
    if (method.name == name) return &method;
  }
  return nullptr;
}

std::string methodTableJson() {
  Json table = Json::array();
  for (const auto& method : apiMethods()) {
    Json params = Json::array();
    for (const auto& param : method.paramNames) params.push(Json::string(param));
    Json row = Json::array();
    row.push(Json::string(std::string(method.name)));
    row.push(std::move(params));
    table.push(std::move(row));
  }
  return toJsonText(table);
}

Result<BuiltBody> buildBody(const MethodSpec& method, const std::vector<JsArg>& args,
                            std::int64_t nowMs) {
  return buildBodyWithNames(method, args, method.paramNames, nowMs);
}

}  // namespace outbound
