// Keeps the API key out of the text a message quotes. A server may echo the key not as it was
// sent but as its framework rewrote it: in another letter case, inside a JSON string, or
// percent-encoded from a URL or a form, and each character may have been rewritten differently.
// Pure functions over text of a few KB.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace outbound {

/// What a message shows in place of the key.
inline constexpr std::string_view kKeyPlaceholder = "[API key]";

/// `text` with every occurrence of `key` replaced by kKeyPlaceholder. In an occurrence each
/// character of the key may be written as itself in either letter case, as a JSON escape (\",
/// \\, \/ or \uXXXX) or as a percent escape (%XX), with hex digits in either case: the key
/// "ab/c" occurs as "AB\/c", as "%61b%2Fc" and as "\u0061B/C".
std::string redactApiKey(std::string_view text, std::string_view key);

/// redactApiKey(text, key), and when that is over `limit` bytes, its first `limit` bytes at most
/// followed by "… (N bytes)", N being text.size(). The cut never splits a UTF-8 sequence or a
/// placeholder, and takes with it a tail that begins an occurrence of the key with at least 4 of
/// its characters (all of them for a shorter key).
std::string quoteRedacted(std::string_view text, std::string_view key, std::size_t limit);
/// The same, with "… (`size`)" after a cut: for a text that is only the start of a longer one.
std::string quoteRedacted(std::string_view text, std::string_view key, std::size_t limit,
                          std::string_view size);

}  // namespace outbound
