// The JSON type of the core. Object keys are kept sorted (std::map): nlohmann's insertion-ordered
// variant finds each key by a linear search, which made an object of 10,000 keys take seconds.
// Bodies keep their field order anyway (methods.cpp writes them field by field), and a track's
// properties keep the caller's order, spliced in as text.
#pragma once

#include <nlohmann/json.hpp>

namespace outbound {

using Json = nlohmann::json;

/// Serializes compactly; invalid UTF-8 (which JavaScript strings cannot produce) becomes U+FFFD
/// instead of aborting, because the core is built without exceptions.
inline std::string toJsonText(const Json& value) {
  return value.dump(-1, ' ', false, nlohmann::detail::error_handler_t::replace);
}

}  // namespace outbound
