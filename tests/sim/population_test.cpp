// The virtual population (sim/population.hpp): parameter marginals and correlations recovered from many
// draws of the shipped patient model, covariate distributions and their copula, truncation, matrices that
// are not positive definite refused, and each patient's draw fixed by (seed, index) alone.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/problem.hpp"
#include "sim/population.hpp"
#include "sim_fixture.hpp"

namespace crsguard {
namespace {

using testing::shipped_patient_model;

PopulationSpec fixed_adults() {
  PopulationSpec spec;
  const auto fixed = [](double v) {
    CovariateDistribution d;
    d.value = v;
    return d;
  };
  spec.covariates = {fixed(40), fixed(70), fixed(170), fixed(50), fixed(3e6)};
  return spec;
}

double mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}
double sd(const std::vector<double>& v) {
  const double m = mean(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return std::sqrt(s / static_cast<double>(v.size() - 1));
}
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return (v[v.size() / 2] + v[(v.size() - 1) / 2]) / 2;
}
double correlation(const std::vector<double>& a, const std::vector<double>& b) {
  const double ma = mean(a), mb = mean(b);
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return sab / std::sqrt(saa * sbb);
}

constexpr std::size_t kDraws = 20000;

TEST(Population, ParameterMedianAndCvMatchTheFile) {
  const VirtualPopulation population(shipped_patient_model(), fixed_adults(), 7, "test");
  const SimParameter* p = shipped_patient_model().find("car_t_proliferation_max");
  ASSERT_NE(p, nullptr);
  ASSERT_GT(p->cv_percent, 0);
  std::vector<double> values, logs;
  for (std::size_t i = 0; i < kDraws; ++i) {
    const double v = population.draw(i).patient.parameters.car_t_proliferation_max;
    values.push_back(v);
    logs.push_back(std::log(v));
  }
  EXPECT_NEAR(median(values) / p->value, 1, 0.03);
  const double cv = p->cv_percent / 100;
  EXPECT_NEAR(sd(values) / mean(values) / cv, 1, 0.05);
  EXPECT_NEAR(sd(logs) / std::sqrt(std::log1p(cv * cv)), 1, 0.02);
}

TEST(Population, ParameterCorrelationFromTheFileIsRecovered) {
  const ParameterFile& model = shipped_patient_model();
  const auto it = std::find_if(model.correlations.begin(), model.correlations.end(), [](const ParameterCorrelation& c) {
    return c.first == "tcz_clearance" && c.second == "tcz_central_volume";
  });
  ASSERT_NE(it, model.correlations.end());
  const VirtualPopulation population(model, fixed_adults(), 11, "test");
  std::vector<double> clearance, volume;
  for (std::size_t i = 0; i < kDraws; ++i) {
    const auto p = population.draw(i).patient.parameters;
    clearance.push_back(std::log(p.tcz_clearance));
    volume.push_back(std::log(p.tcz_central_volume));
  }
  EXPECT_NEAR(correlation(clearance, volume), it->r, 0.03);
}

TEST(Population, VariabilityScaleZeroGivesTheTypicalPatient) {
  PopulationSpec spec = fixed_adults();
  spec.variability_scale = 0;
  const VirtualPopulation population(shipped_patient_model(), spec, 3, "test");
  const PatientParameters typical = bind_patient_parameters(shipped_patient_model());
  const auto drawn = population.draw(42).patient.parameters;
  for (const auto& slot : patient_parameter_slots()) EXPECT_EQ(drawn.*slot.member, typical.*slot.member) << slot.name;
}

TEST(Population, NotPositiveDefiniteParameterCorrelationsAreRefused) {
  ParameterFile model = shipped_patient_model();
  model.correlations = {{"tcz_clearance", "tcz_central_volume", 0.9, "test"},
                        {"tcz_central_volume", "tcz_peripheral_volume", 0.9, "test"},
                        {"tcz_clearance", "tcz_peripheral_volume", -0.9, "test"}};
  try {
    const VirtualPopulation population(model, fixed_adults(), 1, "scenario.yaml");
    FAIL() << "expected InputError";
  } catch (const InputError& error) {
    EXPECT_NE(std::string(error.what()).find("positive-definite"), std::string::npos) << error.what();
  }
}

TEST(Population, NotPositiveDefiniteCovariateCorrelationsAreRefused) {
  PopulationSpec spec = fixed_adults();
  spec.correlations = {{Covariate::age_years, Covariate::weight_kg, 0.9},
                       {Covariate::weight_kg, Covariate::height_cm, 0.9},
                       {Covariate::age_years, Covariate::height_cm, -0.9}};
  EXPECT_THROW(VirtualPopulation(shipped_patient_model(), spec, 1, "scenario.yaml"), InputError);
}

TEST(Population, CovariateMarginalsCopulaAndTruncation) {
  PopulationSpec spec = fixed_adults();
  using Kind = CovariateDistribution::Kind;
  auto& age = spec.covariates[static_cast<std::size_t>(Covariate::age_years)];
  age = {};
  age.kind = Kind::uniform;
  age.low = 3;
  age.high = 18;
  age.min = 3;
  age.max = 18;
  auto& weight = spec.covariates[static_cast<std::size_t>(Covariate::weight_kg)];
  weight = {};
  weight.kind = Kind::by_age;
  weight.cv_percent = 15;
  weight.min = 12;
  auto& blasts = spec.covariates[static_cast<std::size_t>(Covariate::marrow_blasts_percent)];
  blasts = {};
  blasts.kind = Kind::normal;
  blasts.mean = 50;
  blasts.sd = 20;
  blasts.min = 5;
  blasts.max = 95;
  auto& dose = spec.covariates[static_cast<std::size_t>(Covariate::car_t_cells_per_kg)];
  dose = {};
  dose.kind = Kind::log_normal;
  dose.median = 5e6;
  dose.cv_percent = 40;
  spec.correlations = {{Covariate::marrow_blasts_percent, Covariate::car_t_cells_per_kg, 0.5}};
  spec.female_fraction = 0.3;
  const VirtualPopulation population(shipped_patient_model(), spec, 5, "test");
  std::vector<double> ages, weight_ratio, blast_values, doses, dose_z;
  int females = 0;
  for (std::size_t i = 0; i < kDraws; ++i) {
    const DrawnPatient d = population.draw(i);
    ASSERT_GE(d.patient.age_years, 3);
    ASSERT_LE(d.patient.age_years, 18);
    ASSERT_GE(d.patient.covariates.weight_kg, 12);
    ASSERT_GE(d.patient.covariates.marrow_blasts_percent, 5);
    ASSERT_LE(d.patient.covariates.marrow_blasts_percent, 95);
    EXPECT_DOUBLE_EQ(d.patient.covariates.car_t_dose_cells, d.car_t_cells_per_kg * d.patient.covariates.weight_kg);
    EXPECT_DOUBLE_EQ(d.patient.covariates.bsa_m2, body_surface_area_m2(d.patient.covariates.weight_kg, d.patient.height_cm,
                                                                        BsaFormula::mosteller));
    ages.push_back(d.patient.age_years);
    weight_ratio.push_back(d.patient.covariates.weight_kg / reference_weight_kg(d.patient.age_years));
    doses.push_back(d.car_t_cells_per_kg);
    blast_values.push_back(d.patient.covariates.marrow_blasts_percent);
    dose_z.push_back(std::log(d.car_t_cells_per_kg));
    females += d.patient.sex == Sex::female ? 1 : 0;
  }
  EXPECT_NEAR(mean(ages), 10.5, 0.15);
  EXPECT_NEAR(median(weight_ratio), 1, 0.03);
  EXPECT_NEAR(median(doses) / 5e6, 1, 0.03);
  EXPECT_NEAR(static_cast<double>(females) / kDraws, 0.3, 0.02);
  // Truncation at ±2.25 sd barely changes a correlation of 0.5 (blasts normal, dose log-normal: r of the normals).
  EXPECT_NEAR(correlation(blast_values, dose_z), 0.5, 0.05);
}

TEST(Population, TheDrawDependsOnSeedAndIndexOnly) {
  const VirtualPopulation population(shipped_patient_model(), fixed_adults(), 99, "test");
  const DrawnPatient later_first = population.draw(5);
  const DrawnPatient in_between = population.draw(3);
  EXPECT_NE(in_between.eta, later_first.eta);
  const DrawnPatient again = population.draw(5);
  EXPECT_EQ(later_first.eta, again.eta);
  EXPECT_EQ(later_first.patient.parameters.il6_production, again.patient.parameters.il6_production);
  const VirtualPopulation copy(shipped_patient_model(), fixed_adults(), 99, "test");
  EXPECT_EQ(copy.draw(5).eta, later_first.eta);
  EXPECT_NE(population.draw(6).eta, later_first.eta);
  const VirtualPopulation other_seed(shipped_patient_model(), fixed_adults(), 100, "test");
  EXPECT_NE(other_seed.draw(5).eta, later_first.eta);
}

TEST(Population, CholeskyOfAKnownMatrix) {
  const auto l = cholesky_factor({4, 2, 2, 5}, 2);
  ASSERT_TRUE(l.has_value());
  EXPECT_DOUBLE_EQ((*l)[0], 2);
  EXPECT_DOUBLE_EQ((*l)[2], 1);
  EXPECT_DOUBLE_EQ((*l)[3], 2);
  EXPECT_FALSE(cholesky_factor({1, 2, 2, 1}, 2).has_value());
}

}  // namespace
}  // namespace crsguard
