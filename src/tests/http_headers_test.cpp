#include "core/http_headers.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace outbound;

TEST_CASE("header values are found case-insensitively in a raw block") {
  const std::string raw = "content-type: application/json\r\nRetry-After:  7 \r\nx-other: a:b\r\n";
  CHECK(headerValue(raw, "retry-after") == "7");
  CHECK(headerValue(raw, "Content-Type") == "application/json");
  CHECK(headerValue(raw, "x-other") == "a:b");
  CHECK(headerValue(raw, "missing").empty());
  CHECK(headerValue("", "retry-after").empty());
  CHECK(headerValue("no colon line\r\n", "no colon line").empty());
}
