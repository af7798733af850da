#include "core/json.hpp"

#include <string>

#include "helpers.hpp"

using namespace outbound;
using outbound::testing::ReferenceJson;

namespace {
// Whether `text` is one JSON value, as readJsonArrayElements checks it: the array around it reads
// as one element, with no lone surrogate let through.
bool isWellFormedJson(const std::string& text) {
  JsonArrayElements read;
  return readJsonArrayElements("[" + text + "]", read) && read.elements.size() == 1 &&
         read.loneSurrogates.empty();
}

// The check and the reader must agree with nlohmann's, on everything; what the reader builds,
// written out again, must be what nlohmann reads in the text.
void agreesWithNlohmann(const std::string& text) {
  INFO(text);
  const bool accepted = ReferenceJson::accept(text);
  CHECK(isWellFormedJson(text) == accepted);
  const Json read = parseJson(text);
  CHECK(read.isInvalid() == !accepted);
  if (accepted) CHECK(ReferenceJson::parse(toJsonText(read)) == ReferenceJson::parse(text));
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

TEST_CASE("strings are read with their escapes and written as JSON.stringify writes them") {
  const Json read = parseJson(R"("a\"b\\c\/d\b\f\n\r\t\u00e9\uD83D\uDE00\u0001\u007f")");
  REQUIRE(read.isString());
  CHECK(read.text() == "a\"b\\c/d\b\f\n\r\t\u00e9\U0001F600\x01\x7f");
  CHECK(toJsonText(read) == "\"a\\\"b\\\\c/d\\b\\f\\n\\r\\t\u00e9\U0001F600\\u0001\x7f\"");
  CHECK(toJsonText(read) == ReferenceJson(read.text()).dump());
}

TEST_CASE("numbers keep the text they came as; values are read from it when asked") {
  const Json read = parseJson("[1E+21, -0, 1.50, 12345678901234567890123, 0.1]");
  REQUIRE(read.isArray());
  CHECK(toJsonText(read) == "[1E+21,-0,1.50,12345678901234567890123,0.1]");
  CHECK(read.elements()[0].numberValue() == 1e21);
  CHECK(read.elements()[4].numberValue() == 0.1);
  CHECK_FALSE(read.elements()[0].integerValue().has_value());
  CHECK(parseJson("-9223372036854775808").integerValue() == INT64_MIN);
  CHECK(parseJson("9223372036854775807").integerValue() == INT64_MAX);
  CHECK_FALSE(parseJson("9223372036854775808").integerValue().has_value());
  CHECK_FALSE(parseJson("1.0").integerValue().has_value());
  CHECK(toJsonText(Json::integer(-42)) == "-42");
}

TEST_CASE("objects keep their members in the order given") {
  Json object = parseJson(R"({"b":1,"a":{"d":[],"c":{}},"é":null})");
  REQUIRE(object.isObject());
  CHECK(object.keys() == std::vector<std::string>{"b", "a", "é"});
  REQUIRE(object.find("a") != nullptr);
  CHECK(toJsonText(*object.find("a")) == R"({"d":[],"c":{}})");
  CHECK(object.find("c") == nullptr);
  object.set("b", Json::string("x"));
  object.set("z", Json::boolean(false));
  CHECK(toJsonText(object) == R"({"b":"x","a":{"d":[],"c":{}},"é":null,"z":false})");
}

TEST_CASE("a tree deeper than the reader builds is refused; checking alone follows any depth") {
  const std::string fine = std::string(512, '[') + std::string(512, ']');
  CHECK(parseJson(fine).isArray());
  const std::string deep = std::string(513, '[') + std::string(513, ']');
  CHECK(parseJson(deep).isInvalid());
  CHECK(isWellFormedJson(deep));
}

TEST_CASE("an array's elements are found in one pass, with their depth") {
  const std::string text = R"([ "a,]" , {"b":[1,{}]},[],3 ,null])";
  JsonArrayElements read;
  REQUIRE(readJsonArrayElements(text, read));
  std::vector<std::string> elements;
  std::vector<std::size_t> depths;
  for (const auto& element : read.elements) {
    elements.push_back(text.substr(element.begin, element.end - element.begin));
    depths.push_back(element.depth);
  }
  CHECK(elements == std::vector<std::string>{R"("a,]")", R"({"b":[1,{}]})", "[]", "3", "null"});
  CHECK(depths == std::vector<std::size_t>{0, 3, 1, 0, 0});
  CHECK(read.loneSurrogates.empty());
  JsonArrayElements empty;
  CHECK(readJsonArrayElements("[]", empty));
  CHECK(empty.elements.empty());
}

TEST_CASE("an array reader lets lone surrogate escapes through and says where they are") {
  const std::string text = R"(["\uD800",{"\udc00x":"\uD83D\uDE00"},"a\uDBFF\uDBFF"])";
  JsonArrayElements read;
  REQUIRE(readJsonArrayElements(text, read));
  CHECK(read.elements.size() == 3);
  std::vector<std::string> escapes;
  for (const std::size_t at : read.loneSurrogates) escapes.push_back(text.substr(at, 6));
  CHECK(escapes == std::vector<std::string>{R"(\uD800)", R"(\udc00)", R"(\uDBFF)", R"(\uDBFF)"});
}

TEST_CASE("an array reader refuses what is not one well-formed array") {
  for (const char* text :
       {"", "{}", "1", "[1,]", "[1] [2]", "[1],[2]", R"(["a)", "[01]", "[\"\\x\"]"}) {
    INFO(text);
    JsonArrayElements read;
    CHECK_FALSE(readJsonArrayElements(text, read));
  }
}
