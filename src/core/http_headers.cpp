#include "core/http_headers.hpp"

#include <algorithm>
#include <cctype>

namespace outbound {
namespace {

bool equalsIgnoringCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front())))
    text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back())))
    text.remove_suffix(1);
  return text;
}

std::string_view headerValue(std::string_view rawHeaders, std::string_view name) {
  while (!rawHeaders.empty()) {
    const size_t end = std::min(rawHeaders.find('\n'), rawHeaders.size());
    const std::string_view line = rawHeaders.substr(0, end);
    rawHeaders.remove_prefix(std::min(end + 1, rawHeaders.size()));
    const size_t colon = line.find(':');
    if (colon != std::string_view::npos &&
        equalsIgnoringCase(trimmed(line.substr(0, colon)), name)) {
      return trimmed(line.substr(colon + 1));
    }
  }
  return {};
}

}  // namespace outbound
