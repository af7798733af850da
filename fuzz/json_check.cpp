// isWellFormedJson, which decides whether a track's properties text may be spliced into a body
// as it is. Input: any text. Invariant: it agrees with nlohmann's accept() (json_check_test.cpp
// asks the same on its table), except that nlohmann takes a NUL byte for the end of the text
// ("1\0x" passes): text with a NUL byte is never JSON.
#include "core/json_check.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/json.hpp"
#include "fuzz_support.hpp"

using namespace outbound;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (text.find('\0') != std::string_view::npos) {
    FUZZ_INVARIANT(!isWellFormedJson(text));
  } else {
    FUZZ_INVARIANT(isWellFormedJson(text) == Json::accept(text));
  }
  return 0;
}
