// TEMPORARY STUB (replaced by the decimal branch)
#include "core/decimal.hpp"

#include <cstdlib>
#include <string>
namespace outbound {
double jsonNumberToDouble(std::string_view text) {
  return std::strtod(std::string(text).c_str(), nullptr);
}
}  // namespace outbound
