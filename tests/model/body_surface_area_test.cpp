#include <gtest/gtest.h>

#include "model/patient.hpp"

namespace crsguard {
namespace {

// Check values from ../shared/spec/clinical.md §9.3.
TEST(BodySurfaceArea, MostellerCheckValues) {
  EXPECT_NEAR(body_surface_area_m2(70, 170, BsaFormula::mosteller), 1.818, 5e-4);
  EXPECT_NEAR(body_surface_area_m2(25, 120, BsaFormula::mosteller), 0.913, 5e-4);
}

TEST(BodySurfaceArea, DuBoisCheckValues) {
  EXPECT_NEAR(body_surface_area_m2(70, 170, BsaFormula::du_bois), 1.810, 5e-4);
  EXPECT_NEAR(body_surface_area_m2(25, 120, BsaFormula::du_bois), 0.908, 5e-4);
}

TEST(BodySurfaceArea, PatientNeedsWeightAndHeightAndUsesItsFormula) {
  Patient patient;
  EXPECT_FALSE(patient.body_surface_area_m2().has_value());
  patient.weight_kg = 70;
  EXPECT_FALSE(patient.body_surface_area_m2().has_value());
  patient.height_cm = 170;
  EXPECT_NEAR(*patient.body_surface_area_m2(), 1.818, 5e-4);
  patient.bsa_formula = BsaFormula::du_bois;
  EXPECT_NEAR(*patient.body_surface_area_m2(), 1.810, 5e-4);
}

}  // namespace
}  // namespace crsguard
