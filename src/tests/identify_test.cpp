#include "helpers.hpp"

using namespace outbound;
using namespace outbound::testing;

namespace {
ReferenceJson identifyBody(const std::string& attributes) {
  return bodyOf("identify", "so:[\"u1\"," + attributes + "]");
}
}  // namespace

TEST_CASE("identify maps attributes onto wire fields, in either spelling") {
  const std::pair<const char*, const char*> cases[] = {
      {R"({})", R"({"user_id":"u1"})"},
      {R"({"firstName":"Ada","lastName":"Lovelace"})",
       R"({"user_id":"u1","first_name":"Ada","last_name":"Lovelace"})"},
      {R"({"first_name":"Ada","last_name":"L"})",
       R"({"user_id":"u1","first_name":"Ada","last_name":"L"})"},
      {R"({"email":"ada@example.com"})", R"({"user_id":"u1","email":"ada@example.com"})"},
      {R"({"phoneNumber":"+15555550100"})", R"({"user_id":"u1","phone_number":"+15555550100"})"},
      {R"({"timezone":"America/Los_Angeles"})",
       R"({"user_id":"u1","timezone":"America/Los_Angeles"})"},
      {R"({"apnsTokens":"t1"})", R"({"user_id":"u1","apns":["t1"]})"},
      {R"({"apns":["t1","t2"]})", R"({"user_id":"u1","apns":["t1","t2"]})"},
      {R"({"gcmTokens":["g1"]})", R"({"user_id":"u1","gcm":["g1"]})"},
      {R"({"gcm":"g1"})", R"({"user_id":"u1","gcm":["g1"]})"},
      {R"({"groupId":"acme"})", R"({"user_id":"u1","group_id":"acme"})"},
      {R"({"groupId":7})", R"({"user_id":"u1","group_id":7})"},
      {R"({"groupAttributes":{"plan":"pro"}})",
       R"({"user_id":"u1","group_attributes":{"plan":"pro"}})"},
      {R"({"previousId":42})", R"({"user_id":"u1","previous_id":"42"})"},
      {R"({"previous_id":"anon-1"})", R"({"user_id":"u1","previous_id":"anon-1"})"},
      {R"({"attributes":{"city":"San Francisco"}})",
       R"({"user_id":"u1","attributes":{"city":"San Francisco"}})"},
      // Unknown keys move into attributes rather than being dropped.
      {R"({"city":"San Francisco","plan":"pro"})",
       R"({"user_id":"u1","attributes":{"city":"San Francisco","plan":"pro"}})"},
      {R"({"attributes":{"a":1},"b":2})", R"({"user_id":"u1","attributes":{"a":1,"b":2}})"},
      {R"({"b":2,"attributes":{"a":1}})", R"({"user_id":"u1","attributes":{"a":1,"b":2}})"},
      // Where both spellings are given, the wire spelling wins, whatever the order.
      {R"({"firstName":"A","first_name":"B"})", R"({"user_id":"u1","first_name":"B"})"},
      {R"({"first_name":"B","firstName":"A"})", R"({"user_id":"u1","first_name":"B"})"},
      {R"({"apnsTokens":"x","apns":["y"]})", R"({"user_id":"u1","apns":["y"]})"},
      // An explicit attributes member wins over a loose key of the same name.
      {R"({"city":"loose","attributes":{"city":"explicit"}})",
       R"({"user_id":"u1","attributes":{"city":"explicit"}})"},
      // null means "none" for objects and token lists, and is sent as given elsewhere.
      {R"({"groupAttributes":null,"apnsTokens":null,"attributes":null})", R"({"user_id":"u1"})"},
      {R"({"email":null})", R"({"user_id":"u1","email":null})"},
      {R"({"nested":{"deep":[1,{"x":"y"}]}})",
       R"({"user_id":"u1","attributes":{"nested":{"deep":[1,{"x":"y"}]}}})"},
  };
  for (const auto& [attributes, expected] : cases) {
    INFO(attributes);
    CHECK(identifyBody(attributes) == ReferenceJson::parse(expected));
  }
}

TEST_CASE("identify with no attributes sends only the user ID") {
  CHECK(bodyOf("identify", R"(su:["u1",null])") == ReferenceJson::parse(R"({"user_id":"u1"})"));
  CHECK(bodyOf("identify", R"(sz:["u1",null])") == ReferenceJson::parse(R"({"user_id":"u1"})"));
  CHECK(bodyOf("identify", R"(nu:[7,null])") == ReferenceJson::parse(R"({"user_id":"7"})"));
}

TEST_CASE("identify rejects malformed attributes, naming the field") {
  const std::pair<const char*, const char*> cases[] = {
      {R"(sa:["u1",[]])",
       "identify: attributes must be a plain object, undefined or null (got an array)"},
      {R"(ss:["u1","x"])",
       "identify: attributes must be a plain object, undefined or null (got a string)"},
      {R"(sn:["u1",1])",
       "identify: attributes must be a plain object, undefined or null (got a number)"},
      {R"(sb:["u1",true])",
       "identify: attributes must be a plain object, undefined or null (got a boolean)"},
      {R"(so:["u1",{"apnsTokens":5}])",
       "identify: attributes.apnsTokens must be a string or an array of strings (got a number)"},
      {R"(so:["u1",{"gcm":["a",1]}])",
       "identify: attributes.gcm must be a string or an array of strings (got an array)"},
      {R"(so:["u1",{"previousId":""}])",
       "identify: attributes.previousId must be a non-empty string or a finite number (got an "
       "empty string)"},
      {R"(so:["u1",{"previous_id":null}])",
       "identify: attributes.previous_id must be a non-empty string or a finite number (got null)"},
      {R"(so:["u1",{"groupAttributes":[1]}])",
       "identify: attributes.groupAttributes must be a plain object, undefined or null (got an "
       "array)"},
      {R"(so:["u1",{"attributes":"x"}])",
       "identify: attributes.attributes must be a plain object, undefined or null (got a string)"},
      {R"(uo:[null,{}])",
       "identify: userId must be a non-empty string or a finite number (got undefined)"},
  };
  for (const auto& [encoded, message] : cases) {
    CHECK(errorOf("identify", encoded) == message);
  }
}
