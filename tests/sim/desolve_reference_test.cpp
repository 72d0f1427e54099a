// The patient model (sim/patient_model.hpp) solved by both of crsguard's solvers against deSolve's lsoda
// on an independent R transcription of the model (scripts/patient_model_desolve.R, fixture written by
// tests/oracles/patient_model_desolve.R): the untreated typical patient and the same patient given
// tocilizumab, methylprednisolone and ruxolitinib, every state at ten times over 28 days, to 1e-6
// relative. The fixture holds the parameter values, covariates and doses R used, so this test solves
// exactly R's problem even while models/patient.json is being recalibrated (the oracle_reproducible test
// says when the fixture is stale); a change to the C++ right-hand side that R does not share fails here.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/cvode_integrator.hpp"
#include "sim/dormand_prince.hpp"
#include "sim/dose_schedule.hpp"
#include "sim/ode.hpp"
#include "sim/patient_model.hpp"

namespace crsguard {
namespace {

using nlohmann::json;

const json& fixture() {
  static const json data = [] {
    const std::string path = std::string(CRSGUARD_SOURCE_DIR) + "/tests/data/oracles/patient_model_desolve.json";
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    return json::parse(in);
  }();
  return data;
}

// Every slot from the fixture's parameters, which must name exactly the model's parameters (a parameter
// added to or removed from the model means the fixture must be regenerated).
PatientParameters fixture_parameters() {
  const json& values = fixture().at("parameters");
  PatientParameters out;
  std::set<std::string> bound;
  for (const auto& slot : patient_parameter_slots()) {
    const std::string name(slot.name);
    if (!values.contains(name)) throw std::runtime_error("the fixture has no parameter " + name);
    out.*slot.member = values.at(name).get<double>();
    bound.insert(name);
  }
  for (const auto& item : values.items()) {
    if (!bound.contains(item.key())) throw std::runtime_error("the model has no parameter " + item.key());
  }
  return out;
}

PatientCovariates fixture_covariates() {
  const json& c = fixture().at("covariates");
  PatientCovariates out;
  out.weight_kg = c.at("weight_kg").get<double>();
  out.bsa_m2 = c.at("bsa_m2").get<double>();
  out.female = c.at("female").get<bool>();
  out.marrow_blasts_percent = c.at("marrow_blasts_percent").get<double>();
  out.car_t_dose_cells = c.at("car_t_dose_cells").get<double>();
  return out;
}

// The doses of one case in model terms, as the closed loop gives them.
DoseSchedule schedule_of(const json& doses, const PatientParameters& p) {
  DoseSchedule out;
  for (const json& dose : doses) {
    const auto drug = dose.at("drug").get<std::string>();
    const auto route = from_name<Route>(dose.at("route").get<std::string>());
    if (!route) throw std::runtime_error("unknown route for " + drug);
    const double infusion_days = drug == "tocilizumab" ? dose.at("duration_days").get<double>() : 0.0;
    out.add(p, drug, *route, dose.at("time").get<double>(), dose.at("mg").get<double>(), infusion_days);
  }
  return out;
}


// Every state at each output time (before any dose given then, as deSolve reports an event time).
template <template <OdeModel> class Solver>
std::vector<std::array<double, kPatientStates>> solve(PatientModel& model, const DoseSchedule& schedule,
                                                      const std::vector<double>& times, const OdeTolerances& tol) {
  std::vector<std::array<double, kPatientStates>> out;
  solve_schedule<Solver<PatientModel>>(model, schedule, times, tol, [&](double, std::span<const double> y) {
    std::array<double, kPatientStates> row{};
    std::copy(y.begin(), y.end(), row.begin());
    out.push_back(row);
  });
  return out;
}

// Below these magnitudes a difference is noise of the solves, not a disagreement: the reference solve's
// absolute tolerance is 1e-2 cells and 1e-12 (state's unit) for the rest, and lsoda leaves states that
// are exactly 0 in the model (dexamethasone, never given) or have decayed by 30-60 orders of magnitude
// (methylprednisolone, its effect compartment, ruxolitinib after the last dose) at ±1e-21 … 1e-15 rather
// than at their true value. The floors sit far above that noise and far below any amount the model
// acts on: a thousandth of a cell (the smallest tracked burden, leukaemia at day 28, is ~20 cells, so it
// is still checked to 1e-4 relative), 1e-9 mg of a drug (10⁻¹⁰ of the smallest 10 mg dose; ruxolitinib's
// IC50 needs ~0.1 mg in plasma) and 1e-9 in the other units (cytokines never fall below their baselines
// of 2-5 pg/mL, indices sit near 1).
double absolute_floor(std::size_t index) { return counts_cells(index) ? 1e-3 : 1e-9; }

constexpr double kRelative = 1e-6;

template <template <OdeModel> class Solver>
void expect_matches_desolve(const char* solver_name) {
  const json& data = fixture();
  const auto times = data.at("times").get<std::vector<double>>();
  const PatientParameters parameters = fixture_parameters();
  const PatientCovariates covariates = fixture_covariates();
  // Tight absolute tolerances (those of the reference solve), so that only the relative tolerance of
  // 1e-10 governs the comparison.
  const OdeTolerances tol = tolerances_by_kind(1e-10, data.at("absolute_tolerance_cells").get<double>(),
                                       data.at("absolute_tolerance_other").get<double>());
  ASSERT_EQ(data.at("cases").size(), 2u);
  for (const json& c : data.at("cases")) {
    const auto name = c.at("name").get<std::string>();
    PatientModel model(parameters, covariates);
    const auto ours = solve<Solver>(model, schedule_of(c.at("doses"), parameters), times, tol);
    const json& reference = c.at("states");
    ASSERT_EQ(ours.size(), times.size()) << name;
    ASSERT_EQ(reference.size(), times.size()) << name;
    double worst = 0;
    std::string worst_where;
    for (std::size_t j = 0; j < times.size(); ++j) {
      ASSERT_EQ(reference[j].size(), kPatientStates) << name;
      for (std::size_t i = 0; i < kPatientStates; ++i) {
        const double expected = reference[j][i].get<double>();
        const double allowed = kRelative * std::abs(expected) + absolute_floor(i);
        const double difference = std::abs(ours[j][i] - expected);
        if (difference / allowed > worst) {
          worst = difference / allowed;
          worst_where = std::string(patient_state_name(i)) + " at day " + std::to_string(times[j]);
        }
        EXPECT_LE(difference, allowed) << solver_name << ", " << name << ": " << patient_state_name(i) << " at day "
                                       << times[j] << ": crsguard " << ours[j][i] << ", deSolve " << expected;
      }
    }
    // How close the solve came to failing, and where: the margin left for a change of tolerances.
    ::testing::Test::RecordProperty(std::string(solver_name) + "_" + name + "_worst_fraction_of_allowed",
                                    std::to_string(worst) + " (" + worst_where + ")");
  }
}

TEST(PatientModelAgainstDeSolve, FixtureDescribesThisModel) {
  const json& data = fixture();
  const auto names = data.at("state_names").get<std::vector<std::string>>();
  ASSERT_EQ(names.size(), kPatientStates);
  for (std::size_t i = 0; i < kPatientStates; ++i) EXPECT_EQ(names[i], patient_state_name(i)) << i;
  EXPECT_NO_THROW(fixture_parameters());
  // The typical patient: PatientCovariates' size and sex, a dose of 3e6 cells/kg.
  const PatientCovariates c = fixture_covariates();
  const PatientCovariates defaults;
  EXPECT_EQ(c.weight_kg, defaults.weight_kg);
  EXPECT_EQ(c.bsa_m2, defaults.bsa_m2);
  EXPECT_EQ(c.female, defaults.female);
  EXPECT_EQ(c.car_t_dose_cells, 3e6 * c.weight_kg);
  EXPECT_EQ(c.marrow_blasts_percent, 50);
}

// The treated case must differ from the untreated one where the drugs act, or it would test no dosing.
TEST(PatientModelAgainstDeSolve, TreatedCaseFeelsTheDrugs) {
  const json& cases = fixture().at("cases");
  ASSERT_EQ(cases.size(), 2u);
  const json& untreated = cases[0].at("states");
  const json& treated = cases[1].at("states");
  const std::size_t day3 = 3;  // times[3] == 3: a day after tocilizumab
  ASSERT_EQ(fixture().at("times")[day3].get<double>(), 3.0);
  EXPECT_LT(treated[day3][state::crp].get<double>(), 0.5 * untreated[day3][state::crp].get<double>());
  EXPECT_GT(treated[day3][state::tcz_central].get<double>(), 100.0);
  EXPECT_GT(treated.back()[state::rux_eliminated].get<double>(), 50.0);
  EXPECT_GT(treated.back()[state::mp_eliminated].get<double>(), 100.0);
}

TEST(PatientModelAgainstDeSolve, DormandPrinceAtRtol1e10) { expect_matches_desolve<DormandPrinceIntegrator>("DormandPrince"); }

TEST(PatientModelAgainstDeSolve, CvodeAtRtol1e10) { expect_matches_desolve<CvodeIntegrator>("CVODE"); }

}  // namespace
}  // namespace crsguard
