#include "core/methods.hpp"

#include "helpers.hpp"

using namespace outbound;
using namespace outbound::testing;

TEST_CASE("every method builds its path and exact body") {
  struct Case {
    const char* method;
    const char* encoded;
    const char* path;
    const char* body;
  };
  const std::string now = std::to_string(kNowSeconds);
  const Case cases[] = {
      {"identify", R"(so:["u1",{"email":"a@b.co"}])", "/identify",
       R"({"user_id":"u1","email":"a@b.co"})"},
      {"alias", R"(ss:["u1","anon-9"])", "/identify", R"({"user_id":"u1","previous_id":"anon-9"})"},
      {"alias", R"(nn:[1,2.5])", "/identify", R"({"user_id":"1","previous_id":"2.5"})"},
      {"track", R"(ssou:["u1","Signed Up",{"plan":"pro"},null])", "/track", nullptr},
      {"track", R"(sszn:["u1","Signed Up",null,1600000000])", "/track", nullptr},
      {"registerApnsToken", R"(ss:["u1","tok"])", "/apns/register",
       R"({"user_id":"u1","token":"tok"})"},
      {"registerGcmToken", R"(ss:["u1","tok"])", "/gcm/register",
       R"({"user_id":"u1","token":"tok"})"},
      {"disableApnsToken", R"(ss:["u1","tok"])", "/apns/disable",
       R"({"user_id":"u1","token":"tok"})"},
      {"disableGcmToken", R"(ss:["u1","tok"])", "/gcm/disable",
       R"({"user_id":"u1","token":"tok"})"},
      {"disableAllApnsTokens", R"(s:["u1"])", "/apns/disable", R"({"user_id":"u1","all":true})"},
      {"disableAllGcmTokens", R"(s:["u1"])", "/gcm/disable", R"({"user_id":"u1","all":true})"},
      {"subscribeAll", R"(s:["u1"])", "/subscribe/all", R"({"user_id":"u1"})"},
      {"unsubscribeAll", R"(n:[5])", "/unsubscribe/all", R"({"user_id":"5"})"},
      {"subscribeCampaigns", R"(sa:["u1",[1,"b"]])", "/subscribe/campaigns",
       R"({"user_id":"u1","campaign_ids":[1,"b"]})"},
      {"unsubscribeCampaigns", R"(sa:["u1",[3]])", "/unsubscribe/campaigns",
       R"({"user_id":"u1","campaign_ids":[3]})"},
  };
  for (const auto& c : cases) {
    INFO(c.method << " " << c.encoded);
    const HttpRequest request = requestOf(c.method, c.encoded);
    CHECK(request.path == c.path);
    CHECK(request.url == std::string("http://127.0.0.1:9/v2") + c.path);
    if (c.body != nullptr)
      CHECK(ReferenceJson::parse(request.body) == ReferenceJson::parse(c.body));
  }
  CHECK(bodyOf("track", R"(ssou:["u1","Signed Up",{"plan":"pro"},null])") ==
        ReferenceJson::parse(
            R"({"user_id":"u1","event":"Signed Up","properties":{"plan":"pro"},"timestamp":)" +
            now + "}"));
  CHECK(bodyOf("track", R"(sszn:["u1","Signed Up",null,1600000000])") ==
        ReferenceJson::parse(
            R"({"user_id":"u1","event":"Signed Up","properties":{},"timestamp":1600000000})"));
}

TEST_CASE("track keeps the caller's property order and values") {
  const std::string props =
      R"({"z":1,"a":"x","m":[1,2,{"k":null}],"unicode":"日本語 😀","neg":-0.5,"big":1e+300})";
  const HttpRequest request = requestOf("track", "sso:[\"u\",\"e\"," + props + "]");
  CHECK(request.body.find(R"("properties":{"z":1,"a":"x","m":[1,2,{"k":null}])") !=
        std::string::npos);
  CHECK(ReferenceJson::parse(request.body)["properties"] == ReferenceJson::parse(props));
}

TEST_CASE("track with a Date timestamp sends integer seconds") {
  CHECK(bodyOf("track", R"(ssud:["u","e",null,"2020-09-13T12:26:40.999Z"])")["timestamp"] ==
        1600000000);
}

TEST_CASE("track rejects each malformed argument, naming it") {
  const std::pair<const char*, const char*> cases[] = {
      {R"(usuu:[null,"e",null,null])",
       "track: userId must be a non-empty string or a finite number (got undefined)"},
      {R"(Nsuu:[null,"e",null,null])",
       "track: userId must be a non-empty string or a finite number (got NaN)"},
      {R"(suuu:["u",null,null,null])", "track: event must be a non-empty string (got undefined)"},
      {R"(ssuu:["u","",null,null])",
       "track: event must be a non-empty string (got an empty string)"},
      {R"(ssau:["u","e",[1],null])",
       "track: properties must be a plain object, undefined or null (got an array)"},
      {R"(sssu:["u","e","x",null])",
       "track: properties must be a plain object, undefined or null (got a string)"},
      {R"(ssun:["u","e",null,-5])",
       "track: timestamp must be a non-negative number of UNIX seconds or a Date (got a number)"},
      {R"(!{"arg":2,"path":".cart.items[3]","problem":"is a BigInt, which JSON cannot represent"})",
       "track: properties.cart.items[3] is a BigInt, which JSON cannot represent"},
  };
  for (const auto& [encoded, message] : cases) CHECK(errorOf("track", encoded) == message);
}

TEST_CASE("the other methods reject malformed arguments, naming them") {
  CHECK(errorOf("alias", R"(su:["u",null])") ==
        "alias: previousId must be a non-empty string or a finite number (got undefined)");
  CHECK(errorOf("registerApnsToken", R"(sn:["u",5])") ==
        "registerApnsToken: token must be a non-empty string (got a number)");
  CHECK(errorOf("disableGcmToken", R"(ss:["u",""])") ==
        "disableGcmToken: token must be a non-empty string (got an empty string)");
  CHECK(errorOf("subscribeAll", R"(b:[false])") ==
        "subscribeAll: userId must be a non-empty string or a finite number (got a boolean)");
  CHECK(errorOf("subscribeCampaigns", R"(sa:["u",[]])") ==
        "subscribeCampaigns: campaignIds must be a non-empty array of campaign IDs (got an array)");
  CHECK(errorOf("unsubscribeCampaigns", R"(su:["u",null])") ==
        "unsubscribeCampaigns: campaignIds must be a non-empty array of campaign IDs (got "
        "undefined)");
  CHECK(errorOf("nosuchMethod", R"(s:["u"])") == "nosuchMethod is not a method of the API");
}

namespace {
std::string eventsJson(size_t count) {
  ReferenceJson events = ReferenceJson::array();
  for (size_t i = 0; i < count; ++i)
    events.push_back({{"user_id", i}, {"event", "e" + std::to_string(i)}});
  return events.dump();
}
}  // namespace

TEST_CASE("trackBatch sends 1 to 100 events, each normalised like track") {
  for (size_t count : {size_t{1}, size_t{2}, size_t{50}, size_t{100}}) {
    const ReferenceJson body = bodyOf("trackBatch", "a:[" + eventsJson(count) + "]");
    REQUIRE(body.is_array());
    REQUIRE(body.size() == count);
    CHECK(body.back() == ReferenceJson{{"user_id", std::to_string(count - 1)},
                                       {"event", "e" + std::to_string(count - 1)},
                                       {"properties", ReferenceJson::object()},
                                       {"timestamp", kNowSeconds}});
  }
  CHECK(errorOf("trackBatch", "a:[" + eventsJson(0) + "]") ==
        "trackBatch: events must be an array of 1 to 100 events (got 0 events)");
  CHECK(errorOf("trackBatch", "a:[" + eventsJson(101) + "]") ==
        "trackBatch: events must be an array of 1 to 100 events (got 101 events)");
  CHECK(errorOf("trackBatch", R"(o:[{}])") ==
        "trackBatch: events must be an array of 1 to 100 events (got an object)");
  CHECK(errorOf("trackBatch", R"(u:[null])") ==
        "trackBatch: events must be an array of 1 to 100 events (got undefined)");
}

TEST_CASE("trackBatch events keep properties and timestamps, Dates included") {
  const ReferenceJson body = bodyOf(
      "trackBatch",
      R"(a:[[{"user_id":"a","event":"x","properties":{"k":[1]},"timestamp":5},{"user_id":2.5,"event":"y","timestamp":"2020-09-13T12:26:40.000Z"}]])");
  CHECK(
      body ==
      ReferenceJson::parse(
          R"([{"user_id":"a","event":"x","properties":{"k":[1]},"timestamp":5},{"user_id":"2.5","event":"y","properties":{},"timestamp":1600000000}])"));
}

TEST_CASE("trackBatch names the event and field that is wrong") {
  const std::pair<const char*, const char*> cases[] = {
      {R"(a:[[{"user_id":"a","event":"x"},5]])",
       "trackBatch: events[1] must be an object {user_id, event, properties?, timestamp?} (got a "
       "number)"},
      {R"(a:[[{"event":"x"}]])",
       "trackBatch: events[0].user_id must be a non-empty string or a finite number (got "
       "undefined)"},
      {R"(a:[[{"user_id":null,"event":"x"}]])",
       "trackBatch: events[0].user_id must be a non-empty string or a finite number (got null)"},
      {R"(a:[[{"user_id":"a"}]])",
       "trackBatch: events[0].event must be a non-empty string (got undefined)"},
      {R"(a:[[{"user_id":"a","event":"x","properties":[]}]])",
       "trackBatch: events[0].properties must be a plain object, undefined or null (got an array)"},
      {R"(a:[[{"user_id":"a","event":"x","timestamp":-1}]])",
       "trackBatch: events[0].timestamp must be a non-negative number of UNIX seconds or a Date "
       "(got a number)"},
      {R"(a:[[{"userId":"a","event":"x"}]])",
       "trackBatch: events[0] has an unknown field \"userId\"; the fields are user_id, event, "
       "properties and timestamp"},
  };
  for (const auto& [encoded, message] : cases) CHECK(errorOf("trackBatch", encoded) == message);
}

TEST_CASE("the method table lists the 14 methods of the API once each") {
  CHECK(apiMethods().size() == 14);
  for (const auto& method : apiMethods()) {
    CHECK(findMethod(method.name) == &method);
    CHECK(method.path.front() == '/');
    CHECK_FALSE(method.params.empty());
  }
}

TEST_CASE("the table says which calls are events and which may join a batch") {
  struct Case {
    const char* method;
    bool isEvent;
    bool batchable;
  };
  const Case cases[] = {{"track", true, true}, {"trackBatch", true, false}};
  for (const auto& method : apiMethods()) {
    INFO(method.name);
    Case expected{nullptr, false, false};
    for (const auto& c : cases) {
      if (method.name == c.method) expected = c;
    }
    CHECK(method.isEvent() == expected.isEvent);
    CHECK(method.batchable() == expected.batchable);
  }
}

TEST_CASE("the table as JavaScript sees it: every method with its parameters, in table order") {
  const ReferenceJson table = ReferenceJson::parse(methodTableJson());
  REQUIRE(table.size() == apiMethods().size());
  for (size_t i = 0; i < table.size(); ++i) {
    const MethodSpec& method = apiMethods()[i];
    CHECK(table[i] == ReferenceJson::array({std::string(method.name), method.paramNames}));
  }
  CHECK(table[2] ==
        ReferenceJson::parse(R"(["track",["userId","event","properties","timestamp"]])"));
}
