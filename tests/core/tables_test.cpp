#include <gtest/gtest.h>

#include <set>
#include <string>

#include "core/drugs.hpp"
#include "core/observation_codes.hpp"
#include "core/units.hpp"

namespace crsguard {
namespace {

TEST(ObservationTable, NamesUniqueUnitsKnownRangesOrdered) {
  std::set<std::string_view> names;
  for (const auto& info : observation_table()) {
    EXPECT_TRUE(names.insert(info.name).second) << info.name;
    EXPECT_NO_THROW(unit_by_code(info.canonical_unit)) << info.name;
    EXPECT_LT(info.plausible_min, info.plausible_max) << info.name;
    EXPECT_EQ(find_observation_code(info.name), info.code);
    EXPECT_EQ(&observation_info(info.code), &info);
  }
  EXPECT_FALSE(find_observation_code("temperature").has_value());
}

TEST(ObservationTable, RangesTheIssueNames) {
  const auto& temperature = observation_info(ObservationCode::body_temperature);
  EXPECT_EQ(temperature.canonical_unit, "Cel");
  EXPECT_EQ(temperature.plausible_min, 30);
  EXPECT_EQ(temperature.plausible_max, 45);
  const auto& systolic = observation_info(ObservationCode::systolic_bp);
  EXPECT_EQ(systolic.plausible_min, 30);
  EXPECT_EQ(systolic.plausible_max, 300);
  const auto& spo2 = observation_info(ObservationCode::spo2);
  EXPECT_EQ(spo2.plausible_min, 0);
  EXPECT_EQ(spo2.plausible_max, 100);
}

TEST(ObservationTable, CanonicalUnitsFollowTheClinicalSpec) {
  // ../shared/spec/clinical.md §0.
  EXPECT_EQ(observation_info(ObservationCode::platelets).canonical_unit, "10*9/L");
  EXPECT_EQ(observation_info(ObservationCode::haemoglobin).canonical_unit, "g/dL");
  EXPECT_EQ(observation_info(ObservationCode::creatinine).canonical_unit, "mg/dL");
  EXPECT_EQ(observation_info(ObservationCode::crp).canonical_unit, "mg/dL");
  EXPECT_EQ(observation_info(ObservationCode::ferritin).canonical_unit, "ng/mL");
  EXPECT_NEAR(observation_info(ObservationCode::creatinine).molar_mass_g_per_mol, 113.12, 0.01);
}

TEST(DrugTable, NamesUniqueRangesSane) {
  std::set<std::string_view> names;
  for (const auto& drug : drug_table()) {
    EXPECT_TRUE(names.insert(drug.name).second) << drug.name;
    EXPECT_TRUE(drug.mg.used() || drug.mg_per_kg.used() || drug.mg_per_m2.used()) << drug.name;
    EXPECT_EQ(find_drug(drug.name), &drug);
  }
  EXPECT_EQ(find_drug("other"), nullptr);
  EXPECT_EQ(find_drug("tocilizumab")->rxnorm, "612865");
  EXPECT_EQ(find_drug("tocilizumab")->drug_class, DrugClass::anti_il6);
  EXPECT_TRUE(find_drug("posaconazole")->strong_cyp3a4_inhibitor);
  EXPECT_FALSE(find_drug("fluconazole")->strong_cyp3a4_inhibitor);
  // The label maximum (800 mg) and the paediatric 12 mg/kg must be plausible.
  EXPECT_LE(find_drug("tocilizumab")->mg.min, 800);
  EXPECT_GE(find_drug("tocilizumab")->mg.max, 800);
  EXPECT_GE(find_drug("tocilizumab")->mg_per_kg.max, 12);
}

TEST(VasopressorTable, InEnumOrderAndVasopressinFlagged) {
  std::size_t index = 0;
  for (const auto& info : vasopressor_table()) {
    EXPECT_EQ(static_cast<std::size_t>(info.agent), index++);
  }
  EXPECT_TRUE(vasopressor_info(VasopressorAgent::vasopressin).is_vasopressin);
  EXPECT_TRUE(vasopressor_info(VasopressorAgent::vasopressin).units_per_min.used());
  EXPECT_FALSE(vasopressor_info(VasopressorAgent::vasopressin).ug_per_kg_per_min.used());
  EXPECT_TRUE(vasopressor_info(VasopressorAgent::dobutamine).is_inotrope_only);
  EXPECT_FALSE(vasopressor_info(VasopressorAgent::norepinephrine).is_inotrope_only);
}

}  // namespace
}  // namespace crsguard
