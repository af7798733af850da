#include "core/js_number.hpp"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace outbound {
namespace {

struct DecimalDigits {
  std::string digits;  // no leading or trailing zeros
  int pointPosition;   // the value is 0.digits × 10^pointPosition (ECMAScript's n)
};

// printf's %.Ne rounds correctly, so the first precision that round-trips gives the shortest
// digits closest to the value, which is what ECMAScript asks for.
DecimalDigits shortestDigits(double positive) {
  char text[40];
  for (int precision = 0; precision < 17; ++precision) {
    std::snprintf(text, sizeof text, "%.*e", precision, positive);
    if (std::strtod(text, nullptr) == positive) break;
  }
  std::string digits;
  const char* cursor = text;
  for (; *cursor != 'e'; ++cursor) {
    if (*cursor != '.') digits += *cursor;
  }
  const int exponent = std::atoi(cursor + 1);
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  return {digits, exponent + 1};
}

std::string exponentSuffix(int exponent) {
  return std::string("e") + (exponent < 0 ? "-" : "+") + std::to_string(std::abs(exponent));
}

}  // namespace

std::string formatJsNumber(double value) {
  if (value == 0) return "0";  // also -0, as in JavaScript
  if (value < 0) return "-" + formatJsNumber(-value);
  const auto [digits, n] = shortestDigits(value);
  const int k = static_cast<int>(digits.size());
  if (k <= n && n <= 21) return digits + std::string(n - k, '0');
  if (0 < n && n <= 21) return digits.substr(0, n) + "." + digits.substr(n);
  if (-6 < n && n <= 0) return "0." + std::string(-n, '0') + digits;
  const std::string mantissa = k == 1 ? digits : digits.substr(0, 1) + "." + digits.substr(1);
  return mantissa + exponentSuffix(n - 1);
}

}  // namespace outbound
