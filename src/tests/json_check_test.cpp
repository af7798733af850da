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
                           "12345678901234567890123",
                           "1.7976931348623157e308",
                           "-1.7976931348623157e+308",
                           "0.0001e312",
                           "1e-400",
                           "0e999999999999999999",
                           "1e-99999999999999999999",
                           R"("\uDBFF\uDFFF")"}) {
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
                           "\"\xE2\x82\"",
                           "1e400",
                           "-1e309",
                           "1.8e308",
                           "[1e99999999999999999999]",
                           "10e308",
                           "0.001e312",
                           R"("\uD800")",
                           R"("\uDC00")",
                           R"("\uD800x")",
                           R"("\uD800\n")",
                           R"("\uD800\uD800")",
                           R"("\uDFFF\uDC00")",
                           R"({"\uDBFF":1})"}) {
    CHECK_FALSE(isWellFormedJson(text));
    agreesWithNlohmann(text);
  }
}

TEST_CASE("deep nesting is scanned without recursion") {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  CHECK(isWellFormedJson(deep));
  CHECK_FALSE(isWellFormedJson(std::string(100000, '[') + std::string(99999, ']')));
}

TEST_CASE("long integers are refused just when they overflow a double") {
  const std::string largest = "17976931348623157" + std::string(292, '0');  // 309 digits
  CHECK(isWellFormedJson(largest));
  agreesWithNlohmann(largest);
  for (const std::string& text : {"17976931348623159" + std::string(292, '0'),
                                  "1" + std::string(400, '0'), "-1" + std::string(309, '0')}) {
    CHECK_FALSE(isWellFormedJson(text));
    agreesWithNlohmann(text);
  }
}
