#pragma once
// A fixed schedule of doses given open loop (no protocol engine), in the model's own terms as the closed
// loop gives them (closed_loop.cpp): oral doses into their gut depot × F, iv boluses into the central
// compartment, tocilizumab as a zero-order infusion. What the deSolve reference test, the benchmarks and
// anyone studying one regimen solve.
#include <algorithm>
#include <array>
#include <functional>
#include <set>
#include <span>
#include <string_view>
#include <vector>

#include "model/events.hpp"
#include "sim/ode.hpp"
#include "sim/patient_model.hpp"

namespace crsguard {

struct ScheduledBolus {
  double day;
  std::size_t state;  // state::rux_gut, state::mp_central, ...
  double amount;      // in the state's unit (mg)
};

struct ScheduledInfusion {
  double start_day;
  double end_day;
  double rate_mg_per_day;  // tocilizumab into its central compartment
};

struct DoseSchedule {
  std::vector<ScheduledBolus> boluses;
  std::vector<ScheduledInfusion> infusions;

  // A dose as the simulated bedside gives it: ruxolitinib po, dexamethasone po or iv, methylprednisolone
  // iv, tocilizumab iv over `infusion_days` (> 0). Throws std::invalid_argument for a drug or route the
  // model has no input for.
  void add(const PatientParameters& p, std::string_view drug, Route route, double day, double mg,
           double infusion_days = 0);
  // The tocilizumab rate running at `day` (infusions from start_day up to, not including, end_day).
  [[nodiscard]] double infusion_rate_at(double day) const;
};

// The treated course of the deSolve oracle (tests/oracles/patient_model_desolve.R) and the benchmarks:
// tocilizumab 560 mg over 1 h at day 2, methylprednisolone 70 mg iv at days 3 and 4, ruxolitinib 10 mg
// po every 12 h from day 4.5 to day 10.
DoseSchedule reference_treated_schedule(const PatientParameters& p);

// Solves `model` from its initial state (the schedule's inputs replace model.inputs) with an exact stop
// and a restart at every dose and infusion edge, and calls on_output(day, state) at each output day (in
// increasing order; the last is where the solve ends). A state at a dose's own time is the one before the
// dose, as deSolve reports an event time.
template <class Solver>
SolverStatistics solve_schedule(PatientModel& model, const DoseSchedule& schedule, std::span<const double> output_days,
                                const OdeTolerances& tolerances,
                                const std::function<void(double, std::span<const double>)>& on_output) {
  if (output_days.empty()) return {};
  std::set<double> stops(output_days.begin(), output_days.end());
  for (const ScheduledBolus& b : schedule.boluses) stops.insert(b.day);
  for (const ScheduledInfusion& i : schedule.infusions) {
    stops.insert(i.start_day);
    stops.insert(i.end_day);
  }
  const double end = output_days.back();
  model.inputs = DrugInputs{};
  model.inputs.tocilizumab = schedule.infusion_rate_at(0);
  const auto y0 = model.initial_state();
  Solver solver(model, 0.0, y0, tolerances);
  std::size_t next_output = 0;
  for (const double t : stops) {
    if (t > end) break;
    if (t < 0) continue;
    solver.advance_to(t);
    if (next_output < output_days.size() && output_days[next_output] == t) {
      on_output(t, solver.state());
      ++next_output;
    }
    bool changed = false;
    for (const ScheduledBolus& b : schedule.boluses) {
      if (b.day == t) {
        solver.state()[b.state] += b.amount;
        changed = true;
      }
    }
    const double rate = schedule.infusion_rate_at(t);
    if (rate != model.inputs.tocilizumab) {
      model.inputs.tocilizumab = rate;
      changed = true;
    }
    if (changed) solver.restart();
  }
  return solver.statistics();
}

}  // namespace crsguard
