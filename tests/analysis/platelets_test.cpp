// Platelet transfusion response (analysis/platelets.hpp): the formulas against the worked examples of
// ../shared/spec/clinical.md §9.1–9.2, the shipped rules, and two synthetic children
// (tests/data/platelets/) whose expected values are computed by hand in the comments:
//   plt-child-1: 9 years, 30 kg, 120 cm → BSA √(120 × 30 / 3600) = 1 m² (Mosteller),
//                blood volume 75 mL/kg × 30 kg = 2.25 L; ruxolitinib from day 6 08:00.
//                So CCI = increment × 1000 / dose and PPR = increment × 2.25 / dose.
//   plt-child-2: 6 years, 20 kg, no height (no BSA); no ruxolitinib.
#include "analysis/platelets.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "analysis/cohort_fixture.hpp"
#include "io/rules_json.hpp"
#include "io/timeline_json.hpp"

namespace crsguard {
namespace {

using testing::read_timelines;

const RuleSet& shipped_rules() {
  static const RuleSet rules = load_rules();
  return rules;
}

const PlateletRules& rules() {
  static const PlateletRules platelet_rules = PlateletRules::from(shipped_rules());
  return platelet_rules;
}

void expect_close(std::optional<double> actual, double expected) {
  ASSERT_TRUE(actual.has_value());
  EXPECT_NEAR(*actual, expected, std::max(1e-12, std::abs(expected) * 1e-12));
}

std::int64_t at(int day, int hour) { return static_cast<std::int64_t>(day) * 86400 + hour * 3600; }

bool has_reason(const PlateletTransfusionResult& result, const std::string& part) {
  for (const auto& reason : result.reasons) {
    if (reason.find(part) != std::string::npos) return true;
  }
  return false;
}

std::string reasons_of(const PlateletTransfusionResult& result) {
  std::string out;
  for (const auto& reason : result.reasons) out += reason + "; ";
  return out;
}

const Timeline& child_with_ruxolitinib() {
  static const std::vector<Timeline> timelines = read_timelines("tests/data/platelets/child-ruxolitinib.json");
  return timelines.front();
}

const Timeline& child_without_height() {
  static const std::vector<Timeline> timelines = read_timelines("tests/data/platelets/child-no-height.json");
  return timelines.front();
}

Timeline patient_with(const std::string& patient_fields, const std::string& events) {
  const std::string text = R"({"format": "crsguard.timeline/1", "patient": {"id": "p", "sex": "male")" +
                           patient_fields +
                           R"(}, "infusion": {"time": {"day": 0}, "product": "CD19 CAR-T", "targets": ["CD19"]},
    "events": [)" + events + "]}";
  return read_timelines_json(text, "test.json").front();
}

// clinical.md §9.1: increment 20 ×10^9/L, BSA 1.8 m², 3 ×10^11 → 20 000 × 1.8 / 3 = 12 000.
// clinical.md §9.2: increment 20 ×10^9/L, 4.9 L, 3 ×10^11 = 300 ×10^9 → 20 × 4.9 / 300 × 100 = 32.67 %.
TEST(PlateletFormulas, MatchTheWorkedExamples) {
  EXPECT_NEAR(corrected_count_increment(20, 1.8, 3), 12000, 1e-8);
  EXPECT_NEAR(percentage_platelet_recovery(20, 4.9, 3), 98.0 / 3.0, 1e-12);
  EXPECT_NEAR(corrected_count_increment(-4, 1.0, 2), -2000, 1e-12);  // a fall is not clamped
}

TEST(PlateletFormulas, RefuseANonPositiveDoseOrBodySize) {
  EXPECT_THROW(corrected_count_increment(20, 0, 3), std::invalid_argument);
  EXPECT_THROW(corrected_count_increment(20, 1.8, 0), std::invalid_argument);
  EXPECT_THROW(percentage_platelet_recovery(20, -1, 3), std::invalid_argument);
  try {
    percentage_platelet_recovery(20, 4.9, -3);
    ADD_FAILURE() << "no error";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("dose_1e11"), std::string::npos) << error.what();
  }
}

TEST(PlateletRules, ShippedValues) {
  EXPECT_EQ(rules().min_cci_24h, 7500);
  EXPECT_EQ(rules().min_ppr_24h_percent, 30);
  EXPECT_EQ(rules().pre_count_window_s, 24 * 3600);
  EXPECT_EQ(rules().post_24h_from_s, 18 * 3600);
  EXPECT_EQ(rules().post_24h_target_s, 24 * 3600);
  EXPECT_EQ(rules().post_24h_to_s, 30 * 3600);
  EXPECT_EQ(rules().post_1h_from_s, 10 * 60);
  EXPECT_EQ(rules().post_1h_to_s, 60 * 60);
  EXPECT_EQ(rules().adult_blood_volume_ml_per_kg, 70);
  EXPECT_EQ(rules().child_blood_volume_ml_per_kg, 75);
  EXPECT_EQ(rules().child_below_age_years, 18);
  EXPECT_EQ(shipped_rules().get("platelets.success.min_cci_24h").file, "rules/platelets.json");
}

TEST(PlateletRules, EveryParameterOfTheFileIsRead) {
  int parameters = 0;
  for (const auto& dropped : shipped_rules().parameters()) {
    if (dropped.file != "rules/platelets.json") continue;
    ++parameters;
    RuleSet without;
    for (const auto& parameter : shipped_rules().parameters()) {
      if (parameter.key != dropped.key) without.add(parameter);
    }
    EXPECT_THROW(PlateletRules::from(without), MissingRuleError) << dropped.key;
  }
  EXPECT_EQ(parameters, 11);
}

TEST(PlateletRules, AnInconsistentWindowIsRefusedNamingTheKey) {
  RuleSet changed = shipped_rules();
  ASSERT_TRUE(changed.set_value("platelets.post_24h.to_hours", 12, "test", "test"));
  try {
    PlateletRules::from(changed);
    ADD_FAILURE() << "no error";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("platelets.post_24h.to_hours"), std::string::npos) << error.what();
  }
  RuleSet no_volume = shipped_rules();
  ASSERT_TRUE(no_volume.set_value("platelets.blood_volume.child_ml_per_kg", 0, "test", "test"));
  EXPECT_THROW(PlateletRules::from(no_volume), std::invalid_argument);
}

TEST(PlateletResponse, ChildBodySizeAndDrugStart) {
  const auto response = platelet_transfusion_response(child_with_ruxolitinib(), rules());
  EXPECT_EQ(response.patient_id, "plt-child-1");
  EXPECT_EQ(response.drug, "ruxolitinib");
  EXPECT_EQ(response.drug_start_s, at(6, 8));
  expect_close(response.body.bsa_m2, 1.0);
  expect_close(response.body.blood_volume_ml_per_kg, 75);
  expect_close(response.body.blood_volume_l, 2.25);
  EXPECT_NE(response.body.blood_volume_basis.find("child"), std::string::npos) << response.body.blood_volume_basis;
  ASSERT_EQ(response.transfusions.size(), 8u);
}

// Day 2 10:00, 2 ×10^11; pre 15 (07:00). 1-h count 52 (11:00): +37 → CCI 18 500, PPR 41.625 %.
// 24-h counts at 22 h (48) and 26 h (45), equally near 24 h: the earlier, 48: +33 →
// CCI 33 000 / 2 = 16 500 ≥ 7500, PPR 33 × 2.25 / 2 = 37.125 % ≥ 30 % → success.
TEST(PlateletResponse, SuccessTakesTheEarlierOfTwoEquallyNearCounts) {
  const auto response = platelet_transfusion_response(child_with_ruxolitinib(), rules());
  const auto& first = response.transfusions[0];
  EXPECT_EQ(first.seconds_since_infusion, at(2, 10));
  EXPECT_FALSE(first.after_drug_start);
  expect_close(first.dose_1e11, 2);
  ASSERT_TRUE(first.pre);
  EXPECT_EQ(first.pre->value_1e9_per_l, 15);
  EXPECT_EQ(first.pre->seconds_since_infusion, at(2, 7));
  ASSERT_TRUE(first.one_hour);
  EXPECT_EQ(first.one_hour->hours_after, 1.0);
  expect_close(first.one_hour->cci, 18500);
  expect_close(first.one_hour->ppr_percent, 41.625);
  ASSERT_TRUE(first.day_one);
  EXPECT_EQ(first.day_one->count.value_1e9_per_l, 48);
  EXPECT_EQ(first.day_one->hours_after, 22.0);
  expect_close(first.day_one->increment_1e9_per_l, 33);
  expect_close(first.day_one->cci, 16500);
  expect_close(first.day_one->ppr_percent, 37.125);
  EXPECT_EQ(first.response, TransfusionResponse::success) << reasons_of(first);
  EXPECT_EQ(first.reasons, (std::vector<std::string>{"24-h CCI 16500 ≥ 7500", "24-h PPR 37.1 % ≥ 30 %"}));
}

// Day 4 09:00, 3 ×10^11; pre 20 (06:00); 24-h 35 (day 5 09:00): +15 → CCI 5000, PPR 11.25 % → failure.
TEST(PlateletResponse, FailureStatesEachThreshold) {
  const auto response = platelet_transfusion_response(child_with_ruxolitinib(), rules());
  const auto& second = response.transfusions[1];
  EXPECT_FALSE(second.one_hour);
  expect_close(second.day_one->cci, 5000);
  expect_close(second.day_one->ppr_percent, 11.25);
  EXPECT_EQ(second.response, TransfusionResponse::failure);
  EXPECT_EQ(second.reasons, (std::vector<std::string>{"24-h CCI 5000 < 7500", "24-h PPR 11.2 % < 30 %"}));
}

TEST(PlateletResponse, MissingAmountIsNotAssessable) {
  const auto response = platelet_transfusion_response(child_with_ruxolitinib(), rules());
  const auto& third = response.transfusions[2];
  EXPECT_TRUE(third.after_drug_start);
  EXPECT_EQ(third.response, TransfusionResponse::not_assessable);
  EXPECT_FALSE(third.dose_1e11);
  ASSERT_TRUE(third.day_one);
  expect_close(third.day_one->increment_1e9_per_l, 21);  // 30 − 9: shown, but no CCI without a dose
  EXPECT_FALSE(third.day_one->cci);
  EXPECT_EQ(third.reasons, (std::vector<std::string>{"dose not recorded (platelets transfused, ×10^11)"}));
}

// Day 9 10:00, 2.5 ×10^11; 10 → 8: −2 → CCI −800, PPR −1.8 %: a failure, not clamped at 0.
TEST(PlateletResponse, AFallingCountIsAFailureWithANegativeIncrement) {
  const auto response = platelet_transfusion_response(child_with_ruxolitinib(), rules());
  const auto& fourth = response.transfusions[3];
  EXPECT_EQ(fourth.response, TransfusionResponse::failure);
  expect_close(fourth.day_one->cci, -800);
  expect_close(fourth.day_one->ppr_percent, -1.8);
}

TEST(PlateletResponse, NoPreCountInTheWindow) {
  // Day 11 12:00: the last count (day 10 10:00) is 26 h before, outside the 24-h window.
  const auto response = platelet_transfusion_response(child_with_ruxolitinib(), rules());
  const auto& fifth = response.transfusions[4];
  EXPECT_EQ(fifth.response, TransfusionResponse::not_assessable);
  EXPECT_FALSE(fifth.pre);
  ASSERT_TRUE(fifth.day_one);
  EXPECT_FALSE(fifth.day_one->increment_1e9_per_l);
  EXPECT_EQ(fifth.reasons, (std::vector<std::string>{"no platelet count in the 24 h before the transfusion"}));
}

// Day 13 08:00 and 20:00, 12 h apart. The first one's 18–30-h counts (day 14 08:00) follow the second
// transfusion, so they are not credited to it. The second: pre 25 (19:00), 24-h 44 (day 14 20:00): +19 →
// CCI 9500 ≥ 7500 but PPR 19 × 2.25 / 2 = 21.375 % < 30 % → failure.
TEST(PlateletResponse, TwoTransfusionsWithin24Hours) {
  const auto response = platelet_transfusion_response(child_with_ruxolitinib(), rules());
  const auto& sixth = response.transfusions[5];
  EXPECT_EQ(sixth.response, TransfusionResponse::not_assessable);
  EXPECT_FALSE(sixth.day_one);
  EXPECT_TRUE(has_reason(sixth, "follow the next platelet transfusion (12 h after this one)")) << reasons_of(sixth);
  const auto& seventh = response.transfusions[6];
  EXPECT_EQ(seventh.pre->value_1e9_per_l, 25);
  EXPECT_EQ(seventh.day_one->count.seconds_since_infusion, at(14, 20));
  expect_close(seventh.day_one->cci, 9500);
  expect_close(seventh.day_one->ppr_percent, 21.375);
  EXPECT_EQ(seventh.response, TransfusionResponse::failure);
  EXPECT_EQ(seventh.reasons[0], "24-h CCI 9500 ≥ 7500");
}

TEST(PlateletResponse, PostCountOutsideTheWindow) {
  // Day 16 10:00; the next count is 32 h later.
  const auto response = platelet_transfusion_response(child_with_ruxolitinib(), rules());
  const auto& eighth = response.transfusions[7];
  EXPECT_EQ(eighth.response, TransfusionResponse::not_assessable);
  EXPECT_FALSE(eighth.day_one);
  EXPECT_EQ(eighth.reasons, (std::vector<std::string>{"no platelet count 18 h–30 h after the transfusion"}));
}

// Before ruxolitinib: transfusions 1 (success) and 2 (failure): rate 1/2, median CCI (16 500 + 5000) / 2 =
// 10 750, median PPR (37.125 + 11.25) / 2 = 24.1875 %. From its start: six transfusions, two assessable
// (CCI −800 and 9500; PPR −1.8 and 21.375 %), no success: medians 4350 and 9.7875 %.
TEST(PlateletResponse, SummaryBeforeAndAfterRuxolitinib) {
  const auto response = platelet_transfusion_response(child_with_ruxolitinib(), rules());
  const auto& before = response.before_drug;
  EXPECT_EQ(before.transfusions, 2);
  EXPECT_EQ(before.assessable, 2);
  EXPECT_EQ(before.successes, 1);
  expect_close(before.success_rate, 0.5);
  expect_close(before.median_cci, 10750);
  expect_close(before.median_ppr_percent, 24.1875);
  const auto& after = response.after_drug;
  EXPECT_EQ(after.transfusions, 6);
  EXPECT_EQ(after.assessable, 2);
  EXPECT_EQ(after.successes, 0);
  expect_close(after.success_rate, 0.0);
  expect_close(after.median_cci, 4350);
  expect_close(after.median_ppr_percent, 9.7875);
}

TEST(PlateletResponse, AnotherDrugMovesTheSplit) {
  // Never given: every transfusion is "before", and the drug has no start.
  const auto response = platelet_transfusion_response(child_with_ruxolitinib(), rules(), "tocilizumab");
  EXPECT_FALSE(response.drug_start_s);
  EXPECT_EQ(response.before_drug.transfusions, 8);
  EXPECT_EQ(response.after_drug.transfusions, 0);
  EXPECT_FALSE(response.after_drug.success_rate);
  EXPECT_FALSE(response.after_drug.median_cci);
  try {
    platelet_transfusion_response(child_with_ruxolitinib(), rules(), "ruxolitnib");
    ADD_FAILURE() << "no error";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("drug: \"ruxolitnib\""), std::string::npos) << error.what();
  }
}

// No height: PPR (20 × 75 × 20 / 1000 / 1.5 = 20 %) but no CCI; a pre count "< 5" gives no increment.
TEST(PlateletResponse, MissingHeightAndABoundCount) {
  const auto response = platelet_transfusion_response(child_without_height(), rules());
  EXPECT_FALSE(response.body.bsa_m2);
  expect_close(response.body.blood_volume_l, 1.5);
  ASSERT_EQ(response.transfusions.size(), 2u);
  const auto& first = response.transfusions[0];
  EXPECT_EQ(first.response, TransfusionResponse::not_assessable);
  EXPECT_FALSE(first.day_one->cci);
  expect_close(first.day_one->ppr_percent, 20);
  EXPECT_EQ(first.reasons, (std::vector<std::string>{"no body surface area: height not recorded"}));
  const auto& second = response.transfusions[1];
  EXPECT_EQ(second.pre->comparator, Comparator::less);
  EXPECT_FALSE(second.day_one->increment_1e9_per_l);
  EXPECT_TRUE(has_reason(second, "pre-transfusion count reported as a bound (<5 ×10^9/L)")) << reasons_of(second);
  EXPECT_EQ(response.before_drug.assessable, 0);
  EXPECT_FALSE(response.before_drug.success_rate);
}

TEST(PlateletResponse, BloodVolumeByAge) {
  const std::string events = R"({"kind": "observation", "code": "platelets", "time": {"day": 1, "clock": "08:00"},
      "value": 10, "unit": "10*9/L"},
    {"kind": "transfusion", "product": "platelets", "amount": {"value": 3, "unit": "10*11"},
      "time": {"day": 1, "clock": "09:00"}},
    {"kind": "observation", "code": "platelets", "time": {"day": 2, "clock": "09:00"}, "value": 30, "unit": "10*9/L"})";
  // 70 kg, 170 cm, 30 years: 70 mL/kg × 70 kg = 4.9 L; +20 → PPR 20 × 4.9 / 3 = 32.67 %.
  const auto adult = platelet_transfusion_response(
      patient_with(R"(, "age": {"value": 30, "unit": "a"}, "weight": {"value": 70, "unit": "kg"},
                      "height": {"value": 170, "unit": "cm"})", events), rules());
  expect_close(adult.body.blood_volume_l, 4.9);
  expect_close(adult.transfusions[0].day_one->ppr_percent, 98.0 / 3.0);
  expect_close(adult.transfusions[0].day_one->cci, 20000 * std::sqrt(170.0 * 70 / 3600) / 3);
  EXPECT_EQ(adult.transfusions[0].response, TransfusionResponse::success) << reasons_of(adult.transfusions[0]);
  const auto no_age = platelet_transfusion_response(
      patient_with(R"(, "weight": {"value": 70, "unit": "kg"}, "height": {"value": 170, "unit": "cm"})", events),
      rules());
  EXPECT_FALSE(no_age.body.blood_volume_l);
  EXPECT_EQ(no_age.transfusions[0].response, TransfusionResponse::not_assessable);
  EXPECT_TRUE(has_reason(no_age.transfusions[0], "no blood volume: age not recorded")) << reasons_of(no_age.transfusions[0]);
  const auto no_weight = platelet_transfusion_response(patient_with(R"(, "age": {"value": 30, "unit": "a"})", events),
                                                       rules());
  EXPECT_EQ(no_weight.transfusions[0].reasons,
            (std::vector<std::string>{"no body surface area: weight not recorded", "no blood volume: weight not recorded"}));
}

TEST(PlateletCohort, PoolsEveryPatientsTransfusions) {
  const std::vector<Timeline> timelines{child_with_ruxolitinib(), child_without_height()};
  const auto cohort = cohort_platelet_response(timelines, rules());
  ASSERT_EQ(cohort.patients.size(), 2u);
  EXPECT_EQ(cohort.patients_given_drug, 1);
  EXPECT_EQ(cohort.before_drug.transfusions, 4);
  EXPECT_EQ(cohort.before_drug.assessable, 2);
  expect_close(cohort.before_drug.median_cci, 10750);
  EXPECT_EQ(cohort.after_drug.transfusions, 6);
  expect_close(cohort.after_drug.success_rate, 0.0);
  EXPECT_THROW(cohort_platelet_response({}, rules(), "no_such_drug"), std::invalid_argument);
  EXPECT_EQ(cohort_platelet_response({}, rules()).before_drug.transfusions, 0);
}

}  // namespace
}  // namespace crsguard
