#include <gtest/gtest.h>

#include "core/time.hpp"

namespace crsguard {
namespace {

TEST(Time, FloorDivisionRoundsTowardMinusInfinity) {
  EXPECT_EQ(floor_div(7, 2), 3);
  EXPECT_EQ(floor_div(-7, 2), -4);
  EXPECT_EQ(floor_div(-8, 2), -4);
  EXPECT_EQ(floor_div(-1, kSecondsPerDay), -1);
  EXPECT_EQ(floor_div(0, kSecondsPerDay), 0);
}

TEST(Time, ClockParsing) {
  EXPECT_EQ(parse_clock("00:00"), 0);
  EXPECT_EQ(parse_clock("14:30"), 14 * 3600 + 30 * 60);
  EXPECT_EQ(parse_clock("23:59:59"), 86399);
  for (const char* bad : {"24:00", "12:60", "9:30", "12:30:60", "12-30", "", "12:30:5", "ab:cd"}) {
    EXPECT_FALSE(parse_clock(bad).has_value()) << bad;
  }
  EXPECT_EQ(format_clock(14 * 3600 + 30 * 60), "14:30");
  EXPECT_EQ(format_clock(14 * 3600 + 30 * 60 + 5), "14:30:05");
  EXPECT_EQ(format_clock(0), "00:00");
  EXPECT_EQ(format_clock(9 * 3600 + 5 * 60 + 9), "09:05:09");
  EXPECT_EQ(format_clock(86399), "23:59:59");
  // Every clock round-trips through the parser.
  for (std::int32_t s = 0; s < 86400; s += 61) EXPECT_EQ(parse_clock(format_clock(s)), s) << s;
  EXPECT_EQ(format_clock(100 * 3600), "100:00");  // beyond two digits: still whole hours and minutes
}

TEST(Time, CalendarDates) {
  const auto day = parse_date("2020-06-01");
  ASSERT_TRUE(day.has_value());
  EXPECT_EQ(format_date(*day), "2020-06-01");
  EXPECT_EQ(*parse_date("2020-06-02") - *day, kSecondsPerDay);
  EXPECT_TRUE(parse_date("2020-02-29").has_value());   // leap year
  EXPECT_FALSE(parse_date("2021-02-29").has_value());  // not a leap year
  EXPECT_FALSE(parse_date("2020-13-01").has_value());
  EXPECT_FALSE(parse_date("2020-6-1").has_value());
}

TEST(Time, LocalDateTimes) {
  const auto t = parse_local_datetime("2020-06-01T10:30");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(format_local_datetime(*t), "2020-06-01T10:30");
  EXPECT_EQ(format_local_datetime(*t + 5), "2020-06-01T10:30:05");
  EXPECT_EQ(*parse_local_datetime("2020-06-02T00:00") - *t, 13 * 3600 + 30 * 60);
  EXPECT_FALSE(parse_local_datetime("2020-06-01 10:30").has_value());
  EXPECT_FALSE(parse_local_datetime("2020-06-01T10:30Z").has_value());
  EXPECT_FALSE(parse_local_datetime("2020-06-01T10:30+02:00").has_value());
}

TEST(Time, AgeCountsBirthdays) {
  const auto birth = *parse_date("2000-06-15");
  EXPECT_EQ(whole_years_between(birth, *parse_date("2020-06-14")), 19);
  EXPECT_EQ(whole_years_between(birth, *parse_date("2020-06-15")), 20);
  EXPECT_EQ(whole_years_between(*parse_date("2004-02-29"), *parse_date("2021-02-28")), 16);
}

}  // namespace
}  // namespace crsguard
