#include "core/json_check.hpp"

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

namespace outbound {
namespace {

class Scanner {
 public:
  explicit Scanner(std::string_view text) : at_(text.data()), end_(text.data() + text.size()) {}

  bool atEnd() const { return at_ == end_; }
  char peek() const { return at_ == end_ ? '\0' : *at_; }

  void skipWhitespace() {
    while (at_ != end_ && (*at_ == ' ' || *at_ == '\t' || *at_ == '\n' || *at_ == '\r')) ++at_;
  }

  bool take(char expected) {
    if (atEnd() || peek() != expected) return false;
    ++at_;
    return true;
  }

  bool literal(std::string_view word) {
    if (std::string_view(at_, end_ - at_).substr(0, word.size()) != word) return false;
    at_ += word.size();
    return true;
  }

  // -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?, and within a double's range: a
  // number too large for one (1e400) has no value a parser could give it.
  bool number() {
    const char* const start = at_;
    take('-');
    if (!take('0') && !digits()) return false;
    if (take('.') && !digits()) return false;
    if (take('e') || take('E')) {
      if (!take('+')) take('-');
      if (!digits()) return false;
    }
    return fitsInDouble(std::string_view(start, at_ - start));
  }

  // After the opening quote: escapes as RFC 8259 lists them, no control characters, valid UTF-8.
  bool stringBody() {
    while (at_ != end_) {
      const auto c = static_cast<unsigned char>(*at_++);
      if (c == '"') return true;
      if (c < 0x20) return false;
      if (c == '\\' && !escape()) return false;
      if (c >= 0x80 && !utf8Continuation(c)) return false;
    }
    return false;
  }

 private:
  bool digits() {
    const char* const start = at_;
    while (at_ != end_ && *at_ >= '0' && *at_ <= '9') ++at_;
    return at_ > start;
  }

  bool escape() {
    if (atEnd()) return false;
    const char kind = *at_++;
    if (kind != 'u') return std::string_view("\"\\/bfnrt").find(kind) != std::string_view::npos;
    const int unit = hexUnit();
    if (unit < 0xD800 || unit > 0xDFFF) return unit >= 0;
    // A UTF-16 surrogate escape stands for a character only as a high-low pair.
    if (unit > 0xDBFF || !literal("\\u")) return false;
    const int low = hexUnit();
    return low >= 0xDC00 && low <= 0xDFFF;
  }

  // Four hex digits, as a UTF-16 code unit; -1 when they are not there.
  int hexUnit() {
    int unit = 0;
    for (int i = 0; i < 4; ++i, ++at_) {
      const int digit = atEnd() ? -1 : hexDigitValue(peek());
      if (digit < 0) return -1;
      unit = unit * 16 + digit;
    }
    return unit;
  }

  // Whether a number as the grammar reads it is finite as a double. Only numbers whose leading
  // digit sits near 10^308 need the exact answer of strtod.
  static bool fitsInDouble(std::string_view number) {
    constexpr std::int64_t kExponentCap = 1'000'000'000'000;  // beyond any text's digit count
    std::int64_t magnitude =
        -1;  // the power of ten of the leading non-zero digit, before the exponent
    bool seenNonZero = false, afterPoint = false;
    size_t i = number[0] == '-' ? 1 : 0;
    for (; i < number.size() && number[i] != 'e' && number[i] != 'E'; ++i) {
      const char c = number[i];
      if (c == '.') {
        afterPoint = true;
      } else if (!seenNonZero && c == '0') {
        if (afterPoint) --magnitude;
      } else if (!seenNonZero) {
        seenNonZero = true;
        if (!afterPoint) magnitude = 0;
      } else if (!afterPoint) {
        ++magnitude;
      }
    }
    if (!seenNonZero) return true;  // zero, however written
    std::int64_t exponent = 0;
    if (i < number.size()) {
      const bool negative = number[i + 1] == '-';
      for (++i; i < number.size(); ++i) {
        if (number[i] >= '0' && number[i] <= '9' && exponent < kExponentCap) {
          exponent = exponent * 10 + (number[i] - '0');
        }
      }
      if (negative) exponent = -exponent;
    }
    const std::int64_t power = magnitude + exponent;
    if (power < 308) return true;
    if (power > 308) return false;
    return std::isfinite(std::strtod(std::string(number).c_str(), nullptr));
  }

  // The rest of a multi-byte UTF-8 sequence led by `lead`: no overlong forms, no surrogates,
  // nothing above U+10FFFF.
  bool utf8Continuation(unsigned char lead) {
    int count;
    unsigned char low = 0x80, high = 0xBF;  // the allowed range of the first continuation byte
    if (lead >= 0xC2 && lead <= 0xDF) {
      count = 1;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      count = 2;
      if (lead == 0xE0) low = 0xA0;
      if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      count = 3;
      if (lead == 0xF0) low = 0x90;
      if (lead == 0xF4) high = 0x8F;
    } else {
      return false;
    }
    for (int i = 0; i < count; ++i, ++at_) {
      if (atEnd()) return false;
      const auto c = static_cast<unsigned char>(peek());
      if (c < (i == 0 ? low : 0x80) || c > (i == 0 ? high : 0xBF)) return false;
    }
    return true;
  }

  // Pointers, not an index into a string_view: at -Oz its accessors stay calls, in loops over
  // every byte.
  const char* at_;
  const char* end_;
};

}  // namespace

int hexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool isWellFormedJson(std::string_view text) {
  Scanner scan(text);
  std::vector<char> open;  // the containers we are inside, innermost last: '{' or '['
  enum class Expect { Value, Key, AfterValue } expect = Expect::Value;
  while (true) {
    scan.skipWhitespace();
    if (expect == Expect::Key) {
      if (!scan.take('"') || !scan.stringBody()) return false;
      scan.skipWhitespace();
      if (!scan.take(':')) return false;
      expect = Expect::Value;
      continue;
    }
    if (expect == Expect::Value) {
      const char c = scan.peek();
      if (c == '{' || c == '[') {
        scan.take(c);
        scan.skipWhitespace();
        if (scan.take(c == '{' ? '}' : ']')) {
          expect = Expect::AfterValue;
        } else {
          open.push_back(c);
          expect = c == '{' ? Expect::Key : Expect::Value;
        }
        continue;
      }
      bool ok;
      if (scan.take('"')) {
        ok = scan.stringBody();
      } else if (c == '-' || (c >= '0' && c <= '9')) {
        ok = scan.number();
      } else {
        ok = scan.literal("true") || scan.literal("false") || scan.literal("null");
      }
      if (!ok) return false;
      expect = Expect::AfterValue;
      continue;
    }
    // AfterValue: close containers, or a comma before the next member.
    if (open.empty()) return scan.atEnd();
    if (scan.take(',')) {
      expect = open.back() == '{' ? Expect::Key : Expect::Value;
    } else if (scan.take(open.back() == '{' ? '}' : ']')) {
      open.pop_back();
    } else {
      return false;
    }
  }
}

}  // namespace outbound
