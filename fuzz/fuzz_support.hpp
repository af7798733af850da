// What the harnesses share: a check that aborts with the broken invariant (so libFuzzer keeps the
// input as a crash), and a client with a fixed key to look for in messages.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/client.hpp"

/// Aborts when `condition` is false: an invariant of the core does not hold for this input.
#define FUZZ_INVARIANT(condition)                                                         \
  do {                                                                                    \
    if (!(condition)) outbound::fuzzing::invariantBroken(#condition, __FILE__, __LINE__); \
  } while (false)

namespace outbound::fuzzing {

constexpr const char* kKey = "sk_fuzz_SECRET_key_123";
constexpr std::int64_t kNowMs = 1700000000789;  // 2023-11-14T22:13:20.789Z

[[noreturn]] inline void invariantBroken(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "\n%s:%d: invariant broken: %s\n", file, line, condition);
  std::abort();
}

inline bool startsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

/// A client whose key is kKey, as `new outbound(kKey, {baseUrl, maxBodyBytes})` makes it.
inline Client clientWithFixedKey(std::size_t maxBodyBytes) {
  auto setup = readConstructorArgs(std::string("so:[\"") + kKey +
                                   R"(",{"baseUrl":"http://127.0.0.1:9/v2","maxBodyBytes":)" +
                                   std::to_string(maxBodyBytes) + "}]");
  FUZZ_INVARIANT(setup.ok());
  return Client(setup.value());
}

}  // namespace outbound::fuzzing
