// CvodeCore: the SUNDIALS 6.4 side of CvodeIntegrator (cvode_integrator.hpp). Follows the CVODE user guide's
// skeleton for a serial problem (cvRoberts_dns): SUNContext, N_Vector, CVodeCreate(CV_BDF), CVodeInit,
// CVodeSVtolerances, SUNDenseMatrix + SUNLinSol_Dense, CVodeSetLinearSolver, CVodeSetJacFn.
#include "sim/cvode_integrator.hpp"

#include <cvode/cvode.h>
#include <nvector/nvector_serial.h>
#include <sundials/sundials_context.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunmatrix/sunmatrix_dense.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace crsguard {
namespace {

std::string format(double value) {
  std::ostringstream text;
  text.precision(17);
  text << value;
  return text.str();
}

struct ContextDeleter {
  void operator()(SUNContext context) const { SUNContext_Free(&context); }
};
struct VectorDeleter {
  void operator()(N_Vector vector) const { N_VDestroy(vector); }
};
struct MatrixDeleter {
  void operator()(SUNMatrix matrix) const { SUNMatDestroy(matrix); }
};
struct LinearSolverDeleter {
  void operator()(SUNLinearSolver solver) const { SUNLinSolFree(solver); }
};
struct CvodeMemoryDeleter {
  void operator()(void* memory) const { CVodeFree(&memory); }
};

// SUNDIALS handles are pointers to incomplete structs; unique_ptr over the pointee type.
using ContextHandle = std::unique_ptr<std::remove_pointer_t<SUNContext>, ContextDeleter>;
using VectorHandle = std::unique_ptr<std::remove_pointer_t<N_Vector>, VectorDeleter>;
using MatrixHandle = std::unique_ptr<std::remove_pointer_t<SUNMatrix>, MatrixDeleter>;
using LinearSolverHandle = std::unique_ptr<std::remove_pointer_t<SUNLinearSolver>, LinearSolverDeleter>;
using CvodeMemoryHandle = std::unique_ptr<void, CvodeMemoryDeleter>;

std::string flag_name(int flag) {
  // CVodeGetReturnFlagName returns a malloc'd string.
  char* name = CVodeGetReturnFlagName(flag);
  std::string result = name != nullptr ? name : ("flag " + std::to_string(flag));
  std::free(name);
  return result;
}

}  // namespace

struct CvodeCore::Impl {
  std::size_t size = 0;
  const void* model = nullptr;
  RhsFunction rhs = nullptr;
  JacobianFunction jacobian = nullptr;
  double time = 0;
  SolverStatistics statistics;
  SolverStatistics before_reinit;  // totals of the epochs before the last CVodeReInit (which zeroes CVODE's)
  std::vector<double> row_major_jacobian;
  std::string last_message;  // CVODE's own text of its last error, for the exception
  double non_finite_at = std::numeric_limits<double>::quiet_NaN();

  // Declared in the order of creation, so destroyed in reverse: CVODE memory first, the context last.
  ContextHandle context;
  VectorHandle y;
  VectorHandle absolute_tolerance;
  MatrixHandle matrix;
  LinearSolverHandle linear_solver;
  CvodeMemoryHandle cvode;

  void check(int flag, const char* call) {
    if (flag >= 0) return;
    double current = time;
    if (cvode) CVodeGetCurrentTime(cvode.get(), &current);
    std::string message = "CVODE failed at t = " + format(current) + " (" + call + "): " + flag_name(flag);
    if (!last_message.empty()) message += ": " + last_message;
    if (!std::isnan(non_finite_at)) message += " (non-finite derivative at t = " + format(non_finite_at) + ")";
    throw SolverError(message);
  }

  void refresh_statistics() {
    long steps = 0, rhs_evaluations = 0, linear_rhs_evaluations = 0, jacobian_evaluations = 0;
    long error_test_failures = 0, convergence_failures = 0;
    CVodeGetNumSteps(cvode.get(), &steps);
    CVodeGetNumRhsEvals(cvode.get(), &rhs_evaluations);
    CVodeGetNumLinRhsEvals(cvode.get(), &linear_rhs_evaluations);
    CVodeGetNumJacEvals(cvode.get(), &jacobian_evaluations);
    CVodeGetNumErrTestFails(cvode.get(), &error_test_failures);
    CVodeGetNumNonlinSolvConvFails(cvode.get(), &convergence_failures);
    statistics.rhs_evaluations = before_reinit.rhs_evaluations + rhs_evaluations + linear_rhs_evaluations;
    statistics.jacobian_evaluations = before_reinit.jacobian_evaluations + jacobian_evaluations;
    statistics.accepted_steps = before_reinit.accepted_steps + steps;
    statistics.rejected_steps = before_reinit.rejected_steps + error_test_failures + convergence_failures;
    statistics.restarts = before_reinit.restarts;
  }

  static int rhs_callback(sunrealtype t, N_Vector y, N_Vector dydt, void* user_data) {
    auto* self = static_cast<Impl*>(user_data);
    double* out = N_VGetArrayPointer(dydt);
    self->rhs(self->model, t, N_VGetArrayPointer(y), out);
    for (std::size_t i = 0; i < self->size; ++i) {
      if (!std::isfinite(out[i])) {
        // Unrecoverable (CV_RHSFUNC_FAIL at once), as in DormandPrinceIntegrator. Reported as recoverable,
        // CVODE would retry with ever smaller steps and creep up on the point where the model breaks
        // until max_steps ran out (measured: 10^6 steps, 2 s, for a model that turns NaN at t = 2).
        self->non_finite_at = t;
        return -1;
      }
    }
    return 0;
  }

  static int jacobian_callback(sunrealtype t, N_Vector y, N_Vector /*fy*/, SUNMatrix jacobian, void* user_data,
                               N_Vector /*tmp1*/, N_Vector /*tmp2*/, N_Vector /*tmp3*/) {
    auto* self = static_cast<Impl*>(user_data);
    const std::size_t n = self->size;
    self->jacobian(self->model, t, N_VGetArrayPointer(y), self->row_major_jacobian.data());
    // The model writes row-major, SUNDenseMatrix stores column-major.
    double* columns = SUNDenseMatrix_Data(jacobian);
    for (std::size_t column = 0; column < n; ++column) {
      for (std::size_t row = 0; row < n; ++row) {
        columns[column * n + row] = self->row_major_jacobian[row * n + column];
      }
    }
    return 0;
  }

  static void error_callback(int error_code, const char* /*module*/, const char* /*function*/, char* message,
                             void* user_data) {
    // Keep CVODE quiet on stderr; its text goes into the SolverError instead.
    if (error_code < 0) static_cast<Impl*>(user_data)->last_message = message != nullptr ? message : "";
  }
};

CvodeCore::CvodeCore(std::size_t size, const void* model, RhsFunction rhs, JacobianFunction jacobian, double t0,
                     std::span<const double> y0, const OdeTolerances& tolerances, long max_steps)
    : impl_(std::make_unique<Impl>()) {
  if (size == 0) throw std::invalid_argument("CvodeIntegrator: a model of 0 states");
  if (tolerances.absolute.size() != size) {
    throw std::invalid_argument("CvodeIntegrator: " + std::to_string(tolerances.absolute.size()) +
                                " absolute tolerances for a model of " + std::to_string(size) + " states");
  }
  if (!(tolerances.relative > 0) || !std::isfinite(tolerances.relative)) {
    throw std::invalid_argument("CvodeIntegrator: the relative tolerance must be finite and > 0");
  }
  for (const double absolute : tolerances.absolute) {
    if (!(absolute > 0) || !std::isfinite(absolute)) {
      throw std::invalid_argument("CvodeIntegrator: every absolute tolerance must be finite and > 0");
    }
  }
  if (y0.size() != size) {
    throw std::invalid_argument("CvodeIntegrator: initial state of " + std::to_string(y0.size()) +
                                " values for a model of " + std::to_string(size) + " states");
  }
  for (std::size_t i = 0; i < size; ++i) {
    if (!std::isfinite(y0[i])) {
      throw std::invalid_argument("CvodeIntegrator: initial state " + std::to_string(i) + " is not finite");
    }
  }
  if (!std::isfinite(t0)) throw std::invalid_argument("CvodeIntegrator: the initial time must be finite");
  if (max_steps <= 0) throw std::invalid_argument("CvodeIntegrator: max_steps must be > 0");

  Impl& s = *impl_;
  s.size = size;
  s.model = model;
  s.rhs = rhs;
  s.jacobian = jacobian;
  s.time = t0;
  const auto n = static_cast<sunindextype>(size);

  SUNContext context = nullptr;
  if (SUNContext_Create(nullptr, &context) != 0 || context == nullptr) {
    throw SolverError("CvodeIntegrator: SUNContext_Create failed");
  }
  s.context.reset(context);
  s.y.reset(N_VNew_Serial(n, context));
  s.absolute_tolerance.reset(N_VNew_Serial(n, context));
  if (!s.y || !s.absolute_tolerance) throw SolverError("CvodeIntegrator: N_VNew_Serial failed");
  double* y = N_VGetArrayPointer(s.y.get());
  double* absolute = N_VGetArrayPointer(s.absolute_tolerance.get());
  for (std::size_t i = 0; i < size; ++i) {
    y[i] = y0[i];
    absolute[i] = tolerances.absolute[i];
  }

  s.cvode.reset(CVodeCreate(CV_BDF, context));
  if (!s.cvode) throw SolverError("CvodeIntegrator: CVodeCreate failed");
  void* cvode = s.cvode.get();
  s.check(CVodeSetErrHandlerFn(cvode, &Impl::error_callback, &s), "CVodeSetErrHandlerFn");
  s.check(CVodeInit(cvode, &Impl::rhs_callback, t0, s.y.get()), "CVodeInit");
  s.check(CVodeSetUserData(cvode, &s), "CVodeSetUserData");
  s.check(CVodeSVtolerances(cvode, tolerances.relative, s.absolute_tolerance.get()), "CVodeSVtolerances");
  s.check(CVodeSetMaxNumSteps(cvode, max_steps), "CVodeSetMaxNumSteps");
  // "t + h = t" is a warning CVODE prints to stderr; the error that follows (if any) says enough.
  s.check(CVodeSetMaxHnilWarns(cvode, -1), "CVodeSetMaxHnilWarns");

  s.matrix.reset(SUNDenseMatrix(n, n, context));
  if (!s.matrix) throw SolverError("CvodeIntegrator: SUNDenseMatrix failed");
  s.linear_solver.reset(SUNLinSol_Dense(s.y.get(), s.matrix.get(), context));
  if (!s.linear_solver) throw SolverError("CvodeIntegrator: SUNLinSol_Dense failed");
  s.check(CVodeSetLinearSolver(cvode, s.linear_solver.get(), s.matrix.get()), "CVodeSetLinearSolver");
  if (jacobian != nullptr) {
    s.row_major_jacobian.assign(size * size, 0.0);
    s.check(CVodeSetJacFn(cvode, &Impl::jacobian_callback), "CVodeSetJacFn");
  }
}

CvodeCore::~CvodeCore() = default;
CvodeCore::CvodeCore(CvodeCore&&) noexcept = default;
CvodeCore& CvodeCore::operator=(CvodeCore&&) noexcept = default;

void CvodeCore::advance_to(double t) {
  Impl& s = *impl_;
  if (!(t >= s.time) || !std::isfinite(t)) {
    throw std::invalid_argument("CvodeIntegrator: advance_to(" + format(t) +
                                ") is not a finite time at or after the current time " + format(s.time));
  }
  if (t == s.time) return;
  // CVODE cannot start a step shorter than its roundoff (CV_TOO_CLOSE); over such a sliver the state does
  // not change to double precision.
  const double roundoff = 4 * std::numeric_limits<double>::epsilon() * std::max(std::abs(t), std::abs(s.time));
  if (t - s.time <= roundoff) {
    s.time = t;
    return;
  }
  s.last_message.clear();
  s.non_finite_at = std::numeric_limits<double>::quiet_NaN();
  void* cvode = s.cvode.get();
  s.check(CVodeSetStopTime(cvode, t), "CVodeSetStopTime");
  double reached = s.time;
  const int flag = CVode(cvode, t, s.y.get(), &reached, CV_NORMAL);
  s.refresh_statistics();
  s.check(flag, "CVode");
  // With the stop time set, CVODE returns CV_TSTOP_RETURN with the state interpolated at t exactly.
  s.time = t;
}

void CvodeCore::restart() {
  Impl& s = *impl_;
  const double* y = N_VGetArrayPointer(s.y.get());
  for (std::size_t i = 0; i < s.size; ++i) {
    if (!std::isfinite(y[i])) {
      throw std::invalid_argument("CvodeIntegrator: restart with state " + std::to_string(i) + " not finite");
    }
  }
  // CVodeReInit zeroes CVODE's counters (the linear solver's at the next step): bank the totals first.
  s.before_reinit = s.statistics;
  ++s.before_reinit.restarts;
  s.statistics = s.before_reinit;
  s.last_message.clear();
  s.check(CVodeReInit(s.cvode.get(), s.time, s.y.get()), "CVodeReInit");
}

double CvodeCore::time() const { return impl_->time; }
std::span<double> CvodeCore::state() { return {N_VGetArrayPointer(impl_->y.get()), impl_->size}; }
std::span<const double> CvodeCore::state() const { return {N_VGetArrayPointer(impl_->y.get()), impl_->size}; }
const SolverStatistics& CvodeCore::statistics() const { return impl_->statistics; }

}  // namespace crsguard
