#include "core/identify_attributes.hpp"

#include <string>

#include "core/validation.hpp"

namespace outbound {
namespace {

enum class FieldRule { AsGiven, TokenList, UserId, Object };

struct IdentifyField {
  std::string_view wireName;
  std::string_view alias;  // empty when there is none
  FieldRule rule;
};

constexpr IdentifyField kIdentifyFields[] = {
    {"first_name", "firstName", FieldRule::AsGiven},
    {"last_name", "lastName", FieldRule::AsGiven},
    {"email", "", FieldRule::AsGiven},
    {"phone_number", "phoneNumber", FieldRule::AsGiven},
    {"timezone", "", FieldRule::AsGiven},
    {"apns", "apnsTokens", FieldRule::TokenList},
    {"gcm", "gcmTokens", FieldRule::TokenList},
    {"group_id", "groupId", FieldRule::AsGiven},
    {"group_attributes", "groupAttributes", FieldRule::Object},
    {"previous_id", "previousId", FieldRule::UserId},
    {"attributes", "", FieldRule::Object},
};

const IdentifyField* fieldNamed(std::string_view key) {
  for (const auto& field : kIdentifyFields) {
    if (key == field.wireName || (!field.alias.empty() && key == field.alias)) return &field;
  }
  return nullptr;
}

Result<Json> tokenList(const Json& value, const std::string& name) {
  if (value.is_string()) return Json::array({value});
  bool allStrings = value.is_array();
  for (const auto& token : value.is_array() ? value : Json::array())
    allStrings &= token.is_string();
  if (allStrings) return value;
  return invalidArgument(name + " must be a string or an array of strings (got " +
                         describe(JsArg::fromJson(value)) + ")");
}

// Token lists and objects may be given as null to mean "none"; other fields send null as given.
bool leftOutWhenNull(FieldRule rule) {
  return rule == FieldRule::TokenList || rule == FieldRule::Object;
}

Result<Json> normalise(const IdentifyField& field, const Json& value, const std::string& name) {
  switch (field.rule) {
    case FieldRule::TokenList:
      return tokenList(value, name);
    case FieldRule::UserId: {
      auto id = userIdFrom(JsArg::fromJson(value), name);
      if (!id.ok()) return id.error();
      return Json(id.value());
    }
    case FieldRule::Object:
      return optionalObjectFrom(JsArg::fromJson(value), name);
    case FieldRule::AsGiven:
      break;
  }
  return value;
}

}  // namespace

Status addIdentifyAttributes(const JsArg& attributes, std::string_view name, Json& body) {
  auto object = optionalObjectFrom(attributes, name);
  if (!object.ok()) return object.error();
  if (object.value().is_null()) return {};

  Json extra = Json::object();  // unknown keys, bound for `attributes`
  for (const auto& [key, value] : object.value().items()) {
    const IdentifyField* field = fieldNamed(key);
    if (field == nullptr) {
      extra[key] = value;
      continue;
    }
    const bool isAlias = key != field->wireName;
    if (isAlias && object.value().contains(field->wireName)) continue;  // the wire spelling wins
    if (value.is_null() && leftOutWhenNull(field->rule)) continue;
    auto normalised = normalise(*field, value, std::string(name) + "." + key);
    if (!normalised.ok()) return normalised.error();
    body[std::string(field->wireName)] = std::move(normalised.value());
  }
  if (!extra.empty()) {
    Json& merged = body["attributes"];
    if (merged.is_null()) merged = Json::object();
    // Explicit `attributes` members win over loose keys of the same name, as the wire spelling
    // does.
    for (auto& [key, value] : extra.items()) {
      if (!merged.contains(key)) merged[key] = std::move(value);
    }
  }
  return {};
}

}  // namespace outbound
