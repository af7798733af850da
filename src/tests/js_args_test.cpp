#include "core/js_args.hpp"

#include <catch2/catch.hpp>

using namespace outbound;

namespace {
const std::vector<std::string> kNames{"userId", "event", "properties", "timestamp"};
}

TEST_CASE("decodeJsArgs reads a kind and a JSON value per argument") {
  auto args = decodeJsArgs(R"(snou:["u1",2,{"a":[1,{"b":null}]},null])", kNames);
  REQUIRE(args.ok());
  REQUIRE(args.value().size() == 4);
  CHECK(args.value()[0].kind == JsKind::String);
  CHECK(args.value()[0].value.text() == "u1");
  CHECK(args.value()[1].kind == JsKind::Number);
  CHECK(args.value()[1].value.text() == "2");
  CHECK(args.value()[2].raw == R"({"a":[1,{"b":null}]})");
  CHECK(args.value()[2].json().find("a")->elements()[1].find("b")->isNull());
  CHECK(args.value()[3].kind == JsKind::Undefined);
  CHECK(args.value()[3].omitted());
  CHECK_FALSE(args.value()[0].omitted());
}

TEST_CASE("every kind letter is understood and described") {
  const std::pair<const char*, const char*> cases[] = {
      {R"(s:["x"])", "a string"},
      {R"(s:[""])", "an empty string"},
      {"n:[1]", "a number"},
      {"b:[true]", "a boolean"},
      {"z:[null]", "null"},
      {"u:[null]", "undefined"},
      {"N:[null]", "NaN"},
      {"I:[null]", "Infinity"},
      {"i:[null]", "-Infinity"},
      {"B:[null]", "a BigInt"},
      {"S:[null]", "a Symbol"},
      {"F:[null]", "a function"},
      {R"(d:["2020-01-01T00:00:00.000Z"])", "a Date"},
      {"a:[[]]", "an array"},
      {"o:[{}]", "an object"},
      {R"(x:["Map"])", "a Map"},
      {R"(x:["Uint8Array"])", "a Uint8Array"},
      {R"(x:["Error"])", "an Error"},
  };
  for (const auto& [encoded, description] : cases) {
    INFO(encoded);
    auto args = decodeJsArgs(encoded, kNames);
    REQUIRE(args.ok());
    CHECK(describe(args.value()[0]) == description);
  }
}

TEST_CASE("a value JSON.stringify threw on is reported with its path") {
  auto args = decodeJsArgs(
      R"js(!{"arg":2,"path":".cart.items[3]","problem":"refers back to an enclosing object (a cycle)"})js",
      kNames);
  REQUIRE_FALSE(args.ok());
  CHECK(args.error().message ==
        "properties.cart.items[3] refers back to an enclosing object (a cycle)");
  CHECK_FALSE(args.error().receivedCall);
}

TEST_CASE("nesting deeper than the limit is refused, naming the argument") {
  const int depth = kMaxNestingDepth + 1;
  const std::string deep = std::string(depth, '[') + std::string(depth, ']');
  auto args = decodeJsArgs("sso:[\"u\",\"e\"," + deep + "]", kNames);
  REQUIRE_FALSE(args.ok());
  CHECK(args.error().message == "properties is nested more than 100 levels deep");

  const std::string deepest =
      std::string(kMaxNestingDepth, '[') + std::string(kMaxNestingDepth, ']');
  CHECK(decodeJsArgs("sso:[\"u\",\"e\"," + deepest + "]", kNames).ok());
}

TEST_CASE("brackets inside strings do not count as nesting") {
  const std::string text = std::string(300, '[');
  auto args = decodeJsArgs("s:[\"" + text + "\"]", kNames);
  REQUIRE(args.ok());
  CHECK(args.value()[0].value.text() == text);
}

TEST_CASE("lone surrogates become U+FFFD, pairs are kept") {
  auto args = decodeJsArgs(R"(ssss:["a\ud800b","\udc00","\ud83d\ude00","\\ud800"])", kNames);
  REQUIRE(args.ok());
  CHECK(args.value()[0].value.text() ==
        "a\xEF\xBF\xBD"
        "b");
  CHECK(args.value()[1].value.text() == "\xEF\xBF\xBD");
  CHECK(args.value()[2].value.text() == "\xF0\x9F\x98\x80");
  CHECK(args.value()[3].value.text() == "\\ud800");  // an escaped backslash, not an escape
}

TEST_CASE("surrogate escapes are found in either case of hex digit") {
  auto args = decodeJsArgs(R"(ss:["\uD800x","\uD83D\uDE00"])", kNames);
  REQUIRE(args.ok());
  CHECK(args.value()[0].value.text() == "\xEF\xBF\xBDx");
  CHECK(args.value()[1].value.text() == "\xF0\x9F\x98\x80");
}

TEST_CASE("malformed encodings are refused without crashing") {
  const char* cases[] = {
      "",
      "s",
      "s:",
      "s:[",
      "ss:[\"a\"]",
      "s:[1]",
      "n:[\"1\"]",
      "x:[1]",
      "u:[1]",
      "a:[{}]",
      "!",
      "!{}",
      "!{\"arg\":\"x\",\"path\":5}",
      "!{\"arg\":99}",
      "s:[\"\\ud800",
      "b:[null]",
      ":[]x",
  };
  for (const char* encoded : cases) {
    INFO(encoded);
    CHECK_FALSE(decodeJsArgs(encoded, kNames).ok());
  }
}

TEST_CASE("fromJson gives kinds by JSON type") {
  CHECK(JsArg::fromJson(Json::string("x")).kind == JsKind::String);
  CHECK(JsArg::fromJson(Json::number("1")).kind == JsKind::Number);
  CHECK(JsArg::fromJson(Json::number("1.5")).kind == JsKind::Number);
  CHECK(JsArg::fromJson(Json::number("-1")).kind == JsKind::Number);
  CHECK(JsArg::fromJson(Json::boolean(true)).kind == JsKind::Boolean);
  CHECK(JsArg::fromJson(Json()).kind == JsKind::Null);
  CHECK(JsArg::fromJson(Json::array()).kind == JsKind::Array);
  CHECK(JsArg::fromJson(Json::object()).kind == JsKind::Object);
}
