#include "graph_io/dates.h"

#include <string>

namespace graft::io {

namespace {

bool is_leap(int64_t year) { return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0); }

int64_t days_in_month(int64_t year, int64_t month) {
  static constexpr int64_t kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && is_leap(year) ? 29 : kDays[month - 1];
}

// Days from 1970-01-01 to a valid date: Howard Hinnant's days_from_civil, which counts in
// 400-year eras of 146097 days from a year that starts in March (so February's leap day is last).
int64_t days_from_civil(int64_t year, int64_t month, int64_t day) {
  year -= month <= 2 ? 1 : 0;
  const int64_t era = (year >= 0 ? year : year - 399) / 400;
  const int64_t year_of_era = year - era * 400;
  const int64_t day_of_year = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468;
}

// The digits text[first, first + count) as a number; -1 when any is not a digit.
int64_t digits(std::string_view text, size_t first, size_t count) {
  int64_t value = 0;
  for (size_t k = first; k < first + count; ++k) {
    if (text[k] < '0' || text[k] > '9') return -1;
    value = value * 10 + (text[k] - '0');
  }
  return value;
}

}  // namespace

std::optional<int64_t> parse_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const int64_t year = digits(text, 0, 4), month = digits(text, 5, 2), day = digits(text, 8, 2);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month)) return std::nullopt;
  return days_from_civil(year, month, day);
}

int64_t date_field(const TextReader& in, size_t i, std::string_view name) {
  const std::string_view text = in.text(i, name);
  const std::optional<int64_t> days = parse_date(text);
  if (!days) in.fail(std::string(name) + " must be a date YYYY-MM-DD, got " + quote_value(text));
  return *days;
}

}  // namespace graft::io
