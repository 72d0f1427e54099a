// CRS episodes over multi-day courses: onset at the first fever, resolution after a CRS-free
// window (clinical.md §1.5), maximum grade and days at each grade, a second episode, death.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "../io/test_files.hpp"
#include "clinical/crs_astct.hpp"
#include "io/rules_json.hpp"
#include "timeline_cases.hpp"

namespace crsguard {
namespace {

using nlohmann::json;

CrsRules shipped_crs_rules() {
  static const CrsRules rules = CrsRules::from(load_rules());
  return rules;
}

json temp(int day, const char* clock, double value) {
  return {{"kind", "observation"}, {"code", "body_temperature"}, {"time", {{"day", day}, {"clock", clock}}},
          {"value", value}, {"unit", "Cel"}};
}
json sbp(int day, const char* clock, double value) {
  return {{"kind", "observation"}, {"code", "systolic_bp"}, {"time", {{"day", day}, {"clock", clock}}},
          {"value", value}, {"unit", "mm[Hg]"}};
}
json oxygen(int day, const char* clock, const char* device, double flow = 0) {
  json event{{"kind", "oxygen"}, {"time", {{"day", day}, {"clock", clock}}}, {"device", device}};
  if (flow > 0) event["flow"] = {{"value", flow}, {"unit", "L/min"}};
  return event;
}
json dose(int day, const char* clock, const char* drug, double mg) {
  return {{"kind", "administration"}, {"time", {{"day", day}, {"clock", clock}}}, {"drug", drug},
          {"dose", {{"value", mg}, {"unit", "mg"}}}};
}

// Fever days 1-3, low-flow oxygen on day 2, afebrile from day 4 08:00, checked twice daily to day 7.
json typical_course() {
  json events = json::array({oxygen(0, "08:00", "none")});
  for (int day = 1; day <= 3; ++day) {
    events.push_back(temp(day, "08:00", 38.6));
    events.push_back(sbp(day, "08:00", 112));
    events.push_back(temp(day, "20:00", 38.2));
  }
  events.push_back(oxygen(2, "10:00", "nasal_cannula", 2));
  events.push_back(oxygen(3, "06:00", "none"));
  for (int day = 4; day <= 7; ++day) {
    events.push_back(temp(day, "08:00", 37.1));
    events.push_back(sbp(day, "08:00", 118));
    events.push_back(temp(day, "20:00", 36.9));
  }
  return events;
}

TEST(CrsEpisodes, OnsetMaximumResolutionAndDaysAtGrade) {
  const Timeline timeline = testing::timeline_of(typical_course(), 35);
  const CrsCourse course = grade_crs_course(timeline, shipped_crs_rules());
  ASSERT_EQ(course.episodes.size(), 1U);
  const CrsEpisode& episode = course.episodes.front();
  EXPECT_EQ(episode.onset, timeline.day_start(1) + 8 * 3600);
  EXPECT_EQ(episode.worst.grade, 2);
  EXPECT_EQ(timeline.study_day(episode.worst.t), 2);
  ASSERT_TRUE(episode.resolution.has_value());
  EXPECT_EQ(*episode.resolution, timeline.day_start(4) + 8 * 3600);
  EXPECT_TRUE(episode.resolution_confirmed);
  EXPECT_DOUBLE_EQ(*episode.duration_days(), 3.0);
  // Day 1 grade 1; days 2 and 3 grade 2 (oxygen from day 2 10:00 to day 3 06:00); day 4 grade 1 until 08:00.
  EXPECT_EQ(episode.days_at_grade[1], 2);
  EXPECT_EQ(episode.days_at_grade[2], 2);
  EXPECT_FALSE(episode.ongoing_at_end_of_record);
  EXPECT_EQ(course.days[5].worst.grade, 0);
  EXPECT_EQ(course.days[5].worst.episode, 0);
}

TEST(CrsEpisodes, AFeverInsideTheWindowRestartsIt) {
  json events = typical_course();
  events.push_back(temp(4, "20:00", 38.1));  // replaces nothing: a second reading at 20:00 is a fever
  events.erase(std::remove_if(events.begin(), events.end(), [](const json& e) {
                 return e["time"]["day"] == 4 && e["time"]["clock"] == "20:00" && e["value"] == 36.9;
               }),
               events.end());
  const Timeline timeline = testing::timeline_of(events, 35);
  const CrsCourse course = grade_crs_course(timeline, shipped_crs_rules());
  ASSERT_EQ(course.episodes.size(), 1U);
  ASSERT_TRUE(course.episodes.front().resolution.has_value());
  EXPECT_EQ(*course.episodes.front().resolution, timeline.day_start(5) + 8 * 3600);
}

TEST(CrsEpisodes, AnAfebrileReadingJustAfterAnAntipyreticDoesNotStartResolution) {
  json events = typical_course();
  events.push_back(dose(4, "06:00", "paracetamol", 1000));  // 2 h before the day-4 08:00 reading
  const Timeline timeline = testing::timeline_of(events, 35);
  const CrsCourse course = grade_crs_course(timeline, shipped_crs_rules());
  ASSERT_TRUE(course.episodes.front().resolution.has_value());
  EXPECT_EQ(*course.episodes.front().resolution, timeline.day_start(4) + 20 * 3600);
}

TEST(CrsEpisodes, ASecondFeverAfterResolutionIsANewEpisode) {
  json events = typical_course();
  events.push_back(temp(6, "20:00", 38.9));
  const Timeline timeline = testing::timeline_of(events, 35);
  const CrsCourse course = grade_crs_course(timeline, shipped_crs_rules());
  ASSERT_EQ(course.episodes.size(), 2U);
  EXPECT_EQ(course.episodes[1].number, 2);
  EXPECT_EQ(course.episodes[1].onset, timeline.day_start(6) + 20 * 3600);
  EXPECT_EQ(course.episodes[1].worst.grade, 1);
  // Day 7's readings start a candidate resolution that the record (to day 28) completes.
  EXPECT_TRUE(course.episodes[1].resolution.has_value());
}

TEST(CrsEpisodes, UnresolvedWhenTheRecordEndsInsideTheWindow) {
  json events = json::array({oxygen(0, "08:00", "none"), temp(1, "08:00", 39.0), temp(2, "08:00", 37.0)});
  json death = {{"time", {{"day", 2}, {"clock", "20:00"}}}, {"cause", "infection"}};
  const Timeline timeline = testing::timeline_of(events, 35, death);
  const CrsCourse course = grade_crs_course(timeline, shipped_crs_rules());
  ASSERT_EQ(course.episodes.size(), 1U);
  EXPECT_FALSE(course.episodes.front().resolution.has_value());
  EXPECT_TRUE(course.episodes.front().ended_by_death);
  EXPECT_FALSE(course.episodes.front().duration_days().has_value());
}

TEST(CrsEpisodes, SupportStillRunningPreventsResolution) {
  json events = json::array({oxygen(0, "08:00", "none"), temp(1, "08:00", 39.0),
                             oxygen(1, "09:00", "nasal_cannula", 4), temp(2, "08:00", 37.0), temp(3, "08:00", 36.8),
                             oxygen(4, "08:00", "none"), temp(4, "10:00", 36.9), temp(6, "10:00", 36.7)});
  const Timeline timeline = testing::timeline_of(events, 35);
  const CrsCourse course = grade_crs_course(timeline, shipped_crs_rules());
  ASSERT_EQ(course.episodes.size(), 1U);
  ASSERT_TRUE(course.episodes.front().resolution.has_value());
  EXPECT_EQ(*course.episodes.front().resolution, timeline.day_start(4) + 10 * 3600);
  // While oxygen ran, fever was masked by nothing: day 2's grade rests on the day-1 fever only until 08:00.
  EXPECT_EQ(course.days[2].worst.grade, 2);
}

TEST(CrsEpisodes, TherapiesGivenDuringTheEpisodeAreListed) {
  json events = typical_course();
  events.push_back(dose(2, "11:00", "tocilizumab", 560));
  events.push_back(dose(9, "11:00", "dexamethasone", 10));  // after resolution: not this episode's
  const Timeline timeline = testing::timeline_of(events, 35);
  const CrsCourse course = grade_crs_course(timeline, shipped_crs_rules());
  ASSERT_EQ(course.episodes.size(), 1U);
  EXPECT_EQ(course.episodes.front().therapies, std::vector<std::string>{"tocilizumab"});
}

TEST(CrsEpisodes, TheAdultCaseIsGradedDayByDay) {
  const auto timelines = read_timelines_json(
      testing::read_text(testing::source_path("examples/adult-case-zi2021.timeline.json")), "adult case");
  const Timeline& timeline = timelines.front();
  const CrsCourse course = grade_crs_course(timeline, shipped_crs_rules());
  // Zi 2021: fever from day 1, hypotension (SBP 89 mmHg) on day 6, no vasopressor or oxygen,
  // resolved on day 8. Days 1-5 lack a blood pressure, so they are lower bounds. Nothing was
  // recorded on day 7: the episode goes on (masked by the drugs given), but the day is not assessable.
  const std::vector<int> grades{-1, 1, 1, 1, 1, 1, 2, -1, 0};
  for (std::size_t day = 0; day < grades.size(); ++day) {
    SCOPED_TRACE(day);
    EXPECT_EQ(course.days[day].worst.grade, grades[day]);
  }
  EXPECT_NE(course.days[1].worst.missing & kMissingBloodPressure, 0U);
  EXPECT_EQ(course.days[6].worst.missing, 0U);
  EXPECT_EQ(course.days[7].worst.episode, 1);
  EXPECT_NE(course.days[7].worst.missing & kMissingTemperature, 0U);
  EXPECT_EQ(course.days[12].worst.grade, -1);  // nothing recorded after day 8
  ASSERT_EQ(course.episodes.size(), 1U);
  EXPECT_EQ(timeline.study_day(course.episodes.front().onset), 1);
  EXPECT_EQ(timeline.study_day(*course.episodes.front().resolution), 8);
  EXPECT_EQ(course.episodes.front().worst.grade, 2);
}

}  // namespace
}  // namespace crsguard
