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
  if (value.isString()) {
    Json list = Json::array();
    list.push(value);
    return list;
  }
  bool allStrings = value.isArray();
  for (const auto& token : value.elements()) allStrings &= token.isString();
  if (allStrings) return value;
  return mustBe(name, "a string or an array of strings", JsArg::fromJson(value));
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
      return Json::string(id.value());
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
  if (object.value().isNull()) return {};

  const Json& given = object.value();
  Json extra = Json::object();  // unknown keys, bound for `attributes`
  for (size_t i = 0; i < given.size(); ++i) {
    const std::string& key = given.keys()[i];
    const Json& value = given.elements()[i];
    const IdentifyField* field = fieldNamed(key);
    if (field == nullptr) {
      extra.append(key, value);  // keys of one object are distinct
      continue;
    }
    const bool isAlias = key != field->wireName;
    if (isAlias && given.find(field->wireName) != nullptr) continue;  // the wire spelling wins
    if (value.isNull() && leftOutWhenNull(field->rule)) continue;
    auto normalised = normalise(*field, value, std::string(name) + "." + key);
    if (!normalised.ok()) return normalised.error();
    body.set(field->wireName, std::move(normalised.value()));
  }
  if (extra.empty()) return {};
  const Json* explicitAttributes = body.find("attributes");
  if (explicitAttributes == nullptr) {
    body.set("attributes", std::move(extra));
    return {};
  }
  // Explicit `attributes` members win over loose keys of the same name, as the wire spelling
  // does.
  Json merged = *explicitAttributes;
  for (size_t i = 0; i < extra.size(); ++i) {
    if (explicitAttributes->find(extra.keys()[i]) == nullptr) {
      merged.append(extra.keys()[i], extra.elements()[i]);
    }
  }
  body.set("attributes", std::move(merged));
  return {};
}

}  // namespace outbound
