#pragma once
// What a solver needs of a model, and what it reports back. A model is a small struct with a right-hand
// side (and, where it pays, a dense Jacobian); the solvers know nothing about CAR-T or cytokines.
// Time is in the model's unit (days for the patient model, hours in vitro).
#include <concepts>
#include <cstddef>
#include <stdexcept>
#include <vector>

namespace crsguard {

template <class M>
concept OdeModel = requires(const M& model, double t, const double* y, double* out) {
  { model.size() } -> std::convertible_to<std::size_t>;
  model.rhs(t, y, out);  // dy/dt at (t, y) into out[0 .. size)
};

// ∂f_i/∂y_j into jacobian[i * size + j] (row-major, dense).
template <class M>
concept OdeModelWithJacobian = OdeModel<M> && requires(const M& model, double t, const double* y, double* jacobian) {
  model.jacobian(t, y, jacobian);
};

// Error control per state: a step is accepted when every |error_i| is small against
// absolute_i + relative · |y_i| (RMS norm over the states).
struct OdeTolerances {
  double relative = 1e-6;
  std::vector<double> absolute;  // one per state, in that state's unit
};

struct SolverStatistics {
  long rhs_evaluations = 0;
  long jacobian_evaluations = 0;
  long accepted_steps = 0;
  long rejected_steps = 0;
  long restarts = 0;  // restart() calls: doses, infusion starts and ends, decisions that changed the input
};

// A solve that cannot go on: step size underflow, too many steps, a non-finite state or derivative.
class SolverError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class SolverKind : unsigned char { dormand_prince, cvode_bdf };

}  // namespace crsguard
