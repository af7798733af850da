#include "core/js_number.hpp"

#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

using outbound::formatJsNumber;

TEST_CASE("numbers print as JavaScript's String(x) prints them") {
  // Expected strings are what Node 20 prints for String(x).
  const std::pair<double, const char*> cases[] = {
      {0.0, "0"},
      {-0.0, "0"},
      {1, "1"},
      {-1, "-1"},
      {1.5, "1.5"},
      {-1.5, "-1.5"},
      {0.1, "0.1"},
      {0.1 + 0.2, "0.30000000000000004"},
      {1.0 / 3, "0.3333333333333333"},
      {4.35, "4.35"},
      {123.456, "123.456"},
      {100, "100"},
      {9007199254740992.0, "9007199254740992"},
      {123456789012345680000.0, "123456789012345680000"},
      {1e20, "100000000000000000000"},
      {1e21, "1e+21"},
      {1.5e300, "1.5e+300"},
      {std::numeric_limits<double>::max(), "1.7976931348623157e+308"},
      {1e-6, "0.000001"},
      {0.000001234, "0.000001234"},
      {1e-7, "1e-7"},
      {1.2345e-7, "1.2345e-7"},
      {5e-324, "5e-324"},
      {-2.5e-8, "-2.5e-8"},
      {42.0, "42"},
      {1700000000.5, "1700000000.5"},
  };
  for (const auto& [value, expected] : cases) {
    INFO(expected);
    CHECK(formatJsNumber(value) == expected);
  }
}

TEST_CASE("formatJsNumber round-trips every power of two and ten in range") {
  for (int exponent = -300; exponent <= 300; exponent += 7) {
    const double value = std::pow(10.0, exponent) * 1.2345;
    CHECK(std::strtod(formatJsNumber(value).c_str(), nullptr) == value);
  }
  for (int exponent = -1000; exponent <= 1000; exponent += 13) {
    const double value = std::ldexp(1.0, exponent);
    CHECK(std::strtod(formatJsNumber(value).c_str(), nullptr) == value);
  }
}
