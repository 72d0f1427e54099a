// The ODE solvers (sim/dormand_prince.hpp, sim/cvode_integrator.hpp) against analytic solutions (decay, a
// harmonic oscillator, a dosed two-compartment model by superposition), against each other (Lotka–Volterra
// at 1e-10), and on the stiff Robertson problem against the values SUNDIALS 6.4.1 publishes with its
// cvRoberts_dns example (examples/cvode/serial/cvRoberts_dns.out and the example's check_ans reference).
// Then exact landing on output times, restarts, the Jacobian path, and the inputs they must refuse.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <new>
#include <span>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "sim/cvode_integrator.hpp"
#include "sim/dormand_prince.hpp"
#include "sim/ode.hpp"

// Counts heap allocations, so that the Dormand–Prince inner loop can be shown to make none.
namespace {
std::atomic<long> allocation_count{0};
}  // namespace

// Not inlined: GCC would otherwise pair the inlined malloc with the caller's delete and warn.
__attribute__((noinline)) void* operator new(std::size_t bytes) {
  ++allocation_count;
  if (void* memory = std::malloc(bytes == 0 ? 1 : bytes)) return memory;
  throw std::bad_alloc();
}
__attribute__((noinline)) void operator delete(void* memory) noexcept { std::free(memory); }
__attribute__((noinline)) void operator delete(void* memory, std::size_t /*bytes*/) noexcept { std::free(memory); }

namespace crsguard {
namespace {

// ---- Models ----------------------------------------------------------------------------------------

struct Decay {  // y' = −k·y
  double k = 0.7;
  std::size_t size() const { return 1; }
  void rhs(double /*t*/, const double* y, double* out) const { out[0] = -k * y[0]; }
  void jacobian(double /*t*/, const double* /*y*/, double* jacobian) const { jacobian[0] = -k; }
};

struct Oscillator {  // y0'' = −ω²·y0: y0 = cos ωt, y1 = −ω sin ωt
  double omega = 2.0;
  std::size_t size() const { return 2; }
  void rhs(double /*t*/, const double* y, double* out) const {
    out[0] = y[1];
    out[1] = -omega * omega * y[0];
  }
};

struct LotkaVolterra {  // prey x, predator y (Hairer, Nørsett & Wanner I, §I.16 parameters)
  double a = 1.5, b = 1.0, c = 1.0, d = 3.0;
  std::size_t size() const { return 2; }
  void rhs(double /*t*/, const double* y, double* out) const {
    out[0] = a * y[0] - b * y[0] * y[1];
    out[1] = c * y[0] * y[1] - d * y[1];
  }
};

// Ten compartments in series, each emptied by saturable (Michaelis–Menten) transfer into the next, fed by
// an oscillating inflow: nonlinear, non-stiff and dissipative, so errors do not grow over long intervals.
struct SaturableChain {
  std::size_t size() const { return 10; }
  void rhs(double t, const double* y, double* out) const {
    double inflow = 5.0 * (1 + std::sin(0.3 * t));
    for (std::size_t i = 0; i < 10; ++i) {
      const double vmax = 4.0 + 0.5 * static_cast<double>(i);
      const double km = 2.0 + 0.3 * static_cast<double>(i);
      const double outflow = vmax * y[i] / (km + y[i]);
      out[i] = inflow - outflow - 0.02 * y[i];
      inflow = outflow;
    }
  }
};
std::array<double, 10> chain_start() {
  std::array<double, 10> y0{};
  for (std::size_t i = 0; i < 10; ++i) y0[i] = 1.0 + static_cast<double>(i);
  return y0;
}

// Robertson's chemical kinetics, exactly as cvRoberts_dns.c writes it.
struct Robertson {
  mutable long jacobian_calls = 0;
  std::size_t size() const { return 3; }
  void rhs(double /*t*/, const double* y, double* out) const {
    const double y1 = y[0], y2 = y[1], y3 = y[2];
    out[0] = -0.04 * y1 + 1.0e4 * y2 * y3;
    out[2] = 3.0e7 * y2 * y2;
    out[1] = -out[0] - out[2];
  }
  void jacobian(double /*t*/, const double* y, double* jacobian) const {
    ++jacobian_calls;
    const double y2 = y[1], y3 = y[2];
    const double rows[3][3] = {{-0.04, 1.0e4 * y3, 1.0e4 * y2},
                               {0.04, -1.0e4 * y3 - 6.0e7 * y2, -1.0e4 * y2},
                               {0.0, 6.0e7 * y2, 0.0}};
    for (std::size_t i = 0; i < 3; ++i) {
      for (std::size_t j = 0; j < 3; ++j) jacobian[i * 3 + j] = rows[i][j];
    }
  }
};

// The same model seen without its Jacobian: CVODE must fall back to difference quotients.
template <class M>
struct WithoutJacobian {
  const M* model;
  std::size_t size() const { return model->size(); }
  void rhs(double t, const double* y, double* out) const { model->rhs(t, y, out); }
};
static_assert(OdeModelWithJacobian<Robertson>);
static_assert(!OdeModelWithJacobian<WithoutJacobian<Robertson>>);

// Oral dosing: a depot absorbed at first order into a central compartment eliminated at first order, plus
// an infusion into the central compartment (the model's input, changed by the caller).
struct DepotCentral {
  double absorption = 1.2;   // 1/h
  double elimination = 0.15;  // 1/h
  double infusion_rate = 0;  // mg/h
  std::size_t size() const { return 2; }
  void rhs(double /*t*/, const double* y, double* out) const {
    out[0] = -absorption * y[0];
    out[1] = absorption * y[0] - elimination * y[1] + infusion_rate;
  }
};

// Central amount at t after an oral dose D at t_dose (the Bateman function), for t ≥ t_dose.
double central_after_oral_dose(const DepotCentral& m, double dose, double t_dose, double t) {
  if (t < t_dose) return 0;
  const double s = t - t_dose;
  return dose * m.absorption / (m.absorption - m.elimination) *
         (std::exp(-m.elimination * s) - std::exp(-m.absorption * s));
}
double depot_after_oral_dose(const DepotCentral& m, double dose, double t_dose, double t) {
  return t < t_dose ? 0 : dose * std::exp(-m.absorption * (t - t_dose));
}
// Central amount from an infusion at `rate` over [start, end].
double central_from_infusion(const DepotCentral& m, double rate, double start, double end, double t) {
  if (t <= start) return 0;
  const double k = m.elimination;
  const double during = std::min(t, end) - start;
  const double at_end = rate / k * (1 - std::exp(-k * during));
  return t <= end ? at_end : at_end * std::exp(-k * (t - end));
}

struct NanAfter {  // a model whose derivative turns NaN past t = 2
  std::size_t size() const { return 1; }
  void rhs(double t, const double* y, double* out) const {
    out[0] = t > 2.0 ? std::numeric_limits<double>::quiet_NaN() : -y[0];
  }
};

// ---- The two solvers as one type parameter ---------------------------------------------------------

// global_error_factor: how far beyond its tolerance a solver's global error goes on the smooth test
// problems here. Dormand–Prince stays within 2× (measured); CVODE's BDF goes to ~40× on the decay and ~180×
// on the oscillator at rtol 1e-10 (measured; BDF at high order is dissipative on oscillations, and CVODE's
// error test has no safety factor). This is CVODE's own behaviour, not the stop times: one CVode call to
// t = 10 on the decay leaves the same ~100·rtol relative error.
struct DormandPrince {
  template <class M>
  using Integrator = DormandPrinceIntegrator<M>;
  static constexpr const char* name = "DormandPrince";
  static constexpr double global_error_factor = 10;
};
struct Cvode {
  template <class M>
  using Integrator = CvodeIntegrator<M>;
  static constexpr const char* name = "CVODE";
  static constexpr double global_error_factor = 250;
};

template <class Solver>
class BothSolvers : public ::testing::Test {};
using SolverTypes = ::testing::Types<DormandPrince, Cvode>;
TYPED_TEST_SUITE(BothSolvers, SolverTypes);

OdeTolerances tolerances(double relative, std::vector<double> absolute) { return {relative, std::move(absolute)}; }

// ---- Analytic solutions ----------------------------------------------------------------------------

TYPED_TEST(BothSolvers, ExponentialDecayWithinTheToleranceTimesTheSolversFactor) {
  for (const double rtol : {1e-6, 1e-10}) {
    const Decay model;
    const double atol = rtol * 1e-3;
    const std::array<double, 1> y0{1.0};
    typename TypeParam::template Integrator<Decay> solver(model, 0.0, y0, tolerances(rtol, {atol}));
    for (int i = 1; i <= 20; ++i) {
      const double t = 0.5 * i;
      solver.advance_to(t);
      const double exact = std::exp(-model.k * t);
      EXPECT_NEAR(solver.state()[0], exact, TypeParam::global_error_factor * (rtol * exact + atol))
          << TypeParam::name << " rtol " << rtol << " t " << t;
    }
  }
}

TYPED_TEST(BothSolvers, OscillatorWithinTheToleranceTimesTheSolversFactor) {
  for (const double rtol : {1e-6, 1e-10}) {
    const Oscillator model;
    const double atol = rtol * 1e-3;
    const std::array<double, 2> y0{1.0, 0.0};
    typename TypeParam::template Integrator<Oscillator> solver(model, 0.0, y0, tolerances(rtol, {atol, atol}));
    // Two periods (ω = 2): the global error of an oscillator grows with time, so the interval stays short.
    for (int i = 1; i <= 12; ++i) {
      const double t = 0.5 * i;
      solver.advance_to(t);
      const double w = model.omega;
      const double factor = TypeParam::global_error_factor;
      EXPECT_NEAR(solver.state()[0], std::cos(w * t), factor * (rtol + atol)) << TypeParam::name << " t " << t;
      EXPECT_NEAR(solver.state()[1], -w * std::sin(w * t), factor * (rtol * w + atol)) << TypeParam::name << " t " << t;
    }
  }
}

// Two oral doses and an infusion, each followed by restart(), against the superposition of their
// analytic responses (the model is linear).
TYPED_TEST(BothSolvers, DosesAndInfusionWithRestartMatchSuperposition) {
  DepotCentral model;
  const double rtol = 1e-9;
  const std::array<double, 2> y0{100.0, 0.0};  // 100 mg dose in the depot at t = 0
  typename TypeParam::template Integrator<DepotCentral> solver(model, 0.0, y0, tolerances(rtol, {1e-9, 1e-9}));
  const auto exact_central = [&](double t) {
    return central_after_oral_dose(model, 100, 0, t) + central_after_oral_dose(model, 50, 6, t) +
           central_from_infusion(model, 10, 12, 14, t);
  };
  const auto exact_depot = [&](double t) {
    return depot_after_oral_dose(model, 100, 0, t) + depot_after_oral_dose(model, 50, 6, t);
  };
  // Multiples of 0.25 are exact in binary, so the event times are hit exactly.
  for (double t = 0.25; t <= 36.0; t += 0.25) {
    solver.advance_to(t);
    if (t == 6.0) {  // the second oral dose, 50 mg, into the depot
      solver.state()[0] += 50;
      solver.restart();
    } else if (t == 12.0) {  // 10 mg/h infusion for 2 h
      model.infusion_rate = 10;
      solver.restart();
    } else if (t == 14.0) {
      model.infusion_rate = 0;
      solver.restart();
    }
    EXPECT_NEAR(solver.state()[0], exact_depot(t), 1e-6 * (1 + exact_depot(t))) << TypeParam::name << " t " << t;
    EXPECT_NEAR(solver.state()[1], exact_central(t), 1e-6 * (1 + exact_central(t))) << TypeParam::name << " t " << t;
  }
  EXPECT_EQ(solver.statistics().restarts, 3);
}

// ---- Exact output times ----------------------------------------------------------------------------

TYPED_TEST(BothSolvers, LandsExactlyOnEachTimeAndPiecesAgreeWithOneSolve) {
  const SaturableChain model;
  const std::array<double, 10> y0 = chain_start();
  const double rtol = 1e-8;
  const OdeTolerances tol = tolerances(rtol, std::vector<double>(10, 1e-10));
  typename TypeParam::template Integrator<SaturableChain> whole(model, 0.0, y0, tol);
  typename TypeParam::template Integrator<SaturableChain> pieces(model, 0.0, y0, tol);
  whole.advance_to(10.0);
  EXPECT_EQ(whole.time(), 10.0);
  for (int i = 1; i <= 1000; ++i) {
    const double t = i / 100.0;  // not multiples of a binary fraction: each t is rounded its own way
    pieces.advance_to(t);
    ASSERT_EQ(pieces.time(), t) << TypeParam::name << " piece " << i;  // bitwise
  }
  for (std::size_t i = 0; i < 10; ++i) {
    EXPECT_NEAR(pieces.state()[i], whole.state()[i], TypeParam::global_error_factor * rtol * whole.state()[i])
        << TypeParam::name << " state " << i;
  }
  // advance_to(time()) is a no-op.
  const std::vector<double> before(pieces.state().begin(), pieces.state().end());
  const long evaluations = pieces.statistics().rhs_evaluations;
  pieces.advance_to(pieces.time());
  EXPECT_EQ(std::vector<double>(pieces.state().begin(), pieces.state().end()), before);
  EXPECT_EQ(pieces.statistics().rhs_evaluations, evaluations);
}

TEST(DormandPrince, ShortPiecesCostLittleMoreThanOneLongSolve) {
  // Output times in pairs, a long interval then a sliver (as a trial's decision points come): the step size
  // planned before a step was cut to land on t is kept, so each output costs at most one extra step.
  // Were the sliver's step size taken as the plan, the next interval would have to grow it back, 10× a step.
  const SaturableChain model;
  const std::array<double, 10> y0 = chain_start();
  const OdeTolerances tol = tolerances(1e-6, std::vector<double>(10, 1e-8));
  DormandPrinceIntegrator whole(model, 0.0, y0, tol);
  DormandPrinceIntegrator pieces(model, 0.0, y0, tol);
  whole.advance_to(100.0);
  int outputs = 0;
  for (int i = 1; i < 100; ++i) {
    pieces.advance_to(i);
    pieces.advance_to(i + 0.002);
    outputs += 2;
  }
  pieces.advance_to(100.0);
  ++outputs;
  EXPECT_LE(pieces.statistics().accepted_steps, whole.statistics().accepted_steps + outputs);
  EXPECT_EQ(pieces.statistics().restarts, 0);
}

// y' = rate, an input: Dormand–Prince is exact on it, so no step is ever rejected, unless the first stage
// after the input changed is stale (restart() not recomputing f).
TEST(DormandPrince, RestartRecomputesTheDerivative) {
  struct ConstantRate {
    double rate = 0;
    std::size_t size() const { return 1; }
    void rhs(double /*t*/, const double* /*y*/, double* out) const { out[0] = rate; }
  } model;
  const std::array<double, 1> y0{0.0};
  DormandPrinceIntegrator solver(model, 0.0, y0, tolerances(1e-8, {1e-10}));
  solver.advance_to(1.0);
  model.rate = 1.0;
  solver.restart();
  const long evaluations = solver.statistics().rhs_evaluations;
  const long steps = solver.statistics().accepted_steps;
  solver.advance_to(3.0);
  EXPECT_NEAR(solver.state()[0], 2.0, 1e-12);
  EXPECT_EQ(solver.statistics().rejected_steps, 0);
  // The restart costs the heuristic's two evaluations, then six per step.
  EXPECT_EQ(solver.statistics().rhs_evaluations - evaluations, 2 + 6 * (solver.statistics().accepted_steps - steps));
  EXPECT_EQ(solver.statistics().restarts, 1);
}

TEST(DormandPrince, NoHeapAllocationWhileIntegrating) {
  const LotkaVolterra model;
  const std::array<double, 2> y0{10.0, 5.0};
  DormandPrinceIntegrator solver(model, 0.0, y0, tolerances(1e-8, {1e-10, 1e-10}));
  const long before = allocation_count.load();
  for (int i = 1; i <= 100; ++i) solver.advance_to(i * 0.3);
  solver.state()[0] += 1;
  solver.restart();
  solver.advance_to(40.0);
  EXPECT_EQ(allocation_count.load(), before);
  EXPECT_GT(solver.statistics().accepted_steps, 100);
}

static_assert(!std::is_copy_constructible_v<CvodeIntegrator<Decay>>);
static_assert(std::is_nothrow_move_constructible_v<CvodeIntegrator<Decay>>);
static_assert(std::is_copy_constructible_v<DormandPrinceIntegrator<Decay>>);

// A moved integrator carries on the same solve (CVODE's user data points into the heap, not the object);
// a copied Dormand–Prince integrator is an independent twin that gives the same numbers bit for bit.
TEST(Ownership, MovedAndCopiedIntegratorsCarryOnTheSameSolve) {
  const LotkaVolterra model;
  const std::array<double, 2> y0{10.0, 5.0};
  const OdeTolerances tol = tolerances(1e-8, {1e-10, 1e-10});
  CvodeIntegrator reference(model, 0.0, y0, tol);
  CvodeIntegrator original(model, 0.0, y0, tol);
  reference.advance_to(3.0);
  original.advance_to(3.0);
  CvodeIntegrator moved(std::move(original));
  reference.advance_to(6.0);
  moved.advance_to(6.0);
  EXPECT_EQ(moved.state()[0], reference.state()[0]);
  EXPECT_EQ(moved.state()[1], reference.state()[1]);

  DormandPrinceIntegrator explicit_solver(model, 0.0, y0, tol);
  explicit_solver.advance_to(3.0);
  DormandPrinceIntegrator twin = explicit_solver;
  twin.advance_to(6.0);
  explicit_solver.advance_to(6.0);
  EXPECT_EQ(twin.state()[0], explicit_solver.state()[0]);
  EXPECT_EQ(twin.state()[1], explicit_solver.state()[1]);
  twin.state()[0] = 1.0;  // the copy owns its state
  EXPECT_NE(explicit_solver.state()[0], 1.0);
}

// ---- The solvers against each other ---------------------------------------------------------------

// Lotka–Volterra's orbits are neutrally stable, so phase errors grow with every cycle: over four cycles
// CVODE at 1e-10 is ~3e-7 off (measured against Dormand–Prince at 1e-13), over ten ~4e-6.
TEST(SolversAgree, LotkaVolterraOverFourCyclesAtTightTolerance) {
  const LotkaVolterra model;
  const std::array<double, 2> y0{10.0, 5.0};
  const OdeTolerances tol = tolerances(1e-10, {1e-12, 1e-12});
  DormandPrinceIntegrator explicit_solver(model, 0.0, y0, tol);
  CvodeIntegrator bdf_solver(model, 0.0, y0, tol);
  for (int i = 1; i <= 10; ++i) {
    const double t = 2.0 * i;
    explicit_solver.advance_to(t);
    bdf_solver.advance_to(t);
    for (std::size_t k = 0; k < 2; ++k) {
      EXPECT_NEAR(explicit_solver.state()[k], bdf_solver.state()[k], 1e-6 * std::abs(bdf_solver.state()[k]))
          << "state " << k << " t " << t;
    }
  }
}

TEST(SolversAgree, SaturableChainOverALongIntervalAtTightTolerance) {
  const SaturableChain model;
  const std::array<double, 10> y0 = chain_start();
  const OdeTolerances tol = tolerances(1e-10, std::vector<double>(10, 1e-12));
  DormandPrinceIntegrator explicit_solver(model, 0.0, y0, tol);
  CvodeIntegrator bdf_solver(model, 0.0, y0, tol);
  for (int i = 1; i <= 10; ++i) {
    const double t = 20.0 * i;
    explicit_solver.advance_to(t);
    bdf_solver.advance_to(t);
    for (std::size_t k = 0; k < 10; ++k) {
      EXPECT_NEAR(explicit_solver.state()[k], bdf_solver.state()[k], 1e-6 * std::abs(bdf_solver.state()[k]))
          << "state " << k << " t " << t;
    }
  }
}

// ---- Stiffness: Robertson ---------------------------------------------------------------------------

// cvRoberts_dns.out (SUNDIALS 6.4.1) at t = 0.4·10^k, k = 0..11, and the example's tolerances.
constexpr std::array<std::array<double, 4>, 12> kRobertsPublished{{
    {4.0e-1, 9.851641e-01, 3.386242e-05, 1.480205e-02},
    {4.0e+0, 9.055097e-01, 2.240338e-05, 9.446793e-02},
    {4.0e+1, 7.158017e-01, 9.185037e-06, 2.841892e-01},
    {4.0e+2, 4.505360e-01, 3.223271e-06, 5.494608e-01},
    {4.0e+3, 1.832299e-01, 8.944378e-07, 8.167692e-01},
    {4.0e+4, 3.898902e-02, 1.622006e-07, 9.610108e-01},
    {4.0e+5, 4.936383e-03, 1.984224e-08, 9.950636e-01},
    {4.0e+6, 5.168093e-04, 2.068293e-09, 9.994832e-01},
    {4.0e+7, 5.202440e-05, 2.081083e-10, 9.999480e-01},
    {4.0e+8, 5.201061e-06, 2.080435e-11, 9.999948e-01},
    {4.0e+9, 5.258603e-07, 2.103442e-12, 9.999995e-01},
    {4.0e+10, 6.934511e-08, 2.773804e-13, 9.999999e-01},
}};
constexpr double kRobertsRelative = 1e-4;
constexpr std::array<double, 3> kRobertsAbsolute{1e-8, 1e-14, 1e-6};
// check_ans() in cvRoberts_dns.c: the accurate solution at t = 4e10.
constexpr std::array<double, 3> kRobertsReferenceAt4e10{5.2083495894337328e-08, 2.0833399429795671e-13,
                                                        9.9999994791629776e-01};

// The published numbers are CVODE's own answer at rtol 1e-4, interpolated past each output time; ours stops
// on each (CVodeSetStopTime), so the step sequences differ and the two answers are two samples of CVODE's
// global error at that tolerance. Neither is accurate to all 7 printed digits (a solve at rtol 1e-12
// differs from the print in the 5th digit at t = 0.4), so "agreement" is measured in CVODE's own error
// weights rtol·|y| + atol_i: measured up to 14 weights (y2 at t = 4e10, where its weight is 4e-14).
TEST(Robertson, CvodeAtTheExampleTolerancesMatchesThePublishedOutput) {
  const Robertson model;
  const std::array<double, 3> y0{1.0, 0.0, 0.0};
  CvodeIntegrator solver(model, 0.0, y0,
                         tolerances(kRobertsRelative, {kRobertsAbsolute.begin(), kRobertsAbsolute.end()}));
  for (const auto& row : kRobertsPublished) {
    solver.advance_to(row[0]);
    ASSERT_EQ(solver.time(), row[0]);
    for (std::size_t i = 0; i < 3; ++i) {
      const double published = row[i + 1];
      const double weight = kRobertsRelative * std::abs(published) + kRobertsAbsolute[i];
      EXPECT_NEAR(solver.state()[i], published, 20 * weight) << "t " << row[0] << " y" << i + 1;
    }
  }
  // The example's own acceptance test on the final state (check_ans: WRMS error < 1 with 10× atol).
  double sum = 0;
  for (std::size_t i = 0; i < 3; ++i) {
    const double weight = kRobertsRelative * std::abs(kRobertsReferenceAt4e10[i]) + 10 * kRobertsAbsolute[i];
    const double ratio = (solver.state()[i] - kRobertsReferenceAt4e10[i]) / weight;
    sum += ratio * ratio;
  }
  EXPECT_LT(std::sqrt(sum / 3), 1.0);
  // The example takes 542 steps and 754 RHS evaluations with the same method, tolerances and Jacobian.
  EXPECT_GT(solver.statistics().accepted_steps, 542 / 2);
  EXPECT_LT(solver.statistics().accepted_steps, 542 * 2);
}

TEST(Robertson, CvodeAtTightToleranceMatchesTheExamplesReference) {
  const Robertson model;
  const std::array<double, 3> y0{1.0, 0.0, 0.0};
  CvodeIntegrator solver(model, 0.0, y0, tolerances(1e-12, {1e-18, 1e-24, 1e-16}));
  for (const auto& row : kRobertsPublished) {
    solver.advance_to(row[0]);
    // The printed values are within a few of the example's error weights of the accurate solution
    // (measured: 7 at most, y2 at t = 4e10).
    for (std::size_t i = 0; i < 3; ++i) {
      const double published = row[i + 1];
      const double weight = kRobertsRelative * std::abs(published) + kRobertsAbsolute[i];
      EXPECT_NEAR(solver.state()[i], published, 10 * weight) << "t " << row[0] << " y" << i + 1;
    }
  }
  // check_ans's 17-digit reference at t = 4e10 (measured: 8.5e-7 relative on y1 and y2, which at this
  // point are 5e-8 and 2e-13 and carry the roundoff of y3 ≈ 1).
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_NEAR(solver.state()[i], kRobertsReferenceAt4e10[i], 3e-6 * kRobertsReferenceAt4e10[i]) << "y" << i + 1;
  }
  // Mass is conserved: y1 + y2 + y3 = 1.
  EXPECT_NEAR(solver.state()[0] + solver.state()[1] + solver.state()[2], 1.0, 1e-12);
}

TEST(Robertson, DormandPrinceSolvesItButWithFarMoreRhsEvaluations) {
  const Robertson model;
  const std::array<double, 3> y0{1.0, 0.0, 0.0};
  const OdeTolerances tol = tolerances(1e-6, {1e-10, 1e-16, 1e-8});
  DormandPrinceIntegrator explicit_solver(model, 0.0, y0, tol);
  CvodeIntegrator bdf_solver(model, 0.0, y0, tol);
  CvodeIntegrator reference(model, 0.0, y0, tolerances(1e-11, {1e-17, 1e-23, 1e-15}));
  for (const double t : {0.4, 4.0, 40.0}) {
    explicit_solver.advance_to(t);
    bdf_solver.advance_to(t);
    reference.advance_to(t);
    for (std::size_t i = 0; i < 3; ++i) {
      EXPECT_NEAR(explicit_solver.state()[i], reference.state()[i], 1e-5 * std::abs(reference.state()[i]))
          << "t " << t << " y" << i + 1;
    }
  }
  // Stability, not accuracy, bounds the explicit step (|λ| ≈ 1e4 once y3 has grown): it needs many
  // times the evaluations of BDF at the same tolerance.
  EXPECT_GT(explicit_solver.statistics().rhs_evaluations, 50 * bdf_solver.statistics().rhs_evaluations);
}

// ---- The Jacobian path ------------------------------------------------------------------------------

TEST(CvodeJacobian, AnalyticJacobianIsUsedAndAgreesWithDifferenceQuotients) {
  const Robertson analytic_model;
  const Robertson plain_model;
  const WithoutJacobian<Robertson> dq_model{&plain_model};
  const std::array<double, 3> y0{1.0, 0.0, 0.0};
  const OdeTolerances tol = tolerances(1e-8, {1e-14, 1e-20, 1e-12});
  CvodeIntegrator analytic(analytic_model, 0.0, y0, tol);
  CvodeIntegrator difference_quotient(dq_model, 0.0, y0, tol);
  for (const double t : {0.4, 40.0, 4e3, 4e5}) {
    analytic.advance_to(t);
    difference_quotient.advance_to(t);
    for (std::size_t i = 0; i < 3; ++i) {
      EXPECT_NEAR(analytic.state()[i], difference_quotient.state()[i], 1e-6 * std::abs(analytic.state()[i]))
          << "t " << t << " y" << i + 1;
    }
  }
  // A restart re-initialises CVODE, whose counters start again; the totals must carry on.
  const long jacobians_before_restart = analytic.statistics().jacobian_evaluations;
  analytic.restart();
  analytic.advance_to(4e6);
  EXPECT_GT(analytic.statistics().jacobian_evaluations, jacobians_before_restart);
  EXPECT_GT(analytic.statistics().jacobian_evaluations, 0);
  EXPECT_EQ(analytic.statistics().jacobian_evaluations, analytic_model.jacobian_calls);
  EXPECT_EQ(plain_model.jacobian_calls, 0);
  EXPECT_GT(difference_quotient.statistics().jacobian_evaluations, 0);
  // Difference quotients cost size() RHS evaluations per Jacobian, which the statistics include.
  EXPECT_GE(difference_quotient.statistics().rhs_evaluations,
            3 * difference_quotient.statistics().jacobian_evaluations);
}

// ---- Refused inputs and failures -------------------------------------------------------------------

TYPED_TEST(BothSolvers, RefusesBadTolerancesAndBackwardTimes) {
  using Integrator = typename TypeParam::template Integrator<Oscillator>;
  const Oscillator model;
  const std::array<double, 2> y0{1.0, 0.0};
  EXPECT_THROW(Integrator(model, 0.0, y0, tolerances(1e-6, {1e-8})), std::invalid_argument);
  EXPECT_THROW(Integrator(model, 0.0, y0, tolerances(1e-6, {1e-8, 1e-8, 1e-8})), std::invalid_argument);
  EXPECT_THROW(Integrator(model, 0.0, y0, tolerances(1e-6, {1e-8, 0.0})), std::invalid_argument);
  EXPECT_THROW(Integrator(model, 0.0, y0, tolerances(1e-6, {-1e-8, 1e-8})), std::invalid_argument);
  EXPECT_THROW(Integrator(model, 0.0, y0, tolerances(0.0, {1e-8, 1e-8})), std::invalid_argument);
  EXPECT_THROW(Integrator(model, 0.0, y0, tolerances(-1e-6, {1e-8, 1e-8})), std::invalid_argument);
  const std::array<double, 1> short_state{1.0};
  EXPECT_THROW(Integrator(model, 0.0, short_state, tolerances(1e-6, {1e-8, 1e-8})), std::invalid_argument);

  Integrator solver(model, 0.0, y0, tolerances(1e-6, {1e-8, 1e-8}));
  solver.advance_to(1.0);
  EXPECT_THROW(solver.advance_to(0.5), std::invalid_argument);
  EXPECT_THROW(solver.advance_to(std::numeric_limits<double>::quiet_NaN()), std::invalid_argument);
  EXPECT_EQ(solver.time(), 1.0);
}

TYPED_TEST(BothSolvers, NanDerivativeIsASolverErrorNamingTheTime) {
  const NanAfter model;
  const std::array<double, 1> y0{1.0};
  typename TypeParam::template Integrator<NanAfter> solver(model, 0.0, y0, tolerances(1e-6, {1e-8}));
  solver.advance_to(1.0);
  try {
    solver.advance_to(5.0);
    FAIL() << TypeParam::name << ": no SolverError";
  } catch (const SolverError& error) {
    const std::string message = error.what();
    const std::size_t at = message.find("t = ");
    ASSERT_NE(at, std::string::npos) << message;
    const double named = std::stod(message.substr(at + 4));
    // The failure is where the derivative turns NaN: the step that first crossed t = 2.
    EXPECT_GE(named, 1.0) << message;
    EXPECT_LE(named, 2.0 + 1e-6) << message;
  }
}

TYPED_TEST(BothSolvers, TooManyStepsIsASolverError) {
  const Oscillator model;
  const std::array<double, 2> y0{1.0, 0.0};
  typename TypeParam::template Integrator<Oscillator> solver(model, 0.0, y0, tolerances(1e-10, {1e-12, 1e-12}),
                                                              /*max_steps=*/100);
  solver.advance_to(0.1);  // CVODE starts at order 1 with tiny steps: 51 steps; Dormand–Prince 12
  EXPECT_THROW(solver.advance_to(100.0), SolverError);
  try {
    solver.advance_to(200.0);
    FAIL() << "no SolverError";
  } catch (const SolverError& error) {
    EXPECT_NE(std::string(error.what()).find("t = "), std::string::npos) << error.what();
  }
}

// ---- Numbers for the report -------------------------------------------------------------------------

TEST(SolverStatistics, LotkaVolterraRhsEvaluationsAtRtol1e6) {
  const LotkaVolterra model;
  const std::array<double, 2> y0{10.0, 5.0};
  const OdeTolerances tol = tolerances(1e-6, {1e-8, 1e-8});
  DormandPrinceIntegrator explicit_solver(model, 0.0, y0, tol);
  CvodeIntegrator bdf_solver(model, 0.0, y0, tol);
  explicit_solver.advance_to(50.0);
  bdf_solver.advance_to(50.0);
  const auto& dp = explicit_solver.statistics();
  const auto& bdf = bdf_solver.statistics();
  RecordProperty("dormand_prince_rhs", std::to_string(dp.rhs_evaluations));
  RecordProperty("cvode_rhs", std::to_string(bdf.rhs_evaluations));
  std::printf("Lotka-Volterra [0, 50], rtol 1e-6: DormandPrince %ld RHS (%ld steps, %ld rejected), "
              "CVODE %ld RHS (%ld steps, %ld rejected, %ld Jacobians)\n",
              dp.rhs_evaluations, dp.accepted_steps, dp.rejected_steps, bdf.rhs_evaluations, bdf.accepted_steps,
              bdf.rejected_steps, bdf.jacobian_evaluations);
  // FSAL: six evaluations per step plus two for the initial step.
  EXPECT_EQ(dp.rhs_evaluations, 6 * (dp.accepted_steps + dp.rejected_steps) + 2);
  EXPECT_GT(bdf.accepted_steps, 0);
  EXPECT_EQ(explicit_solver.time(), 50.0);
  EXPECT_EQ(bdf_solver.time(), 50.0);
}

}  // namespace
}  // namespace crsguard
