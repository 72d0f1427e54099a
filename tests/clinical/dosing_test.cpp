// Dosing (clinical.md §5.1-5.2): tocilizumab by weight with the 30 kg split and the 800 mg cap,
// vials, interval and count limits at their boundaries, corticosteroid equivalence and cumulative
// dexamethasone-equivalent exposure.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "clinical/dosing.hpp"
#include "timeline_cases.hpp"

namespace crsguard {
namespace {

using nlohmann::json;

DosingRules shipped_dosing() { return DosingRules::from(testing::shipped_rules()); }

Patient patient_of(std::optional<double> weight_kg, std::optional<double> height_cm = std::nullopt) {
  Patient patient;
  patient.id = "dose";
  patient.weight_kg = weight_kg;
  patient.height_cm = height_cm;
  return patient;
}

TEST(TocilizumabDose, EightMgPerKgFromThirtyKilograms) {
  const ComputedDose dose = tocilizumab_dose(patient_of(62), shipped_dosing());
  ASSERT_TRUE(dose.mg.has_value());
  EXPECT_DOUBLE_EQ(*dose.mg, 496);
  EXPECT_EQ(dose.steps.at(1), "8 mg/kg × 62 kg = 496 mg");
  // 520 mg (24 mg left over) wastes less than 400 + 80 + 80 = 560 mg.
  EXPECT_EQ(dose.vials_mg, (std::vector<int>{200, 80, 80, 80, 80}));
  EXPECT_DOUBLE_EQ(*tocilizumab_dose(patient_of(30), shipped_dosing()).mg, 240) << "30 kg is not under 30 kg";
}

TEST(TocilizumabDose, TwelveMgPerKgUnderThirtyKilograms) {
  EXPECT_DOUBLE_EQ(*tocilizumab_dose(patient_of(29.9), shipped_dosing()).mg, 12 * 29.9);
  EXPECT_DOUBLE_EQ(*tocilizumab_dose(patient_of(18), shipped_dosing()).mg, 216);
}

TEST(TocilizumabDose, CappedAtEightHundredMilligrams) {
  EXPECT_DOUBLE_EQ(*tocilizumab_dose(patient_of(100), shipped_dosing()).mg, 800);
  const ComputedDose at_cap = tocilizumab_dose(patient_of(110), shipped_dosing());
  EXPECT_DOUBLE_EQ(*at_cap.mg, 800);
  EXPECT_EQ(at_cap.steps.back().rfind("vials: 400 + 400 mg", 0), 0u);
  EXPECT_NE(std::find(at_cap.steps.begin(), at_cap.steps.end(), "capped at the maximum of 800 mg per dose"),
            at_cap.steps.end());
  EXPECT_DOUBLE_EQ(*tocilizumab_dose(patient_of(99.9), shipped_dosing()).mg, 799.2);
}

TEST(TocilizumabDose, NoWeightNoDose) {
  const ComputedDose dose = tocilizumab_dose(patient_of(std::nullopt), shipped_dosing());
  EXPECT_FALSE(dose.mg.has_value());
  EXPECT_EQ(dose.missing, std::vector<std::string>{"body_weight"});
}

TEST(TocilizumabDose, RoundingIsALocalChoice) {
  DosingRules rules = DosingRules::from(testing::rules_with("dosing.tocilizumab.round_to_mg", 20));
  EXPECT_DOUBLE_EQ(*tocilizumab_dose(patient_of(62), rules).mg, 500);
  rules.tocilizumab_vials_mg = {200, 400};
  EXPECT_EQ(vials_for(500, rules.tocilizumab_vials_mg), (std::vector<int>{400, 200}));
}

TEST(Vials, LeastWasteThenFewestVials) {
  const std::vector<int> stock{80, 200, 400};
  EXPECT_EQ(vials_for(400, stock), std::vector<int>{400});
  EXPECT_EQ(vials_for(401, stock), (std::vector<int>{200, 80, 80, 80}));  // 440 mg: 39 mg left over
  EXPECT_EQ(vials_for(480, stock), (std::vector<int>{400, 80}));          // no waste, fewest vials
  EXPECT_EQ(vials_for(280, stock), (std::vector<int>{200, 80}));
  EXPECT_EQ(vials_for(160, stock), (std::vector<int>{80, 80}));
  EXPECT_TRUE(vials_for(0, stock).empty());
}

TEST(BodySurfaceDose, UsesThePatientsFormula) {
  Patient patient = patient_of(70, 170);
  const ComputedDose mosteller = dose_by_body_surface(100, patient, std::nullopt, {"test", "test"});
  EXPECT_NEAR(*mosteller.mg, 181.8, 0.05);  // clinical.md §9.3: 1.818 m²
  patient.bsa_formula = BsaFormula::du_bois;
  EXPECT_NEAR(*dose_by_body_surface(100, patient, std::nullopt, {"test", "test"}).mg, 181.0, 0.05);
  EXPECT_EQ(dose_by_body_surface(100, patient_of(70), 150, {"t", "t"}).missing, std::vector<std::string>{"height"});
  EXPECT_DOUBLE_EQ(*dose_by_body_surface(100, patient_of(70, 170), 150, {"t", "t"}).mg, 150);
}

json tocilizumab(int day, const char* clock) {
  return {{"kind", "administration"}, {"drug", "tocilizumab"}, {"dose", {{"value", 8}, {"unit", "mg/kg"}}},
          {"time", {{"day", day}, {"clock", clock}}}};
}

TEST(TocilizumabLimits, EightHoursApartIsAllowedSevenAndAHalfIsNot) {
  const Timeline timeline = testing::timeline_of(json::array({tocilizumab(1, "08:00")}), 40);
  const auto at = [&](int hour, int minute) { return timeline.day_start(1) + hour * 3600 + minute * 60; };
  EXPECT_EQ(tocilizumab_limits(timeline, at(16, 0), 0, shipped_dosing()).at(0).verdict, LimitVerdict::allowed);
  const auto early = tocilizumab_limits(timeline, at(15, 30), 0, shipped_dosing()).at(0);
  EXPECT_EQ(early.verdict, LimitVerdict::blocked);
  EXPECT_EQ(early.statement, "last dose 7.5 h before; at least 8 h apart");
  EXPECT_EQ(early.rule.id, dosing_rules::kTocilizumabInterval.id);
}

TEST(TocilizumabLimits, AtMostThreeIn24HoursAndFourPerEpisode) {
  const Timeline timeline = testing::timeline_of(
      json::array({tocilizumab(1, "00:00"), tocilizumab(1, "08:00"), tocilizumab(1, "16:00"), tocilizumab(2, "08:00")}),
      40);
  const DosingRules rules = shipped_dosing();
  // Day 1 23:59: three doses in the last 24 h.
  const auto late_day1 = tocilizumab_limits(timeline, timeline.day_start(1) + 23 * 3600 + 59 * 60, 0, rules);
  EXPECT_EQ(late_day1.at(1).verdict, LimitVerdict::blocked);
  EXPECT_EQ(late_day1.at(1).evidence.size(), 3u);
  // Day 2 16:00: the 00:00 and 08:00 doses of day 1 are older than 24 h, but four doses this episode.
  const auto day2 = tocilizumab_limits(timeline, timeline.day_start(2) + 16 * 3600, 0, rules);
  EXPECT_EQ(day2.at(1).verdict, LimitVerdict::allowed);
  EXPECT_EQ(day2.at(2).verdict, LimitVerdict::blocked);
  EXPECT_EQ(day2.at(2).statement, "4 doses in this CRS episode; at most 4");
  // A new episode starts the count again.
  const auto new_episode = tocilizumab_limits(timeline, timeline.day_start(2) + 16 * 3600, timeline.day_start(2), rules);
  EXPECT_EQ(new_episode.at(2).verdict, LimitVerdict::allowed);
}

TEST(SteroidEquivalence, DexamethasoneTenIsMethylprednisoloneFiftyThree) {
  const DosingRules rules = shipped_dosing();
  EXPECT_DOUBLE_EQ(*dexamethasone_equivalent_mg("dexamethasone", 10, rules), 10);
  EXPECT_NEAR(*dexamethasone_equivalent_mg("methylprednisolone", 53.33, rules), 10, 0.001);
  EXPECT_NEAR(*dexamethasone_equivalent_mg("prednisone", 66.67, rules), 10, 0.001);
  EXPECT_NEAR(*dexamethasone_equivalent_mg("hydrocortisone", 266.67, rules), 10, 0.001);
  EXPECT_FALSE(dexamethasone_equivalent_mg("tocilizumab", 400, rules).has_value());
}

TEST(SteroidExposure, SumsRepeatsAndNeverGuessesAMissingDose) {
  json events = json::array({
      {{"kind", "administration"}, {"drug", "dexamethasone"}, {"dose", {{"value", 10}, {"unit", "mg"}}},
       {"time", {{"day", 2}, {"clock", "08:00"}}}, {"repeat", {{"every", {{"value", 6}, {"unit", "h"}}}, {"count", 4}}}},
      {{"kind", "administration"}, {"drug", "methylprednisolone"}, {"dose", {{"value", 2}, {"unit", "mg/kg"}}},
       {"time", {{"day", 3}, {"clock", "08:00"}}}},
      {{"kind", "administration"}, {"drug", "methylprednisolone"}, {"time", {{"day", 4}, {"clock", "08:00"}}}},
  });
  const Timeline timeline = testing::timeline_of(events, 40);
  const TimeWindow all{0, timeline.day_start(10)};
  const SteroidExposure exposure = cumulative_steroid_exposure(timeline, all, shipped_dosing());
  EXPECT_DOUBLE_EQ(exposure.dexamethasone_equivalent_mg, 40);  // mg/kg needs a weight: not counted
  EXPECT_EQ(exposure.doses.size(), 4u);
  EXPECT_EQ(exposure.doses_not_counted, 2);
  EXPECT_EQ(exposure.missing, (std::vector<std::string>{"body_weight", "dose"}));
}

}  // namespace
}  // namespace crsguard
