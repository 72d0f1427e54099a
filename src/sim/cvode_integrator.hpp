#pragma once
// SUNDIALS CVODE (Hindmarsh et al., ACM TOMS 31(3), 2005; SUNDIALS 6.4 user guide) for stiff models:
// variable-order BDF with Newton iteration on a dense direct linear solver, per-state absolute tolerances,
// and the model's analytic Jacobian where it has one (else CVODE's difference quotients).
//
// The SUNDIALS code lives in cvode_integrator.cpp behind CvodeCore, which sees a model only as function
// pointers and a void*; CvodeIntegrator<M> adapts an OdeModel to it. So SUNDIALS headers do not reach the
// includers, and the library is compiled once for every model.
#include <cstddef>
#include <memory>
#include <span>

#include "sim/ode.hpp"

namespace crsguard {

// The non-template core. Calls on a moved-from core are not allowed.
class CvodeCore {
 public:
  using RhsFunction = void (*)(const void* model, double t, const double* y, double* dydt);
  // Row-major dense Jacobian, as OdeModelWithJacobian writes it.
  using JacobianFunction = void (*)(const void* model, double t, const double* y, double* jacobian);

  // jacobian may be null (difference quotients). Throws std::invalid_argument for tolerances of the wrong
  // size or not > 0, an initial state of the wrong size or not finite, max_steps ≤ 0.
  CvodeCore(std::size_t size, const void* model, RhsFunction rhs, JacobianFunction jacobian, double t0,
            std::span<const double> y0, const OdeTolerances& tolerances, long max_steps);
  ~CvodeCore();
  CvodeCore(const CvodeCore&) = delete;
  CvodeCore& operator=(const CvodeCore&) = delete;
  CvodeCore(CvodeCore&&) noexcept;
  CvodeCore& operator=(CvodeCore&&) noexcept;

  void advance_to(double t);
  void restart();
  double time() const;
  std::span<double> state();
  std::span<const double> state() const;
  const SolverStatistics& statistics() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

template <OdeModel M>
class CvodeIntegrator {
 public:
  // The model is held by reference and must outlive the integrator; max_steps is CVODE's mxstep, the most
  // internal steps in one advance_to() call.
  CvodeIntegrator(const M& model, double t0, std::span<const double> y0, OdeTolerances tolerances,
                  long max_steps = 1'000'000)
      : core_(static_cast<std::size_t>(model.size()), &model, &rhs_of, jacobian_function(), t0, y0, tolerances,
              max_steps) {}

  // Integrates to exactly t (time() == t bit for bit): CVODE's stop time is set to t, so no internal step
  // passes it (an input that changes at t is never seen early). Throws std::invalid_argument for t < time(), and
  // SolverError (CVODE's flag name and the time) when CVODE gives up.
  void advance_to(double t) { core_.advance_to(t); }
  // The caller changed state() or the model's inputs at time(): CVODE is re-initialised from the current
  // state (order 1, a new initial step). Changes to state() without restart() are overwritten.
  void restart() { core_.restart(); }

  double time() const { return core_.time(); }
  std::span<double> state() { return core_.state(); }
  std::span<const double> state() const { return core_.state(); }
  // rhs_evaluations includes those spent on difference-quotient Jacobians; rejected_steps counts error-test
  // and nonlinear-solver failures. Totals over all restarts.
  const SolverStatistics& statistics() const { return core_.statistics(); }

 private:
  static void rhs_of(const void* model, double t, const double* y, double* dydt) {
    static_cast<const M*>(model)->rhs(t, y, dydt);
  }
  static void jacobian_of(const void* model, double t, const double* y, double* jacobian) {
    if constexpr (OdeModelWithJacobian<M>) static_cast<const M*>(model)->jacobian(t, y, jacobian);
  }
  static constexpr CvodeCore::JacobianFunction jacobian_function() {
    if constexpr (OdeModelWithJacobian<M>) {
      return &jacobian_of;
    } else {
      return nullptr;
    }
  }

  CvodeCore core_;
};

}  // namespace crsguard
