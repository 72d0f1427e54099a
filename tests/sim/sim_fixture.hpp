#pragma once
// Shared pieces of the simulator tests: the shipped patient model, a typical virtual patient, and an
// open-loop solve with doses given at fixed times.
#include <array>
#include <functional>
#include <vector>

#include "io/protocol_yaml.hpp"
#include "io/rules_json.hpp"
#include "sim/closed_loop.hpp"
#include "sim/dormand_prince.hpp"
#include "sim/patient_model.hpp"

namespace crsguard::testing {

inline const ParameterFile& shipped_patient_model() {
  static const ParameterFile file = load_parameter_file("models/patient.json");
  return file;
}

inline const ProtocolRules& shipped_rules() {
  static const ProtocolRules rules = ProtocolRules::from(load_rules());
  return rules;
}

// An adult of 70 kg, 3×10^6 CAR-T cells/kg, marrow blasts as given.
inline VirtualPatient typical_patient(double marrow_blasts_percent = 50) {
  VirtualPatient p;
  p.id = "typical";
  p.parameters = bind_patient_parameters(shipped_patient_model());
  p.covariates.marrow_blasts_percent = marrow_blasts_percent;
  p.covariates.car_t_dose_cells = 3e6 * p.covariates.weight_kg;
  return p;
}

inline OdeTolerances patient_tolerances(double relative) { return tolerances_by_kind(relative, 1e-3, 1e-9); }

// States every `step_days` from 0 to `days`; `before_step(t, model, y)` may give doses at each step
// time (it returns true when it changed the state or an input).
inline std::vector<std::array<double, kPatientStates>> solve_open_loop(
    PatientModel& model, double days, double step_days,
    const std::function<bool(double, PatientModel&, std::span<double>)>& before_step = {}) {
  const auto y0 = model.initial_state();
  DormandPrinceIntegrator<PatientModel> solver(model, 0.0, y0, patient_tolerances(1e-8));
  std::vector<std::array<double, kPatientStates>> out;
  const int steps = static_cast<int>(days / step_days + 0.5);
  for (int i = 0; i <= steps; ++i) {
    const double t = i * step_days;
    solver.advance_to(t);
    if (before_step && before_step(t, model, solver.state())) solver.restart();
    std::array<double, kPatientStates> y{};
    std::copy(solver.state().begin(), solver.state().end(), y.begin());
    out.push_back(y);
  }
  return out;
}

}  // namespace crsguard::testing
