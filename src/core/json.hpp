// The JSON type of the core. Object keys are kept sorted (std::map): nlohmann's insertion-ordered
// variant finds each key by a linear search, which made an object of 10,000 keys take seconds.
// Bodies keep their field order anyway (methods.cpp writes them field by field), and a track's
// properties keep the caller's order, spliced in as text.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace outbound {

using Json = nlohmann::json;

/// Whether `text` is printable ASCII with nothing JSON escapes: as a JSON string it is itself in
/// quotes.
inline bool isPlainJsonString(std::string_view text) {
  for (const char c : text) {
    if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\') return false;
  }
  return true;
}

/// Serializes compactly; invalid UTF-8 (which JavaScript strings cannot produce) becomes U+FFFD
/// instead of aborting, because the core is built without exceptions. The values a body is
/// mostly made of (IDs, names, whole numbers) are written without starting a serializer.
inline std::string toJsonText(const Json& value) {
  if (value.is_string() && isPlainJsonString(value.get_ref<const std::string&>())) {
    return '"' + value.get_ref<const std::string&>() + '"';
  }
  if (value.is_number_unsigned()) return std::to_string(value.get<std::uint64_t>());
  if (value.is_number_integer()) return std::to_string(value.get<std::int64_t>());
  return value.dump(-1, ' ', false, nlohmann::detail::error_handler_t::replace);
}

}  // namespace outbound
