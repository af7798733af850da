#include "core/decimal.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

// Two paths. The fast one (Clinger's) takes a number whose digits and power of ten are both exact
// as doubles, so one IEEE multiplication or division rounds it correctly. The slow one estimates
// the double to within a few units in the last place, then corrects the estimate by comparing the
// exact decimal value with the midpoints between neighbouring doubles, in big integers.
namespace outbound {
namespace {

// Enough digits to tell every decimal from every midpoint between two doubles: a midpoint has at
// most 768 significant digits. The digits after these only matter by being zero or not.
constexpr std::int64_t kMaxSignificantDigits = 800;

// Beyond these powers of ten every value rounds to infinity or zero (the largest double is below
// 1.8e308; half the smallest subnormal is above 2.4e-324), so the slow path never sees a larger
// exponent and its big integers stay small.
constexpr std::int64_t kLargestDecimalExponent = 308;
constexpr std::int64_t kSmallestDecimalExponent = -325;
// An exponent in the text beyond this is as good as this: no text has that many digits.
constexpr std::int64_t kExponentSaturation = 1'000'000'000'000'000;

// A non-negative integer of up to kCapacity 32-bit limbs. The largest one the conversion makes is
// under 2,700 bits: 800 digits (2,658 bits), or a 54-bit midpoint times 5^1124 (2,664 bits), each
// shifted by the few bits that separate it from the other side of a comparison.
class BigInteger {
 public:
  explicit BigInteger(std::uint64_t value) {
    for (; value != 0; value >>= 32) limbs_[size_++] = static_cast<std::uint32_t>(value);
  }

  void multiplyAdd(std::uint32_t factor, std::uint32_t addend) {
    std::uint64_t carry = addend;
    for (int i = 0; i < size_; ++i) {
      const std::uint64_t product = std::uint64_t{limbs_[i]} * factor + carry;
      limbs_[i] = static_cast<std::uint32_t>(product);
      carry = product >> 32;
    }
    if (carry != 0) push(static_cast<std::uint32_t>(carry));
  }

  void multiplyByPowerOfFive(int exponent) {
    constexpr std::uint32_t kLargestPowerInALimb = 1'220'703'125;  // 5^13
    for (; exponent >= 13; exponent -= 13) multiplyAdd(kLargestPowerInALimb, 0);
    std::uint32_t rest = 1;
    for (; exponent > 0; --exponent) rest *= 5;
    multiplyAdd(rest, 0);
  }

  void shiftLeft(int bits) {
    if (size_ == 0) return;
    const int limbShift = bits / 32;
    const int bitShift = bits % 32;
    push(0);
    // From the top down, so that no limb is overwritten before it is read.
    for (int i = size_ - 1; i >= 0; --i) {
      const std::uint32_t below = i > 0 ? limbs_[i - 1] : 0;
      const std::uint32_t shifted =
          bitShift == 0 ? limbs_[i] : (limbs_[i] << bitShift) | (below >> (32 - bitShift));
      assert(i + limbShift < kCapacity);
      limbs_[i + limbShift] = shifted;
    }
    for (int i = 0; i < limbShift; ++i) limbs_[i] = 0;
    size_ += limbShift;
    while (size_ > 0 && limbs_[size_ - 1] == 0) --size_;
  }

  /// The integer ≈ result × 2^exponent, from its top three limbs: at least 64 bits when there are
  /// more, so the rest changes the result by less than a 2^-63 part.
  double leadingBits(int& exponent) const {
    double leading = 0;
    int taken = 0;
    for (; taken < 3 && taken < size_; ++taken) {
      leading = leading * 4294967296.0 + limbs_[size_ - 1 - taken];
    }
    exponent = 32 * (size_ - taken);
    return leading;
  }

  friend int compare(const BigInteger& a, const BigInteger& b) {
    if (a.size_ != b.size_) return a.size_ < b.size_ ? -1 : 1;
    for (int i = a.size_ - 1; i >= 0; --i) {
      if (a.limbs_[i] != b.limbs_[i]) return a.limbs_[i] < b.limbs_[i] ? -1 : 1;
    }
    return 0;
  }

 private:
  static constexpr int kCapacity = 88;  // 2,816 bits

  void push(std::uint32_t limb) {
    assert(size_ < kCapacity);
    limbs_[size_++] = limb;
  }

  std::uint32_t limbs_[kCapacity];
  int size_ = 0;  // the limbs past it are not read; the top one is never zero
};

// A positive value as digits × 10^exponent, the digits without leading or trailing zeros.
struct Decimal {
  std::string_view integerPart;   // the digits before the point (after an optional minus)
  std::string_view fractionPart;  // the digits after it
  std::int64_t first = 0;         // where the significant digits start, counted across both parts
  std::int64_t end = 0;           // one past the last one kept
  std::int64_t exponent = 0;
  bool truncated = false;  // a non-zero digit was dropped after `end`

  char digitAt(std::int64_t index) const {
    const auto integerDigits = static_cast<std::int64_t>(integerPart.size());
    return index < integerDigits ? integerPart[index] : fractionPart[index - integerDigits];
  }
  std::int64_t digitCount() const { return end - first; }
  // The value is in [10^scientificExponent, 10^(scientificExponent + 1)).
  std::int64_t scientificExponent() const { return exponent + digitCount() - 1; }
};

std::int64_t readExponent(std::string_view digitsWithSign) {
  if (digitsWithSign.empty()) return 0;
  const bool negative = digitsWithSign[0] == '-';
  if (digitsWithSign[0] == '-' || digitsWithSign[0] == '+') digitsWithSign.remove_prefix(1);
  std::int64_t exponent = 0;
  for (const char digit : digitsWithSign) {
    if (exponent < kExponentSaturation) exponent = exponent * 10 + (digit - '0');
  }
  return negative ? -exponent : exponent;
}

// `text` without its sign. A number whose digits are all zero has digitCount() 0.
Decimal readDecimal(std::string_view text) {
  Decimal decimal;
  const std::size_t exponentMark = text.find_first_of("eE");
  const std::string_view mantissa = text.substr(0, exponentMark);
  const std::size_t point = mantissa.find('.');
  decimal.integerPart = mantissa.substr(0, point);
  if (point != std::string_view::npos) decimal.fractionPart = mantissa.substr(point + 1);

  const auto digits =
      static_cast<std::int64_t>(decimal.integerPart.size() + decimal.fractionPart.size());
  std::int64_t first = 0;
  while (first < digits && decimal.digitAt(first) == '0') ++first;
  std::int64_t last = digits - 1;
  while (last > first && decimal.digitAt(last) == '0') --last;
  decimal.first = first;
  decimal.end = first == digits ? first : std::min(last + 1, first + kMaxSignificantDigits);
  decimal.truncated = last >= decimal.end;

  const std::int64_t textExponent =
      exponentMark == std::string_view::npos ? 0 : readExponent(text.substr(exponentMark + 1));
  decimal.exponent =
      textExponent + static_cast<std::int64_t>(decimal.integerPart.size()) - decimal.end;
  return decimal;
}

// Clinger's fast path: digits up to 2^53 and 10^0 to 10^22 are doubles exactly, so a single
// rounding (the multiplication's or division's) gives the nearest double. Returns false when the
// number is not one of those.
bool convertExactOperands(const Decimal& decimal, double& result) {
  constexpr std::uint64_t kLargestExactInteger = std::uint64_t{1} << 53;
  if (decimal.digitCount() > 19 || decimal.exponent < -22 || decimal.exponent > 22) return false;
  std::uint64_t digits = 0;
  for (std::int64_t i = decimal.first; i < decimal.end; ++i) {
    digits = digits * 10 + (decimal.digitAt(i) - '0');
  }
  if (digits > kLargestExactInteger) return false;
  double powerOfTen = 1;
  for (std::int64_t i = 0; i < decimal.exponent || i < -decimal.exponent; ++i) powerOfTen *= 10;
  const auto exactDigits = static_cast<double>(digits);
  result = decimal.exponent < 0 ? exactDigits / powerOfTen : exactDigits * powerOfTen;
  return true;
}

// Nine digits at a time: each pass over the limbs costs as much for nine as for one.
BigInteger significantDigits(const Decimal& decimal) {
  BigInteger digits(0);
  std::uint32_t group = 0;
  std::uint32_t groupScale = 1;
  for (std::int64_t i = decimal.first; i < decimal.end; ++i) {
    group = group * 10 + static_cast<std::uint32_t>(decimal.digitAt(i) - '0');
    groupScale *= 10;
    if (groupScale == 1'000'000'000) {
      digits.multiplyAdd(groupScale, group);
      group = 0;
      groupScale = 1;
    }
  }
  digits.multiplyAdd(groupScale, group);
  return digits;
}

// digits × 10^exponent = digits × 5^exponent × 2^exponent: powers of two are left to ldexp, so
// the integers stay small and nothing overflows or underflows before the last step. The result is
// within a few units in the last place, and may be 0 or the largest double when the value is
// beyond them.
double estimate(const BigInteger& digits, int exponent) {
  BigInteger numerator = digits;
  BigInteger denominator(1);
  if (exponent > 0) {
    numerator.multiplyByPowerOfFive(exponent);
  } else {
    denominator.multiplyByPowerOfFive(-exponent);
  }
  int numeratorExponent;
  int denominatorExponent;
  const double ratio =
      numerator.leadingBits(numeratorExponent) / denominator.leadingBits(denominatorExponent);
  const double scaled = std::ldexp(ratio, numeratorExponent - denominatorExponent + exponent);
  return std::min(scaled, std::numeric_limits<double>::max());
}

// The sign of digits × 10^exponent − the midpoint between `candidate` (≥ 0, finite) and the next
// double up. With candidate = m × 2^q in IEEE's terms, that midpoint is (2m + 1) × 2^(q − 1), also
// when the next double is in the next binade or is infinity. Both sides are made integers by
// moving the powers of five and of two to whichever side keeps their exponents non-negative.
int compareWithMidpointAbove(const BigInteger& digits, int exponent, double candidate) {
  const std::uint64_t bits = bitsOf(candidate);
  const int biasedExponent = static_cast<int>(bits >> 52);
  const std::uint64_t fraction = bits & ((std::uint64_t{1} << 52) - 1);
  // Subnormals have no implicit leading bit and the exponent of the smallest normals.
  const std::uint64_t m = biasedExponent == 0 ? fraction : fraction | std::uint64_t{1} << 52;
  const int q = (biasedExponent == 0 ? 1 : biasedExponent) - 1075;

  BigInteger value = digits;
  BigInteger midpoint(2 * m + 1);
  if (exponent > 0) {
    value.multiplyByPowerOfFive(exponent);
  } else {
    midpoint.multiplyByPowerOfFive(-exponent);
  }
  const int twos = exponent - (q - 1);
  if (twos > 0) {
    value.shiftLeft(twos);
  } else {
    midpoint.shiftLeft(-twos);
  }
  return compare(value, midpoint);
}

bool hasOddMantissa(double value) { return (bitsOf(value) & 1) != 0; }

// Steps from the estimate to the nearest double, one unit in the last place at a time. A value
// exactly on a midpoint goes to the double with the even mantissa, unless non-zero digits were
// dropped after it: then it is above. Dropped digits never lift a value below a midpoint above
// it: a midpoint near the value has fewer significant digits than are kept, so it ends before
// the dropped ones start.
double convertByComparison(const Decimal& decimal) {
  const BigInteger digits = significantDigits(decimal);
  const auto exponent = static_cast<int>(decimal.exponent);
  double candidate = estimate(digits, exponent);
  bool movedUp = false;
  for (;;) {
    const int order = compareWithMidpointAbove(digits, exponent, candidate);
    const bool above =
        order > 0 || (order == 0 && (decimal.truncated || hasOddMantissa(candidate)));
    if (!above) break;
    candidate = doubleOf(bitsOf(candidate) + 1);
    movedUp = true;
    if (std::isinf(candidate)) return candidate;
  }
  // Having moved up, the value is above the midpoint below.
  while (!movedUp && candidate > 0) {
    const double below = doubleOf(bitsOf(candidate) - 1);
    const int order = compareWithMidpointAbove(digits, exponent, below);
    const bool under = order < 0 || (order == 0 && !decimal.truncated && hasOddMantissa(candidate));
    if (!under) break;
    candidate = below;
  }
  return candidate;
}

double convertPositive(const Decimal& decimal) {
  if (decimal.digitCount() == 0) return 0;
  if (decimal.scientificExponent() > kLargestDecimalExponent) {
    return std::numeric_limits<double>::infinity();
  }
  if (decimal.scientificExponent() < kSmallestDecimalExponent) return 0;
  double result;
  if (convertExactOperands(decimal, result)) return result;
  return convertByComparison(decimal);
}

}  // namespace

double jsonNumberToDouble(std::string_view text) {
  const bool negative = !text.empty() && text[0] == '-';
  if (negative) text.remove_prefix(1);
  const double magnitude = convertPositive(readDecimal(text));
  return negative ? -magnitude : magnitude;
}

bool jsonNumberIsFinite(std::string_view text) {
  if (!text.empty() && text[0] == '-') text.remove_prefix(1);
  const Decimal decimal = readDecimal(text);
  // Only a number whose leading digit sits at 10^308 needs the conversion to tell.
  if (decimal.digitCount() == 0 || decimal.scientificExponent() < kLargestDecimalExponent) {
    return true;
  }
  return decimal.scientificExponent() == kLargestDecimalExponent &&
         std::isfinite(convertPositive(decimal));
}

}  // namespace outbound
