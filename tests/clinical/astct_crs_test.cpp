// ASTCT 2019 CRS grading, driven by tests/data/grading/astct-crs.json: one case per rule,
// boundary and undefined case of ../shared/spec/clinical.md §1.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <set>

#include "../io/test_files.hpp"
#include "clinical/course_grades.hpp"
#include "clinical/crs_astct.hpp"
#include "io/rules_json.hpp"
#include "timeline_cases.hpp"

namespace crsguard {
namespace {

using nlohmann::json;

const RuleSet& shipped() { return testing::shipped_rules(); }

json crs_cases() {
  return json::parse(testing::read_text(testing::source_path("tests/data/grading/astct-crs.json")));
}

TEST(AstctCrsTable, EveryCaseGradesAsTheGuidelineSays) {
  const json document = crs_cases();
  ASSERT_GE(document["cases"].size(), 40U);
  const CrsRules rules = CrsRules::from(shipped());
  for (const json& c : document["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const Timeline timeline =
        testing::timeline_of(c["events"], c["age_years"].get<double>(), c.value("death", json(nullptr)),
                             c.value("infusion_clock", std::string()));
    const CrsCourse course = grade_crs_course(timeline, rules);
    const int day = c["day"].get<int>();
    ASSERT_LT(static_cast<std::size_t>(day), course.days.size());
    const CrsDayGrade& row = course.days[static_cast<std::size_t>(day)];
    ASSERT_EQ(row.day, day);
    const GradeResult result = explain_crs_day(timeline, rules, row);
    const json& expect = c["expect"];
    testing::expect_result_matches(result, expect);
    for (const Reason& reason : result.reasons) {
      EXPECT_FALSE(reason.rule.source.empty());
      if (reason.rule.id != crs_rules::kDeath.id) {
        EXPECT_FALSE(reason.evidence.empty()) << reason.rule.id;
      }
    }
  }
}

TEST(AstctCrsRules, EveryRuleOfTheSpecIsExercisedByTheTable) {
  std::set<std::string> used;
  const json document = crs_cases();
  for (const json& c : document["cases"]) {
    for (const auto& id : c["expect"].value("rules", std::vector<std::string>{})) used.insert(id);
  }
  for (const RuleRef* rule : {&crs_rules::kFever, &crs_rules::kFeverMasked, &crs_rules::kNoFever,
                              &crs_rules::kNoHypotension, &crs_rules::kNoHypoxia,
                              &crs_rules::kHypotensionWithoutVasopressor, &crs_rules::kOneVasopressor,
                              &crs_rules::kMultipleVasopressors, &crs_rules::kVasopressinAlone,
                              &crs_rules::kInotropeAlone, &crs_rules::kLowFlowOxygen, &crs_rules::kHighFlowOxygen,
                              &crs_rules::kPositivePressure, &crs_rules::kDeath}) {
    EXPECT_TRUE(used.count(std::string(rule->id))) << rule->id << " has no case in astct-crs.json";
  }
}

TEST(AstctCrsRules, MaskingCanBeSwitchedOffAsData) {
  RuleSet rules = shipped();
  const json events = json::parse(R"([
    {"kind": "oxygen", "time": {"day": 0}, "device": "none"},
    {"kind": "observation", "code": "body_temperature", "time": {"day": 1, "clock": "08:00"}, "value": 39, "unit": "Cel"},
    {"kind": "administration", "drug": "tocilizumab", "dose": {"value": 400, "unit": "mg"}, "time": {"day": 1, "clock": "09:00"}},
    {"kind": "observation", "code": "body_temperature", "time": {"day": 2, "clock": "12:00"}, "value": 37, "unit": "Cel"},
    {"kind": "vasopressor", "agent": "norepinephrine", "action": "start", "time": {"day": 2, "clock": "12:00"}}
  ])");
  const Timeline timeline = testing::timeline_of(events, 40);
  const auto at_noon = timeline.day_start(2) + 12 * 3600;
  EXPECT_EQ(crs_grade_at(timeline, CrsRules::from(rules), at_noon).grade, 3);
  ASSERT_TRUE(rules.set_value("astct.crs.masking.enabled", 0, "test", "test"));
  const CrsMoment unmasked = crs_grade_at(timeline, CrsRules::from(rules), at_noon);
  EXPECT_EQ(unmasked.grade, 0);
  EXPECT_NE(unmasked.review & kReviewNoFeverWithHypotensionOrHypoxia, 0U);
}

TEST(AstctCrsRules, TheSystolicThresholdIsData) {
  RuleSet rules = shipped();
  ASSERT_TRUE(rules.set_value("astct.crs.hypotension.adult_sbp_below_mmhg", 100, "test", "test"));
  EXPECT_EQ(hypotension_threshold_mmhg(CrsRules::from(rules), 40.0), 100);
  EXPECT_EQ(hypotension_threshold_mmhg(CrsRules::from(rules), std::nullopt), 100);
  EXPECT_EQ(hypotension_threshold_mmhg(CrsRules::from(shipped()), 4.5), 78);  // 70 + 2 × 4 whole years
  EXPECT_EQ(hypotension_threshold_mmhg(CrsRules::from(shipped()), 0.01), 60);
  ASSERT_TRUE(rules.set_value("astct.crs.hypotension.paediatric_thresholds", 0, "test", "test"));
  EXPECT_EQ(hypotension_threshold_mmhg(CrsRules::from(rules), 4.5), 100);
}

TEST(AstctCrsMoments, GradeAtAnyMomentFollowsTheCourse) {
  const json events = json::parse(R"([
    {"kind": "oxygen", "time": {"day": 0}, "device": "none"},
    {"kind": "observation", "code": "body_temperature", "time": {"day": 1, "clock": "08:00"}, "value": 38.4, "unit": "Cel"},
    {"kind": "observation", "code": "systolic_bp", "time": {"day": 1, "clock": "08:00"}, "value": 118, "unit": "mm[Hg]"},
    {"kind": "oxygen", "time": {"day": 1, "clock": "14:00"}, "device": "nasal_cannula", "flow": {"value": 3, "unit": "L/min"}},
    {"kind": "oxygen", "time": {"day": 1, "clock": "20:00"}, "device": "none"}
  ])");
  const Timeline timeline = testing::timeline_of(events, 40);
  const CrsRules rules = CrsRules::from(shipped());
  const auto at = [&](int day, int hour) { return timeline.day_start(day) + hour * 3600; };
  EXPECT_EQ(crs_grade_at(timeline, rules, at(1, 7)).grade, -1);   // before the first temperature
  EXPECT_EQ(crs_grade_at(timeline, rules, at(1, 9)).grade, 1);
  EXPECT_EQ(crs_grade_at(timeline, rules, at(1, 15)).grade, 2);
  EXPECT_EQ(crs_grade_at(timeline, rules, at(1, 21)).grade, 1);
  // 24 h after the only temperature nothing tells the state any more.
  EXPECT_EQ(crs_grade_at(timeline, rules, at(2, 9)).grade, -1);
  EXPECT_EQ(crs_grade_at(timeline, rules, -3600).grade, -1);  // before infusion
}

}  // namespace
}  // namespace crsguard
