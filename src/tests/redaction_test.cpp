#include "core/redaction.hpp"

#include <catch2/catch.hpp>
#include <string>

using outbound::quoteRedacted;
using outbound::redactApiKey;

namespace {

constexpr const char* kKey = "sk_test_SECRET_key_123";
// A key with every character JSON escapes with a backslash and itself.
constexpr const char* kEscapedKey = R"(Ab"c\d/e)";

struct RedactionCase {
  const char* what;
  const char* key;
  std::string text;
  std::string redacted;
};

struct QuoteCase {
  const char* what;
  std::string text;
  std::string quote;
};

std::string xs(std::size_t count) { return std::string(count, 'x'); }

}  // namespace

TEST_CASE("the key is redacted in every form a server may echo it") {
  const RedactionCase cases[] = {
      {"exact", kKey, "unknown key sk_test_SECRET_key_123.", "unknown key [API key]."},
      {"upper case", kKey, "KEY SK_TEST_SECRET_KEY_123", "KEY [API key]"},
      {"lower case", kKey, "key=sk_test_secret_key_123;", "key=[API key];"},
      {"exact, with JSON's escaped characters", kEscapedKey, R"(got Ab"c\d/e)", "got [API key]"},
      {"JSON-escaped", kEscapedKey, R"({"key":"Ab\"c\\d/e"})", R"({"key":"[API key]"})"},
      {"JSON-escaped with \\/", kEscapedKey, R"({"key":"Ab\"c\\d\/e"})", R"({"key":"[API key]"})"},
      {"\\u escapes, hex in either case", kEscapedKey, R"("\u0041b\u0022c\u005Cd\u002fe")",
       R"("[API key]")"},
      {"\\u escapes of the other letter case", kEscapedKey, R"(\u0061\u0042"C\D/E)", "[API key]"},
      {"percent-encoded, upper hex", kEscapedKey, "?key=Ab%22c%5Cd%2Fe&x=1", "?key=[API key]&x=1"},
      {"percent-encoded, lower hex", kEscapedKey, "%41%62%22%63%5c%64%2f%65", "[API key]"},
      {"percent-encoded from a form, every character", kKey,
       "key=%73%6B%5F%74%65%73%74%5F%53%45%43%52%45%54%5F%6B%65%79%5F%31%32%33", "key=[API key]"},
      {"every form mixed", kEscapedKey, R"(aB\u0022C%5cD\/%45)", "[API key]"},
      {"backslashes read as the key's or as escapes", R"(a\\b)", R"(a\\b a\\\b a\\\\b a\\\\\b)",
       R"([API key] [API key] [API key] a\\\\\b)"},
      {"the longest reading", R"(ab\)", R"(ab\\ ab\)", "[API key] [API key]"},
      {"a percent sign that is the key's", "50%off!x", "50%off!x 50%25OFF%21x 50%2525off!x",
       "[API key] [API key] 50%2525off!x"},
      {"several occurrences", kKey,
       "a sk_test_SECRET_key_123 b SK_TEST_SECRET_KEY_123 c "
       "%73k_test_SECRET_key_123sk_test_SECRET_key_123",
       "a [API key] b [API key] c [API key][API key]"},
      {"no key", kKey, "nothing here: sk_test_SECRET_key_12 100% \\u0041 \\\" é",
       "nothing here: sk_test_SECRET_key_12 100% \\u0041 \\\" é"},
      {"an escape of a character outside ASCII is not a letter of the key", "Ax", R"(\u0141x)",
       R"(\u0141x)"},
      {"empty text", kKey, "", ""},
  };
  for (const auto& [what, key, text, redacted] : cases) {
    INFO(what << ": " << text);
    CHECK(redactApiKey(text, key) == redacted);
  }
}

TEST_CASE("a quote is cut at the limit, never inside a UTF-8 sequence or the key") {
  const std::string key = kKey;
  const std::string ys(100, 'y');
  const QuoteCase cases[] = {
      {"short: as it is", "no key here", "no key here"},
      {"as long as the limit: as it is", xs(500), xs(500)},
      {"long: cut, with the size as received", xs(600), xs(500) + "… (600 bytes)"},
      {"a key before the cut, redacted", "sk_test_SECRET_key_123" + xs(600),
       "[API key]" + xs(491) + "… (622 bytes)"},
      {"a key ending at the cut, redacted", xs(478) + key + ys,
       xs(478) + "[API key]" + ys.substr(0, 13) + "… (600 bytes)"},
      {"a key straddling the cut leaves nothing", xs(495) + key + ys, xs(495) + "… (617 bytes)"},
      {"an escaped key straddling the cut leaves nothing",
       xs(495) + "%73%6B%5F%74%65%73%74" + "_SECRET_key_123" + ys, xs(495) + "… (631 bytes)"},
      {"the key's beginning at the cut goes", xs(495) + "sk_te" + ys, xs(495) + "… (600 bytes)"},
      {"the key's escaped beginning at the cut goes", xs(494) + "%73K_t" + ys,
       xs(494) + "… (600 bytes)"},
      {"a beginning ending in an interrupted escape goes", xs(494) + "sk_t%6" + "5st" + ys,
       xs(494) + "… (603 bytes)"},
      {"three characters of the key at the cut stay", xs(497) + "sk_" + ys,
       xs(497) + "sk_" + "… (600 bytes)"},
      {"a two-byte sequence at the cut goes whole", xs(499) + "é" + ys, xs(499) + "… (601 bytes)"},
      {"a three-byte sequence at the cut goes whole", xs(498) + "€" + ys,
       xs(498) + "… (601 bytes)"},
      {"a four-byte sequence at the cut goes whole", xs(497) + "😀" + ys, xs(497) + "… (601 bytes)"},
      {"a sequence ending at the cut stays", xs(498) + "é" + ys, xs(498) + "é… (600 bytes)"},
  };
  for (const auto& [what, text, quote] : cases) {
    INFO(what);
    CHECK(quoteRedacted(text, key, 500) == quote);
  }
}

TEST_CASE("a cut through a placeholder takes it whole") {
  // A one-character key makes the redacted text longer than the text as received.
  const std::string text = std::string(8, 'x') + "k" + std::string(5, 'x');
  CHECK(quoteRedacted(text, "k", 17) == std::string(8, 'x') + "[API key]… (14 bytes)");
  CHECK(quoteRedacted(text, "k", 16) == std::string(8, 'x') + "… (14 bytes)");
  CHECK(quoteRedacted(text, "k", 9) == std::string(8, 'x') + "… (14 bytes)");
}
