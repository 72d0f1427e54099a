#pragma once
// Explicit adaptive Dormand–Prince 5(4) for non-stiff models, as Hairer's dopri5 does it (Hairer, Nørsett &
// Wanner, Solving Ordinary Differential Equations I, 2nd ed., §II.4–II.5 and the dopri5.f code): the
// Dormand–Prince tableau with FSAL (6 RHS evaluations per step), the RMS error norm against
// absolute_i + relative · max(|y_i|, |y_new_i|), PI ("Lund-stabilised") step-size control with dopri5's
// constants, and dopri5's initial-step heuristic (hinit) at the start and at every restart.
//
// It is meant for the many short solves of closed-loop trials: every buffer is allocated once in the
// constructor, the inner loops are plain loops over double arrays, and a solve continued by the next
// advance_to() costs nothing extra (the FSAL stage and the step size are kept).
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "sim/ode.hpp"

namespace crsguard {

template <OdeModel M>
class DormandPrinceIntegrator {
 public:
  // The model is held by reference (its inputs, an infusion rate, may change between calls; call restart()
  // after such a change) and must outlive the integrator. max_steps bounds the steps (accepted and
  // rejected) of one advance_to() call, as CVODE's mxstep does.
  DormandPrinceIntegrator(const M& model, double t0, std::span<const double> y0, OdeTolerances tolerances,
                          long max_steps = 1'000'000)
      : model_(&model),
        size_(static_cast<std::size_t>(model.size())),
        time_(t0),
        max_steps_(max_steps),
        relative_tolerance_(tolerances.relative),
        absolute_tolerance_(std::move(tolerances.absolute)) {
    if (size_ == 0) throw std::invalid_argument("DormandPrinceIntegrator: a model of 0 states");
    if (absolute_tolerance_.size() != size_) {
      throw std::invalid_argument("DormandPrinceIntegrator: " + std::to_string(absolute_tolerance_.size()) +
                                  " absolute tolerances for a model of " + std::to_string(size_) + " states");
    }
    if (!(relative_tolerance_ > 0) || !std::isfinite(relative_tolerance_)) {
      throw std::invalid_argument("DormandPrinceIntegrator: the relative tolerance must be finite and > 0");
    }
    for (const double absolute : absolute_tolerance_) {
      if (!(absolute > 0) || !std::isfinite(absolute)) {
        throw std::invalid_argument("DormandPrinceIntegrator: every absolute tolerance must be finite and > 0");
      }
    }
    if (y0.size() != size_) {
      throw std::invalid_argument("DormandPrinceIntegrator: initial state of " + std::to_string(y0.size()) +
                                  " values for a model of " + std::to_string(size_) + " states");
    }
    if (!std::isfinite(t0)) throw std::invalid_argument("DormandPrinceIntegrator: the initial time must be finite");
    if (max_steps <= 0) throw std::invalid_argument("DormandPrinceIntegrator: max_steps must be > 0");
    // The state, the seven stages, the stage input and the new state in one block, allocated once. Slots are
    // kept as offsets (not pointers) so that copies and moves need no fixing up.
    storage_.assign(10 * size_, 0.0);
    std::copy(y0.begin(), y0.end(), storage_.begin());
    for (std::size_t i = 0; i < size_; ++i) {
      if (!std::isfinite(storage_[i])) {
        throw std::invalid_argument("DormandPrinceIntegrator: initial state " + std::to_string(i) + " is not finite");
      }
    }
  }

  // Integrates to exactly t (time() == t afterwards, bit for bit); the last step is shortened (or stretched
  // by at most 1 %) so that it ends on t and no step passes it.
  void advance_to(double t) {
    if (!(t >= time_) || !std::isfinite(t)) {
      throw std::invalid_argument("DormandPrinceIntegrator: advance_to(" + format(t) +
                                  ") is not a finite time at or after the current time " + format(time_));
    }
    if (t == time_) return;
    if (needs_start_) start(t - time_);

    const std::size_t n = size_;
    const double* const atol = absolute_tolerance_.data();
    const double rtol = relative_tolerance_;
    double* const base = storage_.data();
    double* const k2 = base + 2 * n;
    double* const k3 = base + 3 * n;
    double* const k4 = base + 4 * n;
    double* const k5 = base + 5 * n;
    double* const k6 = base + 6 * n;
    double* const ys = base + 7 * n;
    long steps = 0;

    while (time_ < t) {
      if (steps >= max_steps_) {
        fail(time_, "more than " + std::to_string(max_steps_) + " steps on the way to t = " + format(t));
      }
      ++steps;
      // The state and y_new, and the first and last (FSAL) stages, trade places on every accepted step.
      const double* const y = base + y_slot_ * n;
      double* const yn = base + y_new_slot_ * n;
      const double* const k1 = base + k_first_slot_ * n;
      double* const k7 = base + k_last_slot_ * n;

      // A step that reaches within 1 % of t (dopri5's test) is cut or stretched to end on t exactly.
      const double remaining = t - time_;
      const bool last = 1.01 * step_size_ >= remaining;
      const double h = last ? remaining : step_size_;
      if (!last && 0.1 * h <= std::numeric_limits<double>::epsilon() * std::abs(time_)) {
        fail(time_, "step size underflow (h = " + format(h) + ")");
      }
      const double t_new = last ? t : time_ + h;

      for (std::size_t i = 0; i < n; ++i) ys[i] = y[i] + h * (a21 * k1[i]);
      model_->rhs(time_ + c2 * h, ys, k2);
      for (std::size_t i = 0; i < n; ++i) ys[i] = y[i] + h * (a31 * k1[i] + a32 * k2[i]);
      model_->rhs(time_ + c3 * h, ys, k3);
      for (std::size_t i = 0; i < n; ++i) ys[i] = y[i] + h * (a41 * k1[i] + a42 * k2[i] + a43 * k3[i]);
      model_->rhs(time_ + c4 * h, ys, k4);
      for (std::size_t i = 0; i < n; ++i) ys[i] = y[i] + h * (a51 * k1[i] + a52 * k2[i] + a53 * k3[i] + a54 * k4[i]);
      model_->rhs(time_ + c5 * h, ys, k5);
      for (std::size_t i = 0; i < n; ++i) {
        ys[i] = y[i] + h * (a61 * k1[i] + a62 * k2[i] + a63 * k3[i] + a64 * k4[i] + a65 * k5[i]);
      }
      model_->rhs(t_new, ys, k6);
      for (std::size_t i = 0; i < n; ++i) {
        yn[i] = y[i] + h * (a71 * k1[i] + a73 * k3[i] + a74 * k4[i] + a75 * k5[i] + a76 * k6[i]);
      }
      model_->rhs(t_new, yn, k7);
      statistics_.rhs_evaluations += 6;

      // The difference to the embedded 4th-order solution, in the RMS norm of the per-state tolerances.
      // `poison` stays 0 unless some new state or derivative is infinite or NaN.
      double sum = 0;
      double poison = 0;
      for (std::size_t i = 0; i < n; ++i) {
        const double difference =
            h * (e1 * k1[i] + e3 * k3[i] + e4 * k4[i] + e5 * k5[i] + e6 * k6[i] + e7 * k7[i]);
        const double scale = atol[i] + rtol * std::max(std::abs(y[i]), std::abs(yn[i]));
        const double ratio = difference / scale;
        sum += ratio * ratio;
        poison += 0.0 * yn[i] + 0.0 * k7[i];
      }
      const double error = std::sqrt(sum / static_cast<double>(n));
      if (!std::isfinite(error + poison)) {
        fail(time_, "non-finite derivative or state in the step to t = " + format(t_new));
      }

      // PI control (dopri5): fac = err^expo1 / err_old^beta, with h_new/h kept within [0.2, 10].
      const double fac11 = std::pow(error, expo1);
      if (error <= 1.0) {
        const double factor =
            std::clamp(fac11 / std::pow(previous_error_, beta) / safety, 1.0 / max_increase, 1.0 / min_decrease);
        double h_new = h / factor;
        if (last_rejected_) h_new = std::min(h_new, h);
        previous_error_ = std::max(error, 1e-4);
        last_rejected_ = false;
        ++statistics_.accepted_steps;
        std::swap(y_slot_, y_new_slot_);
        std::swap(k_first_slot_, k_last_slot_);  // FSAL: f(t_new, y_new) is the next step's first stage
        time_ = t_new;
        // A step cut short to end on t says nothing against the planned step size: keep it, so that many
        // short advance_to() calls cost about as many steps as one long one.
        step_size_ = last ? std::max(h_new, step_size_) : h_new;
      } else {
        step_size_ = h / std::min(1.0 / min_decrease, fac11 / safety);
        last_rejected_ = true;
        ++statistics_.rejected_steps;
      }
    }
  }

  // The caller changed state() or the model's inputs at time(): the FSAL stage is stale and the old step
  // size means nothing for what follows (a bolus, an infusion that starts), so the next advance_to()
  // begins anew as at t0 (f(t, y) and the initial-step heuristic, 2 RHS evaluations).
  void restart() {
    ++statistics_.restarts;
    needs_start_ = true;
  }

  double time() const { return time_; }
  std::span<double> state() { return {storage_.data() + y_slot_ * size_, size_}; }
  std::span<const double> state() const { return {storage_.data() + y_slot_ * size_, size_}; }
  const SolverStatistics& statistics() const { return statistics_; }

 private:
  // Dormand–Prince 5(4) tableau (Hairer, Nørsett & Wanner, Table II.5.2); e = b5 − b4 (dopri5.f's E1..E7).
  static constexpr double c2 = 1.0 / 5.0, c3 = 3.0 / 10.0, c4 = 4.0 / 5.0, c5 = 8.0 / 9.0;
  static constexpr double a21 = 1.0 / 5.0;
  static constexpr double a31 = 3.0 / 40.0, a32 = 9.0 / 40.0;
  static constexpr double a41 = 44.0 / 45.0, a42 = -56.0 / 15.0, a43 = 32.0 / 9.0;
  static constexpr double a51 = 19372.0 / 6561.0, a52 = -25360.0 / 2187.0, a53 = 64448.0 / 6561.0,
                          a54 = -212.0 / 729.0;
  static constexpr double a61 = 9017.0 / 3168.0, a62 = -355.0 / 33.0, a63 = 46732.0 / 5247.0, a64 = 49.0 / 176.0,
                          a65 = -5103.0 / 18656.0;
  static constexpr double a71 = 35.0 / 384.0, a73 = 500.0 / 1113.0, a74 = 125.0 / 192.0, a75 = -2187.0 / 6784.0,
                          a76 = 11.0 / 84.0;
  static constexpr double e1 = 71.0 / 57600.0, e3 = -71.0 / 16695.0, e4 = 71.0 / 1920.0, e5 = -17253.0 / 339200.0,
                          e6 = 22.0 / 525.0, e7 = -1.0 / 40.0;
  // dopri5's defaults: SAFE = 0.9, FAC1 = 0.2, FAC2 = 10, BETA = 0.04, EXPO1 = 1/5 − 0.75·BETA.
  static constexpr double safety = 0.9, min_decrease = 0.2, max_increase = 10.0, beta = 0.04;
  static constexpr double expo1 = 0.2 - 0.75 * beta;

  static std::string format(double value) {
    std::ostringstream text;
    text.precision(17);
    text << value;
    return text.str();
  }
  [[noreturn]] static void fail(double t, const std::string& reason) {
    throw SolverError("DormandPrinceIntegrator failed at t = " + format(t) + ": " + reason);
  }

  // f(t, y) into the first stage and dopri5's HINIT: an explicit Euler step of h = 0.01·‖y‖/‖f‖ estimates
  // the second derivative, and h is chosen so that h⁵·max(‖f‖, ‖f'‖) = 0.01; h_max is the distance to the
  // first output time after a (re)start, as dopri5's default h_max = x_end − x.
  void start(double h_max) {
    const std::size_t n = size_;
    double* const base = storage_.data();
    const double* const y = base + y_slot_ * n;
    double* const f0 = base + k_first_slot_ * n;
    double* const y1 = base + 7 * n;
    double* const f1 = base + k_last_slot_ * n;
    const double* const atol = absolute_tolerance_.data();
    const double rtol = relative_tolerance_;

    model_->rhs(time_, y, f0);
    ++statistics_.rhs_evaluations;
    double norm_f = 0;
    double norm_y = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double scale = atol[i] + rtol * std::abs(y[i]);
      norm_f += (f0[i] / scale) * (f0[i] / scale);
      norm_y += (y[i] / scale) * (y[i] / scale);
    }
    if (!std::isfinite(norm_f + norm_y)) fail(time_, "non-finite derivative or state");
    double h = (norm_f <= 1e-10 || norm_y <= 1e-10) ? 1e-6 : std::sqrt(norm_y / norm_f) * 0.01;
    h = std::min(h, h_max);
    for (std::size_t i = 0; i < n; ++i) y1[i] = y[i] + h * f0[i];
    model_->rhs(time_ + h, y1, f1);
    ++statistics_.rhs_evaluations;
    double second = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double scale = atol[i] + rtol * std::abs(y[i]);
      second += ((f1[i] - f0[i]) / scale) * ((f1[i] - f0[i]) / scale);
    }
    second = std::sqrt(second) / h;
    const double larger = std::max(std::abs(second), std::sqrt(norm_f));
    // A NaN here (f1 not finite) falls back to the cautious choice; the first step then reports the fault.
    const double h1 = larger > 1e-15 ? std::pow(0.01 / larger, 1.0 / 5.0) : std::max(1e-6, h * 1e-3);
    step_size_ = std::min({100 * h, std::isfinite(h1) ? h1 : h, h_max});
    previous_error_ = 1e-4;
    last_rejected_ = false;
    needs_start_ = false;
  }

  const M* model_;
  std::size_t size_;
  double time_;
  long max_steps_;
  double relative_tolerance_;
  std::vector<double> absolute_tolerance_;
  std::vector<double> storage_;  // 10 slots of size_: y, k1..k6 (slots 1..6), scratch (7), k7 (8), y_new (9)
  std::size_t y_slot_ = 0;
  std::size_t k_first_slot_ = 1;
  std::size_t k_last_slot_ = 8;
  std::size_t y_new_slot_ = 9;
  double step_size_ = 0;
  double previous_error_ = 1e-4;  // dopri5's FACOLD
  bool last_rejected_ = false;
  bool needs_start_ = true;
  SolverStatistics statistics_;
};

}  // namespace crsguard
