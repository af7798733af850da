// Reading the raw response headers a transport reports ("name: value\r\n" lines): the core looks
// up Retry-After, Location, Content-Length and the header a browser's transport adds after a
// redirect (docs/transport.md).
#pragma once

#include <string_view>

namespace outbound {

/// The value of header `name` (case-insensitive) in a raw "name: value\r\n" block, or empty.
std::string_view headerValue(std::string_view rawHeaders, std::string_view name);

/// `text` without the white space around it.
std::string_view trimmed(std::string_view text);

}  // namespace outbound
