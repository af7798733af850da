#include "core/json.hpp"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "core/decimal.hpp"

namespace outbound {
namespace {

// A tree deeper than this is refused: the tree's destructor, comparison and writer recurse. Calls'
// arguments stop at a hundred levels before this (js_args.hpp); only damaged storage gets here.
constexpr std::size_t kMaxTreeDepth = 512;

// Reads JSON text token by token, checking each against RFC 8259.
class Scanner {
 public:
  explicit Scanner(std::string_view text)
      : start_(text.data()), at_(text.data()), end_(text.data() + text.size()) {}

  /// From now on, a lone surrogate escape is let through, its offset noted in `offsets`.
  void noteLoneSurrogates(std::vector<std::size_t>* offsets) { loneSurrogates_ = offsets; }

  const char* position() const { return at_; }
  std::size_t offset() const { return static_cast<std::size_t>(at_ - start_); }
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
  // number too large for one (1e400) has no value a reader could give it.
  bool number() {
    const char* const start = at_;
    take('-');
    if (!take('0') && !digits()) return false;
    if (take('.') && !digits()) return false;
    if (take('e') || take('E')) {
      if (!take('+')) take('-');
      if (!digits()) return false;
    }
    return jsonNumberIsFinite(std::string_view(start, at_ - start));
  }

  // After the opening quote, up to and past the closing one: escapes as RFC 8259 lists them, no
  // control characters, valid UTF-8.
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

  // After the backslash.
  bool escape() {
    if (atEnd()) return false;
    const std::size_t backslash = offset() - 1;
    const char kind = *at_++;
    if (kind != 'u') return std::string_view("\"\\/bfnrt").find(kind) != std::string_view::npos;
    const int unit = hexUnit();
    if (unit < 0xD800 || unit > 0xDFFF) return unit >= 0;
    // A UTF-16 surrogate escape stands for a character only as a high-low pair.
    if (unit <= 0xDBFF && lowSurrogateEscapeFollows()) {
      at_ += 6;
      return true;
    }
    if (loneSurrogates_ == nullptr) return false;
    loneSurrogates_->push_back(backslash);
    return true;
  }

  bool lowSurrogateEscapeFollows() const {
    if (end_ - at_ < 6 || at_[0] != '\\' || at_[1] != 'u') return false;
    int unit = 0;
    for (int i = 2; i < 6; ++i) {
      const int digit = hexDigitValue(at_[i]);
      if (digit < 0) return false;
      unit = unit * 16 + digit;
    }
    return unit >= 0xDC00 && unit <= 0xDFFF;
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
  const char* start_;
  const char* at_;
  const char* end_;
  std::vector<std::size_t>* loneSurrogates_ = nullptr;
};

void appendUtf8(std::string& out, unsigned codePoint) {
  if (codePoint < 0x80) {
    out += static_cast<char>(codePoint);
    return;
  }
  const int continuationBytes = codePoint < 0x800 ? 1 : codePoint < 0x10000 ? 2 : 3;
  static constexpr unsigned char kLeadMarks[] = {0xC0, 0xE0, 0xF0};
  out +=
      static_cast<char>(kLeadMarks[continuationBytes - 1] | (codePoint >> (6 * continuationBytes)));
  for (int shift = 6 * (continuationBytes - 1); shift >= 0; shift -= 6) {
    out += static_cast<char>(0x80 | ((codePoint >> shift) & 0x3F));
  }
}

unsigned hexUnitAt(const char* at) {
  unsigned unit = 0;
  for (int i = 0; i < 4; ++i) unit = unit * 16 + static_cast<unsigned>(hexDigitValue(at[i]));
  return unit;
}

// The value of a string the scanner has checked, between its quotes.
std::string unescaped(std::string_view inside) {
  std::string out;
  out.reserve(inside.size());
  for (size_t i = 0; i < inside.size(); ++i) {
    const char c = inside[i];
    if (c != '\\') {
      out += c;
      continue;
    }
    const char kind = inside[++i];
    if (kind != 'u') {
      static constexpr std::string_view kFrom = "bfnrt", kTo = "\b\f\n\r\t";
      const size_t named = kFrom.find(kind);
      out += named == std::string_view::npos ? kind : kTo[named];
      continue;
    }
    unsigned codePoint = hexUnitAt(inside.data() + i + 1);
    i += 4;
    if (codePoint >= 0xD800 && codePoint <= 0xDBFF) {  // checked: a low surrogate follows
      codePoint =
          0x10000 + ((codePoint - 0xD800) << 10) + (hexUnitAt(inside.data() + i + 3) - 0xDC00);
      i += 6;
    }
    appendUtf8(out, codePoint);
  }
  return out;
}

}  // namespace

// One pass over the text, building the tree as it goes when asked to; without a tree to build it
// follows any depth, and makes no value at all (a call's arguments are read that way).
class JsonReader {
 public:
  JsonReader(std::string_view text, bool build) : scan_(text), build_(build) {}

  /// Reading an array, notes where each of its elements begins and ends, and how deep it nests.
  void noteElements(JsonArrayElements* elements) {
    elements_ = elements;
    scan_.noteLoneSurrogates(&elements->loneSurrogates);
  }

  bool read() {
    Expect expect = Expect::Value;
    while (true) {
      if (elements_ != nullptr) noteElementEnd(expect);
      scan_.skipWhitespace();
      if (elements_ != nullptr) noteElementStart(expect);
      if (expect == Expect::Key) {
        if (!string(build_ ? &key_ : nullptr)) return false;
        scan_.skipWhitespace();
        if (!scan_.take(':')) return false;
        expect = Expect::Value;
        continue;
      }
      if (expect == Expect::Value) {
        const char c = scan_.peek();
        if (c == '{' || c == '[') {
          const Opened opened = open(c);
          if (opened == Opened::Failed) return false;
          expect = opened == Opened::Closed ? Expect::AfterValue
                   : c == '{'               ? Expect::Key
                                            : Expect::Value;
          continue;
        }
        if (!scalar(c)) return false;
        expect = Expect::AfterValue;
        continue;
      }
      // AfterValue: close containers, or a comma before the next member.
      if (kinds_.empty()) return scan_.atEnd();
      if (scan_.take(',')) {
        expect = kinds_.back() == '{' ? Expect::Key : Expect::Value;
      } else if (scan_.take(kinds_.back() == '{' ? '}' : ']')) {
        kinds_.pop_back();
        if (build_) open_.pop_back();
      } else {
        return false;
      }
    }
  }

  Json result;

 private:
  enum class Expect { Value, Key, AfterValue };
  enum class Opened { Failed, Closed, Open };

  // An element of the outermost array begins where a value is expected right inside it, and ends
  // where, back right inside it, a value has just been read.
  void noteElementStart(Expect expect) {
    if (kinds_.size() != 1 || expect != Expect::Value) return;
    elementStart_ = scan_.offset();
    elementDepth_ = 0;
  }
  void noteElementEnd(Expect expect) {
    if (kinds_.size() != 1 || expect != Expect::AfterValue || elementStart_ == kNoElement) return;
    elements_->elements.push_back({elementStart_, scan_.offset(), elementDepth_});
    elementStart_ = kNoElement;
  }

  // Opens an object or an array; one closed at once ({} or []) is left off the stack of open
  // containers.
  Opened open(char c) {
    if (build_ && open_.size() >= kMaxTreeDepth) return Opened::Failed;
    elementDepth_ = std::max(elementDepth_, kinds_.size());  // the outermost array is level 0
    scan_.take(c);
    Json* container = build_ ? place(c == '{' ? Json::object() : Json::array()) : nullptr;
    scan_.skipWhitespace();
    if (scan_.take(c == '{' ? '}' : ']')) return Opened::Closed;
    if (kinds_.empty()) kinds_.reserve(kUsualDepth);  // one allocation, not one per level
    kinds_.push_back(c);
    if (build_) open_.push_back(container);
    return Opened::Open;
  }

  bool scalar(char c) {
    const char* const start = scan_.position();
    if (c == '"') {
      if (!build_) return string(nullptr);
      std::string value;
      if (!string(&value)) return false;
      place(Json::string(std::move(value)));
      return true;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
      if (!scan_.number()) return false;
      if (build_) place(Json::number(std::string(start, scan_.position() - start)));
      return true;
    }
    if (scan_.literal("true") || scan_.literal("false")) {
      if (build_) place(Json::boolean(c == 't'));
      return true;
    }
    if (!scan_.literal("null")) return false;
    if (build_) place(Json());
    return true;
  }

  bool string(std::string* value) {
    if (!scan_.take('"')) return false;
    const char* const start = scan_.position();
    if (!scan_.stringBody()) return false;
    if (value != nullptr) *value = unescaped(std::string_view(start, scan_.position() - start - 1));
    return true;
  }

  // Puts a value where the text has it: the result, or the last member of the innermost open
  // container (whose own place in its parent does not move while it is open).
  Json* place(Json value) {
    if (!build_) return nullptr;
    if (open_.empty()) {
      result = std::move(value);
      return &result;
    }
    Json& container = *open_.back();
    if (container.isObject()) container.keys_.push_back(std::move(key_));
    container.elements_.push_back(std::move(value));
    return &container.elements_.back();
  }

  static constexpr std::size_t kNoElement = SIZE_MAX;
  static constexpr std::size_t kUsualDepth = 16;

  Scanner scan_;
  bool build_;
  JsonArrayElements* elements_ = nullptr;
  std::size_t elementStart_ = kNoElement;
  std::size_t elementDepth_ = 0;
  std::vector<char> kinds_;  // the containers we are inside, innermost last: '{' or '['
  std::vector<Json*> open_;  // the same, as nodes of the tree, when building
  std::string key_;          // the key of the member being read
};

Json Json::boolean(bool value) {
  Json json;
  json.type_ = Type::Boolean;
  json.boolean_ = value;
  return json;
}

Json Json::string(std::string value) {
  Json json;
  json.type_ = Type::String;
  json.text_ = std::move(value);
  return json;
}

Json Json::number(std::string text) {
  Json json;
  json.type_ = Type::Number;
  json.text_ = std::move(text);
  return json;
}

Json Json::integer(std::int64_t value) { return number(std::to_string(value)); }

Json Json::array() {
  Json json;
  json.type_ = Type::Array;
  return json;
}

Json Json::object() {
  Json json;
  json.type_ = Type::Object;
  return json;
}

Json Json::invalid() {
  Json json;
  json.type_ = Type::Invalid;
  return json;
}

double Json::numberValue() const { return jsonNumberToDouble(text_); }

std::optional<std::int64_t> Json::integerValue() const {
  if (!isNumber()) return std::nullopt;
  const bool negative = text_[0] == '-';
  std::uint64_t magnitude = 0;
  for (size_t i = negative ? 1 : 0; i < text_.size(); ++i) {
    const char c = text_[i];
    if (c < '0' || c > '9' || magnitude > (UINT64_MAX - 9) / 10) return std::nullopt;
    magnitude = magnitude * 10 + static_cast<unsigned>(c - '0');
  }
  if (magnitude > static_cast<std::uint64_t>(INT64_MAX) + (negative ? 1 : 0)) return std::nullopt;
  return negative ? static_cast<std::int64_t>(0 - magnitude) : static_cast<std::int64_t>(magnitude);
}

const Json* Json::find(std::string_view key) const {
  for (size_t i = 0; i < keys_.size(); ++i) {
    if (keys_[i] == key) return &elements_[i];
  }
  return nullptr;
}

void Json::set(std::string_view key, Json value) {
  if (const Json* found = find(key)) {
    elements_[found - elements_.data()] = std::move(value);
    return;
  }
  append(std::string(key), std::move(value));
}

bool operator==(const Json& a, const Json& b) {
  return a.type_ == b.type_ && a.boolean_ == b.boolean_ && a.text_ == b.text_ &&
         a.keys_ == b.keys_ && a.elements_ == b.elements_;
}

Json parseJson(std::string_view text) {
  JsonReader reader(text, /*build=*/true);
  return reader.read() ? std::move(reader.result) : Json::invalid();
}

bool readJsonArrayElements(std::string_view text, JsonArrayElements& read) {
  JsonReader reader(text, /*build=*/false);
  reader.noteElements(&read);
  const auto first = text.find_first_not_of(" \t\n\r");
  return first != std::string_view::npos && text[first] == '[' && reader.read();
}

void appendJsonString(std::string& out, std::string_view text) {
  out += '"';
  // Runs of characters that need no escape (most strings are one run) are appended whole.
  const char* run = text.data();
  const char* const end = run + text.size();
  for (const char* at = run; at != end; ++at) {
    const char c = *at;
    if (c != '"' && c != '\\' && static_cast<unsigned char>(c) >= 0x20) continue;
    out.append(run, static_cast<size_t>(at - run));
    run = at + 1;
    out += '\\';
    static constexpr std::string_view kNamed = "\b\f\n\r\t", kLetters = "bfnrt";
    static constexpr char kHex[] = "0123456789abcdef";
    const size_t named = kNamed.find(c);
    if (c == '"' || c == '\\') {
      out += c;
    } else if (named != std::string_view::npos) {
      out += kLetters[named];
    } else {
      out.append("u00").append(1, kHex[c >> 4]).append(1, kHex[c & 0xF]);
    }
  }
  out.append(run, static_cast<size_t>(end - run));
  out += '"';
}

namespace {

void appendJson(std::string& out, const Json& value) {
  switch (value.type()) {
    case Json::Type::Null:
    case Json::Type::Invalid:
      out += "null";
      return;
    case Json::Type::Boolean:
      out += value.booleanValue() ? "true" : "false";
      return;
    case Json::Type::Number:
      out += value.text();
      return;
    case Json::Type::String:
      appendJsonString(out, value.text());
      return;
    case Json::Type::Array:
    case Json::Type::Object:
      break;
  }
  const bool isObject = value.isObject();
  out += isObject ? '{' : '[';
  for (size_t i = 0; i < value.size(); ++i) {
    if (i > 0) out += ',';
    if (isObject) {
      appendJsonString(out, value.keys()[i]);
      out += ':';
    }
    appendJson(out, value.elements()[i]);
  }
  out += isObject ? '}' : ']';
}

}  // namespace

std::string toJsonText(const Json& value) {
  std::string out;
  appendJson(out, value);
  return out;
}

int hexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace outbound
