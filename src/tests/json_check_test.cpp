#include "core/json_check.hpp"

#include <catch2/catch.hpp>
#include <string>

#include "core/json.hpp"

using outbound::isWellFormedJson;
using outbound::Json;

namespace {
// The check must agree with nlohmann's own, on everything.
void agreesWithNlohmann(const std::string& text) {
  INFO(text);
  CHECK(isWellFormedJson(text) == Json::accept(text));
}
}  // namespace

TEST_CASE("well-formed JSON is accepted") {
  for (const char* text : {"{}",
                           "[]",
                           "0",
                           "-0",
                           "1.5",
                           "-1.5e-7",
                           "1E+21",
                           "true",
                           "false",
                           "null",
                           "\"\"",
                           R"("a\"b\\c\/d\b\f\n\r\t\u00e9\uD83D\uDE00")",
                           R"({"a":1,"b":[1,2,{"c":null}],"d":{}})",
                           " \t\n\r{ \"a\" : [ 1 , 2 ] } \n",
                           "[[[[[]]]]]",
                           R"({"":""})",
                           "\"日本語 😀\"",
                           R"({"k":"\u0000"})",
                           "[1,\"two\",true,false,null,{},[]]",
                           "12345678901234567890123"}) {
    CHECK(isWellFormedJson(text));
    agreesWithNlohmann(text);
  }
}

TEST_CASE("anything else is refused") {
  for (const char* text : {"",
                           " ",
                           "{",
                           "}",
                           "[",
                           "]",
                           "{]",
                           "[}",
                           "{\"a\"}",
                           "{\"a\":}",
                           "{\"a\":1,}",
                           "[1,]",
                           "[,1]",
                           "{,}",
                           "{1:2}",
                           "01",
                           "1.",
                           ".5",
                           "-",
                           "+1",
                           "1e",
                           "1e+",
                           "0x1",
                           "NaN",
                           "Infinity",
                           "tru",
                           "nul",
                           "True",
                           "\"abc",
                           "\"a\\x\"",
                           "\"\\u12G4\"",
                           "\"\\u12\"",
                           "\"\t\"",
                           "\"\n\"",
                           "1 2",
                           "{} {}",
                           "[1] x",
                           "'a'",
                           "{\"a\" 1}",
                           "[1 2]",
                           "\"\xC3\"",
                           "\"\xC0\xAF\"",
                           "\"\xED\xA0\x80\"",
                           "\"\xF4\x90\x80\x80\"",
                           "\"\xFF\"",
                           "\"\xE2\x82\""}) {
    CHECK_FALSE(isWellFormedJson(text));
    agreesWithNlohmann(text);
  }
}

TEST_CASE("deep nesting is scanned without recursion") {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  CHECK(isWellFormedJson(deep));
  CHECK_FALSE(isWellFormedJson(std::string(100000, '[') + std::string(99999, ']')));
}
