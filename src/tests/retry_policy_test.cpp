#include "core/retry_policy.hpp"

#include <catch2/catch.hpp>

#include "core/civil_time.hpp"

using namespace outbound;

TEST_CASE("retry after no answer, 429 and 5xx; never after another 4xx or a success") {
  for (int status : {0, 429, 500, 502, 503, 504, 599}) {
    INFO(status);
    CHECK(isRetryable(status));
  }
  for (int status : {200, 204, 301, 400, 401, 403, 404, 405, 409, 413, 422, 428, 431, 600}) {
    INFO(status);
    CHECK_FALSE(isRetryable(status));
  }
}

TEST_CASE("backoff doubles from the base up to the cap, with full jitter") {
  const RetryPolicy policy;  // 500 ms base, 30 s cap
  const std::pair<int, std::int64_t> ceilings[] = {{1, 500},   {2, 1000},  {3, 2000},
                                                   {4, 4000},  {5, 8000},  {6, 16000},
                                                   {7, 30000}, {8, 30000}, {60, 30000}};
  for (const auto& [attempts, ceiling] : ceilings) {
    INFO(attempts);
    CHECK(backoffDelayMs(policy, attempts, 0.0) == 0);
    CHECK(backoffDelayMs(policy, attempts, 0.5) == ceiling / 2);
    CHECK(backoffDelayMs(policy, attempts, 0.999999) == ceiling - 1);
  }
  CHECK(backoffDelayMs(policy, 0, 0.5) == 250);
  CHECK(backoffDelayMs(policy, 3, 7.0) == 2000);  // a random number out of range is clamped
}

TEST_CASE("Retry-After as delta-seconds") {
  const std::int64_t now = 1700000000000;
  CHECK(retryAfterDelayMs("0", now) == 0);
  CHECK(retryAfterDelayMs("5", now) == 5000);
  CHECK(retryAfterDelayMs("  120 ", now) == 120000);
  CHECK(retryAfterDelayMs("86400", now) == 86400000);
  for (const char* bad : {"", "-1", "1.5", "5s", "soon", "99999999999999"}) {
    INFO(bad);
    CHECK_FALSE(retryAfterDelayMs(bad, now).has_value());
  }
}

TEST_CASE("Retry-After as an HTTP date, in its three forms, relative to now") {
  const std::int64_t now = utcMs(1994, 11, 6, 8, 49, 0);
  CHECK(retryAfterDelayMs("Sun, 06 Nov 1994 08:49:37 GMT", now) == 37000);
  CHECK(retryAfterDelayMs("Sunday, 06-Nov-94 08:49:37 GMT", now) == 37000);
  CHECK(retryAfterDelayMs("Sun Nov  6 08:49:37 1994", now) == 37000);
  CHECK(retryAfterDelayMs("Sun, 06 Nov 1994 08:50:00 GMT", now) == 60000);
  CHECK(retryAfterDelayMs("Sat, 05 Nov 1994 08:49:37 GMT", now) == 0);  // in the past: now
  CHECK(retryAfterDelayMs("Thu, 01 Jan 2026 00:00:00 GMT", utcMs(2025, 12, 31, 23, 59, 30)) ==
        30000);
  for (const char* bad : {"Sun, 06 Nov 1994 08:49:37 UTC", "Sun, 06 Foo 1994 08:49:37 GMT",
                          "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT",
                          "Sun, 06 Nov 94 08:49:37 GMT", "Sun 06 Nov 1994", "tomorrow"}) {
    INFO(bad);
    CHECK_FALSE(retryAfterDelayMs(bad, now).has_value());
  }
}

TEST_CASE("the next attempt waits for Retry-After, capped, else backs off") {
  RetryPolicy policy;
  policy.maxRetryAfterMs = 60000;
  CHECK(nextAttemptDelayMs(policy, 1, std::int64_t{5000}, 0.9) == 5000);
  CHECK(nextAttemptDelayMs(policy, 1, std::int64_t{3600000}, 0.9) == 60000);
  CHECK(nextAttemptDelayMs(policy, 1, std::int64_t{0}, 0.9) == 0);
  CHECK(nextAttemptDelayMs(policy, 2, std::nullopt, 0.5) == 500);
}
