#pragma once

#include <string_view>

namespace outbound {

/// The double nearest to the number `text` writes, ties to even: what a correctly rounding
/// strtod returns in the default rounding mode, subnormals included. "-0" gives -0.0, a number too
/// large for a double gives ±infinity (strtod's HUGE_VAL) and one too small ±0.0.
///
/// `text` must be a number as the JSON grammar writes it,
/// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? (the caller has checked it; nothing here does).
/// Any number of digits and any exponent are taken, in time linear in the length of the text.
double jsonNumberToDouble(std::string_view text);

}  // namespace outbound
