// Hypothesis tests as R's stats package computes them (R 4.2 sources: t.test.default, wilcox.test.default,
// pwilcox/cwilcox in nmath/wilcox.c, chisq.test, fisher.test, binom.test, and R_zeroin2 in
// stats/src/zeroin.c, which uniroot calls). Each function follows R's formula step by step, so that the
// numbers agree with R to rounding; where R's own choice matters (a tolerance, a tie rule) it is named.
#include "analysis/hypothesis_tests.hpp"

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/hypergeometric.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/binomial.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <utility>

namespace crsguard {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

void check_conf_level(double conf_level) {
  if (!(conf_level > 0 && conf_level < 1)) {
    throw std::invalid_argument(fmt::format("conf_level: must lie strictly between 0 and 1, got {}", conf_level));
  }
}

void check_finite(std::span<const double> values, const char* name) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      throw std::invalid_argument(fmt::format("{}[{}]: must be a finite number, got {}", name, i, values[i]));
    }
  }
}

double mean_of(std::span<const double> values) {
  return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

// Sample variance with denominator n − 1 (R's var), by two passes for accuracy.
double variance_of(std::span<const double> values, double mean) {
  double sum = 0;
  for (const double value : values) sum += (value - mean) * (value - mean);
  return sum / static_cast<double>(values.size() - 1);
}

// The parts every t-test shares once the estimate, its standard error and the degrees of freedom are known
// (R: tstat <- (mx - my - mu)/stderr; pval <- 2 * pt(-abs(tstat), df); cint <- tstat ± qt(1 - alpha/2, df)).
void finish_t_test(TTestResult& out, double conf_level) {
  const boost::math::students_t distribution(out.degrees_of_freedom);
  out.conf_level = conf_level;
  out.statistic = out.estimate / out.std_err;
  out.p_value = 2 * boost::math::cdf(distribution, -std::abs(out.statistic));
  const double alpha = 1 - conf_level;
  const double quantile = boost::math::quantile(distribution, 1 - alpha / 2);
  out.lower = (out.statistic - quantile) * out.std_err;
  out.upper = (out.statistic + quantile) * out.std_err;
}

// R: if (stderr < 10 * .Machine$double.eps * max(abs(mx), abs(my))) stop("data are essentially constant").
// A standard error of exactly 0 (all values equal to 0) is refused too; R would print NaN.
void check_not_constant(double std_err, double scale, const char* test) {
  if (std_err < 10 * DBL_EPSILON * scale || std_err == 0) {
    throw std::invalid_argument(fmt::format("{}: data are essentially constant (no variation to test against)", test));
  }
}

TTestResult two_sample_means(std::span<const double> x, std::span<const double> y) {
  TTestResult out;
  out.mean_x = mean_of(x);
  out.mean_y = mean_of(y);
  out.estimate_name = "difference in means";
  out.estimate = *out.mean_x - *out.mean_y;
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Mann–Whitney: the exact null distribution of W by counting.
// cwilcox(k, m, n) (R nmath/wilcox.c) is the number of orderings of m x's and n y's in which the x's are
// preceded by k y's in all. Splitting on the last element gives R's recursion
//   c(k; i, j) = c(k − j; i − 1, j) + c(k; i, j − 1)
// (the last is an x, preceded by all j y's, or the last is a y, which adds nothing). It is run here
// bottom-up over j with one layer of counts[i][k] kept in place, for k up to the tail point only.
// Counts are doubles, as in R: they are integers below 2^53 for the group sizes the exact test is used
// for, and beyond that both sums round the same way to far below the tolerance of interest.
double wilcoxon_lower_tail(int q, int m, int n) {
  const auto width = static_cast<std::size_t>(q) + 1;
  std::vector<double> counts((static_cast<std::size_t>(m) + 1) * width, 0.0);
  auto at = [&](int i, int k) -> double& { return counts[static_cast<std::size_t>(i) * width + static_cast<std::size_t>(k)]; };
  for (int i = 0; i <= m; ++i) at(i, 0) = 1;  // j = 0: no y's, every x is preceded by none
  for (int j = 1; j <= n; ++j) {
    for (int i = 1; i <= m; ++i) {
      for (int k = q; k >= j; --k) at(i, k) += at(i - 1, k - j);
    }
  }
  // at(i - 1, ·) is read after row i − 1 was updated to layer j, as the recursion needs; within a row, k
  // runs downward so that at(i, k) still holds layer j − 1 when it is added to.
  double tail = 0;
  for (int k = 0; k <= q; ++k) tail += at(m, k);
  const double total = boost::math::binomial_coefficient<double>(static_cast<unsigned>(m + n), static_cast<unsigned>(m));
  return tail / total;
}

// Average ranks (R rank(ties.method = "average")) of the pooled sample, and the sizes of the tie groups.
struct PooledRanks {
  std::vector<double> ranks;
  std::vector<int> tie_sizes;
};

PooledRanks pooled_ranks(std::span<const double> x, std::span<const double> y) {
  std::vector<double> pooled(x.begin(), x.end());
  pooled.insert(pooled.end(), y.begin(), y.end());
  std::vector<std::size_t> order(pooled.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return pooled[a] < pooled[b]; });
  PooledRanks out;
  out.ranks.assign(pooled.size(), 0);
  for (std::size_t start = 0; start < order.size();) {
    std::size_t end = start;
    while (end < order.size() && pooled[order[end]] == pooled[order[start]]) ++end;
    const double rank = (static_cast<double>(start + 1) + static_cast<double>(end)) / 2;  // mean of start+1 … end
    for (std::size_t i = start; i < end; ++i) out.ranks[order[i]] = rank;
    out.tie_sizes.push_back(static_cast<int>(end - start));
    start = end;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Contingency tables.
struct Margins {
  std::vector<long long> rows;
  std::vector<long long> columns;
  long long total = 0;
};

Margins check_table(const ContingencyTable& table, const char* test) {
  if (table.size() < 2 || table[0].size() < 2) {
    throw std::invalid_argument(fmt::format("table: {} needs at least 2 rows and 2 columns, got {} × {}", test,
                                            table.size(), table.empty() ? 0 : table[0].size()));
  }
  Margins out;
  out.rows.assign(table.size(), 0);
  out.columns.assign(table[0].size(), 0);
  for (std::size_t i = 0; i < table.size(); ++i) {
    if (table[i].size() != table[0].size()) {
      throw std::invalid_argument(fmt::format("table row {}: has {} columns, row 0 has {}", i, table[i].size(), table[0].size()));
    }
    for (std::size_t j = 0; j < table[i].size(); ++j) {
      if (table[i][j] < 0) {
        throw std::invalid_argument(fmt::format("table[{}][{}]: a count cannot be negative, got {}", i, j, table[i][j]));
      }
      out.rows[i] += table[i][j];
      out.columns[j] += table[i][j];
      out.total += table[i][j];
    }
  }
  return out;
}

// R_zeroin2 (R stats/src/zeroin.c, Brent's method), which uniroot calls, transcribed operation for operation
// so that with R's tolerance the root is R's root, not merely a root within R's tolerance. fa and fb are
// f(ax) and f(bx), which uniroot evaluates first. Non-finite values become ±DBL_MAX as in R's fcn2.
double r_zeroin2(const std::function<double(double)>& f, double ax, double bx, double fa, double fb, double tol,
                 int max_iterations) {
  auto finite = [](double value) { return std::isfinite(value) ? value : (value == -kInfinity ? -DBL_MAX : DBL_MAX); };
  fa = finite(fa);
  fb = finite(fb);
  double a = ax;
  double b = bx;
  double c = a;
  double fc = fa;
  if (fa == 0.0) return a;
  if (fb == 0.0) return b;
  int remaining = max_iterations + 1;
  while (remaining--) {
    const double prev_step = b - a;
    if (std::fabs(fc) < std::fabs(fb)) {  // make b the best approximation
      a = b;
      b = c;
      c = a;
      fa = fb;
      fb = fc;
      fc = fa;
    }
    const double tol_act = 2 * DBL_EPSILON * std::fabs(b) + tol / 2;
    double new_step = (c - b) / 2;
    if (std::fabs(new_step) <= tol_act || fb == 0.0) return b;
    if (std::fabs(prev_step) >= tol_act && std::fabs(fa) > std::fabs(fb)) {  // interpolation may be tried
      double p;
      double q;
      const double cb = c - b;
      if (a == c) {  // two distinct points: linear interpolation
        const double t1 = fb / fa;
        p = cb * t1;
        q = 1.0 - t1;
      } else {  // inverse quadratic interpolation
        q = fa / fc;
        const double t1 = fb / fc;
        const double t2 = fb / fa;
        p = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0));
        q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0);
      }
      if (p > 0) q = -q;
      else p = -p;
      if (p < (0.75 * cb * q - std::fabs(tol_act * q) / 2) && p < std::fabs(prev_step * q / 2)) new_step = p / q;
    }
    if (std::fabs(new_step) < tol_act) new_step = new_step > 0 ? tol_act : -tol_act;
    a = b;
    fa = fb;
    b += new_step;
    fb = finite(f(b));
    if ((fb > 0 && fc > 0) || (fb < 0 && fc < 0)) {
      c = a;
      fc = fa;
    }
  }
  throw std::runtime_error("Fisher's exact test: root finding did not converge in 1000 iterations");
}

// uniroot(f, c(lower, upper), tol = tol): f at both ends first, then Brent's iteration.
double uniroot(const std::function<double(double)>& f, double lower, double upper, double tol) {
  return r_zeroin2(f, lower, upper, f(lower), f(upper), tol, 1000);
}

// The conditional distribution of the first cell of a 2 × 2 table given its margins: Fisher's noncentral
// hypergeometric with odds ratio ncp (R fisher.test's dnhyper, mnhyper, pnhyper).
class NoncentralHypergeometric {
 public:
  // m, n: column totals; k: first row total; x: the observed first cell.
  NoncentralHypergeometric(long long m, long long n, long long k, long long x)
      : m_(m), n_(n), k_(k), x_(x), lo_(std::max(0LL, k - n)), hi_(std::min(k, m)) {
    if (lo_ == hi_) {
      log_central_.push_back(0);  // one possible table: probability 1 (Boost's distribution needs N > 0)
    } else {
      const boost::math::hypergeometric_distribution<double> central(static_cast<unsigned>(m), static_cast<unsigned>(k),
                                                                     static_cast<unsigned>(m + n));
      for (long long s = lo_; s <= hi_; ++s) log_central_.push_back(std::log(boost::math::pdf(central, static_cast<unsigned>(s))));
    }
  }

  [[nodiscard]] long long lo() const { return lo_; }
  [[nodiscard]] long long hi() const { return hi_; }

  // dnhyper: probabilities over lo … hi, scaled by the largest before normalising as R does.
  [[nodiscard]] std::vector<double> density(double ncp) const {
    std::vector<double> d(log_central_.size());
    const double log_ncp = std::log(ncp);
    for (std::size_t i = 0; i < d.size(); ++i) d[i] = log_central_[i] + log_ncp * static_cast<double>(lo_ + static_cast<long long>(i));
    const double largest = *std::max_element(d.begin(), d.end());
    double sum = 0;
    for (double& value : d) {
      value = std::exp(value - largest);
      sum += value;
    }
    for (double& value : d) value /= sum;
    return d;
  }

  // mnhyper: the mean of the first cell.
  [[nodiscard]] double mean(double ncp) const {
    if (ncp == 0) return static_cast<double>(lo_);
    if (ncp == kInfinity) return static_cast<double>(hi_);
    const std::vector<double> d = density(ncp);
    double sum = 0;
    for (std::size_t i = 0; i < d.size(); ++i) sum += static_cast<double>(lo_ + static_cast<long long>(i)) * d[i];
    return sum;
  }

  // pnhyper(x, ncp, upper.tail): P(X ≤ x), or P(X ≥ x) for the upper tail, at the observed x.
  [[nodiscard]] double tail(double ncp, bool upper) const {
    if (ncp == 1) {  // R uses phyper here
      if (lo_ == hi_) return 1;
      const boost::math::hypergeometric_distribution<double> central(static_cast<unsigned>(m_), static_cast<unsigned>(k_),
                                                                     static_cast<unsigned>(m_ + n_));
      if (upper) return x_ == lo_ ? 1.0 : boost::math::cdf(boost::math::complement(central, static_cast<unsigned>(x_ - 1)));
      return boost::math::cdf(central, static_cast<unsigned>(x_));
    }
    if (ncp == 0) return upper ? (x_ <= lo_ ? 1.0 : 0.0) : (x_ >= lo_ ? 1.0 : 0.0);
    if (ncp == kInfinity) return upper ? (x_ <= hi_ ? 1.0 : 0.0) : (x_ >= hi_ ? 1.0 : 0.0);
    const std::vector<double> d = density(ncp);
    double sum = 0;
    for (std::size_t i = 0; i < d.size(); ++i) {
      const long long s = lo_ + static_cast<long long>(i);
      if (upper ? s >= x_ : s <= x_) sum += d[i];
    }
    return sum;
  }

 private:
  long long m_, n_, k_, x_, lo_, hi_;
  std::vector<double> log_central_;
};

FisherExactResult fisher_two_by_two(const ContingencyTable& table, double conf_level, double tol) {
  const long long m = table[0][0] + table[1][0];
  const long long n = table[0][1] + table[1][1];
  const long long k = table[0][0] + table[0][1];
  const long long x = table[0][0];
  const NoncentralHypergeometric dist(m, n, k, x);
  const long long lo = dist.lo();
  const long long hi = dist.hi();

  FisherExactResult out;
  out.conf_level = conf_level;
  out.tables_enumerated = hi - lo + 1;
  // Two-sided p at odds ratio 1: the tables no more probable than the observed, with R's relative
  // tolerance 1e-7 so that tables of equal probability are not split by rounding.
  {
    const std::vector<double> d = dist.density(1);
    const double observed = d[static_cast<std::size_t>(x - lo)] * (1 + 1e-7);
    double p = 0;
    for (const double value : d) {
      if (value <= observed) p += value;
    }
    out.p_value = std::min(1.0, p);
  }

  const double eps = DBL_EPSILON;
  // Conditional maximum-likelihood estimate: the odds ratio whose conditional mean equals x (R's mle).
  auto mle = [&]() -> double {
    if (x == lo) return 0;
    if (x == hi) return kInfinity;
    const double mu = dist.mean(1);
    const auto xd = static_cast<double>(x);
    if (mu > xd) return uniroot([&](double t) { return dist.mean(t) - xd; }, 0, 1, tol);
    if (mu < xd) return 1 / uniroot([&](double t) { return dist.mean(1 / t) - xd; }, eps, 1, tol);
    return 1;
  };
  // Confidence limits: the odds ratios at which the observed x is in the upper (lower) α tail (R's ncp.U, ncp.L).
  auto upper_limit = [&](double alpha) -> double {
    if (x == hi) return kInfinity;
    const double p = dist.tail(1, false);
    if (p < alpha) return uniroot([&](double t) { return dist.tail(t, false) - alpha; }, 0, 1, tol);
    if (p > alpha) return 1 / uniroot([&](double t) { return dist.tail(1 / t, false) - alpha; }, eps, 1, tol);
    return 1;
  };
  auto lower_limit = [&](double alpha) -> double {
    if (x == lo) return 0;
    const double p = dist.tail(1, true);
    if (p > alpha) return uniroot([&](double t) { return dist.tail(t, true) - alpha; }, 0, 1, tol);
    if (p < alpha) return 1 / uniroot([&](double t) { return dist.tail(1 / t, true) - alpha; }, eps, 1, tol);
    return 1;
  };
  const double alpha = (1 - conf_level) / 2;
  out.odds_ratio_lower = lower_limit(alpha);
  out.odds_ratio_upper = upper_limit(alpha);
  out.odds_ratio = mle();
  return out;
}

// r × c: every table with the observed margins, filled row by row; the probability of a table is
// Π row! Π column! / (N! Π cell!), compared on the log scale with the same 1e-7 relative tolerance.
class TableEnumerator {
 public:
  TableEnumerator(const ContingencyTable& observed, const Margins& margins)
      : rows_(margins.rows), columns_(margins.columns) {
    log_factorial_.resize(static_cast<std::size_t>(margins.total) + 1);
    for (std::size_t v = 0; v < log_factorial_.size(); ++v) log_factorial_[v] = boost::math::lgamma(static_cast<double>(v) + 1);
    double log_observed_cells = 0;
    for (const auto& row : observed) {
      for (const int cell : row) log_observed_cells -= log_factorial(cell);
    }
    threshold_ = log_observed_cells + std::log1p(1e-7);
    constant_ = -log_factorial_[static_cast<std::size_t>(margins.total)];
    for (const long long r : rows_) constant_ += log_factorial_[static_cast<std::size_t>(r)];
    for (const long long c : columns_) constant_ += log_factorial_[static_cast<std::size_t>(c)];
  }

  [[nodiscard]] double log_factorial(long long v) const { return log_factorial_[static_cast<std::size_t>(v)]; }

  void run() {
    remaining_row_ = rows_;
    remaining_column_ = columns_;
    fill(0, 0, 0.0);
  }

  [[nodiscard]] double p_value() const { return std::clamp(p_value_, 0.0, 1.0); }
  [[nodiscard]] long long tables() const { return tables_; }

 private:
  // log_cells: −Σ log(cell!) of the cells filled so far.
  void fill(std::size_t row, std::size_t column, double log_cells) {
    const std::size_t last_row = rows_.size() - 1;
    const std::size_t last_column = columns_.size() - 1;
    if (row == last_row) {  // the last row is what the columns still need
      for (std::size_t j = 0; j <= last_column; ++j) log_cells -= log_factorial(remaining_column_[j]);
      if (++tables_ > kFisherEnumerationLimit) {
        throw std::invalid_argument(fmt::format("table: more than {} tables share its margins, too many to enumerate "
                                                "for Fisher's exact test; use the chi-square test", kFisherEnumerationLimit));
      }
      if (log_cells <= threshold_) p_value_ += std::exp(constant_ + log_cells);
      return;
    }
    if (column == last_column) {  // the row's last cell is what the row still needs
      const long long value = remaining_row_[row];
      remaining_column_[column] -= value;
      fill(row + 1, 0, log_cells - log_factorial(value));
      remaining_column_[column] += value;
      return;
    }
    long long later_capacity = 0;
    for (std::size_t j = column + 1; j <= last_column; ++j) later_capacity += remaining_column_[j];
    const long long lowest = std::max(0LL, remaining_row_[row] - later_capacity);
    const long long highest = std::min(remaining_row_[row], remaining_column_[column]);
    for (long long value = lowest; value <= highest; ++value) {
      remaining_row_[row] -= value;
      remaining_column_[column] -= value;
      fill(row, column + 1, log_cells - log_factorial(value));
      remaining_row_[row] += value;
      remaining_column_[column] += value;
    }
  }

  std::vector<long long> rows_, columns_, remaining_row_, remaining_column_;
  std::vector<double> log_factorial_;
  double constant_ = 0;
  double threshold_ = 0;
  double p_value_ = 0;
  long long tables_ = 0;
};

}  // namespace

// ---------------------------------------------------------------------------------------------------
TTestResult student_t_test(std::span<const double> x, std::span<const double> y, double conf_level) {
  check_conf_level(conf_level);
  check_finite(x, "x");
  check_finite(y, "y");
  if (x.empty()) throw std::invalid_argument("x: Student's t-test needs at least 1 observation in each group, x has none");
  if (y.empty()) throw std::invalid_argument("y: Student's t-test needs at least 1 observation in each group, y has none");
  if (x.size() + y.size() < 3) {
    throw std::invalid_argument(fmt::format("x, y: Student's t-test needs at least 3 observations in all, got {}", x.size() + y.size()));
  }
  TTestResult out = two_sample_means(x, y);
  out.method = "Two Sample t-test";  // R's method string is " Two Sample t-test" (a leading space from paste)
  const auto nx = static_cast<double>(x.size());
  const auto ny = static_cast<double>(y.size());
  out.degrees_of_freedom = nx + ny - 2;
  // Pooled variance; a group of one contributes no spread (R: if (nx > 1) v <- v + (nx - 1) * vx).
  double pooled = 0;
  if (x.size() > 1) pooled += (nx - 1) * variance_of(x, *out.mean_x);
  if (y.size() > 1) pooled += (ny - 1) * variance_of(y, *out.mean_y);
  pooled /= out.degrees_of_freedom;
  out.std_err = std::sqrt(pooled * (1 / nx + 1 / ny));
  check_not_constant(out.std_err, std::max(std::abs(*out.mean_x), std::abs(*out.mean_y)), "Student's t-test");
  finish_t_test(out, conf_level);
  return out;
}

TTestResult welch_t_test(std::span<const double> x, std::span<const double> y, double conf_level) {
  check_conf_level(conf_level);
  check_finite(x, "x");
  check_finite(y, "y");
  if (x.size() < 2) throw std::invalid_argument(fmt::format("x: Welch's t-test needs at least 2 observations per group, x has {}", x.size()));
  if (y.size() < 2) throw std::invalid_argument(fmt::format("y: Welch's t-test needs at least 2 observations per group, y has {}", y.size()));
  TTestResult out = two_sample_means(x, y);
  out.method = "Welch Two Sample t-test";
  const auto nx = static_cast<double>(x.size());
  const auto ny = static_cast<double>(y.size());
  const double se_x = std::sqrt(variance_of(x, *out.mean_x) / nx);
  const double se_y = std::sqrt(variance_of(y, *out.mean_y) / ny);
  out.std_err = std::sqrt(se_x * se_x + se_y * se_y);
  check_not_constant(out.std_err, std::max(std::abs(*out.mean_x), std::abs(*out.mean_y)), "Welch's t-test");
  // Welch–Satterthwaite (R: df <- stderr^4/(stderrx^4/(nx - 1) + stderry^4/(ny - 1))).
  out.degrees_of_freedom = std::pow(out.std_err, 4) / (std::pow(se_x, 4) / (nx - 1) + std::pow(se_y, 4) / (ny - 1));
  finish_t_test(out, conf_level);
  return out;
}

TTestResult paired_t_test(std::span<const double> x, std::span<const double> y, double conf_level) {
  check_conf_level(conf_level);
  check_finite(x, "x");
  check_finite(y, "y");
  if (x.size() != y.size()) {
    throw std::invalid_argument(fmt::format("x, y: the paired t-test needs one y per x, got {} x and {} y", x.size(), y.size()));
  }
  if (x.size() < 2) throw std::invalid_argument(fmt::format("x: the paired t-test needs at least 2 pairs, got {}", x.size()));
  std::vector<double> difference(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) difference[i] = x[i] - y[i];
  TTestResult out;
  out.method = "Paired t-test";
  out.estimate_name = "mean difference";
  out.estimate = mean_of(difference);
  const auto n = static_cast<double>(difference.size());
  out.std_err = std::sqrt(variance_of(difference, out.estimate) / n);
  check_not_constant(out.std_err, std::abs(out.estimate), "paired t-test");
  out.degrees_of_freedom = n - 1;
  finish_t_test(out, conf_level);
  return out;
}

// ---------------------------------------------------------------------------------------------------
MannWhitneyResult mann_whitney_test(std::span<const double> x, std::span<const double> y, MannWhitneyMethod method,
                                    bool continuity_correction) {
  check_finite(x, "x");
  check_finite(y, "y");
  if (x.empty()) throw std::invalid_argument("x: the Wilcoxon rank-sum test needs at least 1 observation in each group, x has none");
  if (y.empty()) throw std::invalid_argument("y: the Wilcoxon rank-sum test needs at least 1 observation in each group, y has none");
  const PooledRanks pooled = pooled_ranks(x, y);
  MannWhitneyResult out;
  out.n_x = static_cast<int>(x.size());
  out.n_y = static_cast<int>(y.size());
  const auto nx = static_cast<double>(x.size());
  const auto ny = static_cast<double>(y.size());
  double rank_sum = 0;
  for (std::size_t i = 0; i < x.size(); ++i) rank_sum += pooled.ranks[i];
  out.statistic = rank_sum - nx * (nx + 1) / 2;
  out.ties = pooled.tie_sizes.size() != pooled.ranks.size();
  const bool exact_wanted = method == MannWhitneyMethod::exact ||
                            (method == MannWhitneyMethod::automatic && out.n_x < 50 && out.n_y < 50);
  out.exact = exact_wanted && !out.ties;  // with ties R falls back to the normal approximation

  if (out.exact) {
    if (out.n_x + out.n_y > 1000) {
      throw std::invalid_argument(fmt::format("x, y: the exact Wilcoxon distribution is not counted for {} observations; "
                                              "use the normal approximation", out.n_x + out.n_y));
    }
    out.method = "Wilcoxon rank sum exact test";
    // Two-sided: twice the smaller tail; by symmetry P(W ≥ w) = P(W ≤ n_x n_y − w) (R: pwilcox(STATISTIC − 1,
    // lower.tail = FALSE) above the centre, pwilcox(STATISTIC) at or below it).
    const double centre = nx * ny / 2;
    const double q = out.statistic > centre ? nx * ny - out.statistic : out.statistic;
    const double p = wilcoxon_lower_tail(static_cast<int>(std::lround(q)), out.n_x, out.n_y);
    out.p_value = std::min(2 * p, 1.0);
    return out;
  }

  // Normal approximation with the tie correction of the variance and (R's default) continuity correction.
  const double n = nx + ny;
  double tie_sum = 0;
  for (const int size : pooled.tie_sizes) tie_sum += std::pow(static_cast<double>(size), 3) - size;
  double z = out.statistic - nx * ny / 2;
  const double sigma = std::sqrt((nx * ny / 12) * ((n + 1) - tie_sum / (n * (n - 1))));
  if (!(sigma > 0)) {
    throw std::invalid_argument("x, y: all values are equal, the Wilcoxon rank-sum test has nothing to rank");
  }
  double correction = 0;
  out.method = "Wilcoxon rank sum test";
  if (continuity_correction) {
    correction = z > 0 ? 0.5 : (z < 0 ? -0.5 : 0.0);  // sign(z) * 0.5
    out.method += " with continuity correction";
  }
  z = (z - correction) / sigma;
  out.z = z;
  const boost::math::normal standard;
  out.p_value = 2 * std::min(boost::math::cdf(standard, z), boost::math::cdf(boost::math::complement(standard, z)));
  return out;
}

// ---------------------------------------------------------------------------------------------------
ChiSquareResult chi_square_test(const ContingencyTable& table, bool yates_correction) {
  const Margins margins = check_table(table, "the chi-square test");
  for (std::size_t i = 0; i < margins.rows.size(); ++i) {
    if (margins.rows[i] == 0) throw std::invalid_argument(fmt::format("table row {}: all counts are 0, its expected counts would be 0", i));
  }
  for (std::size_t j = 0; j < margins.columns.size(); ++j) {
    if (margins.columns[j] == 0) throw std::invalid_argument(fmt::format("table column {}: all counts are 0, its expected counts would be 0", j));
  }
  ChiSquareResult out;
  out.method = "Pearson's Chi-squared test";
  const std::size_t rows = table.size();
  const std::size_t columns = table[0].size();
  const auto total = static_cast<double>(margins.total);
  out.expected.assign(rows, std::vector<double>(columns, 0));
  double smallest_deviation = kInfinity;
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t j = 0; j < columns; ++j) {
      // R: E <- outer(sr, sc)/n
      const double expected = static_cast<double>(margins.rows[i]) * static_cast<double>(margins.columns[j]) / total;
      out.expected[i][j] = expected;
      if (expected < 5) ++out.cells_expected_below_5;
      smallest_deviation = std::min(smallest_deviation, std::abs(table[i][j] - expected));
    }
  }
  // Yates: only for a 2 × 2 table, and never more than the smallest |O − E| (R: YATES <- min(0.5, abs(x - E))).
  if (yates_correction && rows == 2 && columns == 2) {
    out.yates_correction = std::min(0.5, smallest_deviation);
    if (out.yates_correction > 0) {
      out.yates_applied = true;
      out.method += " with Yates' continuity correction";
    }
  }
  // Summed column by column, the order in which R sums the matrix.
  for (std::size_t j = 0; j < columns; ++j) {
    for (std::size_t i = 0; i < rows; ++i) {
      const double deviation = std::abs(table[i][j] - out.expected[i][j]) - out.yates_correction;
      out.statistic += deviation * deviation / out.expected[i][j];
    }
  }
  out.degrees_of_freedom = static_cast<double>((rows - 1) * (columns - 1));
  out.p_value = boost::math::cdf(boost::math::complement(boost::math::chi_squared(out.degrees_of_freedom), out.statistic));
  return out;
}

// ---------------------------------------------------------------------------------------------------
FisherExactResult fisher_exact_test(const ContingencyTable& table, double conf_level, double root_tolerance) {
  const Margins margins = check_table(table, "Fisher's exact test");
  check_conf_level(conf_level);
  if (!(root_tolerance > 0)) {
    throw std::invalid_argument(fmt::format("root_tolerance: must be positive, got {}", root_tolerance));
  }
  if (table.size() == 2 && table[0].size() == 2) return fisher_two_by_two(table, conf_level, root_tolerance);

  FisherExactResult out;
  out.conf_level = conf_level;
  TableEnumerator counting(table, margins);
  counting.run();
  out.p_value = counting.p_value();
  out.tables_enumerated = counting.tables();
  return out;
}

// ---------------------------------------------------------------------------------------------------
ProportionInterval clopper_pearson_interval(int successes, int trials, double conf_level) {
  check_conf_level(conf_level);
  if (trials < 1) throw std::invalid_argument(fmt::format("trials: needs at least 1, got {}", trials));
  if (successes < 0 || successes > trials) {
    throw std::invalid_argument(fmt::format("successes: must lie between 0 and trials ({}), got {}", trials, successes));
  }
  ProportionInterval out;
  out.successes = successes;
  out.trials = trials;
  out.conf_level = conf_level;
  out.estimate = static_cast<double>(successes) / trials;
  const double alpha = (1 - conf_level) / 2;
  const auto x = static_cast<double>(successes);
  const auto n = static_cast<double>(trials);
  out.lower = successes == 0 ? 0.0 : boost::math::ibeta_inv(x, n - x + 1, alpha);
  out.upper = successes == trials ? 1.0 : boost::math::ibeta_inv(x + 1, n - x, 1 - alpha);
  return out;
}

}  // namespace crsguard
