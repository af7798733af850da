// The core's JSON reader (core/json.hpp): readJsonArrayElements, which checks a call's arguments
// and finds each one's text (a track's properties are spliced into a body as they are), and
// parseJson with toJsonText. Input: any text. Invariants: both agree with nlohmann's accept()
// (json_test.cpp asks the same on its table), except that nlohmann takes a NUL byte for the end of
// the text ("1\0x" passes), that parseJson builds no tree deeper than 512 and that the array
// reader lets lone surrogate escapes through (and lists them); what parseJson reads, written out
// again, is what nlohmann reads in the text; the array reader's elements are nlohmann's elements.
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

// The text as an array's elements, checked against what nlohmann reads in it.
void checkArrayElements(std::string_view text, bool accepted) {
  JsonArrayElements read;
  if (!readJsonArrayElements(text, read) || !read.loneSurrogates.empty()) {
    FUZZ_INVARIANT(!accepted || !ReferenceJson::parse(text).is_array());
    return;
  }
  FUZZ_INVARIANT(accepted);
  const ReferenceJson reference = ReferenceJson::parse(text);
  FUZZ_INVARIANT(reference.is_array() && reference.size() == read.elements.size());
  for (std::size_t i = 0; i < read.elements.size(); ++i) {
    const auto& element = read.elements[i];
    const std::string_view elementText = text.substr(element.begin, element.end - element.begin);
    FUZZ_INVARIANT(ReferenceJson::parse(elementText) == reference[i]);
    FUZZ_INVARIANT(element.depth == nestingDepth(elementText));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const bool accepted = text.find('\0') == std::string_view::npos && ReferenceJson::accept(text);
  checkArrayElements(text, accepted);
  const Json read = parseJson(text);
  if (read.isInvalid()) {
    FUZZ_INVARIANT(!accepted || nestingDepth(text) > 512);
  } else {
    FUZZ_INVARIANT(accepted);
    FUZZ_INVARIANT(ReferenceJson::parse(toJsonText(read)) == ReferenceJson::parse(text));
  }
  return 0;
}
