// A validating scan of JSON text that builds nothing: for text that only needs checking before it
// is passed on as it is (a track's properties). nlohmann's accept() does the same at several
// times the cost, because its lexer collects every token.
#pragma once

#include <string_view>

namespace outbound {

/// Whether `text` is exactly one JSON value (RFC 8259, UTF-8), with nothing but whitespace around
/// it.
bool isWellFormedJson(std::string_view text);

/// The value of a hexadecimal digit (either case), or -1 for any other character.
int hexDigitValue(char c);

}  // namespace outbound
