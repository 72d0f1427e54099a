#pragma once
// Two-group hypothesis tests and the exact binomial interval, defined as R's `stats` package defines
// them (R 4.2: t.test, wilcox.test, chisq.test, fisher.test, binom.test), so that every number a
// cohort comparison prints can be checked against R to the last digit (tests/oracles/hypothesis_tests.R)
// and against SciPy 1.10 (tests/oracles/hypothesis_tests_scipy.py).
// Distributions come from Boost.Math; the only distribution counted here is Wilcoxon's rank-sum
// statistic, which Boost does not have (R's cwilcox recursion, see mann_whitney_test).
// Every result names its method as R prints it and its alternative; only the two-sided alternative
// ("two.sided", R's name) is offered, as the clinic's comparisons ask "is there a difference".
// Bad input (too few observations, constant data, a negative count, conf_level outside (0, 1)) throws
// std::invalid_argument with a message naming the argument and the reason.
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace crsguard {

// R's name for the only alternative offered: the true difference (odds ratio) is not 0 (1).
inline constexpr const char* kTwoSided = "two.sided";

// ---------------------------------------------------------------------------------------------------
// t-tests (R t.test).
struct TTestResult {
  std::string method;                   // "Welch Two Sample t-test", "Two Sample t-test", "Paired t-test"
  std::string alternative = kTwoSided;
  double statistic = 0;                 // t
  double degrees_of_freedom = 0;
  double p_value = 1;                   // two-sided
  std::string estimate_name;            // "difference in means" (two samples), "mean difference" (paired)
  double estimate = 0;                  // mean(x) − mean(y); paired: mean(x − y)
  std::optional<double> mean_x;         // two-sample tests: R's estimate "mean of x"
  std::optional<double> mean_y;         // two-sample tests: R's estimate "mean of y"
  double std_err = 0;                   // standard error of the estimate (R's stderr)
  double lower = 0;                     // confidence interval of the estimate at conf_level
  double upper = 0;
  double conf_level = 0.95;
};

// Student's two-sample t-test with pooled variance (R: t.test(x, y, var.equal = TRUE)).
// Throws when x or y is empty or there are fewer than 3 observations in all, or the data are constant.
TTestResult student_t_test(std::span<const double> x, std::span<const double> y, double conf_level = 0.95);
// Welch's two-sample t-test, Satterthwaite degrees of freedom (R: t.test(x, y)).
// Throws when x or y has fewer than 2 observations, or the data are constant.
TTestResult welch_t_test(std::span<const double> x, std::span<const double> y, double conf_level = 0.95);
// Paired t-test of x − y, the same subjects measured twice (R: t.test(x, y, paired = TRUE)).
// Throws when the sizes differ, there are fewer than 2 pairs, or the differences are constant.
TTestResult paired_t_test(std::span<const double> x, std::span<const double> y, double conf_level = 0.95);

// ---------------------------------------------------------------------------------------------------
// Wilcoxon rank-sum / Mann–Whitney U test (R wilcox.test(x, y), mu = 0).
enum class MannWhitneyMethod : unsigned char {
  automatic,  // R's default: exact when both groups are under 50 and there are no ties, else normal
  exact,      // R's exact = TRUE: exact whenever there are no ties (with ties R falls back to normal)
  normal,     // R's exact = FALSE: the normal approximation
};

struct MannWhitneyResult {
  std::string method;          // "Wilcoxon rank sum exact test", "Wilcoxon rank sum test with continuity correction"
  std::string alternative = kTwoSided;
  double statistic = 0;        // W = rank sum of x − n_x(n_x + 1)/2 (= SciPy's U1)
  double p_value = 1;          // two-sided
  bool exact = false;          // the p-value is from the exact distribution (else the normal approximation)
  bool ties = false;           // some values are shared (the exact distribution then does not apply)
  std::optional<double> z;     // normal approximation: the standardised statistic after the corrections
  int n_x = 0;
  int n_y = 0;
};

// Throws when x or y is empty, a value is not finite, or (normal approximation) all values are equal.
MannWhitneyResult mann_whitney_test(std::span<const double> x, std::span<const double> y,
                                    MannWhitneyMethod method = MannWhitneyMethod::automatic,
                                    bool continuity_correction = true);

// ---------------------------------------------------------------------------------------------------
// Contingency tables: rows are groups (prior HCT yes / no), columns the outcome (severe CRS yes / no).
using ContingencyTable = std::vector<std::vector<int>>;

// Pearson's chi-square test of independence (R chisq.test on a matrix).
struct ChiSquareResult {
  std::string method;          // "Pearson's Chi-squared test" [+ " with Yates' continuity correction"]
  std::string alternative = kTwoSided;  // R reports none; the test is of any association
  double statistic = 0;        // X-squared
  double degrees_of_freedom = 0;  // (rows − 1)(columns − 1)
  double p_value = 1;
  std::vector<std::vector<double>> expected;  // row total × column total / N
  bool yates_applied = false;  // R applies Yates' correction only to a 2 × 2 table, and names it only when > 0
  double yates_correction = 0; // the amount taken off every |O − E|: min(0.5, min |O − E|) (R's rule)
  int cells_expected_below_5 = 0;  // R warns "Chi-squared approximation may be incorrect" when > 0
  [[nodiscard]] bool small_expected() const { return cells_expected_below_5 > 0; }
};

// yates_correction = true is R's default (correct = TRUE); it only changes a 2 × 2 table.
// Throws when the table has fewer than 2 rows or columns, is ragged, has a negative count, or a row or
// column total of 0 (an expected count of 0).
ChiSquareResult chi_square_test(const ContingencyTable& table, bool yates_correction = true);

// Fisher's exact test (R fisher.test).
// R finds the odds ratio and its confidence limits with uniroot at its default tolerance,
// .Machine$double.eps^0.25; with that tolerance (the default here) the same Brent iteration gives R's
// printed numbers. A smaller tolerance gives the roots to machine precision (as SciPy's odds_ratio).
inline constexpr double kRUnirootTolerance = 0.0001220703125;  // 2^-13 = .Machine$double.eps^0.25

struct FisherExactResult {
  std::string method = "Fisher's Exact Test for Count Data";
  std::string alternative = kTwoSided;
  double p_value = 1;          // sum of the probabilities of tables no more probable than the observed
  // 2 × 2 only: the conditional maximum-likelihood odds ratio (0 or +infinity at the edge of the support)
  // and its exact confidence interval at conf_level; empty for larger tables.
  std::optional<double> odds_ratio;
  std::optional<double> odds_ratio_lower;
  std::optional<double> odds_ratio_upper;
  double conf_level = 0.95;
  long long tables_enumerated = 0;  // r × c: tables with the observed margins that were summed over
};

// 2 × 2: exact as R. Larger tables: every table with the observed margins is enumerated (R uses the
// network algorithm, which gives the same p); throws when there would be more than
// kFisherEnumerationLimit of them (use the chi-square test). Throws for a table smaller than 2 × 2,
// a ragged table, a negative count, or conf_level outside (0, 1).
inline constexpr long long kFisherEnumerationLimit = 20'000'000;
FisherExactResult fisher_exact_test(const ContingencyTable& table, double conf_level = 0.95,
                                    double root_tolerance = kRUnirootTolerance);

// ---------------------------------------------------------------------------------------------------
// Clopper–Pearson exact confidence interval of a proportion x / n (R binom.test(x, n)$conf.int):
// lower = qbeta(α/2, x, n − x + 1) (0 when x = 0), upper = qbeta(1 − α/2, x + 1, n − x) (1 when x = n).
struct ProportionInterval {
  std::string method = "Exact binomial test";
  int successes = 0;
  int trials = 0;
  double estimate = 0;  // x / n
  double lower = 0;
  double upper = 1;
  double conf_level = 0.95;
};

// Throws when trials < 1, successes is outside [0, trials], or conf_level is outside (0, 1).
ProportionInterval clopper_pearson_interval(int successes, int trials, double conf_level = 0.95);

}  // namespace crsguard
