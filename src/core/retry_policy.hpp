// When a failed attempt is tried again, and after how long. Pure functions: the caller passes the
// time and the random number, so tests are exact.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace outbound {

struct RetryPolicy {
  int retries = 3;                        // attempts after the first; 0 turns retrying off
  std::int64_t baseDelayMs = 500;         // the backoff ceiling after the first failure
  std::int64_t maxDelayMs = 30000;        // the backoff ceiling never grows past this
  std::int64_t maxRetryAfterMs = 120000;  // a server's Retry-After is honoured up to this
};

/// Whether an attempt that ended with `status` may succeed if tried again: no answer (0, a
/// network failure or timeout), 429, or 5xx. Any other 4xx means the call itself is wrong.
bool isRetryable(int status);

/// Exponential backoff with full jitter: uniform in [0, min(maxDelayMs, baseDelayMs·2^(n−1))),
/// where n ≥ 1 counts the attempts made so far and `random01` is uniform in [0, 1).
std::int64_t backoffDelayMs(const RetryPolicy& policy, int attemptsMade, double random01);

/// The wait a Retry-After header value asks for, in milliseconds from `nowMs`: delta-seconds or
/// an HTTP date (IMF-fixdate, RFC 850 or asctime form). Nothing when it cannot be read.
std::optional<std::int64_t> retryAfterDelayMs(std::string_view value, std::int64_t nowMs);

/// The delay before the next attempt: the server's Retry-After when it gave one (capped at
/// maxRetryAfterMs), else the backoff.
std::int64_t nextAttemptDelayMs(const RetryPolicy& policy, int attemptsMade,
                                std::optional<std::int64_t> retryAfterMs, double random01);

}  // namespace outbound
