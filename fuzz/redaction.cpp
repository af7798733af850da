// redactApiKey and quoteRedacted, which keep the API key out of the text a message quotes.
// Input: byte 0 the key's length less one (mod 64); that many bytes of key, each mapped to
// printable ASCII (0x21 + byte % 94); one byte, the quote's limit in units of 4 bytes; then the
// text, in which "@K" and the byte s after it splice in the key (all of it when s < 0x80, else
// its first s % 64 characters, as in a reply cut short), each character in a form chosen by s and
// its position: itself, the other letter case, its JSON escape (\" \\ \/, or itself), \u00XX in
// lower or upper hex, %XX in upper or lower hex. The text stops growing at 8 KB.
// Invariants: no form of the key survives redaction or quoting. The oracle knows nothing of the
// redactor: it looks, ignoring letter case, for the key, its JSON.stringify form (without quotes)
// with "/" as it is and as "\/", its encodeURIComponent form and every character percent-encoded,
// and as written for every character as \u00XX in lower and in upper hex. It looks between the
// placeholders (a key such as "API" or "y]" is part of one) and before a quote's "… (N bytes)"
// (" bytes" holds other keys). Short keys are not skipped: random text holds a key of 1 to 3
// characters by chance, but the redactor must take such an occurrence out as well, and all the
// oracle searches is text the redactor read. Also: a quote is the redacted text or, when that is
// over the limit, a prefix of it of at most `limit` bytes not ending inside a placeholder, then
// "… (N bytes)" with N the text's size; valid UTF-8 text gives valid UTF-8.
#include "core/redaction.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"

using namespace outbound;
using fuzzing::startsWith;

namespace {

constexpr std::size_t kLongestKey = 64;
constexpr std::size_t kLongestText = 8192;  // replies are quoted from their first few KB
constexpr std::string_view kSplice = "@K";

enum class Form {
  Itself,
  OtherCase,
  JsonEscape,
  UnicodeLowerHex,
  UnicodeUpperHex,
  PercentUpperHex,
  PercentLowerHex,
  Count
};

char lowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

char otherCase(char c) {
  if (c >= 'a' && c <= 'z') return static_cast<char>(c - 'a' + 'A');
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string hexByte(char c, const char* digits) {
  const auto byte = static_cast<unsigned char>(c);
  return {digits[byte >> 4], digits[byte & 0xF]};
}

constexpr const char* kUpperHex = "0123456789ABCDEF";
constexpr const char* kLowerHex = "0123456789abcdef";

std::string written(char c, Form form) {
  switch (form) {
    case Form::OtherCase:
      return std::string(1, otherCase(c));
    case Form::JsonEscape:
      return c == '"' || c == '\\' || c == '/' ? std::string{'\\', c} : std::string(1, c);
    case Form::UnicodeLowerHex:
      return "\\u00" + hexByte(c, kLowerHex);
    case Form::UnicodeUpperHex:
      return "\\u00" + hexByte(c, kUpperHex);
    case Form::PercentUpperHex:
      return "%" + hexByte(c, kUpperHex);
    case Form::PercentLowerHex:
      return "%" + hexByte(c, kLowerHex);
    default:
      return std::string(1, c);
  }
}

// The key, or its first characters, each in a form chosen by `seed` and its position.
std::string splicedKey(std::string_view key, std::uint8_t seed) {
  const std::size_t count = seed < 0x80 ? key.size() : std::min(seed % kLongestKey, key.size());
  std::uint32_t state = 0x9E3779B9u ^ seed;
  std::string out;
  for (std::size_t i = 0; i < count; ++i) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    out += written(key[i], static_cast<Form>(state % static_cast<std::uint32_t>(Form::Count)));
  }
  return out;
}

std::string textWithKey(std::string_view input, std::string_view key) {
  std::string text;
  for (std::size_t at = 0; at < input.size() && text.size() < kLongestText;) {
    if (input.substr(at, kSplice.size()) == kSplice) {
      at += kSplice.size();
      const auto seed = at < input.size() ? static_cast<std::uint8_t>(input[at++]) : 0;
      text += splicedKey(key, seed);
    } else {
      text += input[at++];
    }
  }
  return text;
}

// --- The oracle: the key's forms as JavaScript and a URL would write them ---

std::string jsonStringifyForm(std::string_view key, bool slashEscaped) {
  std::string out;
  for (char c : key) {
    if (c == '"' || c == '\\' || (slashEscaped && c == '/')) out += '\\';
    out += c;
  }
  return out;
}

std::string percentForm(std::string_view key, bool everyCharacter) {
  static const std::string_view kUnreserved = "-_.!~*'()";
  std::string out;
  for (char c : key) {
    const bool alphanumeric =
        (c >= '0' && c <= '9') || (lowerAscii(c) >= 'a' && lowerAscii(c) <= 'z');
    if (!everyCharacter && (alphanumeric || kUnreserved.find(c) != std::string_view::npos)) {
      out += c;
    } else {
      out += "%" + hexByte(c, kUpperHex);
    }
  }
  return out;
}

std::string unicodeEscapeForm(std::string_view key, const char* hexDigits) {
  std::string out;
  for (char c : key) out += "\\u00" + hexByte(c, hexDigits);
  return out;
}

struct KeyForms {
  std::vector<std::string> caseless;
  std::vector<std::string> exact;
};

KeyForms formsOf(std::string_view key) {
  return {{std::string(key), jsonStringifyForm(key, false), jsonStringifyForm(key, true),
           percentForm(key, false), percentForm(key, true)},
          {unicodeEscapeForm(key, kLowerHex), unicodeEscapeForm(key, kUpperHex)}};
}

bool containsIgnoringCase(std::string_view text, std::string_view needle) {
  return std::search(text.begin(), text.end(), needle.begin(), needle.end(),
                     [](char a, char b) { return lowerAscii(a) == lowerAscii(b); }) != text.end();
}

void checkHoldsNoFormOfKey(std::string_view text, const KeyForms& forms) {
  std::size_t from = 0;
  while (from <= text.size()) {
    const std::size_t placeholder = text.find(kKeyPlaceholder, from);
    const std::string_view between = text.substr(from, placeholder - from);
    for (const auto& form : forms.caseless) FUZZ_INVARIANT(!containsIgnoringCase(between, form));
    for (const auto& form : forms.exact) FUZZ_INVARIANT(between.find(form) == std::string::npos);
    if (placeholder == std::string_view::npos) break;
    from = placeholder + kKeyPlaceholder.size();
  }
}

bool isValidUtf8(std::string_view text) {
  for (std::size_t at = 0; at < text.size();) {
    const auto lead = static_cast<unsigned char>(text[at]);
    std::size_t length = 1;
    std::uint32_t point = lead;
    std::uint32_t smallest = 0;
    if (lead >= 0xF0 && lead <= 0xF7) {
      length = 4, point = lead & 0x07, smallest = 0x10000;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3, point = lead & 0x0F, smallest = 0x800;
    } else if (lead >= 0xC0 && lead <= 0xDF) {
      length = 2, point = lead & 0x1F, smallest = 0x80;
    } else if (lead >= 0x80) {
      return false;
    }
    if (text.size() - at < length) return false;
    for (std::size_t i = 1; i < length; ++i) {
      const auto next = static_cast<unsigned char>(text[at + i]);
      if ((next & 0xC0) != 0x80) return false;
      point = point << 6 | (next & 0x3F);
    }
    if (point < smallest || point > 0x10FFFF || (point >= 0xD800 && point <= 0xDFFF)) return false;
    at += length;
  }
  return true;
}

bool endsInsidePlaceholder(std::string_view redacted, std::size_t cut) {
  const std::size_t size = kKeyPlaceholder.size();
  for (std::size_t start = cut >= size ? cut - size + 1 : 0; start < cut; ++start) {
    if (redacted.substr(start, size) == kKeyPlaceholder) return true;
  }
  return false;
}

// The quote without its "… (N bytes)"; aborts unless it is a bounded prefix of the redacted text.
std::string_view quotedPart(std::string_view quote, std::string_view redacted, std::size_t textSize,
                            std::size_t limit) {
  if (redacted.size() <= limit) {
    FUZZ_INVARIANT(quote == redacted);
    return quote;
  }
  const std::string suffix = "… (" + std::to_string(textSize) + " bytes)";
  FUZZ_INVARIANT(quote.size() >= suffix.size() &&
                 quote.substr(quote.size() - suffix.size()) == suffix);
  const std::string_view part = quote.substr(0, quote.size() - suffix.size());
  FUZZ_INVARIANT(part.size() <= limit);
  FUZZ_INVARIANT(startsWith(redacted, part));
  FUZZ_INVARIANT(!endsInsidePlaceholder(redacted, part.size()));
  return part;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::size_t keyLength = 1 + data[0] % kLongestKey;
  if (size < 2 + keyLength) return 0;
  std::string key;
  for (std::size_t i = 1; i <= keyLength; ++i) key += static_cast<char>(0x21 + data[i] % 94);
  const std::size_t limit = 4 * static_cast<std::size_t>(data[1 + keyLength]);
  const std::string_view input(reinterpret_cast<const char*>(data + 2 + keyLength),
                               size - 2 - keyLength);
  const std::string text = textWithKey(input, key);

  const std::string redacted = redactApiKey(text, key);
  const std::string quote = quoteRedacted(text, key, limit);
  const KeyForms forms = formsOf(key);
  checkHoldsNoFormOfKey(redacted, forms);
  checkHoldsNoFormOfKey(quotedPart(quote, redacted, text.size(), limit), forms);
  if (isValidUtf8(text)) {
    FUZZ_INVARIANT(isValidUtf8(redacted));
    FUZZ_INVARIANT(isValidUtf8(quote));
  }
  return 0;
}
