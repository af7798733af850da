// The core's JSON reader (core/json.hpp): isWellFormedJson, which decides whether a track's
// properties text may be spliced into a body as it is, and parseJson with toJsonText. Input: any
// text. Invariants: both agree with nlohmann's accept() (json_test.cpp asks the same on its
// table), except that nlohmann takes a NUL byte for the end of the text ("1\0x" passes) and that
// parseJson builds no tree deeper than 512; what parseJson reads, written out again, is what
// nlohmann reads in the text.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "core/json.hpp"
#include "fuzz_support.hpp"

using namespace outbound;
using ReferenceJson = nlohmann::json;

namespace {

// How deep the text's brackets go, outside strings.
std::size_t nestingDepth(std::string_view text) {
  std::size_t depth = 0, deepest = 0;
  bool inString = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (inString) {
      if (c == '\\') ++i;
      if (c == '"') inString = false;
    } else if (c == '"') {
      inString = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return deepest;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const bool accepted = text.find('\0') == std::string_view::npos && ReferenceJson::accept(text);
  FUZZ_INVARIANT(isWellFormedJson(text) == accepted);
  const Json read = parseJson(text);
  if (read.isInvalid()) {
    FUZZ_INVARIANT(!accepted || nestingDepth(text) > 512);
  } else {
    FUZZ_INVARIANT(accepted);
    FUZZ_INVARIANT(ReferenceJson::parse(toJsonText(read)) == ReferenceJson::parse(text));
  }
  return 0;
}
