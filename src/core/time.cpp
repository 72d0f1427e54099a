#include "core/time.hpp"

#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <ctime>
#include <cmath>

namespace crsguard {
namespace {

// Parses exactly `width` ASCII digits.
std::optional<int> digits(std::string_view text, std::size_t pos, std::size_t width) {
  if (pos + width > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = pos; i < pos + width; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

std::optional<std::chrono::sys_days> civil_day(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const auto y = digits(text, 0, 4);
  const auto m = digits(text, 5, 2);
  const auto d = digits(text, 8, 2);
  if (!y || !m || !d) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year{*y}, std::chrono::month{static_cast<unsigned>(*m)},
                                        std::chrono::day{static_cast<unsigned>(*d)}};
  if (!ymd.ok()) return std::nullopt;
  return std::chrono::sys_days{ymd};
}

LocalSeconds to_seconds(std::chrono::sys_days day) {
  return static_cast<LocalSeconds>(day.time_since_epoch().count()) * kSecondsPerDay;
}

std::chrono::year_month_day to_ymd(LocalSeconds seconds) {
  const auto days = floor_div(seconds, kSecondsPerDay);
  return std::chrono::year_month_day{std::chrono::sys_days{std::chrono::days{days}}};
}

}  // namespace

std::optional<std::int32_t> parse_clock(std::string_view text) {
  if (text.size() != 5 && text.size() != 8) return std::nullopt;
  if (text[2] != ':') return std::nullopt;
  const auto h = digits(text, 0, 2);
  const auto m = digits(text, 3, 2);
  if (!h || !m || *h > 23 || *m > 59) return std::nullopt;
  int s = 0;
  if (text.size() == 8) {
    if (text[5] != ':') return std::nullopt;
    const auto parsed = digits(text, 6, 2);
    if (!parsed || *parsed > 59) return std::nullopt;
    s = *parsed;
  }
  return *h * 3600 + *m * 60 + s;
}

std::string format_clock(std::int32_t seconds_of_day) {
  // By hand rather than through fmt: every time the engines describe ("day 5 08:00") comes through here.
  const auto two_digits = [](std::string& out, int value) {
    out.push_back(static_cast<char>('0' + value / 10 % 10));
    out.push_back(static_cast<char>('0' + value % 10));
  };
  const int h = seconds_of_day / 3600;
  const int m = (seconds_of_day / 60) % 60;
  const int s = seconds_of_day % 60;
  if (h >= 100 || h < 0 || m < 0 || s < 0) {
    return s == 0 ? fmt::format("{:02}:{:02}", h, m) : fmt::format("{:02}:{:02}:{:02}", h, m, s);
  }
  std::string out;
  two_digits(out, h);
  out.push_back(':');
  two_digits(out, m);
  if (s != 0) {
    out.push_back(':');
    two_digits(out, s);
  }
  return out;
}

std::optional<LocalSeconds> parse_date(std::string_view text) {
  const auto day = civil_day(text);
  if (!day) return std::nullopt;
  return to_seconds(*day);
}

std::optional<LocalSeconds> parse_local_datetime(std::string_view text) {
  if (text.size() < 16 || text[10] != 'T') return std::nullopt;
  const auto day = civil_day(text.substr(0, 10));
  const auto clock = parse_clock(text.substr(11));
  if (!day || !clock) return std::nullopt;
  return to_seconds(*day) + *clock;
}

std::string format_date(LocalSeconds seconds) {
  const auto ymd = to_ymd(seconds);
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()));
}

std::string format_local_datetime(LocalSeconds seconds) {
  const auto clock = static_cast<std::int32_t>(seconds - floor_div(seconds, kSecondsPerDay) * kSecondsPerDay);
  return format_date(seconds) + "T" + format_clock(clock);
}

int whole_years_between(LocalSeconds birth, LocalSeconds at) {
  const auto b = to_ymd(birth);
  const auto a = to_ymd(at);
  int years = static_cast<int>(a.year()) - static_cast<int>(b.year());
  if (std::chrono::month_day{a.month(), a.day()} < std::chrono::month_day{b.month(), b.day()}) --years;
  return years;
}

std::int64_t seconds_from_hours(double hours) {
  return static_cast<std::int64_t>(std::llround(hours * static_cast<double>(kSecondsPerHour)));
}

LocalSeconds today_local() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  return to_seconds(std::chrono::sys_days{std::chrono::year_month_day{
      std::chrono::year{local.tm_year + 1900}, std::chrono::month{static_cast<unsigned>(local.tm_mon + 1)},
      std::chrono::day{static_cast<unsigned>(local.tm_mday)}}});
}

}  // namespace crsguard
