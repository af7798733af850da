#include "core/redaction.hpp"

#include <algorithm>
#include <cstddef>
#include <numeric>
#include <vector>

#include "core/json.hpp"

namespace outbound {
namespace {

// Fewer characters of the key than this at the end of a quote are too likely to be there by
// chance to take away the text they end.
constexpr std::size_t kShortestRemovedTail = 4;

char lowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

char otherLetterCase(char c) {
  if (c >= 'A' && c <= 'Z') return static_cast<char>(c - 'A' + 'a');
  if (c >= 'a' && c <= 'z') return static_cast<char>(c - 'a' + 'A');
  return c;
}

// Whether `digits` are the first of the `width` hex digits that write `c` in either letter case:
// all of them in a whole escape, fewer where the end of a quote interrupts one.
bool hexDigitsBegin(std::string_view digits, std::size_t width, char c) {
  unsigned value = 0;
  for (char digit : digits) {
    const int digitValue = hexDigitValue(digit);
    if (digitValue < 0) return false;
    value = value << 4 | static_cast<unsigned>(digitValue);
  }
  const std::size_t dropped = 4 * (width - digits.size());
  const auto leadingDigitsOf = [dropped](char written) {
    return static_cast<unsigned>(static_cast<unsigned char>(written)) >> dropped;
  };
  return value == leadingDigitsOf(c) || value == leadingDigitsOf(otherLetterCase(c));
}

bool hasShortJsonEscape(char c) { return c == '"' || c == '\\' || c == '/'; }

// The end of each way key character `c` can be written at `at` (at most 4), to iterate over. A
// list rather than a callback: both scans of the key share one copy of this code.
struct FormEnds {
  std::size_t ends[4];
  std::size_t count = 0;

  FormEnds(std::string_view text, std::size_t at, char c) {
    const std::string_view rest = text.substr(at);
    if (rest.empty()) return;
    if (lowerAscii(rest[0]) == lowerAscii(c)) ends[count++] = at + 1;
    if (rest[0] == '\\' && rest.size() >= 2) {
      if (rest[1] == c && hasShortJsonEscape(c)) ends[count++] = at + 2;
      if (rest[1] == 'u' && rest.size() >= 6 && hexDigitsBegin(rest.substr(2, 4), 4, c)) {
        ends[count++] = at + 6;
      }
    }
    if (rest[0] == '%' && rest.size() >= 3 && hexDigitsBegin(rest.substr(1, 2), 2, c)) {
      ends[count++] = at + 3;
    }
  }
  const std::size_t* begin() const { return ends; }
  const std::size_t* end() const { return ends + count; }
};

// Whether `rest`, the end of a quote, is an escape of `c` the quote's end interrupted.
bool beginsInterruptedEscape(std::string_view rest, char c) {
  if (rest == "\\") return true;  // \uXXXX can write any character
  if (rest.substr(0, 2) == "\\u" && rest.size() < 6) return hexDigitsBegin(rest.substr(2), 4, c);
  if (rest.substr(0, 1) == "%" && rest.size() < 3) return hexDigitsBegin(rest.substr(1), 2, c);
  return false;
}

constexpr std::size_t kNone = std::string_view::npos;

// The end of the longest occurrence of the key that begins at each position of `text`, or kNone.
// A backslash or a percent sign may be a character of the key or begin an escape of one, so one
// position may lead to several readings; reading the key from its last character back, each
// position is visited once per character of the key however many readings meet there. The
// longest, so that "\\" read as an escaped backslash of the key leaves no stray backslash.
std::vector<std::size_t> longestOccurrenceEnds(std::string_view text, std::string_view key) {
  std::vector<std::size_t> restEnds(text.size() + 1);  // of the key after character i
  std::iota(restEnds.begin(), restEnds.end(), std::size_t{0});
  std::vector<std::size_t> ends(text.size() + 1);
  for (std::size_t i = key.size(); i-- > 0;) {
    for (std::size_t at = 0; at <= text.size(); ++at) {
      std::size_t longest = kNone;
      for (const std::size_t formEnd : FormEnds(text, at, key[i])) {
        const std::size_t end = restEnds[formEnd];
        if (end != kNone && (longest == kNone || end > longest)) longest = end;
      }
      ends[at] = longest;
    }
    ends.swap(restEnds);
  }
  return restEnds;
}

// How many characters of the key `text` holds from each position to its end when all of that can
// begin an occurrence of the key (its last character perhaps an interrupted escape), or -1.
std::vector<std::ptrdiff_t> keyCharactersBegun(std::string_view text, std::string_view key) {
  std::vector<std::ptrdiff_t> restCounts(text.size() + 1, -1);  // of the key after character i
  restCounts[text.size()] = 0;
  std::vector<std::ptrdiff_t> counts(text.size() + 1);
  for (std::size_t i = key.size(); i-- > 0;) {
    for (std::size_t at = 0; at <= text.size(); ++at) {
      const bool endsHere = at == text.size() || beginsInterruptedEscape(text.substr(at), key[i]);
      std::ptrdiff_t most = endsHere ? 0 : -1;
      for (const std::size_t formEnd : FormEnds(text, at, key[i])) {
        if (restCounts[formEnd] >= 0) most = std::max(most, restCounts[formEnd] + 1);
      }
      counts[at] = most;
    }
    counts.swap(restCounts);
  }
  return restCounts;
}

bool isUtf8Continuation(char byte) { return (static_cast<unsigned char>(byte) & 0xC0) == 0x80; }

// A UTF-8 sequence has at most 3 continuation bytes; a longer run is not UTF-8 and may be cut
// anywhere.
std::size_t cutBeforeSplitSequence(std::string_view text, std::size_t cut) {
  for (int back = 0; back < 3 && cut > 0 && isUtf8Continuation(text[cut]); ++back) --cut;
  return cut;
}

// A key the cut interrupts is already a placeholder, whole. What is left is the key's beginning
// that the text does not finish (a key the server masked or cut short), which shows part of it
// all the same.
std::size_t cutBeforeBegunKey(std::string_view text, std::size_t cut, std::string_view key) {
  const auto enough = static_cast<std::ptrdiff_t>(std::min(kShortestRemovedTail, key.size()));
  const std::vector<std::ptrdiff_t> begun = keyCharactersBegun(text.substr(0, cut), key);
  for (std::size_t at = 0; at < cut; ++at) {
    if (begun[at] >= enough) return at;
  }
  return cut;
}

// Part of a placeholder would read as the server's own words.
std::size_t cutBeforeSplitPlaceholder(std::string_view text, std::size_t cut) {
  const std::size_t size = kKeyPlaceholder.size();
  for (std::size_t start = cut >= size ? cut - size + 1 : 0; start < cut; ++start) {
    if (text.substr(start, size) == kKeyPlaceholder) return start;
  }
  return cut;
}

}  // namespace

std::string redactApiKey(std::string_view text, std::string_view key) {
  if (key.empty()) return std::string(text);
  const std::vector<std::size_t> occurrenceEnds = longestOccurrenceEnds(text, key);
  std::string redacted;
  redacted.reserve(text.size());
  for (std::size_t at = 0; at < text.size();) {
    if (occurrenceEnds[at] == kNone) {
      redacted += text[at++];
    } else {
      redacted += kKeyPlaceholder;
      at = occurrenceEnds[at];
    }
  }
  return redacted;
}

std::string quoteRedacted(std::string_view text, std::string_view key, std::size_t limit) {
  return quoteRedacted(text, key, limit, std::to_string(text.size()) + " bytes");
}

std::string quoteRedacted(std::string_view text, std::string_view key, std::size_t limit,
                          std::string_view size) {
  std::string quote = redactApiKey(text, key);
  if (quote.size() <= limit) return quote;
  std::size_t cut = cutBeforeSplitSequence(quote, limit);
  cut = cutBeforeBegunKey(quote, cut, key);
  cut = cutBeforeSplitPlaceholder(quote, cut);
  quote.resize(cut);
  return quote + "… (" + std::string(size) + ")";
}

}  // namespace outbound
