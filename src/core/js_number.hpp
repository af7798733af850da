#pragma once

#include <string>

namespace outbound {

/// The string JavaScript's String(x) gives for a finite number (ECMAScript Number::toString):
/// the shortest digits that round-trip, in the same notation. User IDs given as numbers are sent
/// this way, so 1.5 and "1.5" produce identical requests.
std::string formatJsNumber(double value);

}  // namespace outbound
