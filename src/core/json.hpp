// The JSON type of the core. Insertion-ordered, so bodies keep the order the caller wrote.
#pragma once

#include <nlohmann/json.hpp>

namespace outbound {

using Json = nlohmann::ordered_json;

/// Serializes compactly; invalid UTF-8 (which JavaScript strings cannot produce) becomes U+FFFD
/// instead of aborting, because the core is built without exceptions.
inline std::string toJsonText(const Json& value) {
  return value.dump(-1, ' ', false, nlohmann::detail::error_handler_t::replace);
}

}  // namespace outbound
