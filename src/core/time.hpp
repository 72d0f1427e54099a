#pragma once
// Time as a CAR-T ward counts it. Engines use seconds since the infusion; the clinic uses
// the study day (day 0 = calendar day of infusion) and wall-clock time. Calendar times are
// local wall-clock times without a time zone (timeline format v1).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace crsguard {

inline constexpr std::int64_t kSecondsPerMinute = 60;
inline constexpr std::int64_t kSecondsPerHour = 3600;
inline constexpr std::int64_t kSecondsPerDay = 86400;

// Study days accepted in any record: from 90 days before infusion (work-up,
// lymphodepletion) to ten years after (long-term follow-up).
inline constexpr int kEarliestStudyDay = -90;
inline constexpr int kLatestStudyDay = 3653;

// Hours (a rule parameter) to whole seconds, rounded to the nearest second.
std::int64_t seconds_from_hours(double hours);

// Floor division: study day of a negative offset rounds toward minus infinity.
constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// "HH:MM" or "HH:MM:SS" -> seconds after midnight; nullopt if malformed or out of range.
std::optional<std::int32_t> parse_clock(std::string_view text);
// Seconds after midnight -> "HH:MM", or "HH:MM:SS" when the seconds are not zero.
std::string format_clock(std::int32_t seconds_of_day);

// A local wall-clock instant, as seconds since 1970-01-01T00:00 of the same (unnamed) zone.
using LocalSeconds = std::int64_t;

// "YYYY-MM-DD" -> seconds at midnight; nullopt if malformed or not a real date.
std::optional<LocalSeconds> parse_date(std::string_view text);
// "YYYY-MM-DDTHH:MM[:SS]" -> seconds; nullopt if malformed, not a real date, or with a zone.
std::optional<LocalSeconds> parse_local_datetime(std::string_view text);
std::string format_date(LocalSeconds seconds);
// "YYYY-MM-DDTHH:MM", or with ":SS" when the seconds are not zero.
std::string format_local_datetime(LocalSeconds seconds);

// Midnight of today's date on this computer's clock, in its local time zone.
LocalSeconds today_local();

// Whole years between two dates (age at a date), counting birthdays.
int whole_years_between(LocalSeconds birth, LocalSeconds at);

}  // namespace crsguard
