#include "core/decimal.hpp"

#include <catch2/catch.hpp>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

using outbound::bitsOf;
using outbound::doubleOf;
using outbound::jsonNumberToDouble;

namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

// Compared bit for bit, so -0.0 differs from 0.0.
bool converts(const std::string& text, double expected) {
  return bitsOf(jsonNumberToDouble(text)) == bitsOf(expected);
}

// The C library's strtod rounds correctly (glibc natively, musl in the WebAssembly build): the
// oracle for texts whose answer is not written down.
bool agreesWithStrtod(const std::string& text) {
  return converts(text, std::strtod(text.c_str(), nullptr));
}

// The texts of `texts` that do not convert as strtod converts them, at most ten.
std::vector<std::string> disagreements(const std::vector<std::string>& texts) {
  std::vector<std::string> wrong;
  for (const auto& text : texts) {
    if (!agreesWithStrtod(text) && wrong.size() < 10) wrong.push_back(text);
  }
  return wrong;
}

// The decimal digits of m × 2^twos, exactly, as a JSON number: an integer when twos ≥ 0, otherwise
// the integer m × 5^-twos with the exponent e<twos>. Limbs of nine decimal digits, lowest first.
std::string exactDecimal(std::uint64_t m, int twos) {
  constexpr std::uint64_t kLimb = 1'000'000'000;
  std::vector<std::uint64_t> limbs;
  for (; m != 0; m /= kLimb) limbs.push_back(m % kLimb);
  const auto multiply = [&](std::uint64_t factor) {
    std::uint64_t carry = 0;
    for (auto& limb : limbs) {
      const std::uint64_t product = limb * factor + carry;
      limb = product % kLimb;
      carry = product / kLimb;
    }
    for (; carry != 0; carry /= kLimb) limbs.push_back(carry % kLimb);
  };
  for (int i = 0; i < std::abs(twos); ++i) multiply(twos > 0 ? 2 : 5);
  std::string digits = std::to_string(limbs.empty() ? 0 : limbs.back());
  for (auto limb = limbs.rbegin() + 1; limb < limbs.rend(); ++limb) {
    const std::string part = std::to_string(*limb);
    digits += std::string(9 - part.size(), '0') + part;
  }
  return twos >= 0 ? digits : digits + "e" + std::to_string(twos);
}

// The midpoint between `value` (positive, finite) and the next double up, exactly.
std::string midpointAbove(double value) {
  const std::uint64_t bits = bitsOf(value);
  const int biased = static_cast<int>(bits >> 52);
  const std::uint64_t fraction = bits & ((std::uint64_t{1} << 52) - 1);
  const std::uint64_t m = biased == 0 ? fraction : fraction | std::uint64_t{1} << 52;
  const int q = (biased == 0 ? 1 : biased) - 1075;
  return exactDecimal(2 * m + 1, q - 1);
}

// `number` (digits, then maybe e<exponent>) with `extra` appended to its digits, same value scale.
std::string appendDigits(const std::string& number, const std::string& extra) {
  const std::size_t mark = number.find('e');
  const std::string digits = number.substr(0, mark);
  const long exponent = mark == std::string::npos ? 0 : std::stol(number.substr(mark + 1));
  return digits + extra + "e" + std::to_string(exponent - static_cast<long>(extra.size()));
}

// `number` less one unit of its last digit.
std::string decrementLastDigit(std::string number) {
  std::size_t i = number.find('e');
  if (i == std::string::npos) i = number.size();
  while (number[--i] == '0') number[i] = '9';
  --number[i];
  return number;
}

// A number as the JSON grammar writes it, of `digits` random digits, some of them maybe after a
// point, and an exponent somewhere in [minExponent, maxExponent] (or none).
std::string randomNumber(std::mt19937_64& random, int digitCount, int minExponent,
                         int maxExponent) {
  std::uniform_int_distribution<int> digit(0, 9);
  std::string digits;
  for (int i = 0; i < digitCount; ++i) digits += static_cast<char>('0' + digit(random));
  const std::size_t pointAfter = std::uniform_int_distribution<int>(1, digitCount)(random);
  std::string integerPart = digits.substr(0, pointAfter);
  const std::size_t nonZero = integerPart.find_first_not_of('0');
  integerPart = nonZero == std::string::npos ? "0" : integerPart.substr(nonZero);
  std::string text = (random() % 2 ? "-" : "") + integerPart;
  if (pointAfter < digits.size()) text += "." + digits.substr(pointAfter);
  const auto exponent = std::uniform_int_distribution<int>(minExponent, maxExponent)(random);
  if (random() % 8 != 0) text += (random() % 2 ? "e" : "E") + std::to_string(exponent);
  return text;
}

}  // namespace

TEST_CASE("numbers convert to the nearest double", "[decimal]") {
  const std::pair<std::string, double> cases[] = {
      {"0", 0.0},
      {"-0", -0.0},
      {"-0.0e+12", -0.0},
      {"1", 1.0},
      {"-1", -1.0},
      {"0.1", 0.1},
      {"0.30000000000000004", 0.1 + 0.2},
      {"123.456e-2", 1.23456},
      {"1e23", 0x1.52d02c7e14af6p+76},
      {"1E22", 1e22},
      {"8.98846567431158e307", 0x1p1023},
      // 2^53 + 1 and 2^53 + 3 are midpoints: the even neighbours are 2^53 and 2^53 + 4.
      {"9007199254740993", 0x1p53},
      {"9007199254740995", 0x1p53 + 4},
      {"9007199254740993.000000000000000000000000000000000000000000000000000000", 0x1p53},
      {"9007199254740993.000000000000000000000000000000000000000000000000000001", 0x1p53 + 2},
      {"9007199254740992.999999999999999999999999999999999999999999999999999999", 0x1p53},
      {"1.7976931348623157e308", DBL_MAX},
      {"1.7976931348623158e308", DBL_MAX},
      {"1.7976931348623159e308", kInfinity},
      {"-1.7976931348623159e308", -kInfinity},
      {"2.2250738585072011e-308", 0x0.fffffffffffffp-1022},
      {"2.2250738585072012e-308", 0x1p-1022},
      {"2.2250738585072014e-308", DBL_MIN},
      {"4.9406564584124654e-324", 0x1p-1074},
      {"2.4703282292062327e-324", 0.0},
      {"-2.4703282292062327e-324", -0.0},
      {"2.4703282292062328e-324", 0x1p-1074},
      {"7.4109846876186982e-324", 0x1p-1073},  // just above 1.5 × the smallest
      {"0.0000000000000000000000000000000000000001", 1e-40},
      {"0.000000000000000000000000000000000000000123456789", 1.23456789e-40},
      {"1e-0000000000000000000000000000000000000001", 0.1},
      {"1e-99999999999", 0.0},
      {"-1e-99999999999", -0.0},
      {"1e99999999999", kInfinity},
      {"-1e+99999999999", -kInfinity},
      {"0e99999999999", 0.0},
      {"0.000e-99999999999", 0.0},
      {"1e999999999999999999999999999999999999999999999999", kInfinity},
      {"1e-999999999999999999999999999999999999999999999999", 0.0},
      {"1" + std::string(1000, '0') + "e-1000", 1.0},
      {"0." + std::string(1000, '0') + "1e1001", 1.0},
      {"1" + std::string(400, '0'), kInfinity},
      {"0." + std::string(400, '0') + "1", 0.0},
  };
  for (const auto& [text, expected] : cases) {
    INFO(text);
    CHECK(converts(text, expected));
    CHECK(agreesWithStrtod(text));
  }
}

TEST_CASE("a midpoint goes to the even neighbour; digits after it, even past 800, break the tie",
          "[decimal]") {
  std::vector<double> lowers = {0.0,     0x1p-1074, 0x1p-1073,   0x0.fffffffffffffp-1022,
                                DBL_MIN, 0x1p-1000, 0.1,         1.0,
                                1.5,     0x1p52,    0x1p53 - 1,  0x1p53,
                                1e23,    0x1p1000,  DBL_MAX / 2, std::nextafter(DBL_MAX, 0.0),
                                DBL_MAX};
  std::mt19937_64 random(2024);
  for (int i = 0; i < 40; ++i) {
    lowers.push_back(doubleOf(random() % 0x7fefffffffffffff));
  }
  for (const double lower : lowers) {
    const double upper = std::nextafter(lower, kInfinity);
    const double even = bitsOf(lower) % 2 == 0 ? lower : upper;
    const std::string midpoint = midpointAbove(lower);
    INFO(midpoint);
    CHECK(converts(midpoint, even));
    CHECK(converts(appendDigits(midpoint, "0001"), upper));
    CHECK(converts(appendDigits(midpoint, std::string(900, '0') + "1"), upper));
    CHECK(converts(appendDigits(midpoint, std::string(900, '0')), even));
    CHECK(converts(appendDigits(decrementLastDigit(midpoint), std::string(900, '9')), lower));
    CHECK(converts(decrementLastDigit(midpoint), lower));
    CHECK(converts("-" + midpoint, -even));
    CHECK(agreesWithStrtod(appendDigits(midpoint, std::string(900, '0') + "1")));
  }
}

TEST_CASE("every double survives printing with %.17g and with its shortest %g", "[decimal]") {
  std::mt19937_64 random(7);
  std::vector<std::string> wrong;
  for (int i = 0; i < 20000; ++i) {
    const double value = doubleOf(random());
    if (!std::isfinite(value)) continue;
    char text[40];
    std::snprintf(text, sizeof text, "%.17g", value);
    if (!converts(text, value)) wrong.push_back(text);
    for (int precision = 1; precision <= 17; ++precision) {
      std::snprintf(text, sizeof text, "%.*g", precision, value);
      if (std::strtod(text, nullptr) != value) continue;
      if (!converts(text, value)) wrong.push_back(text);
      break;
    }
    if (wrong.size() >= 10) break;
  }
  CHECK(wrong.empty());
}

namespace {
// `count` random numbers of `minDigits` to `maxDigits` digits, exponents from `minExponent` to
// `maxExponent`, drawn from `seed`.
std::vector<std::string> randomNumbers(unsigned seed, int count, int minDigits, int maxDigits,
                                       int minExponent, int maxExponent) {
  std::mt19937_64 random(seed);
  std::vector<std::string> texts;
  for (int i = 0; i < count; ++i) {
    const int digits = std::uniform_int_distribution<int>(minDigits, maxDigits)(random);
    texts.push_back(randomNumber(random, digits, minExponent, maxExponent));
  }
  return texts;
}
}  // namespace

TEST_CASE("random numbers of 1 to 40 digits convert as strtod converts them", "[decimal]") {
  CHECK(disagreements(randomNumbers(11, 50000, 1, 40, -360, 340)).empty());
}

TEST_CASE("numbers of hundreds of digits convert as strtod converts them", "[decimal]") {
  CHECK(disagreements(randomNumbers(13, 500, 100, 1200, -1500, 300)).empty());
}

TEST_CASE("extreme inputs are converted quickly", "[decimal]") {
  // Each would take minutes if the exponent were walked or the digits kept in full.
  const std::string manyDigits = std::string(1, '7') + std::string(200000, '3');
  CHECK(agreesWithStrtod(manyDigits + "e-200100"));
  CHECK(agreesWithStrtod("0." + std::string(200000, '0') + "4e200000"));
  CHECK(converts(manyDigits, kInfinity));
  CHECK(converts("1e-" + std::string(5000, '9'), 0.0));
  CHECK(converts("-1e" + std::string(5000, '9'), -kInfinity));
}
