#include "core/json_check.hpp"

#include <cstddef>
#include <vector>

namespace outbound {
namespace {

class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  bool atEnd() const { return at_ == text_.size(); }
  char peek() const { return atEnd() ? '\0' : text_[at_]; }

  void skipWhitespace() {
    while (!atEnd() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) ++at_;
  }

  bool take(char expected) {
    if (atEnd() || peek() != expected) return false;
    ++at_;
    return true;
  }

  bool literal(std::string_view word) {
    if (text_.substr(at_, word.size()) != word) return false;
    at_ += word.size();
    return true;
  }

  // -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
  bool number() {
    take('-');
    if (!take('0') && !digits()) return false;
    if (take('.') && !digits()) return false;
    if (take('e') || take('E')) {
      if (!take('+')) take('-');
      if (!digits()) return false;
    }
    return true;
  }

  // After the opening quote: escapes as RFC 8259 lists them, no control characters, valid UTF-8.
  bool stringBody() {
    while (!atEnd()) {
      const auto c = static_cast<unsigned char>(text_[at_++]);
      if (c == '"') return true;
      if (c < 0x20) return false;
      if (c == '\\' && !escape()) return false;
      if (c >= 0x80 && !utf8Continuation(c)) return false;
    }
    return false;
  }

 private:
  bool digits() {
    const size_t start = at_;
    while (!atEnd() && peek() >= '0' && peek() <= '9') ++at_;
    return at_ > start;
  }

  bool escape() {
    if (atEnd()) return false;
    const char kind = text_[at_++];
    if (kind != 'u') return std::string_view("\"\\/bfnrt").find(kind) != std::string_view::npos;
    for (int i = 0; i < 4; ++i, ++at_) {
      const char h = peek();
      const bool hex = (h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F');
      if (atEnd() || !hex) return false;
    }
    return true;
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

  std::string_view text_;
  size_t at_ = 0;
};

}  // namespace

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
      if (scan.take('{')) {
        scan.skipWhitespace();
        if (scan.take('}')) {
          expect = Expect::AfterValue;
        } else {
          open.push_back('{');
          expect = Expect::Key;
        }
        continue;
      }
      if (scan.take('[')) {
        scan.skipWhitespace();
        if (scan.take(']')) {
          expect = Expect::AfterValue;
        } else {
          open.push_back('[');
          expect = Expect::Value;
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
