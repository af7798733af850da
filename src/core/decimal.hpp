#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace outbound {

/// A double's IEEE 754 bits, and back: neighbours differ by one, -0.0 is not 0.0.
inline std::uint64_t bitsOf(double value) {
  std::uint64_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

inline double doubleOf(std::uint64_t bits) {
  double value;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}

/// The double nearest to the number `text` writes, ties to even: what a correctly rounding
/// strtod returns in the default rounding mode, subnormals included. "-0" gives -0.0, a number too
/// large for a double gives ±infinity (strtod's HUGE_VAL) and one too small ±0.0.
///
/// `text` must be a number as the JSON grammar writes it,
/// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? (the caller has checked it; nothing here does).
/// Any number of digits and any exponent are taken, in time linear in the length of the text.
double jsonNumberToDouble(std::string_view text);

/// Whether jsonNumberToDouble(text) is finite, for the same `text`; converts only a number near
/// the largest double, so checking a number costs a scan of its text.
bool jsonNumberIsFinite(std::string_view text);

}  // namespace outbound
