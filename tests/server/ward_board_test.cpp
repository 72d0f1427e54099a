// The ward board's glance and alerts (server/ward_board.hpp) on small hand-made courses.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <string>

#include "clinical/course_grades.hpp"
#include "io/rules_json.hpp"
#include "io/timeline_json.hpp"
#include "server/ward_board.hpp"

namespace crsguard {
namespace {

using nlohmann::json;

// A patient with the given events (JSON array text).
Timeline course(const std::string& events) {
  const std::string text = R"({"format": "crsguard.timeline/1", "patient": {"id": "p", "sex": "female", "weight": {"value": 60, "unit": "kg"}},
                               "infusion": {"product": "CD19 CAR-T", "targets": ["CD19"]}, "events": )" + events + "}";
  return std::move(read_timelines_json(text, "test").front());
}

std::string fever(int day, const char* clock, double celsius) {
  return R"({"kind": "observation", "code": "body_temperature", "value": )" + std::to_string(celsius) +
         R"(, "unit": "Cel", "time": {"day": )" + std::to_string(day) + R"(, "clock": ")" + clock + R"("}})";
}

std::string systolic(int day, const char* clock, int mmhg) {
  return R"({"kind": "observation", "code": "systolic_bp", "value": )" + std::to_string(mmhg) +
         R"(, "unit": "mm[Hg]", "time": {"day": )" + std::to_string(day) + R"(, "clock": ")" + clock + R"("}})";
}

CourseGrades graded(const Timeline& timeline) { return grade_course(timeline, GradingRules::from(load_rules())); }

TEST(WardBoard, AGradeRisingToTwoWithinADayIsANewAlertWithItsTrend) {
  const Timeline t = course("[" + fever(1, "08:00", 38.6) + "," + systolic(1, "08:00", 118) + "," + fever(2, "10:00", 39.2) + "," +
                            systolic(2, "10:00", 82) + "]");
  const CourseGrades grades = graded(t);
  const GradeChange change = crs_change(grades);
  ASSERT_TRUE(change.now && change.before);
  EXPECT_EQ(*change.now, 2);
  EXPECT_EQ(*change.before, 1);
  EXPECT_EQ(trend_json(change), "up");
  const json glance = glance_json(t, grades);
  EXPECT_EQ(glance["crs_trend"], "up");
  EXPECT_EQ(glance["crs_now"]["grade"], 2);
  const json alerts = alerts_json(grades, Advice{});
  ASSERT_EQ(alerts.size(), 1U) << alerts.dump();
  EXPECT_EQ(alerts[0]["kind"], "new_grade_2_or_more");
  EXPECT_NE(alerts[0]["message"].get<std::string>().find("grade 1 24 h before"), std::string::npos) << alerts.dump();
}

TEST(WardBoard, AGradeTwoThatWasTwoADayBeforeIsNotNewAndATrendNeedsADayOfHistory) {
  const std::string readings = fever(1, "08:00", 39.0) + "," + systolic(1, "08:00", 80) + "," + fever(2, "10:00", 39.1) + "," +
                               systolic(2, "10:00", 84);
  // Oxygen recorded as none: the grade 2 is exact, and as it was a day before.
  const Timeline steady = course(R"([{"kind": "oxygen", "device": "none", "time": {"day": 1, "clock": "07:00"}}, )" + readings + "]");
  const CourseGrades grades = graded(steady);
  EXPECT_EQ(trend_json(crs_change(grades)), "same");
  EXPECT_TRUE(alerts_json(grades, Advice{}).empty());
  // Oxygen not recorded: "≥2" now may be worse than the 2 before, so no trend is claimed.
  const GradeChange unsure = crs_change(graded(course("[" + readings + "]")));
  EXPECT_TRUE(unsure.now_lower_bound);
  EXPECT_TRUE(trend_json(unsure).is_null());
  const Timeline first_day = course("[" + fever(1, "08:00", 39.0) + "]");
  EXPECT_TRUE(trend_json(crs_change(graded(first_day))).is_null());  // nothing 24 h before
}

TEST(WardBoard, AlertsReadTheAdvicesVerdictAndTriggeredChecks) {
  const Timeline t = course("[" + fever(1, "08:00", 38.2) + "]");
  Advice advice;
  advice.state.steroid_refractory.verdict = Verdict::yes;
  advice.state.steroid_refractory.statement = "steroid-refractory: no improvement after 3 days of methylprednisolone";
  Recommendation ruxolitinib;
  ruxolitinib.drug = "ruxolitinib";
  SafetyFinding platelets;
  platelets.kind = SafetyCheckKind::platelets_below;
  platelets.status = FindingStatus::triggered;
  platelets.statement = "platelets 38 ×10^9/L on day 6 (< 50)";
  SafetyFinding passed = platelets;
  passed.status = FindingStatus::passed;
  ruxolitinib.findings = {platelets, passed};
  Recommendation tocilizumab;
  tocilizumab.drug = "tocilizumab";
  SafetyFinding limits;
  limits.kind = SafetyCheckKind::dose_limits;
  limits.status = FindingStatus::triggered;
  limits.statement = "4 doses in this episode (at most 4)";
  tocilizumab.findings = {limits};
  advice.recommendations = {ruxolitinib, tocilizumab};
  const json alerts = alerts_json(graded(t), advice);
  ASSERT_EQ(alerts.size(), 3U) << alerts.dump();
  EXPECT_EQ(alerts[0]["kind"], "steroid_refractory");
  EXPECT_EQ(alerts[1]["kind"], "platelets_below_ruxolitinib_threshold");
  EXPECT_EQ(alerts[1]["message"], platelets.statement);
  EXPECT_EQ(alerts[2]["kind"], "dose_limit_reached");
  EXPECT_NE(alerts[2]["message"].get<std::string>().find("tocilizumab"), std::string::npos);
}

}  // namespace
}  // namespace crsguard
