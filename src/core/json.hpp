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

/// Parses one JSON value (nothing but whitespace around it); malformed text gives a discarded
/// value (`is_discarded()`), as the core is built without exceptions. Every parse in the core
/// goes through here: Json::parse would compile a second parser (the one taking a callback) and,
/// per kind of input, another copy of each.
inline Json parseJson(std::string_view text) {
  using Input = nlohmann::detail::iterator_input_adapter<const char*>;
  Json result;
  nlohmann::detail::json_sax_dom_parser<Json> builder(result, /*allow_exceptions=*/false);
  nlohmann::detail::parser<Json, Input> parser(Input(text.data(), text.data() + text.size()),
                                               nullptr, /*allow_exceptions=*/false);
  if (!parser.sax_parse(&builder, /*strict=*/true)) return Json(Json::value_t::discarded);
  return result;
}

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
