// The qualitative acceptance tests of ../shared/spec/model.md §3 (issue 7 item 8), on the shipped patient
// model: where the CAR-T and cytokine peaks fall, what tocilizumab does to IL-6 and fever, tumour burden
// against severity, and the model's own bookkeeping (steady baseline, mass balance, non-negativity).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "sim/sim_fixture.hpp"

namespace crsguard {
namespace {

using testing::shipped_rules;
using testing::solve_open_loop;
using testing::typical_patient;

constexpr double kStep = 1.0 / 24;  // hourly

std::size_t peak_index(const std::vector<std::array<double, kPatientStates>>& ys, std::size_t s) {
  return static_cast<std::size_t>(std::max_element(ys.begin(), ys.end(), [s](const auto& a, const auto& b) { return a[s] < b[s]; }) -
                                  ys.begin());
}

TEST(Acceptance, CarTPeaksBetweenDay7And14InATypicalPatient) {
  const VirtualPatient p = typical_patient();
  PatientModel model(p.parameters, p.covariates);
  const auto ys = solve_open_loop(model, 28, kStep);
  const double peak_day = static_cast<double>(peak_index(ys, state::car_t_effector)) * kStep;
  EXPECT_GE(peak_day, 7.0);
  EXPECT_LE(peak_day, 14.0);
  // Expansion on the order of Stein 2019's fold expansion (3 900, CV ≈ 300 %).
  const double fold = ys[peak_index(ys, state::car_t_effector)][state::car_t_effector] / ys.front()[state::car_t_effector];
  EXPECT_GT(fold, 100);
  EXPECT_LT(fold, 100000);
}

TEST(Acceptance, CytokinesPeakBeforeCarT) {
  const VirtualPatient p = typical_patient();
  PatientModel model(p.parameters, p.covariates);
  const auto ys = solve_open_loop(model, 28, kStep);
  const std::size_t car_t = peak_index(ys, state::car_t_effector);
  for (std::size_t cytokine : {state::il6, state::il10, state::tnf_alpha}) {
    EXPECT_LT(peak_index(ys, cytokine), car_t) << patient_state_name(cytokine);
  }
  EXPECT_LE(static_cast<double>(peak_index(ys, state::il6)) * kStep, 7.0);  // typically day 3–7
}

TEST(Acceptance, SerumIl6RisesAfterTocilizumabWhileFeverFalls) {
  const VirtualPatient p = typical_patient();
  PatientModel untreated(p.parameters, p.covariates);
  PatientModel treated(p.parameters, p.covariates);
  const double dose_day = 2;
  const auto control = solve_open_loop(untreated, 4, kStep);
  const auto given = solve_open_loop(treated, 4, kStep, [&](double t, PatientModel& m, std::span<double>) {
    // 8 mg/kg over 1 h (ACTEMRA label).
    if (std::abs(t - dose_day) < 1e-9) m.inputs.tocilizumab = 8 * 70 * 24;
    else if (std::abs(t - (dose_day + kStep)) < 1e-9) m.inputs.tocilizumab = 0;
    else return false;
    return true;
  });
  const std::size_t day_later = static_cast<std::size_t>((dose_day + 1) / kStep + 0.5);
  EXPECT_GT(given[day_later][state::il6], 1.2 * control[day_later][state::il6]);
  EXPECT_LT(treated.temperature_celsius(given[day_later].data()), untreated.temperature_celsius(control[day_later].data()) - 0.5);
  EXPECT_LT(given[day_later][state::crp], control[day_later][state::crp]);
  // Expansion is not reduced (Stein 2019: F_toci ≈ 1.2).
  EXPECT_NEAR(given.back()[state::car_t_effector] / control.back()[state::car_t_effector], 1.0, 0.05);
}

TEST(Acceptance, HigherTumourBurdenGivesMoreSevereCrs) {
  CourseOptions options;
  options.days = 21;
  const SimulatedCourse low = simulate_course(typical_patient(5), nullptr, nullptr, shipped_rules(), options);
  const SimulatedCourse high = simulate_course(typical_patient(90), nullptr, nullptr, shipped_rules(), options);
  ASSERT_TRUE(low.summary.max_crs_grade && high.summary.max_crs_grade);
  EXPECT_GT(*high.summary.max_crs_grade, *low.summary.max_crs_grade);
  EXPECT_GT(high.summary.il6_peak_pg_per_ml, 3 * low.summary.il6_peak_pg_per_ml);
  EXPECT_GT(high.summary.days_at_grade_2_or_more, low.summary.days_at_grade_2_or_more);
}

TEST(ModelBookkeeping, BaselineIsASteadyStateWithoutCarT) {
  VirtualPatient p = typical_patient();
  p.covariates.car_t_dose_cells = 0;
  PatientModel model(p.parameters, p.covariates);
  const auto y = model.initial_state();
  std::array<double, kPatientStates> dydt{};
  model.rhs(0, y.data(), dydt.data());
  for (std::size_t s : {state::ifn_gamma, state::il6, state::il10, state::tnf_alpha, state::crp, state::ferritin,
                        state::pyrogen, state::vascular_leak, state::macrophage_activation}) {
    EXPECT_NEAR(dydt[s], 0, 1e-9 * std::max(1.0, y[s])) << patient_state_name(s);
  }
  EXPECT_NEAR(model.temperature_celsius(y.data()), p.parameters.temperature_baseline, 1e-12);
  EXPECT_NEAR(model.mean_arterial_pressure(y.data()), p.parameters.map_baseline, 1e-12);
}

TEST(ModelBookkeeping, EveryMilligramIsAccountedFor) {
  const VirtualPatient p = typical_patient();
  PatientModel model(p.parameters, p.covariates);
  const PatientParameters& k = p.parameters;
  const auto ys = solve_open_loop(model, 6, kStep, [&](double t, PatientModel& m, std::span<double> y) {
    const auto at = [&](double day) { return std::abs(t - day) < 1e-9; };
    if (at(1)) y[state::rux_gut] += 10 * k.rux_bioavailability;
    else if (at(1.5)) y[state::dex_gut] += 8 * k.dex_oral_bioavailability;
    else if (at(2)) y[state::mp_central] += 70;
    else if (at(2.5)) y[state::dex_central] += 10;
    else if (at(3)) m.inputs.tocilizumab = 560 * 24;
    else if (at(3 + kStep)) m.inputs.tocilizumab = 0;
    else return false;
    return true;
  });
  const auto& y = ys.back();
  const double rux = y[state::rux_gut] + y[state::rux_central] + y[state::rux_eliminated];
  const double dex = y[state::dex_gut] + y[state::dex_central] + y[state::dex_eliminated];
  const double mp = y[state::mp_central] + y[state::mp_eliminated];
  const double tcz = y[state::tcz_central] + y[state::tcz_peripheral] + y[state::tcz_eliminated];
  EXPECT_NEAR(rux, 10 * k.rux_bioavailability, 1e-6 * rux);
  EXPECT_NEAR(dex, 8 * k.dex_oral_bioavailability + 10, 1e-6 * dex);
  EXPECT_NEAR(mp, 70, 1e-6 * mp);
  EXPECT_NEAR(tcz, 560, 1e-6 * tcz);
}

TEST(ModelBookkeeping, NoStateGoesNegativeInATreatedCourse) {
  VirtualPatient p = typical_patient(90);
  const Protocol protocol = load_protocol("astct-asco-2021");
  const ProtocolEngine engine(protocol, shipped_rules());
  CourseOptions options;
  const SimulatedCourse course = simulate_course(p, &engine, &protocol, shipped_rules(), options);
  ASSERT_GT(course.summary.doses_given, 0);
  for (const ModelSample& sample : course.samples) {
    for (std::size_t s = 0; s < kPatientStates; ++s) {
      // Far below any amount the model responds to: cells to a thousandth, the rest to 1e-9.
      const double floor = s <= state::normal_b_cells || s == state::car_t_auc ? -1e-3 : -1e-9;
      EXPECT_GE(sample.state[s], floor) << patient_state_name(s) << " on day " << sample.day;
    }
    EXPECT_LE(sample.state[state::macrophage_activation], 1.0);
  }
}

}  // namespace
}  // namespace crsguard
