#include <gtest/gtest.h>

#include "core/units.hpp"

namespace crsguard {
namespace {

double to(double value, std::string_view from, std::string_view to_unit) {
  const auto source = find_unit(from);
  const auto target = find_unit(to_unit);
  EXPECT_TRUE(source.has_value()) << from;
  EXPECT_TRUE(target.has_value()) << to_unit;
  EXPECT_EQ(source->dimension, target->dimension) << from << " vs " << to_unit;
  return round_converted(convert(value, *source, *target));
}

TEST(Units, FahrenheitToCelsius) {
  EXPECT_DOUBLE_EQ(to(104, "[degF]", "Cel"), 40.0);
  EXPECT_DOUBLE_EQ(to(100.4, "°F", "Cel"), 38.0);
  EXPECT_DOUBLE_EQ(to(102.2, "degF", "Cel"), 39.0);  // 39.000000000000006 before rounding
  EXPECT_DOUBLE_EQ(to(32, "[degF]", "Cel"), 0.0);
}

TEST(Units, PoundsAndInches) {
  EXPECT_DOUBLE_EQ(to(154, "[lb_av]", "kg"), 69.85322498);
  EXPECT_DOUBLE_EQ(to(1, "lb", "g"), 453.59237);
  EXPECT_DOUBLE_EQ(to(70, "[in_i]", "cm"), 177.8);
}

TEST(Units, MassConcentrations) {
  EXPECT_DOUBLE_EQ(to(15, "mg/L", "mg/dL"), 1.5);      // CRP: many EU labs report mg/L
  EXPECT_DOUBLE_EQ(to(3.5, "g/L", "mg/dL"), 350.0);    // fibrinogen
  EXPECT_DOUBLE_EQ(to(150, "mg/dL", "g/L"), 1.5);
  EXPECT_DOUBLE_EQ(to(800, "µg/L", "ng/mL"), 800.0);   // ferritin: µg/L = ng/mL
  EXPECT_DOUBLE_EQ(to(2, "ng/mL", "pg/mL"), 2000.0);
  EXPECT_DOUBLE_EQ(to(12, "g/dl", "g/L"), 120.0);
}

TEST(Units, CellCounts) {
  EXPECT_DOUBLE_EQ(to(1500, "cells/µL", "10*9/L"), 1.5);
  EXPECT_DOUBLE_EQ(to(1500, "/uL", "10*9/L"), 1.5);
  EXPECT_DOUBLE_EQ(to(150, "10^3/uL", "10*9/L"), 150.0);
  EXPECT_DOUBLE_EQ(to(150, "10^9/L", "10*9/L"), 150.0);
}

TEST(Units, DosesAndRates) {
  EXPECT_DOUBLE_EQ(to(0.4, "g", "mg"), 400.0);
  EXPECT_DOUBLE_EQ(to(500, "µg", "mg"), 0.5);
  EXPECT_DOUBLE_EQ(to(30, "mg/m²", "mg/m2"), 30.0);
  EXPECT_DOUBLE_EQ(to(8, "mg/kg", "mg/kg"), 8.0);
  EXPECT_DOUBLE_EQ(to(6, "mcg/min", "ug/min"), 6.0);
  EXPECT_DOUBLE_EQ(to(6, "mg/h", "ug/min"), 100.0);
  EXPECT_DOUBLE_EQ(to(2.4, "U/h", "U/min"), 0.04);
  EXPECT_DOUBLE_EQ(to(6, "10^6/kg", "{cells}/kg"), 6e6);
}

TEST(Units, MicroSignAndGreekMuAreBothAccepted) {
  EXPECT_EQ(find_unit("\xC2\xB5mol/L")->code, "umol/L");  // U+00B5 micro sign
  EXPECT_EQ(find_unit("\xCE\xBCmol/L")->code, "umol/L");  // U+03BC Greek small letter mu
}

TEST(Units, SurroundingSpacesIgnoredButCaseMatters) {
  EXPECT_EQ(find_unit(" mg/dL ")->code, "mg/dL");
  EXPECT_FALSE(find_unit("MG/DL").has_value());
  EXPECT_FALSE(find_unit("").has_value());
  EXPECT_FALSE(find_unit("furlongs").has_value());
  EXPECT_FALSE(find_unit("C").has_value()) << "C is the coulomb in UCUM, never Celsius";
}

TEST(Units, EveryAliasResolvesToAKnownCode) {
  // unit_by_code throws for a code missing from the table.
  for (const char* alias : {"°C", "°F", "lb", "mmHg", "bpm", "10^9/L", "K/uL", "µmol/L", "IU/L", "mg/kg/day"}) {
    const auto unit = find_unit(alias);
    ASSERT_TRUE(unit.has_value()) << alias;
    EXPECT_NO_THROW(unit_by_code(unit->code)) << alias;
  }
  EXPECT_THROW(unit_by_code("not-a-code"), std::logic_error);
}

TEST(Units, RoundConvertedKeepsTwelveSignificantDigits) {
  EXPECT_DOUBLE_EQ(round_converted(39.000000000000006), 39.0);
  EXPECT_DOUBLE_EQ(round_converted(0.1234567890123456), 0.123456789012);
  EXPECT_DOUBLE_EQ(round_converted(-5.5), -5.5);
  EXPECT_DOUBLE_EQ(round_converted(0.0), 0.0);
}

TEST(Units, SpellingsListNamesTheDimensionsUnits) {
  const std::string temperature = spellings_for(Dimension::temperature);
  EXPECT_NE(temperature.find("Cel"), std::string::npos);
  EXPECT_NE(temperature.find("[degF]"), std::string::npos);
  EXPECT_EQ(temperature.find("mg"), std::string::npos);
}

}  // namespace
}  // namespace crsguard
