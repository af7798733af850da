// Calendar arithmetic shared by timestamp and HTTP-date parsing.
#pragma once

#include <cstdint>

namespace outbound {

/// Days from 1970-01-01 to a proleptic Gregorian date (month 1–12).
constexpr std::int64_t daysFromCivil(std::int64_t year, unsigned month, unsigned day) {
  year -= month <= 2;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto yearOfEra = static_cast<unsigned>(year - era * 400);
  const unsigned dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const unsigned dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
  return era * 146097 + static_cast<std::int64_t>(dayOfEra) - 719468;
}

/// Milliseconds since the epoch of a UTC date and time.
constexpr std::int64_t utcMs(std::int64_t year, unsigned month, unsigned day, int hour, int minute,
                             int second, int millis = 0) {
  return ((daysFromCivil(year, month, day) * 24 + hour) * 60 + minute) * 60000 + second * 1000 +
         millis;
}

}  // namespace outbound
