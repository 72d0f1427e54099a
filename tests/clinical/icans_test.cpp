// ASTCT 2019 ICANS grading, driven by tests/data/grading/astct-icans.json (clinical.md §2).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "../io/test_files.hpp"
#include "clinical/icans.hpp"
#include "io/rules_json.hpp"
#include "timeline_cases.hpp"

namespace crsguard {
namespace {

using nlohmann::json;

const RuleSet& shipped() { return testing::shipped_rules(); }

TEST(AstctIcansTable, EveryCaseGradesAsTheGuidelineSays) {
  const json document =
      json::parse(testing::read_text(testing::source_path("tests/data/grading/astct-icans.json")));
  ASSERT_GE(document["cases"].size(), 40U);
  const IcansRules rules = IcansRules::from(shipped());
  for (const json& c : document["cases"]) {
    SCOPED_TRACE(c["name"].get<std::string>());
    const Timeline timeline = testing::timeline_of(c["events"], c["age_years"].get<double>());
    const auto grades = grade_icans_assessments(timeline, rules);
    ASSERT_EQ(grades.size(), 1U);
    const GradeResult& result = grades.front().result;
    const json& expect = c["expect"];
    testing::expect_result_matches(result, expect);
  }
}

TEST(AstctIcansRules, TheCapdAgeCutOffIsData) {
  RuleSet rules = shipped();
  const json events = json::parse(R"([{"kind": "neuro", "time": {"day": 2}, "ice": {"total": 8},
                                       "consciousness": "alert"}])");
  const Timeline timeline = testing::timeline_of(events, 12);
  EXPECT_EQ(grade_icans_assessments(timeline, IcansRules::from(rules)).front().result.grade, 1);
  // NCIt reads "CAPD for children 12 and under": a site may move the cut-off.
  ASSERT_TRUE(rules.set_value("astct.icans.capd_below_age_years", 13, "NCIt C188936", "test"));
  const auto graded = grade_icans_assessments(timeline, IcansRules::from(rules)).front().result;
  EXPECT_EQ(graded.assessment, Assessment::incomplete);
  EXPECT_EQ(graded.missing, std::vector<std::string>{"capd"});
}

TEST(AstctIcansDays, DaysWithoutAnAssessmentAreNotAssessable) {
  const json events = json::parse(R"([
    {"kind": "neuro", "time": {"day": 2, "clock": "08:00"}, "ice": {"total": 8}, "consciousness": "alert"},
    {"kind": "neuro", "time": {"day": 2, "clock": "20:00"}, "ice": {"total": 5}, "consciousness": "alert"},
    {"kind": "neuro", "time": {"day": 4, "clock": "08:00"}, "ice": {"total": 10}, "consciousness": "alert"}
  ])");
  const Timeline timeline = testing::timeline_of(events, 40);
  const auto grades = grade_icans_assessments(timeline, IcansRules::from(shipped()));
  const auto days = icans_by_day(timeline, grades, 0, 5);
  ASSERT_EQ(days.size(), 6U);
  EXPECT_FALSE(days[1].result.grade.has_value());
  EXPECT_EQ(days[1].result.missing, std::vector<std::string>{"neuro_assessment"});
  EXPECT_EQ(days[2].result.grade, 2);
  EXPECT_EQ(days[2].assessments, 2);
  EXPECT_EQ(*days[2].result.set_at, timeline.day_start(2) + 20 * 3600);
  EXPECT_FALSE(days[3].result.grade.has_value());
  EXPECT_EQ(days[4].result.grade, 0);
}

TEST(AstctIcansDeath, DeathFromIcansIsGrade5) {
  const json events = json::parse(R"([{"kind": "neuro", "time": {"day": 2}, "ice": {"total": 0},
                                       "consciousness": "unarousable", "icp_findings": ["diffuse_oedema"]}])");
  const json death = {{"time", {{"day", 3}}}, {"cause", "ICANS"}};
  const Timeline timeline = testing::timeline_of(events, 40, death);
  const auto grades = grade_icans_assessments(timeline, IcansRules::from(shipped()));
  ASSERT_EQ(grades.size(), 2U);
  EXPECT_EQ(grades.back().result.grade, 5);
  EXPECT_EQ(grades.back().result.reasons.front().rule.id, icans_rules::kDeath.id);
}

}  // namespace
}  // namespace crsguard

namespace crsguard {
namespace {

TEST(AstctIcansDays, AnotherAssessmentThatCouldExceedMakesTheDayALowerBound) {
  const nlohmann::json events = nlohmann::json::parse(R"([
    {"kind": "neuro", "time": {"day": 2, "clock": "08:00"}, "ice": {"total": 5}, "consciousness": "alert"},
    {"kind": "neuro", "time": {"day": 2, "clock": "14:00"}, "consciousness": "awakens_to_voice"}
  ])");
  const Timeline timeline = testing::timeline_of(events, 40);
  const auto grades = grade_icans_assessments(timeline, IcansRules::from(testing::shipped_rules()));
  const auto days = icans_by_day(timeline, grades, 2, 2);
  EXPECT_EQ(days[0].result.grade, 2);
  EXPECT_EQ(days[0].result.assessment, Assessment::incomplete) << "the 14:00 assessment lacks an ICE score";
  EXPECT_EQ(days[0].result.missing, std::vector<std::string>{"ice"});
}

}  // namespace
}  // namespace crsguard
