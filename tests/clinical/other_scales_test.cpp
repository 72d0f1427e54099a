// Older CRS scales (Lee 2014, Penn 2018, MSKCC 2018, CARTOX 2018), driven by
// tests/data/grading/other-scales.json: one case per cell of ../shared/spec/clinical.md §3 that a
// Timeline can express, per boundary and per missing input; plus the Lee 2014 high-dose table.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <set>
#include <string>
#include <vector>

#include "../io/test_files.hpp"
#include "clinical/crs_other_scales.hpp"
#include "io/rules_json.hpp"
#include "timeline_cases.hpp"

namespace crsguard {
namespace {

using nlohmann::json;

const RuleSet& shipped() {
  static const RuleSet rules = load_rules();
  return rules;
}

json scale_cases() {
  return json::parse(testing::read_text(testing::source_path("tests/data/grading/other-scales.json")));
}

// timeline_of, with the few patient and outcome facts a case may add.
Timeline case_timeline(const json& c) {
  const Timeline base = testing::timeline_of(c["events"], c["age_years"].get<double>(), c.value("death", json(nullptr)));
  TimelineRecord record = base.record();
  if (c.contains("weight_kg")) record.patient.weight_kg = c["weight_kg"].get<double>();
  if (c.contains("last_followup_hours")) {
    record.outcome->last_followup.seconds_since_infusion =
        static_cast<std::int64_t>(c["last_followup_hours"].get<double>() * 3600.0);
    record.outcome->last_followup.form = TimeForm::study_day_clock;
  }
  return Timeline(std::move(record));
}

std::vector<std::string> rule_ids(const GradeResult& result) {
  std::vector<std::string> ids;
  for (const Reason& reason : result.reasons) ids.emplace_back(reason.rule.id);
  return ids;
}

TEST(OtherCrsScalesTable, EveryCaseGradesAsTheScaleSays) {
  const json document = scale_cases();
  ASSERT_GE(document["cases"].size(), 50U);
  for (const json& c : document["cases"]) {
    const Timeline timeline = case_timeline(c);
    const int day = c["day"].get<int>();
    for (const auto& [scale_name, expect] : c["expect"].items()) {
      SCOPED_TRACE(c["name"].get<std::string>() + " / " + scale_name);
      const auto scale = from_name<CrsScale>(scale_name);
      ASSERT_TRUE(scale.has_value());
      const auto days = grade_crs_scale_by_day(timeline, *scale, shipped(), day, day);
      ASSERT_EQ(days.size(), 1U);
      ASSERT_EQ(days[0].day, day);
      const GradeResult& result = days[0].result;
      if (expect["grade"].is_null()) {
        EXPECT_FALSE(result.grade.has_value());
      } else {
        EXPECT_EQ(result.grade, expect["grade"].get<int>());
      }
      EXPECT_EQ(to_name(result.assessment), expect["assessment"].get<std::string>());
      EXPECT_EQ(result.missing, expect["missing"].get<std::vector<std::string>>());
      EXPECT_EQ(result.review.size(), expect["review_flags"].get<std::size_t>());
      if (expect.contains("rules")) {
        EXPECT_EQ(rule_ids(result), expect["rules"].get<std::vector<std::string>>());
      }
      for (const Reason& reason : result.reasons) {
        EXPECT_TRUE(std::string(reason.rule.id).starts_with(scale_name + ".crs.")) << reason.rule.id;
        EXPECT_FALSE(reason.rule.source.empty());
        EXPECT_FALSE(reason.statement.empty()) << reason.rule.id;
        if (!std::string(reason.rule.id).ends_with(".death")) {
          EXPECT_FALSE(reason.evidence.empty()) << reason.rule.id;
        }
      }
    }
  }
}

TEST(OtherCrsScalesTable, EveryGradingCellOfTheSpecHasACase) {
  std::set<std::string> used;
  const json document = scale_cases();
  for (const json& c : document["cases"]) {
    for (const auto& [scale, expect] : c["expect"].items()) {
      for (const auto& id : expect.value("rules", std::vector<std::string>{})) used.insert(id);
    }
  }
  const std::vector<std::string> cells{
      "lee2014.crs.grade1.fever", "lee2014.crs.grade2.fio2", "lee2014.crs.grade2.hypotension_fluids",
      "lee2014.crs.grade2.low_dose_vasopressor", "lee2014.crs.grade2.organ_toxicity", "lee2014.crs.grade3.fio2",
      "lee2014.crs.grade3.high_dose_vasopressor", "lee2014.crs.grade3.multiple_vasopressors",
      "lee2014.crs.grade3.organ_toxicity", "lee2014.crs.grade3.transaminitis_grade4", "lee2014.crs.grade4.ventilator",
      "lee2014.crs.grade4.organ_toxicity", "lee2014.crs.grade5.death",
      "penn2018.crs.grade1.fever", "penn2018.crs.grade2.organ_dysfunction", "penn2018.crs.grade2.iv_therapy",
      "penn2018.crs.grade3.organ_dysfunction", "penn2018.crs.grade1.hypotension_no_vasopressor",
      "penn2018.crs.grade3.vasopressor", "penn2018.crs.grade3.coagulopathy", "penn2018.crs.grade3.oxygen",
      "penn2018.crs.grade4.high_dose_vasopressor", "penn2018.crs.grade4.mechanical_ventilation",
      "penn2018.crs.grade5.death",
      "mskcc2018.crs.grade1.fever", "mskcc2018.crs.grade2.vasopressor", "mskcc2018.crs.grade2.fio2",
      "mskcc2018.crs.grade3.vasopressor_24h", "mskcc2018.crs.grade3.fio2", "mskcc2018.crs.grade4.refractory_hypotension",
      "mskcc2018.crs.grade4.mechanical_ventilation", "mskcc2018.crs.grade5.death",
      "cartox2018.crs.grade1.fever", "cartox2018.crs.grade1.organ_toxicity", "cartox2018.crs.grade2.hypotension_fluids",
      "cartox2018.crs.grade2.low_dose_vasopressor", "cartox2018.crs.grade2.fio2", "cartox2018.crs.grade2.organ_toxicity",
      "cartox2018.crs.grade3.high_dose_vasopressor", "cartox2018.crs.grade3.fio2", "cartox2018.crs.grade3.transaminitis_grade4",
      "cartox2018.crs.grade4.ventilator", "cartox2018.crs.grade5.death"};
  for (const std::string& cell : cells) EXPECT_TRUE(used.count(cell)) << cell << " has no case in other-scales.json";
}

// ---- rules as data ----------------------------------------------------------------------------

TEST(OtherCrsScalesRules, TheShippedRulesHoldEveryParameterWithItsSource) {
  const RuleSet rules = load_rules();
  std::size_t from_file = 0;
  for (const RuleParameter& parameter : rules.parameters()) {
    if (parameter.file != "rules/other-scales.json") continue;
    ++from_file;
    EXPECT_FALSE(parameter.source.empty()) << parameter.key;
    EXPECT_FALSE(parameter.unit.empty()) << parameter.key;
  }
  EXPECT_EQ(from_file, 27U);
  EXPECT_EQ(rules.get("lee2014.crs.fio2_high_min_percent").status, SourceStatus::confirmed);
  EXPECT_EQ(rules.get("lee2014.high_dose.norepinephrine_min_ug_per_min").status, SourceStatus::unconfirmed);
  // Grading any timeline reads every key: none is missing from the shipped files.
  const Timeline timeline = testing::timeline_of(json::array(), 40);
  for (const auto& entry : names(CrsScale{})) {
    EXPECT_NO_THROW((void)grade_crs_scale_by_day(timeline, entry.value, rules, 0, 1)) << entry.name;
  }
}

TEST(OtherCrsScalesRules, TheFio2ThresholdIsData) {
  const json events = json::parse(R"([
    {"kind": "observation", "code": "body_temperature", "time": {"day": 1, "clock": "08:00"}, "value": 38.6, "unit": "Cel"},
    {"kind": "observation", "code": "systolic_bp", "time": {"day": 1, "clock": "08:00"}, "value": 120, "unit": "mm[Hg]"},
    {"kind": "oxygen", "time": {"day": 1, "clock": "08:00"}, "device": "venturi_mask", "fio2": {"value": 40, "unit": "%"}}
  ])");
  const Timeline timeline = testing::timeline_of(events, 40);
  EXPECT_EQ(grade_crs_scale_by_day(timeline, CrsScale::mskcc2018, shipped(), 1, 1)[0].result.grade, 3);
  RuleSet rules = shipped();
  ASSERT_TRUE(rules.set_value("mskcc2018.crs.fio2_high_min_percent", 50, "test", "test"));
  EXPECT_EQ(grade_crs_scale_by_day(timeline, CrsScale::mskcc2018, rules, 1, 1)[0].result.grade, 2);
}

TEST(OtherCrsScalesRules, NoninvasiveVentilationCanCountAsVentilatorSupport) {
  const json events = json::parse(R"([
    {"kind": "observation", "code": "body_temperature", "time": {"day": 1, "clock": "08:00"}, "value": 38.6, "unit": "Cel"},
    {"kind": "oxygen", "time": {"day": 1, "clock": "08:00"}, "device": "bipap", "fio2": {"value": 30, "unit": "%"}}
  ])");
  const Timeline timeline = testing::timeline_of(events, 40);
  const GradeResult by_fio2 = grade_crs_scale_by_day(timeline, CrsScale::lee2014, shipped(), 1, 1)[0].result;
  EXPECT_EQ(by_fio2.grade, 2);
  EXPECT_EQ(by_fio2.review.size(), 1U);
  RuleSet rules = shipped();
  ASSERT_TRUE(rules.set_value("lee2014.crs.noninvasive_ventilation_is_ventilator_support", 1, "test", "test"));
  const GradeResult as_ventilator = grade_crs_scale_by_day(timeline, CrsScale::lee2014, rules, 1, 1)[0].result;
  EXPECT_EQ(as_ventilator.grade, 4);
  EXPECT_TRUE(as_ventilator.review.empty());
}

TEST(OtherCrsScalesCourse, EachDayIsGradedOnItsOwnAndSetAtNamesTheMoment) {
  const json events = json::parse(R"([
    {"kind": "oxygen", "time": {"day": 0}, "device": "none"},
    {"kind": "observation", "code": "body_temperature", "time": {"day": 1, "clock": "08:00"}, "value": 39, "unit": "Cel"},
    {"kind": "observation", "code": "systolic_bp", "time": {"day": 1, "clock": "08:00"}, "value": 120, "unit": "mm[Hg]"},
    {"kind": "vasopressor", "agent": "norepinephrine", "action": "start", "time": {"day": 1, "clock": "10:00"}, "dose": {"value": 5, "unit": "ug/min"}},
    {"kind": "vasopressor", "agent": "norepinephrine", "action": "stop", "time": {"day": 2, "clock": "12:00"}}
  ])");
  const Timeline timeline = testing::timeline_of(events, 40);
  const auto days = grade_crs_scale_by_day(timeline, CrsScale::mskcc2018, shipped(), 0, 2);
  ASSERT_EQ(days.size(), 3U);
  EXPECT_EQ(days[0].result.grade, std::nullopt);  // no temperature yet
  EXPECT_EQ(days[1].result.grade, 2);
  EXPECT_EQ(days[2].result.grade, 3);
  // 24 h of vasopressor were reached on day 2 at 10:00, within the stretch from midnight.
  EXPECT_EQ(days[2].result.set_at, timeline.day_start(2) + 10 * 3600);
}

// ---- Lee 2014 high-dose vasopressors -------------------------------------------------------------

HighDose high_dose(std::vector<VasopressorRate> running, std::optional<double> weight = std::nullopt) {
  return lee2014_high_dose(running, weight, HighDoseRules::from(shipped())).verdict;
}

VasopressorRate ug_min(VasopressorAgent agent, double dose) {
  return {agent, VasopressorDose{dose, VasopressorDoseUnit::ug_per_min}};
}

TEST(Lee2014HighDose, MonotherapyThresholds) {
  using A = VasopressorAgent;
  EXPECT_EQ(high_dose({ug_min(A::norepinephrine, 19.9)}), HighDose::no);
  EXPECT_EQ(high_dose({ug_min(A::norepinephrine, 20)}), HighDose::yes);
  EXPECT_EQ(high_dose({ug_min(A::epinephrine, 10)}), HighDose::yes);
  EXPECT_EQ(high_dose({ug_min(A::phenylephrine, 199)}), HighDose::no);
  EXPECT_EQ(high_dose({{A::dopamine, VasopressorDose{10, VasopressorDoseUnit::ug_per_kg_per_min}}}), HighDose::yes);
  // 700 µg/min at 70 kg = 10 µg/kg/min.
  EXPECT_EQ(high_dose({ug_min(A::dopamine, 700)}, 70.0), HighDose::yes);
  EXPECT_EQ(high_dose({ug_min(A::dopamine, 690)}, 70.0), HighDose::no);
}

TEST(Lee2014HighDose, NorepinephrineEquivalentByTheVasstEquation) {
  using A = VasopressorAgent;
  const HighDoseRules rules = HighDoseRules::from(shipped());
  const std::vector<VasopressorRate> mix{
      ug_min(A::norepinephrine, 4), ug_min(A::epinephrine, 3), ug_min(A::phenylephrine, 50),
      {A::dopamine, VasopressorDose{6, VasopressorDoseUnit::ug_per_kg_per_min}}};
  const HighDoseVerdict verdict = lee2014_high_dose(mix, std::nullopt, rules);
  ASSERT_TRUE(verdict.ne_equivalent_ug_per_min.has_value());
  EXPECT_DOUBLE_EQ(*verdict.ne_equivalent_ug_per_min, 4 + 3 + 5 + 3);  // NE + epi + phenyl/10 + dopamine/2
  EXPECT_EQ(verdict.verdict, HighDose::no);                             // 15 < 20
  EXPECT_EQ(high_dose({ug_min(A::norepinephrine, 9.9), {A::vasopressin, VasopressorDose{0.03, VasopressorDoseUnit::units_per_min}}}),
            HighDose::no);
  EXPECT_EQ(high_dose({ug_min(A::norepinephrine, 10), {A::vasopressin, std::nullopt}}), HighDose::yes);
  EXPECT_EQ(high_dose({{A::vasopressin, VasopressorDose{0.04, VasopressorDoseUnit::units_per_min}}}), HighDose::no);
}

TEST(Lee2014HighDose, MissingDoseOrWeightLeavesItOpenUnlessTheKnownDosesSuffice) {
  using A = VasopressorAgent;
  const HighDoseRules rules = HighDoseRules::from(shipped());
  const HighDoseVerdict no_dose = lee2014_high_dose(std::vector<VasopressorRate>{{A::norepinephrine, std::nullopt}},
                                                    std::nullopt, rules);
  EXPECT_EQ(no_dose.verdict, HighDose::unknown);
  EXPECT_TRUE(no_dose.dose_missing);
  const HighDoseVerdict no_weight = lee2014_high_dose(
      std::vector<VasopressorRate>{{A::norepinephrine, VasopressorDose{0.1, VasopressorDoseUnit::ug_per_kg_per_min}}},
      std::nullopt, rules);
  EXPECT_EQ(no_weight.verdict, HighDose::unknown);
  EXPECT_TRUE(no_weight.weight_missing);
  // 15 + 10 ≥ 20 whatever the undosed agent runs at.
  EXPECT_EQ(high_dose({ug_min(A::norepinephrine, 15), ug_min(A::epinephrine, 10), {A::phenylephrine, std::nullopt}}),
            HighDose::yes);
  // Inotropes are not weighed.
  EXPECT_EQ(high_dose({{A::dobutamine, VasopressorDose{20, VasopressorDoseUnit::ug_per_kg_per_min}}}), HighDose::no);
}

TEST(OtherCrsScales, NamesAndTitles) {
  for (const auto& entry : names(CrsScale{})) {
    EXPECT_EQ(from_name<CrsScale>(entry.name), entry.value);
    EXPECT_FALSE(crs_scale_title(entry.value).empty());
  }
  EXPECT_EQ(to_name(CrsScale::mskcc2018), "mskcc2018");
}

}  // namespace
}  // namespace crsguard
