// The in-vitro co-culture mode (sim/invitro_model.hpp, ../shared/spec/model.md §2.8) against the directions
// Pan 2021 reports for CD19 CAR-T + Nalm6 + monocytes at 48 h (../shared/data/README.md): ruxolitinib at 1
// and 10 µM lowers CAR-T expansion, IFN-γ and granzyme B with a dose trend but not IL-6, IL-10 or TNF-α;
// dexamethasone is only marginal on expansion. Then the two solvers against each other, non-negativity,
// and the inputs and parameter files the mode must refuse.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/problem.hpp"
#include "sim/dormand_prince.hpp"
#include "sim/invitro_model.hpp"
#include "sim/parameter_file.hpp"

namespace crsguard {
namespace {

const ParameterFile& shipped_file() {
  static const ParameterFile file = load_parameter_file("models/invitro.json");
  return file;
}
const InVitroParameters& shipped() {
  static const InVitroParameters parameters = bind_invitro_parameters(shipped_file());
  return parameters;
}

InVitroResult culture(const std::string& drug, double micromolar, SolverKind solver = SolverKind::dormand_prince) {
  return simulate_invitro(shipped(), {drug, micromolar}, 48, solver);
}

double relative_change(double treated, double control) { return (treated - control) / control; }

// The message of what `call` throws as E, or "" when it throws nothing.
template <class E, class F>
std::string message_of(F call) {
  try {
    call();
  } catch (const E& error) {
    return error.what();
  }
  return "";
}

// Every problem an InputError carries (its what() names only the first), one per line; "" when none.
template <class F>
std::string problems_of(F call) {
  try {
    call();
  } catch (const InputError& error) {
    std::string text;
    for (const auto& line : error.lines()) text += line + "\n";
    return text;
  }
  return "";
}

TEST(InVitroParameters, ShippedFileBindsEveryParameter) {
  const ParameterFile& file = shipped_file();
  EXPECT_EQ(file.model, "invitro");
  EXPECT_EQ(file.parameters.size(), invitro_parameter_slots().size());
  const InVitroParameters& p = shipped();
  // The seeding is what Pan 2021 reports, not a calibration choice.
  EXPECT_EQ(p.car_t_seeded, 5e4);
  EXPECT_EQ(p.nalm6_seeded, 5e4);
  EXPECT_EQ(p.monocytes_seeded, 1e4);
  for (const auto& slot : invitro_parameter_slots()) {
    const SimParameter* entry = file.find(slot.name);
    ASSERT_NE(entry, nullptr) << slot.name;
    EXPECT_FALSE(entry->note.empty()) << slot.name << " has no note";
    EXPECT_FALSE(entry->symbol.empty()) << slot.name << " has no symbol";
  }
}

TEST(InVitroParameters, NalmDoublingAndMediumDegradationAreInTheSpecifiedRanges) {
  const InVitroParameters& p = shipped();
  const double doubling_days = std::log(2.0) / p.nalm6_growth / 24;
  EXPECT_GE(doubling_days, 1.5);
  EXPECT_LE(doubling_days, 2.0);
  for (const double per_hour : {p.ifn_gamma_degradation, p.granzyme_b_degradation, p.il6_degradation,
                                p.il10_degradation, p.tnf_degradation}) {
    EXPECT_GE(per_hour * 24, 0.1 - 1e-9);
    EXPECT_LE(per_hour * 24, 0.5 + 1e-9);
  }
}

TEST(InVitroControl, CarTExpandsAndKillsNalm6AndEveryCytokineIsReleased) {
  const InVitroResult control = culture("none", 0);
  EXPECT_GT(control.car_t_fold_expansion, 1);
  EXPECT_LT(control.nalm6_remaining_fraction, 1);
  for (const double cytokine : {control.ifn_gamma, control.granzyme_b, control.il6, control.il10, control.tnf_alpha}) {
    EXPECT_GT(cytokine, 1);  // pg/mL, above any assay's detection limit
  }
}

TEST(InVitroRuxolitinib, LowersCarTExpansionWithADoseTrend) {
  const double control = culture("none", 0).car_t_fold_expansion;
  const double low = culture("ruxolitinib", 1).car_t_fold_expansion;
  const double high = culture("ruxolitinib", 10).car_t_fold_expansion;
  EXPECT_LT(low, control);
  EXPECT_LT(high, low);
}

TEST(InVitroRuxolitinib, LowersIfnGammaWithADoseTrend) {
  const double control = culture("none", 0).ifn_gamma;
  const double low = culture("ruxolitinib", 1).ifn_gamma;
  const double high = culture("ruxolitinib", 10).ifn_gamma;
  EXPECT_LT(low, control);
  EXPECT_LT(high, low);
}

TEST(InVitroRuxolitinib, LowersGranzymeBWithADoseTrend) {
  const double control = culture("none", 0).granzyme_b;
  const double low = culture("ruxolitinib", 1).granzyme_b;
  const double high = culture("ruxolitinib", 10).granzyme_b;
  EXPECT_LT(low, control);
  EXPECT_LT(high, low);
}

TEST(InVitroRuxolitinib, LeavesIl6Within10PercentOfControl) {
  const double control = culture("none", 0).il6;
  for (const double micromolar : {1.0, 10.0}) {
    EXPECT_LE(std::abs(relative_change(culture("ruxolitinib", micromolar).il6, control)), 0.10) << micromolar;
  }
}

TEST(InVitroRuxolitinib, LeavesIl10Within10PercentOfControl) {
  const double control = culture("none", 0).il10;
  for (const double micromolar : {1.0, 10.0}) {
    EXPECT_LE(std::abs(relative_change(culture("ruxolitinib", micromolar).il10, control)), 0.10) << micromolar;
  }
}

TEST(InVitroRuxolitinib, LeavesTnfAlphaWithin10PercentOfControl) {
  const double control = culture("none", 0).tnf_alpha;
  for (const double micromolar : {1.0, 10.0}) {
    EXPECT_LE(std::abs(relative_change(culture("ruxolitinib", micromolar).tnf_alpha, control)), 0.10) << micromolar;
  }
}

TEST(InVitroDexamethasone, IsOnlyMarginalOnExpansion) {
  const double control = culture("none", 0).car_t_fold_expansion;
  for (const double micromolar : {1.0, 10.0}) {
    const double treated = culture("dexamethasone", micromolar).car_t_fold_expansion;
    EXPECT_LT(treated, control) << micromolar;                        // an effect, ...
    EXPECT_GT(relative_change(treated, control), -0.20) << micromolar;  // ... but a marginal one
  }
}

TEST(InVitroSolvers, CvodeAndDormandPrinceAgreeOnEveryOutput) {
  const std::vector<InVitroCondition> conditions = {
      {"none", 0}, {"ruxolitinib", 1}, {"ruxolitinib", 10}, {"dexamethasone", 1}, {"dexamethasone", 10}};
  for (const auto& condition : conditions) {
    const InVitroResult dp = simulate_invitro(shipped(), condition, 48, SolverKind::dormand_prince);
    const InVitroResult bdf = simulate_invitro(shipped(), condition, 48, SolverKind::cvode_bdf);
    const auto agree = [&](double a, double b, const char* output) {
      EXPECT_LE(std::abs(a - b), 1e-6 * std::max(std::abs(a), std::abs(b)))
          << output << " under " << condition.drug << " " << condition.concentration_umol_per_l << " µM: " << a
          << " vs " << b;
    };
    agree(dp.car_t_fold_expansion, bdf.car_t_fold_expansion, "car_t_fold_expansion");
    agree(dp.nalm6_remaining_fraction, bdf.nalm6_remaining_fraction, "nalm6_remaining_fraction");
    agree(dp.ifn_gamma, bdf.ifn_gamma, "ifn_gamma");
    agree(dp.granzyme_b, bdf.granzyme_b, "granzyme_b");
    agree(dp.il6, bdf.il6, "il6");
    agree(dp.il10, bdf.il10, "il10");
    agree(dp.tnf_alpha, bdf.tnf_alpha, "tnf_alpha");
    EXPECT_EQ(bdf.hours, 48);
    EXPECT_EQ(bdf.condition.drug, condition.drug);
  }
}

TEST(InVitroSolvers, EveryStateStaysNonNegativeOver48Hours) {
  for (const InVitroCondition& condition :
       {InVitroCondition{"none", 0}, InVitroCondition{"ruxolitinib", 10}, InVitroCondition{"dexamethasone", 10}}) {
    const InVitroModel model(shipped(), condition);
    const auto y0 = model.initial_state();
    const auto atol = model.absolute_tolerances();
    DormandPrinceIntegrator<InVitroModel> integrator(model, 0.0, y0, OdeTolerances{1e-8, {atol.begin(), atol.end()}});
    for (int quarter_hour = 1; quarter_hour <= 4 * 48; ++quarter_hour) {
      integrator.advance_to(quarter_hour / 4.0);
      const auto y = integrator.state();
      for (std::size_t i = 0; i < kInVitroStates; ++i) {
        ASSERT_GE(y[i], 0) << invitro_state_name(i) << " at " << integrator.time() << " h under " << condition.drug;
      }
      ASSERT_LE(y[invitro_state::activated_monocytes], shipped().monocytes_seeded * (1 + 1e-9));
    }
  }
}

TEST(InVitroInputs, RefusesAnUnknownDrugNamingTheField) {
  const std::string message = message_of<std::invalid_argument>([] { culture("tocilizumab", 1); });
  EXPECT_NE(message.find("drug"), std::string::npos) << message;
  EXPECT_NE(message.find("tocilizumab"), std::string::npos) << message;
}

TEST(InVitroInputs, RefusesANegativeOrNonFiniteConcentrationNamingTheField) {
  for (const double bad : {-1.0, std::nan("")}) {
    const std::string message = message_of<std::invalid_argument>([&] { culture("ruxolitinib", bad); });
    EXPECT_NE(message.find("concentration_umol_per_l"), std::string::npos) << message;
  }
  const std::string control = message_of<std::invalid_argument>([] { culture("none", 1); });
  EXPECT_NE(control.find("concentration_umol_per_l"), std::string::npos) << control;
}

TEST(InVitroInputs, RefusesHoursAtOrBelowZeroNamingTheField) {
  for (const double bad : {0.0, -48.0, std::nan("")}) {
    const std::string message =
        message_of<std::invalid_argument>([&] { simulate_invitro(shipped(), {"none", 0}, bad); });
    EXPECT_NE(message.find("hours"), std::string::npos) << message;
  }
}

// A copy of the shipped file with one entry changed, bound: the InputError's message, or "" if it bound.
template <class Change>
std::string binding_error(Change change) {
  ParameterFile file = shipped_file();
  change(file.parameters);
  return problems_of([&] { bind_invitro_parameters(file); });
}

std::vector<SimParameter>::iterator entry(std::vector<SimParameter>& parameters, const std::string& name) {
  return std::find_if(parameters.begin(), parameters.end(), [&](const SimParameter& p) { return p.name == name; });
}

TEST(InVitroParameterFile, RefusesAMissingParameterNamingIt) {
  const std::string message =
      binding_error([](std::vector<SimParameter>& p) { p.erase(entry(p, "rux_ic50_killing")); });
  EXPECT_NE(message.find("rux_ic50_killing"), std::string::npos) << message;
  EXPECT_NE(message.find("missing"), std::string::npos) << message;
}

TEST(InVitroParameterFile, RefusesAMisspeltParameterNamingBothSpellings) {
  const std::string message =
      binding_error([](std::vector<SimParameter>& p) { entry(p, "nalm6_growth")->name = "nalm6_grwoth"; });
  EXPECT_NE(message.find("\"nalm6_growth\""), std::string::npos) << message;  // missing
  EXPECT_NE(message.find("\"nalm6_grwoth\""), std::string::npos) << message;  // unknown
}

TEST(InVitroParameterFile, RefusesAWrongUnitNamingTheParameter) {
  const std::string message =
      binding_error([](std::vector<SimParameter>& p) { entry(p, "car_t_death")->unit = "1/d"; });
  EXPECT_NE(message.find("car_t_death"), std::string::npos) << message;
  EXPECT_NE(message.find("1/h"), std::string::npos) << message;
}

TEST(InVitroParameterFile, RefusesAPatientFile) {
  const std::string message = problems_of([] { bind_invitro_parameters(load_parameter_file("models/patient.json")); });
  EXPECT_NE(message.find("invitro"), std::string::npos) << message;
}

TEST(InVitroParameterFile, RefusesAFractionAboveOne) {
  const std::string message =
      binding_error([](std::vector<SimParameter>& p) { entry(p, "rux_medium_unbound_fraction")->value = 1.5; });
  EXPECT_NE(message.find("rux_medium_unbound_fraction"), std::string::npos) << message;
}

}  // namespace
}  // namespace crsguard
