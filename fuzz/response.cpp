// What a server's answer means: Client::outcome, headerValue and retryAfterDelayMs.
// Input: byte 0 the method (index in apiMethods()); bytes 1–2 the status, a signed 16-bit
// big-endian number; bytes 3–6 unused (the jitter reads byte 3) and bytes 7–12 "now" in
// milliseconds since the epoch, unsigned big-endian; then the raw headers, "\r\n\r\n", and the
// body, in which every "@K" stands for the client's key (so a server echoing the key is easy to
// reach). Invariants: 2xx succeeds unless a browser says it followed a redirect, and nothing else
// does; a failure's message names the method, is bounded, and never holds the key; a header value
// lies inside the raw block, trimmed, on one line; a Retry-After delay is never negative.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/http_headers.hpp"
#include "core/methods.hpp"
#include "core/retry_policy.hpp"
#include "fuzz_support.hpp"

using namespace outbound;
using fuzzing::startsWith;

namespace {

constexpr size_t kHeaderBytes = 13;
constexpr size_t kLongestMessage = 1024;  // a quoted body is cut at 500 bytes

std::uint64_t bigEndian(const std::uint8_t* bytes, size_t count) {
  std::uint64_t value = 0;
  for (size_t i = 0; i < count; ++i) value = value << 8 | bytes[i];
  return value;
}

std::string withKey(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text.substr(i, 2) == "@K") {
      out += fuzzing::kKey;
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

void checkHeaderValue(std::string_view raw, std::string_view name) {
  const std::string_view value = headerValue(raw, name);
  if (value.empty()) return;
  FUZZ_INVARIANT(value.data() >= raw.data() &&
                 value.data() + value.size() <= raw.data() + raw.size());
  FUZZ_INVARIANT(value.find('\n') == std::string_view::npos);
  FUZZ_INVARIANT(!std::isspace(static_cast<unsigned char>(value.front())));
  FUZZ_INVARIANT(!std::isspace(static_cast<unsigned char>(value.back())));
}

void checkDelay(std::string_view value, std::int64_t nowMs, int attempts, double random01) {
  const auto delay = retryAfterDelayMs(value, nowMs);
  if (delay) FUZZ_INVARIANT(*delay >= 0);
  const RetryPolicy policy;
  const std::int64_t next = nextAttemptDelayMs(policy, attempts, delay, random01);
  FUZZ_INVARIANT(next >= 0 && next <= std::max(policy.maxRetryAfterMs, policy.maxDelayMs));
}

void checkOutcome(const Client& client, const MethodSpec& method, const HttpResponse& response) {
  const auto error = client.outcome(method.name, method.path, response);
  const bool redirectedByBrowser = !headerValue(response.headers, kRedirectedToHeader).empty();
  FUZZ_INVARIANT(error.has_value() !=
                 (response.status >= 200 && response.status < 300 && !redirectedByBrowser));
  if (!error) return;
  FUZZ_INVARIANT(error->receivedCall == (response.status > 0));
  FUZZ_INVARIANT(error->status == (response.status > 0 ? response.status : 0));
  FUZZ_INVARIANT(startsWith(error->message, std::string(method.name) + ": "));
  FUZZ_INVARIANT(error->message.size() <= kLongestMessage);
  FUZZ_INVARIANT(error->message.find(fuzzing::kKey) == std::string::npos);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < kHeaderBytes) return 0;
  static const Client client = fuzzing::clientWithFixedKey(1024 * 1024);
  const auto& methods = apiMethods();
  const MethodSpec& method = methods[data[0] % methods.size()];
  HttpResponse response;
  response.status = static_cast<std::int16_t>(bigEndian(data + 1, 2));
  const auto nowMs = static_cast<std::int64_t>(bigEndian(data + 7, 6));
  const std::string_view rest(reinterpret_cast<const char*>(data + kHeaderBytes),
                              size - kHeaderBytes);
  const size_t blankLine = rest.find("\r\n\r\n");
  response.headers = std::string(rest.substr(0, blankLine));
  if (blankLine != std::string_view::npos) response.body = withKey(rest.substr(blankLine + 4));

  checkHeaderValue(response.headers, "retry-after");
  checkHeaderValue(response.headers, "content-type");
  const int attempts = 1 + data[1] % 12;
  const double random01 = static_cast<double>(data[3]) / 256;
  checkDelay(headerValue(response.headers, "retry-after"), nowMs, attempts, random01);
  checkDelay(response.headers, nowMs, attempts, random01);  // the parser on any text
  checkOutcome(client, method, response);
  return 0;
}
