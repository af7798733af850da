#include <cctype>
#include <tuple>
#include <vector>

#include "helpers.hpp"

using namespace outbound;
using namespace outbound::testing;

TEST_CASE("the constructor needs a non-empty string key") {
  const std::pair<const char*, const char*> cases[] = {
      {R"(uu:[null,null])", "new outbound(): apiKey must be a non-empty string (got undefined)"},
      {R"(su:["",null])",
       "new outbound(): apiKey must be a non-empty string (got an empty string)"},
      {R"(nu:[5,null])", "new outbound(): apiKey must be a non-empty string (got a number)"},
      {R"(oo:[{},{}])", "new outbound(): apiKey must be a non-empty string (got an object)"},
      {R"(sa:["k",[]])",
       "new outbound(): options must be a plain object, undefined or null (got an array)"},
      {R"(so:["k",{"baseUrl":"ftp://x"}])",
       "new outbound(): options.baseUrl must be http:// or https:// followed by a host"},
      {R"(so:["k",{"baseUrl":"http://"}])",
       "new outbound(): options.baseUrl must be http:// or https:// followed by a host"},
      {R"(so:["k",{"baseUrl":"https:///"}])",
       "new outbound(): options.baseUrl must be http:// or https:// followed by a host"},
      {R"(so:["k",{"baseUrl":"http:///v2"}])",
       "new outbound(): options.baseUrl must be http:// or https:// followed by a host"},
      {R"(so:["k",{"baseUrl":""}])",
       "new outbound(): options.baseUrl must be a non-empty string (got an empty string)"},
      {R"(so:["k",{"timeout":0}])",
       "new outbound(): options.timeout must be a whole number from 1 to 3600000 (got a number)"},
      {R"(so:["k",{"timeout":"5"}])",
       "new outbound(): options.timeout must be a whole number from 1 to 3600000 (got a string)"},
      {R"(so:["k",{"debug":1}])",
       "new outbound(): options.debug must be true or false (got a number)"},
      {R"(so:["k",{"disabled":"yes"}])",
       "new outbound(): options.disabled must be true or false (got a string)"},
      {R"(so:["k",{"fetch":{}}])",
       "new outbound(): options.fetch must be a function (got an object)"},
      {R"(so:["k",{"maxBodyBytes":1.5}])",
       "new outbound(): options.maxBodyBytes must be a whole number from 1 to 1000000000 (got a "
       "number)"},
  };
  for (const auto& [encoded, message] : cases) {
    auto setup = readConstructorArgs(encoded);
    INFO(encoded);
    REQUIRE_FALSE(setup.ok());
    CHECK(setup.error().message == message);
  }
}

TEST_CASE("options have documented defaults and are applied") {
  auto defaults = readConstructorArgs(R"(s:["k"])");
  REQUIRE(defaults.ok());
  CHECK(defaults.value().options.baseUrl == "https://api.outbound.io/v2");
  CHECK(defaults.value().options.timeoutMs == 10000);
  CHECK(defaults.value().options.maxBodyBytes == 1048576);

  auto set = readConstructorArgs(
      R"(so:["k",{"baseUrl":"http://localhost:8080/v2//","timeout":250,"maxBodyBytes":64,"retries":2,"timout":1}])");
  REQUIRE(set.ok());
  CHECK(set.value().apiKey == "k");
  CHECK(set.value().options.baseUrl == "http://localhost:8080/v2");
  CHECK(set.value().options.timeoutMs == 250);
  CHECK(set.value().options.maxBodyBytes == 64);
  CHECK(set.value().warnings ==
        std::vector<std::string>{
            "outbound: ignoring unknown option \"timout\" (known: baseUrl, "
            "timeout, maxBodyBytes, retries, batch, persist, maxInFlight, onError, fetch, "
            "debug, disabled)"});
  CHECK_FALSE(defaults.value().options.debug);
  CHECK_FALSE(defaults.value().options.disabled);
  auto switches = readConstructorArgs(R"(so:["k",{"debug":true,"disabled":true,"fetch":null}])");
  REQUIRE(switches.ok());
  CHECK(switches.value().options.debug);
  CHECK(switches.value().options.disabled);
}

TEST_CASE("every request carries the three headers") {
  const Client client = testClient();
  REQUIRE(client.headers().size() == 3);
  CHECK(client.headers()[0] ==
        std::make_pair(std::string("Content-Type"), std::string("application/json")));
  CHECK(client.headers()[1] == std::make_pair(std::string("X-Outbound-Key"), std::string(kKey)));
  CHECK(client.headers()[2].first == "X-Outbound-Client");
  CHECK(client.headers()[2].second == std::string("outbound-wasm/") + OUTBOUND_VERSION);
}

TEST_CASE("a body over maxBodyBytes is refused before sending, with its size") {
  auto setup = readConstructorArgs(R"(so:["k",{"maxBodyBytes":60}])");
  REQUIRE(setup.ok());
  const Client client(setup.value());
  CHECK(client.prepare("subscribeAll", R"(s:["u"])", kNowMs).ok());
  auto tooBig =
      client.prepare("track", R"(sso:["u","e",{"text":"aaaaaaaaaaaaaaaaaaaaaaaaa"}])", kNowMs);
  REQUIRE_FALSE(tooBig.ok());
  CHECK(tooBig.error().message ==
        "track: the request body would be 100 bytes, over maxBodyBytes (60); nothing was sent");
}

TEST_CASE("outcomes: only 2xx succeeds, failure statuses are received calls, no answer is not") {
  const Client client = testClient();
  const HttpRequest request = requestOf("track", R"(ss:["u","e"])");
  for (int status : {200, 201, 204, 299}) {
    CHECK_FALSE(client.outcome("track", request.path, {status, "", ""}).has_value());
  }
  for (int status : {400, 401, 404, 413, 429, 500, 503}) {
    auto error = client.outcome("track", request.path, {status, R"({"error":"bad"})", ""});
    REQUIRE(error.has_value());
    CHECK(error->receivedCall);
    CHECK(error->status == status);
    CHECK(error->message == "track: the server answered " + std::to_string(status) +
                                " to POST /track: {\"error\":\"bad\"}");
  }
  auto refused = client.outcome("track", request.path, {0, "connect ECONNREFUSED 127.0.0.1:9", ""});
  REQUIRE(refused.has_value());
  CHECK_FALSE(refused->receivedCall);
  CHECK(refused->status == 0);
  CHECK(refused->message ==
        "track: could not reach http://127.0.0.1:9/v2/track: connect ECONNREFUSED 127.0.0.1:9");
  auto timedOut = client.outcome("track", request.path, {0, "", ""});
  REQUIRE(timedOut.has_value());
  CHECK_FALSE(timedOut->receivedCall);
  CHECK(timedOut->message ==
        "track: no answer from http://127.0.0.1:9/v2/track within 10000 ms (timeout); the call may "
        "not have arrived");
  // A status below 1 is no answer: the error carries none (what the fuzz harness checks too).
  auto negative = client.outcome("track", request.path, {-1, "", ""});
  REQUIRE(negative.has_value());
  CHECK_FALSE(negative->receivedCall);
  CHECK(negative->status == 0);
}

TEST_CASE("outcomes: a redirect is not a delivery, and its message names where it leads") {
  const Client client = testClient();
  for (int status : {300, 301, 302, 303, 307, 308, 399}) {
    INFO(status);
    auto error = client.outcome(
        "track", "/track",
        {status, "", "content-type: text/plain\r\nlocation: https://x.io/v3/track\r\n"});
    REQUIRE(error.has_value());
    CHECK(error->receivedCall);
    CHECK(error->status == status);
    CHECK(error->message.find("track: the server answered " + std::to_string(status) +
                              " to POST /track, redirecting to https://x.io/v3/track; ") == 0);
    CHECK(error->message.find("options.baseUrl") != std::string::npos);
  }
  auto nowhere = client.outcome("track", "/track", {301, "", ""});
  REQUIRE(nowhere.has_value());
  CHECK(nowhere->message.find("redirecting to nowhere (no Location)") != std::string::npos);

  auto followed = client.outcome(
      "track", "/track", {200, "{}", "x-outbound-redirected-to: https://x.io/v3/track\r\n"});
  REQUIRE(followed.has_value());
  CHECK(followed->receivedCall);
  CHECK(followed->status == 200);
  CHECK(followed->message.find("track: POST /track was redirected to https://x.io/v3/track, "
                               "which answered 200, but fetch does not say") == 0);
}

TEST_CASE("a redirect's Location is quoted without the key") {
  const Client client = testClient();
  auto error = client.outcome(
      "track", "/track", {307, "", std::string("location: https://x.io/?key=") + kKey + "\r\n"});
  REQUIRE(error.has_value());
  CHECK(error->message.find(kKey) == std::string::npos);
  CHECK(error->message.find("https://x.io/?key=[API key]") != std::string::npos);
}

TEST_CASE("options.maxInFlight and options.onError") {
  auto setup = readConstructorArgs(R"(so:["k",{"maxInFlight":2,"onError":null}])");
  REQUIRE(setup.ok());
  CHECK(setup.value().options.maxInFlight == 2);
  CHECK(setup.value().warnings.empty());
  CHECK(readConstructorArgs(R"(so:["k",{}])").value().options.maxInFlight == 6);
  for (const char* bad : {R"(so:["k",{"maxInFlight":0}])", R"(so:["k",{"maxInFlight":101}])",
                          R"(so:["k",{"maxInFlight":1.5}])"}) {
    auto refused = readConstructorArgs(bad);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().message.find(
              "options.maxInFlight must be a whole number from 1 to 100") != std::string::npos);
  }
  auto notAFunction = readConstructorArgs(R"(so:["k",{"onError":"log"}])");
  REQUIRE_FALSE(notAFunction.ok());
  CHECK(notAFunction.error().message ==
        "new outbound(): options.onError must be a function (got a string)");
}

TEST_CASE("a key that is part of the placeholder or of our own words is still removed, once") {
  for (const char* key : {"k", "e", "API", "key", "[API", "kk"}) {
    auto setup = readConstructorArgs(std::string("so:[\"") + key + "\",{}]");
    REQUIRE(setup.ok());
    const Client client(setup.value());
    INFO(key);
    auto invalid = client.prepare("track", R"(ss:["","x"])", kNowMs);
    REQUIRE_FALSE(invalid.ok());
    CHECK(invalid.error().message ==
          "track: userId must be a non-empty string or a finite number (got an empty string)");
    auto echoed = client.outcome("track", "/track", {401, std::string("bad:") + key + key, ""});
    REQUIRE(echoed.has_value());
    CHECK(echoed->message ==
          "track: the server answered 401 to POST /track: bad:[API key][API key]");
  }
}

TEST_CASE("a long reply is cut, and the key never appears even if the server echoes it") {
  const Client client = testClient();
  const HttpRequest request = requestOf("track", R"(ss:["u","e"])");
  auto echoed =
      client.outcome("track", request.path, {401, std::string("unknown key ") + kKey, ""});
  REQUIRE(echoed.has_value());
  CHECK(echoed->message.find(kKey) == std::string::npos);
  CHECK(echoed->message == "track: the server answered 401 to POST /track: unknown key [API key]");
  // The transport hands over the first kReplyReadLimit bytes at most; the size is the declared one.
  const std::string start(kReplyReadLimit, 'x');
  const std::string quotedStart =
      "track: the server answered 500 to POST /track: " + std::string(500, 'x') + "… (";
  for (const auto& [body, headers, size] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {start, "content-length: 100000\r\n", "100000 bytes)"},
           {start, "", "more than 4096 bytes)"},
           {std::string(600, 'x'), "", "600 bytes)"}}) {
    auto longReply = client.outcome("track", request.path, {500, body, headers});
    REQUIRE(longReply.has_value());
    CHECK(longReply->message == quotedStart + size);
  }
}

TEST_CASE("a key echoed in another letter case, JSON-escaped or percent-encoded is not shown") {
  // A key with the three characters JSON escapes with a backslash.
  auto setup = readConstructorArgs(R"(so:["sk_live/\"quoted\"\\path_99",{}])");
  REQUIRE(setup.ok());
  REQUIRE(setup.value().apiKey == R"(sk_live/"quoted"\path_99)");
  const Client client(setup.value());
  const std::string echoes[] = {
      R"(sk_live/"quoted"\path_99)",
      R"(SK_LIVE/"QUOTED"\PATH_99)",
      R"(sk_live/\"quoted\"\\path_99)",
      R"(sk_live\/\"quoted\"\\path_99)",
      R"(\u0073k_live/\u0022quoted\u0022\u005Cpath_99)",
      "sk_live%2F%22quoted%22%5Cpath_99",
      "sk_live%2f%22quoted%22%5cpath_99",
      R"(Sk%5Flive\/\"QUOTED%22\\path_%39%39)",
  };
  std::string body = "invalid key:";
  std::string expected = "track: the server answered 400 to POST /track: invalid key:";
  for (const auto& echo : echoes) {
    body += " " + echo;
    expected += " [API key]";
  }
  auto error = client.outcome("track", "/track", {400, body, ""});
  REQUIRE(error.has_value());
  CHECK(error->message == expected);
  const auto lower = [](std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
  };
  for (const auto& echo : echoes) {
    INFO(echo);
    CHECK(lower(error->message).find(lower(echo)) == std::string::npos);
  }
}

TEST_CASE("a key that cannot travel as an HTTP header is refused at construction") {
  for (const char* encoded : {R"(su:["key\nX-Injected: 1",null])", R"(su:["k\u00e9y",null])",
                              R"(su:["two words",null])", R"(su:["nul\u0000",null])"}) {
    INFO(encoded);
    auto setup = readConstructorArgs(encoded);
    REQUIRE_FALSE(setup.ok());
    CHECK(setup.error().message ==
          "new outbound(): apiKey must be printable ASCII without spaces (it is sent as the "
          "X-Outbound-Key header)");
  }
}

TEST_CASE("a refusal that quotes the caller's text never carries the key") {
  const Client client = testClient();
  auto unknownField =
      client.prepare("trackBatch", std::string(R"(a:[[{")") + kKey + R"(":1}]])", kNowMs);
  REQUIRE_FALSE(unknownField.ok());
  CHECK(unknownField.error().message.find(kKey) == std::string::npos);
  auto path = client.prepare(
      "track", std::string(R"(!{"arg":2,"path":".)") + kKey + R"(","problem":"x"})", kNowMs);
  REQUIRE_FALSE(path.ok());
  CHECK(path.error().message.find(kKey) == std::string::npos);
}
