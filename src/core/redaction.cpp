#include "core/redaction.hpp"

#include <algorithm>
#include <vector>

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

int hexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
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

// Calls `visit` with the end of each way key character `c` can be written at `at`.
template <class Visit>
void visitFormEnds(std::string_view text, std::size_t at, char c, Visit&& visit) {
  const std::string_view rest = text.substr(at);
  if (rest.empty()) return;
  if (lowerAscii(rest[0]) == lowerAscii(c)) visit(at + 1);
  if (rest[0] == '\\' && rest.size() >= 2) {
    if (rest[1] == c && hasShortJsonEscape(c)) visit(at + 2);
    if (rest[1] == 'u' && rest.size() >= 6 && hexDigitsBegin(rest.substr(2, 4), 4, c)) {
      visit(at + 6);
    }
  }
  if (rest[0] == '%' && rest.size() >= 3 && hexDigitsBegin(rest.substr(1, 2), 2, c)) visit(at + 3);
}

// Whether `rest`, the end of a quote, is an escape of `c` the quote's end interrupted.
bool beginsInterruptedEscape(std::string_view rest, char c) {
  if (rest == "\\") return true;  // \uXXXX can write any character
  if (rest.substr(0, 2) == "\\u" && rest.size() < 6) return hexDigitsBegin(rest.substr(2), 4, c);
  if (rest.substr(0, 1) == "%" && rest.size() < 3) return hexDigitsBegin(rest.substr(1), 2, c);
  return false;
}

// Reads the key from one position in every way at once: a backslash or a percent sign may be a
// character of the key or begin an escape of one, so a position can lead to several readings.
// Its buffers serve every position of a text.
class KeyReader {
 public:
  explicit KeyReader(std::string_view key) : key_(key) {}

  // Where the longest occurrence of the key that begins at `at` ends, or npos.
  std::size_t longestOccurrenceEnd(std::string_view text, std::size_t at) {
    startAt(at);
    for (char c : key_) {
      if (!readNext(text, c)) return std::string_view::npos;
    }
    return *std::max_element(ends_.begin(), ends_.end());
  }

  // How many characters of the key text[at..] holds when all of it can begin an occurrence of
  // the key (its last character perhaps an interrupted escape), or 0.
  std::size_t keyCharactersBegunAt(std::string_view text, std::size_t at) {
    startAt(at);
    std::size_t begun = 0;
    for (std::size_t read = 0; !ends_.empty(); ++read) {
      const bool keyGoesOn = read < key_.size();
      const bool readsToTheEnd = std::any_of(ends_.begin(), ends_.end(), [&](std::size_t end) {
        return end == text.size() ||
               (keyGoesOn && beginsInterruptedEscape(text.substr(end), key_[read]));
      });
      if (readsToTheEnd) begun = read;
      if (!keyGoesOn) break;
      readNext(text, key_[read]);
    }
    return begun;
  }

 private:
  void startAt(std::size_t at) {
    ends_.clear();
    ends_.push_back(at);
  }

  // Moves every reading on by key character `c`; false when none can go on.
  bool readNext(std::string_view text, char c) {
    next_.clear();
    for (std::size_t end : ends_) {
      visitFormEnds(text, end, c, [this](std::size_t formEnd) { next_.push_back(formEnd); });
    }
    std::sort(next_.begin(), next_.end());
    next_.erase(std::unique(next_.begin(), next_.end()), next_.end());
    ends_.swap(next_);
    return !ends_.empty();
  }

  std::string_view key_;
  std::vector<std::size_t> ends_;  // where the readings so far end
  std::vector<std::size_t> next_;
};

bool isUtf8Continuation(char byte) { return (static_cast<unsigned char>(byte) & 0xC0) == 0x80; }

// A UTF-8 sequence has at most 3 continuation bytes; a longer run is not UTF-8 and may be cut
// anywhere.
std::size_t cutBeforeSplitSequence(std::string_view text, std::size_t cut) {
  for (int back = 0; back < 3 && cut > 0 && isUtf8Continuation(text[cut]); ++back) --cut;
  return cut;
}

// The cut ends what the reader sees of the text: ending on the key's beginning would show it,
// whatever the text held after the cut.
std::size_t cutBeforeBegunKey(std::string_view text, std::size_t cut, std::string_view key) {
  const std::string_view quote = text.substr(0, cut);
  const std::size_t enough = std::min(kShortestRemovedTail, key.size());
  KeyReader reader(key);
  for (std::size_t at = 0; at < cut; ++at) {
    if (reader.keyCharactersBegunAt(quote, at) >= enough) return at;
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
  std::string redacted;
  redacted.reserve(text.size());
  KeyReader reader(key);
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t end = reader.longestOccurrenceEnd(text, at);
    if (end == std::string_view::npos) {
      redacted += text[at++];
    } else {
      redacted += kKeyPlaceholder;
      at = end;
    }
  }
  return redacted;
}

std::string quoteRedacted(std::string_view text, std::string_view key, std::size_t limit) {
  std::string quote = redactApiKey(text, key);
  if (quote.size() <= limit) return quote;
  std::size_t cut = cutBeforeSplitSequence(quote, limit);
  if (!key.empty()) cut = cutBeforeBegunKey(quote, cut, key);
  cut = cutBeforeSplitPlaceholder(quote, cut);
  quote.resize(cut);
  return quote + "… (" + std::to_string(text.size()) + " bytes)";
}

}  // namespace outbound
