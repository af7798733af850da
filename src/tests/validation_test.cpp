#include "core/validation.hpp"

#include <catch2/catch.hpp>

using namespace outbound;

namespace {
JsArg arg(JsKind kind, Json value = Json()) { return {kind, std::move(value)}; }
JsArg arg(JsKind kind, const char* text) { return {kind, Json::string(text)}; }
JsArg arg(JsKind kind, bool value) { return {kind, Json::boolean(value)}; }
// A number as JSON.stringify writes it.
JsArg number(const char* text) { return {JsKind::Number, Json::number(text)}; }
Json json(std::string_view text) { return parseJson(text); }
}  // namespace

TEST_CASE("user IDs: non-empty strings and finite numbers, numbers as JSON.stringify wrote them") {
  const std::pair<JsArg, const char*> accepted[] = {
      {arg(JsKind::String, "u1"), "u1"},
      {arg(JsKind::String, " "), " "},
      {arg(JsKind::String, "ü✓😀"), "ü✓😀"},
      {number("1"), "1"},
      {number("1.5"), "1.5"},
      {number("-7"), "-7"},
      {number("0"), "0"},
      {number("1e+21"), "1e+21"},
      {number("12345678901234567000"), "12345678901234567000"},
  };
  for (const auto& [input, expected] : accepted) {
    auto id = userIdFrom(input, "userId");
    REQUIRE(id.ok());
    CHECK(id.value() == expected);
  }
  const std::pair<JsArg, const char*> rejected[] = {
      {arg(JsKind::String, ""), "an empty string"},
      {arg(JsKind::Undefined), "undefined"},
      {arg(JsKind::Null), "null"},
      {arg(JsKind::NaN), "NaN"},
      {arg(JsKind::Infinity), "Infinity"},
      {arg(JsKind::NegativeInfinity), "-Infinity"},
      {arg(JsKind::BigInt), "a BigInt"},
      {arg(JsKind::Symbol), "a Symbol"},
      {arg(JsKind::Function), "a function"},
      {arg(JsKind::Boolean, true), "a boolean"},
      {arg(JsKind::Array, json("[]")), "an array"},
      {arg(JsKind::Object, json("{}")), "an object"},
      {arg(JsKind::Date, "2020-01-01T00:00:00.000Z"), "a Date"},
      {arg(JsKind::Object, "from toJSON"), "an object"},
  };
  for (const auto& [input, description] : rejected) {
    auto id = userIdFrom(input, "userId");
    REQUIRE_FALSE(id.ok());
    CHECK(id.error().message ==
          std::string("userId must be a non-empty string or a finite number (got ") + description +
              ")");
  }
}

TEST_CASE("event names and tokens: any non-empty string") {
  CHECK(nonEmptyStringFrom(arg(JsKind::String, "Signed Up"), "event").value() == "Signed Up");
  CHECK(nonEmptyStringFrom(arg(JsKind::String, "\n"), "event").value() == "\n");
  CHECK(nonEmptyStringFrom(number("3"), "event").error().message ==
        "event must be a non-empty string (got a number)");
  CHECK(nonEmptyStringFrom(arg(JsKind::String, ""), "token").error().message ==
        "token must be a non-empty string (got an empty string)");
}

TEST_CASE("properties: a plain object, or left out") {
  CHECK(optionalObjectFrom(arg(JsKind::Undefined), "properties").value().isNull());
  CHECK(optionalObjectFrom(arg(JsKind::Null), "properties").value().isNull());
  CHECK(optionalObjectFrom(arg(JsKind::Object, json(R"({"a":1})")), "properties").value() ==
        json(R"({"a":1})"));
  CHECK(optionalObjectFrom(arg(JsKind::Array, json("[]")), "properties").error().message ==
        "properties must be a plain object, undefined or null (got an array)");
  CHECK(optionalObjectFrom(arg(JsKind::String, "x"), "properties").error().message ==
        "properties must be a plain object, undefined or null (got a string)");
  CHECK(optionalObjectFrom(number("1"), "properties").error().message ==
        "properties must be a plain object, undefined or null (got a number)");
  CHECK(optionalObjectFrom(arg(JsKind::Boolean, false), "properties").error().message ==
        "properties must be a plain object, undefined or null (got a boolean)");
  CHECK(optionalObjectFrom(arg(JsKind::Date, "2020-01-01T00:00:00.000Z"), "properties")
            .error()
            .message == "properties must be a plain object, undefined or null (got a Date)");
  CHECK(optionalObjectFrom(arg(JsKind::Object, json("5")), "properties").error().message ==
        "properties must be a plain object (its toJSON() returned a number)");
}

TEST_CASE("timestamps: seconds, Dates and ISO strings become integer seconds") {
  const std::int64_t now = 1700000000789;
  const std::pair<JsArg, std::int64_t> accepted[] = {
      {arg(JsKind::Undefined), 1700000000},
      {arg(JsKind::Null), 1700000000},
      {number("0"), 0},
      {number("1700000000"), 1700000000},
      {number("1700000000.9"), 1700000000},
      {arg(JsKind::Date, "2023-11-14T22:13:20.789Z"), 1700000000},
      {arg(JsKind::Date, "1970-01-01T00:00:00.000Z"), 0},
      {arg(JsKind::String, "2000-02-29T12:00:00Z"), 951825600},
      {arg(JsKind::String, "2024-12-31T23:59:59.999Z"), 1735689599},
  };
  for (const auto& [input, expected] : accepted) {
    auto seconds = timestampFrom(input, "timestamp", now);
    REQUIRE(seconds.ok());
    CHECK(seconds.value() == expected);
  }
  const std::pair<JsArg, const char*> rejected[] = {
      {number("-1"),
       "timestamp must be a non-negative number of UNIX seconds or a Date (got a number)"},
      {arg(JsKind::NaN),
       "timestamp must be a non-negative number of UNIX seconds or a Date (got NaN)"},
      {arg(JsKind::Infinity),
       "timestamp must be a non-negative number of UNIX seconds or a Date (got Infinity)"},
      {arg(JsKind::String, "yesterday"),
       "timestamp must be a non-negative number of UNIX seconds or a Date (got a string)"},
      {arg(JsKind::Boolean, true),
       "timestamp must be a non-negative number of UNIX seconds or a Date (got a boolean)"},
      {arg(JsKind::Date, "+275760-09-13T00:00:00.000Z"),
       "timestamp is a Date outside the years 1970 to 9999"},
      {arg(JsKind::Date), "timestamp is an invalid Date"},
      {arg(JsKind::Date, "1969-12-31T23:59:59.000Z"),
       "timestamp must be a non-negative number of UNIX seconds or a Date (got a Date)"},
      {number("1700000000789"),
       "timestamp 1700000000789 is too large for UNIX seconds; pass seconds (Date.now() / 1000) or "
       "a Date"},
  };
  for (const auto& [input, message] : rejected) {
    auto seconds = timestampFrom(input, "timestamp", now);
    REQUIRE_FALSE(seconds.ok());
    CHECK(seconds.error().message == message);
  }
}

TEST_CASE("parseIsoUtcMs reads exactly what Date.prototype.toJSON writes") {
  CHECK(parseIsoUtcMs("1970-01-01T00:00:00.000Z") == 0);
  CHECK(parseIsoUtcMs("1970-01-01T00:00:01.001Z") == 1001);
  CHECK(parseIsoUtcMs("2023-11-14T22:13:20.789Z") == 1700000000789);
  CHECK(parseIsoUtcMs("1600-03-01T00:00:00.000Z") == -11670912000000);
  for (const char* bad :
       {"", "2023-11-14", "2023-11-14T22:13:20", "2023-11-14T22:13:20.7Z",
        "2023-13-14T22:13:20.000Z", "2023-11-14T24:00:00.000Z", "2023-11-14 22:13:20Z",
        "+02023-11-14T22:13:20.000Z", "2023-11-14T22:13:20.000+01:00", "abcd-ef-ghTij:kl:mnZ"}) {
    INFO(bad);
    CHECK_FALSE(parseIsoUtcMs(bad).has_value());
  }
}

TEST_CASE("campaign IDs: a non-empty array of strings or finite numbers, sent as given") {
  const Json ids = json(R"([1,"two",3.5])");
  CHECK(campaignIdsFrom(arg(JsKind::Array, ids), "campaignIds").value() == ids);
  CHECK(campaignIdsFrom(arg(JsKind::Array, json("[]")), "campaignIds").error().message ==
        "campaignIds must be a non-empty array of campaign IDs (got an array)");
  CHECK(campaignIdsFrom(number("3"), "campaignIds").error().message ==
        "campaignIds must be a non-empty array of campaign IDs (got a number)");
  CHECK(campaignIdsFrom(arg(JsKind::Array, json("[1,null]")), "campaignIds").error().message ==
        "campaignIds[1] must be a string or a finite number (got null)");
  CHECK(campaignIdsFrom(arg(JsKind::Array, json("[{}]")), "campaignIds").error().message ==
        "campaignIds[0] must be a string or a finite number (got an object)");
}
