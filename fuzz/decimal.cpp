// jsonNumberToDouble, the conversion of a JSON number's text to the nearest double. Two kinds of
// input. Text: any bytes, read leniently as a number: an optional '-' first, then digits, a '.'
// that starts the fraction, an 'e' or 'E' that starts the exponent, a '+' or '-' right after it;
// every other byte is skipped, leading zeros are dropped and an empty part is left out, so the
// result follows the JSON grammar. Midpoint, when the input starts with '#': bytes 1 to 8 are a
// double (made positive and finite), byte 9 the variant, byte 10 where the point goes, and the
// rest digits (byte % 10) appended to the exact decimal value of the midpoint between the double
// and the next one up, or to that value less one unit of its last digit (variant & 1), after
// keeping only its first (byte 11) digits (variant & 2); variant & 4 makes it negative. Random
// digits land on a midpoint almost never, and there rounding is hardest.
// Invariant: the result is, bit for bit, what glibc's strtod returns (it rounds correctly), and
// the text given is a JSON number. (nlohmann's accept() cannot say so: it refuses a number that
// overflows a double.)
#include "core/decimal.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"

using namespace outbound;

namespace {

constexpr std::size_t kLongestText = 4096;

// Whether `text` is -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?, the JSON grammar's number.
bool isJsonNumber(std::string_view text) {
  std::size_t i = 0;
  const auto skipDigits = [&] {
    const std::size_t start = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    return i - start;
  };
  if (i < text.size() && text[i] == '-') ++i;
  const std::size_t integerStart = i;
  const std::size_t integerDigits = skipDigits();
  if (integerDigits == 0 || (integerDigits > 1 && text[integerStart] == '0')) return false;
  if (i < text.size() && text[i] == '.' && (++i, skipDigits() == 0)) return false;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    if (skipDigits() == 0) return false;
  }
  return i == text.size();
}

std::string numberFromText(std::string_view input) {
  std::string integerPart, fractionPart, exponentDigits;
  const bool negative = !input.empty() && input[0] == '-';
  bool exponentNegative = false;
  std::string* part = &integerPart;
  for (std::size_t i = negative ? 1 : 0; i < input.size(); ++i) {
    const char c = input[i];
    if (c >= '0' && c <= '9') {
      *part += c;
    } else if (c == '.' && part == &integerPart) {
      part = &fractionPart;
    } else if ((c == 'e' || c == 'E') && part != &exponentDigits) {
      part = &exponentDigits;
      if (i + 1 < input.size() && (input[i + 1] == '+' || input[i + 1] == '-')) {
        exponentNegative = input[++i] == '-';
      }
    }
  }
  const std::size_t nonZero = integerPart.find_first_not_of('0');
  integerPart = nonZero == std::string::npos ? "0" : integerPart.substr(nonZero);
  std::string number = (negative ? "-" : "") + integerPart;
  if (!fractionPart.empty()) number += "." + fractionPart;
  if (!exponentDigits.empty()) number += (exponentNegative ? "e-" : "e") + exponentDigits;
  return number;
}

// m × 2^twos exactly, as digits and a power of ten. Limbs of nine decimal digits, lowest first.
std::string exactDigits(std::uint64_t m, int twos, long& tens) {
  constexpr std::uint64_t kLimb = 1'000'000'000;
  std::vector<std::uint64_t> limbs;
  for (; m != 0; m /= kLimb) limbs.push_back(m % kLimb);
  for (int i = 0; i < std::abs(twos); ++i) {
    std::uint64_t carry = 0;
    for (auto& limb : limbs) {
      const std::uint64_t product = limb * (twos > 0 ? 2 : 5) + carry;
      limb = product % kLimb;
      carry = product / kLimb;
    }
    if (carry != 0) limbs.push_back(carry);
  }
  std::string digits = std::to_string(limbs.back());
  for (auto limb = limbs.rbegin() + 1; limb < limbs.rend(); ++limb) {
    const std::string part = std::to_string(*limb);
    digits += std::string(9 - part.size(), '0') + part;
  }
  tens = twos < 0 ? twos : 0;
  return digits;
}

std::string numberNearMidpoint(const std::uint8_t* data, std::size_t size) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, data + 1, 8);
  bits %= 0x7ff0000000000000;  // the positive finite doubles
  const std::uint8_t variant = data[9];
  const std::uint8_t pointAfter = data[10];
  const int biased = static_cast<int>(bits >> 52);
  const std::uint64_t fraction = bits & ((std::uint64_t{1} << 52) - 1);
  const std::uint64_t m = biased == 0 ? fraction : fraction | std::uint64_t{1} << 52;
  long tens;
  std::string digits = exactDigits(2 * m + 1, (biased == 0 ? 1 : biased) - 1076, tens);
  std::size_t rest = 11;
  if (variant & 1) {
    std::size_t i = digits.size();
    while (digits[--i] == '0') digits[i] = '9';
    --digits[i];
  }
  if ((variant & 2) && rest < size) {
    const std::size_t keep = 1 + data[rest++] % digits.size();
    tens += static_cast<long>(digits.size() - keep);
    digits.resize(keep);
  }
  for (; rest < size && digits.size() < kLongestText; ++rest) {
    digits += static_cast<char>('0' + data[rest] % 10);
    --tens;
  }
  const std::size_t nonZero = digits.find_first_not_of('0');
  if (nonZero == std::string::npos) return "0";
  digits.erase(0, nonZero);
  const std::size_t integerDigits = 1 + pointAfter % digits.size();
  std::string number = (variant & 4 ? "-" : "") + digits.substr(0, integerDigits);
  if (integerDigits < digits.size()) number += "." + digits.substr(integerDigits);
  return number + "e" + std::to_string(tens + static_cast<long>(digits.size() - integerDigits));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > kLongestText) return 0;
  const std::string number =
      size >= 11 && data[0] == '#'
          ? numberNearMidpoint(data, size)
          : numberFromText(std::string_view(reinterpret_cast<const char*>(data), size));
  FUZZ_INVARIANT(isJsonNumber(number));
  const double ours = jsonNumberToDouble(number);
  const double oracle = std::strtod(number.c_str(), nullptr);
  if (std::memcmp(&ours, &oracle, sizeof ours) != 0) {
    std::fprintf(stderr, "\n%s: %a, strtod %a\n", number.c_str(), ours, oracle);
    FUZZ_INVARIANT(std::memcmp(&ours, &oracle, sizeof ours) == 0);
  }
  return 0;
}
