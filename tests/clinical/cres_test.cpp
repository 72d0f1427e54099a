// CRES (CARTOX 2018) grading from neurological assessments: the CARTOX-10 range that ICE items
// allow, each domain of the CRES table, what is always missing, and the per-day maximum.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "clinical/cres.hpp"
#include "io/rules_json.hpp"
#include "timeline_cases.hpp"

namespace crsguard {
namespace {

using nlohmann::json;

const RuleSet& shipped() {
  static const RuleSet rules = load_rules();
  return rules;
}

IceScore ice_items(int orientation, int naming, int commands, int writing, int attention) {
  IceScore ice;
  ice.items = std::array<int, 5>{orientation, naming, commands, writing, attention};
  ice.total = orientation + naming + commands + writing + attention;
  return ice;
}

TEST(Cartox10, TheRangeDropsCommandsAndAddsTheUnrecordedPresidentItem) {
  const auto full = cartox10_from_ice(ice_items(4, 3, 1, 1, 1));
  ASSERT_TRUE(full);
  EXPECT_EQ(full->low, 9);
  EXPECT_EQ(full->high, 10);
  const auto no_commands = cartox10_from_ice(ice_items(4, 3, 0, 1, 1));
  ASSERT_TRUE(no_commands);
  EXPECT_EQ(no_commands->low, 9);  // "commands" is not a CARTOX-10 item: losing it costs nothing
  const auto low = cartox10_from_ice(ice_items(0, 0, 1, 0, 0));
  ASSERT_TRUE(low);
  EXPECT_EQ(low->low, 0);
  EXPECT_EQ(low->high, 1);
  IceScore total_only;
  total_only.total = 7;
  EXPECT_FALSE(cartox10_from_ice(total_only));
}

TEST(Cartox10, CresBandsAtEveryBoundary) {
  const CresRules rules = CresRules::from(shipped());
  const std::vector<std::pair<int, int>> expected{{10, 0}, {9, 1}, {7, 1}, {6, 2}, {3, 2}, {2, 3}, {0, 3}};
  for (const auto& [points, grade] : expected) EXPECT_EQ(cres_grade_of_cartox10(points, rules), grade) << points;
}

struct CresCase {
  std::string name;
  std::string neuro;  // the fields of one neuro event
  double age = 40;
  std::optional<int> grade;
  std::string assessment;
  std::vector<std::string> rules;
  std::vector<std::string> missing;
  std::size_t review = 0;
  std::optional<int> cartox10_low;
};

CresAssessmentGrade grade_one(const std::string& neuro, double age) {
  json event = json::parse(neuro);
  event["kind"] = "neuro";
  event["time"] = {{"day", 2}, {"clock", "09:00"}};
  const Timeline timeline = testing::timeline_of(json::array({event}), age);
  auto grades = grade_cres_assessments(timeline, shipped());
  EXPECT_EQ(grades.size(), 1U);
  return grades.front();
}

constexpr const char* kIce8 = R"("ice": {"orientation": 4, "naming": 3, "commands": 0, "writing": 1, "attention": 0})";

TEST(CresAssessments, EveryDomainOfTheTable) {
  const std::string ice8 = kIce8;
  const std::vector<CresCase> cases{
      {"ICE 10: CARTOX-10 9-10 spans grade 1 and none: not assessable",
       R"({"ice": {"orientation": 4, "naming": 3, "commands": 1, "writing": 1, "attention": 1}})", 40, std::nullopt,
       "not_assessable", {}, {"cartox10_president_item", "csf_opening_pressure"}, 0, 9},
      {"ICE 10 with no seizure: grade 0 as a lower bound",
       R"({"ice": {"orientation": 4, "naming": 3, "commands": 1, "writing": 1, "attention": 1}, "seizure": {"type": "none"}})",
       40, 0, "incomplete", {"cres2018.no_seizure"}, {"cartox10_president_item", "csf_opening_pressure"}, 0, 9},
      {"CARTOX-10 8-9: grade 1", "{" + ice8 + "}", 40, 1, "incomplete", {"cres2018.grade1.cartox10"},
       {"csf_opening_pressure"}, 0, 8},
      {"CARTOX-10 6-7 spans grades 2 and 1",
       R"({"ice": {"orientation": 3, "naming": 2, "commands": 1, "writing": 1, "attention": 0}})", 40, std::nullopt,
       "not_assessable", {}, {"cartox10_president_item", "csf_opening_pressure"}, 0, 6},
      {"CARTOX-10 4-5: grade 2",
       R"({"ice": {"orientation": 2, "naming": 2, "commands": 1, "writing": 0, "attention": 0}})", 40, 2, "incomplete",
       {"cres2018.grade2.cartox10"}, {"csf_opening_pressure"}, 0, 4},
      {"CARTOX-10 3-4: grade 2",
       R"({"ice": {"orientation": 2, "naming": 1, "commands": 0, "writing": 0, "attention": 0}})", 40, 2, "incomplete",
       {"cres2018.grade2.cartox10"}, {"csf_opening_pressure"}, 0, 3},
      {"CARTOX-10 2-3 spans grades 3 and 2",
       R"({"ice": {"orientation": 1, "naming": 1, "commands": 1, "writing": 0, "attention": 0}})", 40, std::nullopt,
       "not_assessable", {}, {"cartox10_president_item", "csf_opening_pressure"}, 0, 2},
      {"CARTOX-10 1-2: grade 3",
       R"({"ice": {"orientation": 1, "naming": 0, "commands": 1, "writing": 0, "attention": 0}})", 40, 3, "incomplete",
       {"cres2018.grade3.cartox10"}, {"csf_opening_pressure"}, 0, 1},
      {"ICE total only: commands cannot be taken out", R"({"ice": {"total": 5}})", 40, std::nullopt, "not_assessable",
       {}, {"ice_items", "csf_opening_pressure"}, 0, std::nullopt},
      {"no ICE at all", R"({"consciousness": "alert"})", 40, std::nullopt, "not_assessable", {},
       {"ice", "csf_opening_pressure"}, 0, std::nullopt},
      {"obtunded: grade 4", R"({"consciousness": "unarousable"})", 40, 4, "complete", {"cres2018.grade4.obtunded"}, {},
       0, std::nullopt},
      {"papilloedema, stage unknown: grade 3 lower bound", "{" + ice8 + R"(, "icp_findings": ["papilloedema"]})", 40, 3,
       "incomplete", {"cres2018.grade3.papilloedema", "cres2018.grade1.cartox10"},
       {"papilloedema_stage", "csf_opening_pressure"}, 0, 8},
      {"cerebral oedema: grade 4", "{" + ice8 + R"(, "icp_findings": ["diffuse_oedema"]})", 40, 4, "complete",
       {"cres2018.grade4.cerebral_oedema", "cres2018.grade1.cartox10"}, {}, 0, 8},
      {"posturing is not a CRES criterion: flagged", "{" + ice8 + R"(, "icp_findings": ["posturing"]})", 40, 1,
       "incomplete", {"cres2018.grade1.cartox10"}, {"csf_opening_pressure"}, 1, 8},
      {"partial seizure of 2 min: grade 3", "{" + ice8 + R"(, "seizure": {"type": "focal", "duration_min": 2}})", 40, 3,
       "incomplete", {"cres2018.grade3.partial_seizure", "cres2018.grade1.cartox10"}, {"csf_opening_pressure"}, 0, 8},
      {"partial seizure, duration unknown", "{" + ice8 + R"(, "seizure": {"type": "focal"}})", 40, 3, "incomplete",
       {"cres2018.grade3.partial_seizure", "cres2018.grade1.cartox10"}, {"seizure_duration", "csf_opening_pressure"},
       0, 8},
      {"non-convulsive seizure of 5 min: not yet status epilepticus",
       "{" + ice8 + R"(, "seizure": {"type": "non_convulsive", "duration_min": 5}})", 40, 3, "incomplete",
       {"cres2018.grade3.non_convulsive_seizure", "cres2018.grade1.cartox10"}, {"csf_opening_pressure"}, 0, 8},
      {"non-convulsive seizure of 6 min: status epilepticus",
       "{" + ice8 + R"(, "seizure": {"type": "non_convulsive", "duration_min": 6}})", 40, 4, "complete",
       {"cres2018.grade4.status_epilepticus", "cres2018.grade1.cartox10"}, {}, 0, 8},
      {"repetitive focal seizures: status epilepticus",
       "{" + ice8 + R"(, "seizure": {"type": "focal", "duration_min": 1, "repetitive": true}})", 40, 4, "complete",
       {"cres2018.grade4.status_epilepticus", "cres2018.grade1.cartox10"}, {}, 0, 8},
      {"generalised seizure of 1 min: grade 4", "{" + ice8 + R"(, "seizure": {"type": "generalised", "duration_min": 1}})",
       40, 4, "complete", {"cres2018.grade4.generalised_seizure", "cres2018.grade1.cartox10"}, {}, 0, 8},
      {"new motor weakness: grade 4", "{" + ice8 + R"(, "motor": "deep_focal_weakness"})", 40, 4, "complete",
       {"cres2018.grade4.motor_weakness", "cres2018.grade1.cartox10"}, {}, 0, 8},
      {"tremor: not a CRES criterion", "{" + ice8 + R"(, "motor": "tremor"})", 40, 1, "incomplete",
       {"cres2018.grade1.cartox10", "cres2018.no_motor_weakness"}, {"csf_opening_pressure"}, 1, 8},
      {"sedated: CARTOX-10 not graded", "{" + ice8 + R"(, "sedated": true})", 40, std::nullopt, "not_assessable", {},
       {"csf_opening_pressure"}, 1, std::nullopt},
      {"child under 12: CARTOX-10 not valid", "{" + ice8 + R"(, "consciousness": "alert"})", 8, std::nullopt,
       "not_assessable", {}, {"cartox10", "csf_opening_pressure"}, 1, std::nullopt},
  };
  for (const CresCase& c : cases) {
    SCOPED_TRACE(c.name);
    const CresAssessmentGrade graded = grade_one(c.neuro, c.age);
    EXPECT_EQ(graded.result.grade, c.grade);
    EXPECT_EQ(to_name(graded.result.assessment), c.assessment);
    std::vector<std::string> ids;
    for (const Reason& reason : graded.result.reasons) {
      ids.emplace_back(reason.rule.id);
      EXPECT_FALSE(reason.rule.source.empty());
      EXPECT_EQ(reason.evidence.size(), 1U);
    }
    EXPECT_EQ(ids, c.rules);
    EXPECT_EQ(graded.result.missing, c.missing);
    EXPECT_EQ(graded.result.review.size(), c.review);
    EXPECT_EQ(graded.cartox10_low, c.cartox10_low);
    if (c.cartox10_low) {
      EXPECT_EQ(graded.cartox10_high, *c.cartox10_low + 1);
    }
  }
}

TEST(CresAssessments, TheBandsAreData) {
  RuleSet rules = shipped();
  ASSERT_TRUE(rules.set_value("cres.cartox10.grade1_min_points", 9, "test", "test"));
  const json events = json::parse(R"([{"kind": "neuro", "time": {"day": 1}, )" + std::string(kIce8) + "}]");
  const Timeline timeline = testing::timeline_of(events, 40);
  // CARTOX-10 8-9 now spans grades 2 and 1.
  const auto grades = grade_cres_assessments(timeline, rules);
  ASSERT_EQ(grades.size(), 1U);
  EXPECT_FALSE(grades[0].result.grade.has_value());
  EXPECT_EQ(grades[0].result.missing.front(), "cartox10_president_item");
}

TEST(CresByDay, TheDaysMostSevereAssessmentAndDaysWithoutOne) {
  const json events = json::parse(R"([
    {"kind": "neuro", "time": {"day": 1, "clock": "08:00"},
     "ice": {"orientation": 4, "naming": 3, "commands": 0, "writing": 1, "attention": 0}},
    {"kind": "neuro", "time": {"day": 1, "clock": "16:00"},
     "ice": {"orientation": 1, "naming": 0, "commands": 1, "writing": 0, "attention": 0}},
    {"kind": "neuro", "time": {"day": 3, "clock": "16:00"}, "seizure": {"type": "generalised", "duration_min": 2}}
  ])");
  const Timeline timeline = testing::timeline_of(events, 40);
  const auto grades = grade_cres_assessments(timeline, shipped());
  ASSERT_EQ(grades.size(), 3U);
  const auto days = cres_by_day(timeline, grades, 0, 3);
  ASSERT_EQ(days.size(), 4U);
  EXPECT_FALSE(days[0].result.grade.has_value());
  EXPECT_EQ(days[0].result.missing, std::vector<std::string>{"neuro_assessment"});
  EXPECT_EQ(days[1].day, 1);
  EXPECT_EQ(days[1].result.grade, 3);
  EXPECT_EQ(days[1].result.set_at, timeline.day_start(1) + 16 * 3600);
  EXPECT_FALSE(days[2].result.grade.has_value());
  EXPECT_EQ(days[3].result.grade, 4);
  EXPECT_EQ(days[3].result.assessment, Assessment::complete);
}

}  // namespace
}  // namespace crsguard
