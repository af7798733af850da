// The core's JSON: a small tree, a validating reader and a writer of its own.
//
// What the core does with JSON is narrow: read what JSON.stringify wrote (and what it stored
// itself), look at a few members, and write bodies. A number is kept as the text it came as —
// JavaScript's own shortest form, which is also what goes on the wire — and turned into a double
// only where a value is compared. Objects keep their members in the order given. Keeping this here
// rather than in a general JSON library keeps a parser, a number formatter and strtod out of the
// browser's .wasm (docs/architecture.md, "The core's own JSON"); the native tests check it against
// nlohmann/json.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace outbound {

class Json {
 public:
  enum class Type : unsigned char { Null, Boolean, Number, String, Array, Object, Invalid };

  Json() = default;  // null
  static Json boolean(bool value);
  static Json string(std::string value);
  /// `text` must be a number as the JSON grammar writes it.
  static Json number(std::string text);
  static Json integer(std::int64_t value);
  static Json array();
  static Json object();
  /// What parseJson gives for text that is not JSON.
  static Json invalid();

  Type type() const { return type_; }
  bool isNull() const { return type_ == Type::Null; }
  bool isBoolean() const { return type_ == Type::Boolean; }
  bool isNumber() const { return type_ == Type::Number; }
  bool isString() const { return type_ == Type::String; }
  bool isArray() const { return type_ == Type::Array; }
  bool isObject() const { return type_ == Type::Object; }
  bool isInvalid() const { return type_ == Type::Invalid; }

  bool booleanValue() const { return boolean_; }
  /// A string's value, or a number's JSON text.
  const std::string& text() const { return text_; }
  /// A number's value, correctly rounded.
  double numberValue() const;
  /// A number written as an integer (no fraction, no exponent) that fits 64 bits.
  std::optional<std::int64_t> integerValue() const;

  /// An array's elements, or an object's values (in the order of keys()).
  const std::vector<Json>& elements() const { return elements_; }
  const std::vector<std::string>& keys() const { return keys_; }
  std::size_t size() const { return elements_.size(); }
  bool empty() const { return elements_.empty(); }

  void push(Json element) { elements_.push_back(std::move(element)); }
  /// The member named `key`, or nullptr.
  const Json* find(std::string_view key) const;
  /// Sets the member `key`, replacing its value or adding it last.
  void set(std::string_view key, Json value);
  /// Adds a member last without looking for one of the same name: for a key known to be new.
  void append(std::string key, Json value) {
    keys_.push_back(std::move(key));
    elements_.push_back(std::move(value));
  }

  friend bool operator==(const Json& a, const Json& b);
  friend bool operator!=(const Json& a, const Json& b) { return !(a == b); }

 private:
  friend class JsonReader;

  Type type_ = Type::Null;
  bool boolean_ = false;
  std::string text_;
  std::vector<Json> elements_;
  std::vector<std::string> keys_;
};

/// Reads exactly one JSON value (RFC 8259, UTF-8) with nothing but whitespace around it; anything
/// else gives Json::invalid(). Nesting is followed without recursion.
Json parseJson(std::string_view text);

/// One element of an array read by readJsonArrayElements: its text is [begin, end) of the array's,
/// and `depth` is how many containers deep it goes (0 for a number, 1 for {} or [1], 2 for [[]]).
struct JsonArrayElement {
  std::size_t begin;
  std::size_t end;
  std::size_t depth;
};

struct JsonArrayElements {
  std::vector<JsonArrayElement> elements;
  /// Where a lone UTF-16 surrogate escape (\uD800 with no low half after it, or a lone low half)
  /// begins: JSON.stringify writes one for a lone surrogate, which no UTF-8 text can hold.
  std::vector<std::size_t> loneSurrogates;
};

/// Reads the elements of a JSON array into `read` (empty before), in one pass that checks the
/// text as parseJson does, except that lone surrogate escapes are let through and listed. False
/// when the text is not one array.
bool readJsonArrayElements(std::string_view text, JsonArrayElements& read);

/// Compact JSON, escaped as JSON.stringify escapes.
std::string toJsonText(const Json& value);

/// Appends `text` (UTF-8) as a JSON string, in quotes.
void appendJsonString(std::string& out, std::string_view text);

/// The value of a hexadecimal digit (either case), or -1 for any other character.
int hexDigitValue(char c);

}  // namespace outbound
