#include "core/retry_policy.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <string>

#include "core/civil_time.hpp"
#include "core/http_headers.hpp"

namespace outbound {
namespace {

constexpr std::array<std::string_view, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::optional<std::int64_t> digitsValue(std::string_view text, size_t maxDigits = 12) {
  if (text.empty() || text.size() > maxDigits) return std::nullopt;
  std::int64_t value = 0;
  for (const char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

std::optional<unsigned> monthNumber(std::string_view name) {
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (kMonths[i] == name) return static_cast<unsigned>(i + 1);
  }
  return std::nullopt;
}

// Splits on spaces (runs of them), as asctime pads the day with one.
std::array<std::string_view, 6> words(std::string_view text, size_t& count) {
  std::array<std::string_view, 6> found{};
  count = 0;
  while (!text.empty()) {
    const size_t start = text.find_first_not_of(' ');
    if (start == std::string_view::npos) break;
    text.remove_prefix(start);
    const size_t end = std::min(text.find(' '), text.size());
    if (count == found.size()) {
      ++count;
      break;
    }
    found[count++] = text.substr(0, end);
    text.remove_prefix(end);
  }
  return found;
}

struct Clock {
  std::int64_t hour, minute, second;
};

std::optional<Clock> clockFrom(std::string_view text) {
  if (text.size() != 8 || text[2] != ':' || text[5] != ':') return std::nullopt;
  const auto hour = digitsValue(text.substr(0, 2));
  const auto minute = digitsValue(text.substr(3, 2));
  const auto second = digitsValue(text.substr(6, 2));
  if (!hour || !minute || !second || *hour > 23 || *minute > 59 || *second > 60)
    return std::nullopt;
  return Clock{*hour, *minute, *second};
}

std::optional<std::int64_t> dateMs(std::int64_t year, std::optional<unsigned> month,
                                   std::optional<std::int64_t> day, std::string_view clockText) {
  const auto clock = clockFrom(clockText);
  if (!month || !day || !clock || *day < 1 || *day > 31) return std::nullopt;
  return utcMs(year, *month, static_cast<unsigned>(*day), static_cast<int>(clock->hour),
               static_cast<int>(clock->minute), static_cast<int>(clock->second));
}

// "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT" or "Sun Nov  6 08:49:37 1994".
std::optional<std::int64_t> httpDateMs(std::string_view text) {
  size_t count = 0;
  const auto w = words(text, count);
  if (count == 6 && w[5] == "GMT") {  // IMF-fixdate
    const auto year = digitsValue(w[3], 4);
    if (!year || w[3].size() != 4) return std::nullopt;
    return dateMs(*year, monthNumber(w[2]), digitsValue(w[1], 2), w[4]);
  }
  if (count == 4 && w[3] == "GMT" && w[1].size() == 9 && w[1][2] == '-' && w[1][6] == '-') {
    const auto twoDigitYear = digitsValue(w[1].substr(7, 2));  // RFC 850
    if (!twoDigitYear) return std::nullopt;
    const std::int64_t year = *twoDigitYear + (*twoDigitYear < 70 ? 2000 : 1900);
    return dateMs(year, monthNumber(w[1].substr(3, 3)), digitsValue(w[1].substr(0, 2)), w[2]);
  }
  if (count == 5) {  // asctime
    const auto year = digitsValue(w[4], 4);
    if (!year || w[4].size() != 4) return std::nullopt;
    return dateMs(*year, monthNumber(w[1]), digitsValue(w[2], 2), w[3]);
  }
  return std::nullopt;
}

}  // namespace

bool isRetryable(int status) {
  return status == 0 || status == 429 || (status >= 500 && status < 600);
}

std::int64_t backoffDelayMs(const RetryPolicy& policy, int attemptsMade, double random01) {
  const int doublings = std::clamp(attemptsMade - 1, 0, 40);
  const double ceiling = std::min(static_cast<double>(policy.maxDelayMs),
                                  std::ldexp(static_cast<double>(policy.baseDelayMs), doublings));
  const double random = std::clamp(random01, 0.0, 1.0);
  return static_cast<std::int64_t>(std::floor(ceiling * random));
}

std::optional<std::int64_t> retryAfterDelayMs(std::string_view value, std::int64_t nowMs) {
  value = trimmed(value);
  if (const auto seconds = digitsValue(value)) return *seconds * 1000;
  if (const auto when = httpDateMs(value)) return std::max<std::int64_t>(0, *when - nowMs);
  return std::nullopt;
}

std::int64_t nextAttemptDelayMs(const RetryPolicy& policy, int attemptsMade,
                                std::optional<std::int64_t> retryAfterMs, double random01) {
  if (retryAfterMs) return std::clamp<std::int64_t>(*retryAfterMs, 0, policy.maxRetryAfterMs);
  return backoffDelayMs(policy, attemptsMade, random01);
}

}  // namespace outbound
