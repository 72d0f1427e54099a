// Hypothesis tests (analysis/hypothesis_tests.hpp) against R 4.2 (tests/oracles/hypothesis_tests.R) and
// SciPy 1.10 (tests/oracles/hypothesis_tests_scipy.py): each fixture holds the inputs beside the answers,
// compared at 1e-10 relative (1e-12 absolute near zero); and the inputs the functions must refuse.
#include "analysis/hypothesis_tests.hpp"

#include <gtest/gtest.h>

#include "analysis/expect_refused.hpp"
#include "analysis/oracle_fixture.hpp"
#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace crsguard {
namespace {

using nlohmann::json;

json load_fixture(const std::string& name) {
  const std::string path = std::string(CRSGUARD_SOURCE_DIR) + "/tests/data/oracles/" + name + ".json";
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  return json::parse(in);
}

const json& r_oracle() {
  static const json fixture = load_fixture("hypothesis_tests");
  return fixture;
}

const json& scipy_oracle() {
  static const json fixture = load_fixture("hypothesis_tests_scipy");
  return fixture;
}

double number(const json& value) { return crsguard::testing::fixture_number(value); }

std::vector<double> numbers(const json& values) {
  std::vector<double> out;
  for (const auto& value : values) out.push_back(number(value));
  return out;
}

ContingencyTable table_of(const json& rows) {
  ContingencyTable out;
  for (const auto& row : rows) {
    std::vector<int> cells;
    for (const auto& cell : row) cells.push_back(static_cast<int>(std::lround(number(cell))));
    out.push_back(cells);
  }
  return out;
}

void expect_close(double actual, double expected, const std::string& what, double relative = 1e-10) {
  if (std::isinf(expected)) {
    EXPECT_EQ(actual, expected) << what;
    return;
  }
  const double tolerance = std::max(relative * std::abs(expected), 1e-12);
  EXPECT_NEAR(actual, expected, tolerance) << what;
}

TTestResult run_t_test(const std::string& kind, const std::vector<double>& x, const std::vector<double>& y, double level) {
  if (kind == "student") return student_t_test(x, y, level);
  if (kind == "welch") return welch_t_test(x, y, level);
  if (kind == "paired") return paired_t_test(x, y, level);
  throw std::runtime_error("unknown t-test kind " + kind);
}

// ------------------------------------------------------------------------------------------------- R
TEST(HypothesisTestsR, TTestsMatchR) {
  const json& cases = r_oracle()["t_tests"];
  ASSERT_GE(cases.size(), 10U);
  for (const json& item : cases) {
    const std::string what = item["kind"].get<std::string>() + " " + item["name"].get<std::string>();
    const TTestResult result = run_t_test(item["kind"], numbers(item["x"]), numbers(item["y"]), number(item["conf_level"]));
    EXPECT_EQ(result.method, item["method"].get<std::string>()) << what;
    EXPECT_EQ(result.alternative, item["alternative"].get<std::string>()) << what;
    expect_close(result.statistic, number(item["statistic"]), what + " t");
    expect_close(result.degrees_of_freedom, number(item["df"]), what + " df");
    expect_close(result.p_value, number(item["p_value"]), what + " p");
    expect_close(result.estimate, number(item["estimate"]), what + " estimate");
    expect_close(result.std_err, number(item["std_err"]), what + " std_err");
    expect_close(result.lower, number(item["lower"]), what + " lower");
    expect_close(result.upper, number(item["upper"]), what + " upper");
    if (item["mean_x"].is_null()) {
      EXPECT_FALSE(result.mean_x.has_value()) << what;
    } else {
      ASSERT_TRUE(result.mean_x && result.mean_y) << what;
      expect_close(*result.mean_x, number(item["mean_x"]), what + " mean_x");
      expect_close(*result.mean_y, number(item["mean_y"]), what + " mean_y");
    }
  }
}

TEST(HypothesisTestsR, BriefReferenceValues) {
  // Measured in R and quoted to 10 significant digits in the brief.
  const std::vector<double> x{5.1, 4.9, 6.2, 5.8, 6.0};
  const std::vector<double> y{4.1, 4.5, 4.0, 4.8, 5.5, 3.9};
  EXPECT_NEAR(welch_t_test(x, y).p_value, 0.01139662706, 1e-11);
  EXPECT_NEAR(student_t_test(x, y).p_value, 0.01151361107, 1e-11);
  const FisherExactResult fisher = fisher_exact_test({{3, 1}, {1, 3}});
  EXPECT_NEAR(fisher.p_value, 0.4857142857, 1e-10);
  ASSERT_TRUE(fisher.odds_ratio);
  EXPECT_NEAR(*fisher.odds_ratio, 6.4083089, 1e-7);
  EXPECT_NEAR(chi_square_test({{3, 1}, {1, 3}}, true).p_value, 0.4795001222, 1e-10);
}

TEST(HypothesisTestsR, WilcoxonMatchesR) {
  const json& cases = r_oracle()["wilcoxon"];
  ASSERT_GE(cases.size(), 10U);
  for (const json& item : cases) {
    const std::string what = item["name"];
    const MannWhitneyMethod method = item["exact"].is_null() ? MannWhitneyMethod::automatic
                                     : item["exact"].get<bool>() ? MannWhitneyMethod::exact
                                                                 : MannWhitneyMethod::normal;
    const MannWhitneyResult result = mann_whitney_test(numbers(item["x"]), numbers(item["y"]), method, item["correct"].get<bool>());
    EXPECT_EQ(result.method, item["method"].get<std::string>()) << what;
    EXPECT_EQ(result.alternative, item["alternative"].get<std::string>()) << what;
    EXPECT_EQ(result.exact, item["method"].get<std::string>().find("exact") != std::string::npos) << what;
    EXPECT_EQ(result.exact, !result.z.has_value()) << what;
    expect_close(result.statistic, number(item["statistic"]), what + " W");
    expect_close(result.p_value, number(item["p_value"]), what + " p");
  }
}

TEST(HypothesisTestsR, WilcoxonSaysWhichPValueItUsed) {
  // Ties: R cannot use the exact distribution and falls back to the normal approximation.
  const MannWhitneyResult ties = mann_whitney_test(std::vector<double>{1, 2, 2, 3}, std::vector<double>{0, 2, 4});
  EXPECT_TRUE(ties.ties);
  EXPECT_FALSE(ties.exact);
  // 50 in a group: normal by default, exact when asked.
  std::vector<double> x, y;
  for (int i = 0; i < 50; ++i) x.push_back(2.0 * i);
  for (int i = 0; i < 10; ++i) y.push_back(2.0 * i + 1);
  EXPECT_FALSE(mann_whitney_test(x, y).exact);
  EXPECT_TRUE(mann_whitney_test(x, y, MannWhitneyMethod::exact).exact);
  // The smallest exact two-sided p for 3 vs 3 is 2 / C(6, 3) = 0.1.
  EXPECT_NEAR(mann_whitney_test(std::vector<double>{1, 2, 3}, std::vector<double>{4, 5, 6}).p_value, 0.1, 1e-15);
}

TEST(HypothesisTestsR, ChiSquareMatchesR) {
  const json& cases = r_oracle()["chi_square"];
  ASSERT_GE(cases.size(), 10U);
  for (const json& item : cases) {
    const std::string what = item["name"].get<std::string>() + (item["correct"].get<bool>() ? " corrected" : "");
    const ChiSquareResult result = chi_square_test(table_of(item["table"]), item["correct"].get<bool>());
    EXPECT_EQ(result.method, item["method"].get<std::string>()) << what;
    EXPECT_EQ(result.yates_applied, result.method.find("Yates") != std::string::npos) << what;
    expect_close(result.statistic, number(item["statistic"]), what + " X-squared");
    expect_close(result.degrees_of_freedom, number(item["df"]), what + " df");
    expect_close(result.p_value, number(item["p_value"]), what + " p");
    EXPECT_EQ(result.small_expected(), item["warns_small_expected"].get<bool>()) << what;
    const json& expected = item["expected"];
    ASSERT_EQ(result.expected.size(), expected.size()) << what;
    for (std::size_t i = 0; i < expected.size(); ++i) {
      ASSERT_EQ(result.expected[i].size(), expected[i].size()) << what;
      for (std::size_t j = 0; j < expected[i].size(); ++j) expect_close(result.expected[i][j], number(expected[i][j]), what + " E");
    }
  }
}

TEST(HypothesisTestsR, YatesNeverTakesMoreThanTheDeviation) {
  // [[5,5],[5,6]]: |O − E| = 0.238…, below 0.5, so the correction is that much and X-squared is 0.
  const ChiSquareResult result = chi_square_test({{5, 5}, {5, 6}}, true);
  EXPECT_NEAR(result.yates_correction, 5 - 10.0 * 10.0 / 21.0, 1e-14);
  EXPECT_NEAR(result.statistic, 0, 1e-12);
  // Larger tables are never corrected.
  EXPECT_FALSE(chi_square_test({{4, 7, 2}, {6, 3, 8}}, true).yates_applied);
}

TEST(HypothesisTestsR, FisherMatchesR) {
  const json& cases = r_oracle()["fisher"];
  ASSERT_GE(cases.size(), 12U);
  for (const json& item : cases) {
    const std::string what = item["name"];
    const FisherExactResult result = fisher_exact_test(table_of(item["table"]), number(item["conf_level"]));
    EXPECT_EQ(result.method, item["method"].get<std::string>()) << what;
    EXPECT_EQ(result.alternative, item["alternative"].get<std::string>()) << what;
    expect_close(result.p_value, number(item["p_value"]), what + " p");
    if (item["odds_ratio"].is_null()) {
      EXPECT_FALSE(result.odds_ratio.has_value()) << what;
      EXPECT_GT(result.tables_enumerated, 1) << what;
      continue;
    }
    ASSERT_TRUE(result.odds_ratio && result.odds_ratio_lower && result.odds_ratio_upper) << what;
    expect_close(*result.odds_ratio, number(item["odds_ratio"]), what + " odds ratio");
    expect_close(*result.odds_ratio_lower, number(item["lower"]), what + " lower");
    expect_close(*result.odds_ratio_upper, number(item["upper"]), what + " upper");
  }
}

TEST(HypothesisTestsR, FisherPriorHctSevereCrs) {
  // The paediatric cohort (Pan 2021): rows prior HCT yes / no, columns severe CRS yes / no. Every HCT
  // patient had severe CRS, so the conditional MLE is at the edge of the support: infinite.
  const FisherExactResult result = fisher_exact_test({{3, 0}, {2, 9}});
  EXPECT_NEAR(result.p_value, 5.0 / 182.0, 1e-15);  // 1 − P(table ≥ observed by probability): 0.027472…
  ASSERT_TRUE(result.odds_ratio);
  EXPECT_TRUE(std::isinf(*result.odds_ratio));
  EXPECT_NEAR(*result.odds_ratio_lower, number(r_oracle()["fisher"][1]["lower"]), 1e-10);
  EXPECT_TRUE(std::isinf(*result.odds_ratio_upper));
}

TEST(HypothesisTestsR, ClopperPearsonMatchesR) {
  const json& cases = r_oracle()["binomial"];
  ASSERT_GE(cases.size(), 8U);
  for (const json& item : cases) {
    const int x = static_cast<int>(number(item["successes"]));
    const int n = static_cast<int>(number(item["trials"]));
    const std::string what = std::to_string(x) + "/" + std::to_string(n);
    const ProportionInterval result = clopper_pearson_interval(x, n, number(item["conf_level"]));
    EXPECT_EQ(result.method, item["method"].get<std::string>()) << what;
    expect_close(result.estimate, number(item["estimate"]), what + " estimate");
    expect_close(result.lower, number(item["lower"]), what + " lower");
    expect_close(result.upper, number(item["upper"]), what + " upper");
  }
}

TEST(HypothesisTestsR, RefusesWhatRRefuses) {
  const json& cases = r_oracle()["errors"];
  ASSERT_GE(cases.size(), 5U);
  for (const json& item : cases) {
    const std::string what = item["test"].get<std::string>() + ": R says " + item["r_error"].get<std::string>();
    ASSERT_FALSE(item["r_error"].get<std::string>().empty()) << what;
    EXPECT_THROW(run_t_test(item["test"], numbers(item["x"]), numbers(item["y"]), 0.95), std::invalid_argument) << what;
  }
}

// --------------------------------------------------------------------------------------------- SciPy
TEST(HypothesisTestsScipy, TTestsMatchScipy) {
  for (const json& item : scipy_oracle()["t_tests"]) {
    const std::string what = item["kind"].get<std::string>() + " " + item["name"].get<std::string>();
    const TTestResult result = run_t_test(item["kind"], numbers(item["x"]), numbers(item["y"]), number(item["conf_level"]));
    expect_close(result.statistic, number(item["statistic"]), what + " t");
    expect_close(result.p_value, number(item["p_value"]), what + " p");
    if (item.contains("df")) {
      expect_close(result.degrees_of_freedom, number(item["df"]), what + " df");
      // SciPy 1.10's t quantile (cephes stdtrit) is good to about 4e-10 only: t.ppf(0.975, 5) =
      // 2.5705818366147395 where R's qt and Boost give 2.5705818356363137. The same limits match R's
      // t.test to 1e-10 (TTestsMatchR); against SciPy they are held to 1e-8.
      expect_close(result.lower, number(item["lower"]), what + " lower", 1e-8);
      expect_close(result.upper, number(item["upper"]), what + " upper", 1e-8);
    }
  }
}

TEST(HypothesisTestsScipy, MannWhitneyMatchesScipy) {
  for (const json& item : scipy_oracle()["mann_whitney"]) {
    const std::string what = item["name"].get<std::string>() + " " + item["method"].get<std::string>();
    const MannWhitneyMethod method = item["method"] == "exact" ? MannWhitneyMethod::exact : MannWhitneyMethod::normal;
    const MannWhitneyResult result = mann_whitney_test(numbers(item["x"]), numbers(item["y"]), method, item["use_continuity"].get<bool>());
    EXPECT_EQ(result.exact, item["method"] == "exact") << what;
    expect_close(result.statistic, number(item["statistic"]), what + " U1");
    expect_close(result.p_value, number(item["p_value"]), what + " p");
  }
}

TEST(HypothesisTestsScipy, ChiSquareMatchesScipy) {
  for (const json& item : scipy_oracle()["chi_square"]) {
    const std::string what = item["name"].get<std::string>() + (item["correction"].get<bool>() ? " corrected" : "");
    const ChiSquareResult result = chi_square_test(table_of(item["table"]), item["correction"].get<bool>());
    expect_close(result.statistic, number(item["statistic"]), what + " statistic");
    expect_close(result.p_value, number(item["p_value"]), what + " p");
    expect_close(result.degrees_of_freedom, number(item["dof"]), what + " dof");
    const json& expected = item["expected"];
    for (std::size_t i = 0; i < expected.size(); ++i) {
      for (std::size_t j = 0; j < expected[i].size(); ++j) expect_close(result.expected[i][j], number(expected[i][j]), what + " E");
    }
  }
}

TEST(HypothesisTestsScipy, FisherMatchesScipy) {
  for (const json& item : scipy_oracle()["fisher"]) {
    const std::string what = item["name"];
    const ContingencyTable table = table_of(item["table"]);
    const double level = number(item["conf_level"]);
    expect_close(fisher_exact_test(table, level).p_value, number(item["p_value"]), what + " p");
    // SciPy's odds_ratio finds the roots to 1e-13 where R's uniroot stops at 2^-13: compare the roots
    // found to machine precision.
    const FisherExactResult precise = fisher_exact_test(table, level, 1e-300);
    ASSERT_TRUE(precise.odds_ratio && precise.odds_ratio_lower && precise.odds_ratio_upper) << what;
    expect_close(*precise.odds_ratio, number(item["conditional_odds_ratio"]), what + " conditional odds ratio");
    expect_close(*precise.odds_ratio_lower, number(item["lower"]), what + " lower");
    expect_close(*precise.odds_ratio_upper, number(item["upper"]), what + " upper");
  }
}

TEST(HypothesisTestsScipy, ClopperPearsonMatchesScipy) {
  for (const json& item : scipy_oracle()["binomial"]) {
    const int x = item["successes"].get<int>();
    const int n = item["trials"].get<int>();
    const std::string what = std::to_string(x) + "/" + std::to_string(n);
    const ProportionInterval result = clopper_pearson_interval(x, n, number(item["conf_level"]));
    expect_close(result.lower, number(item["lower"]), what + " lower");
    expect_close(result.upper, number(item["upper"]), what + " upper");
  }
}

// ------------------------------------------------------------------------------------------- bad input

TEST(HypothesisTestsInput, TTestsRefuseTooFewConstantOrMismatched) {
  const std::vector<double> three{1, 2, 3};
  const std::vector<double> one{4};
  const std::vector<double> none;
  crsguard::testing::expect_refused([&] { welch_t_test(one, three); }, "x:");
  crsguard::testing::expect_refused([&] { welch_t_test(three, one); }, "y:");
  crsguard::testing::expect_refused([&] { student_t_test(none, three); }, "x:");
  crsguard::testing::expect_refused([&] { student_t_test(one, one); }, "3 observations");
  crsguard::testing::expect_refused([&] { paired_t_test(three, std::vector<double>{1, 2}); }, "one y per x");
  crsguard::testing::expect_refused([&] { paired_t_test(one, one); }, "at least 2 pairs");
  crsguard::testing::expect_refused([&] { welch_t_test(std::vector<double>{5, 5, 5}, std::vector<double>{5, 5}); }, "essentially constant");
  crsguard::testing::expect_refused([&] { paired_t_test(three, std::vector<double>{0, 1, 2}); }, "essentially constant");
  crsguard::testing::expect_refused([&] { welch_t_test(three, three, 1.0); }, "conf_level");
  crsguard::testing::expect_refused([&] { welch_t_test(three, std::vector<double>{1, std::nan(""), 3}); }, "y[1]");
}

TEST(HypothesisTestsInput, MannWhitneyRefusesEmptyOrAllEqual) {
  crsguard::testing::expect_refused([] { mann_whitney_test(std::vector<double>{}, std::vector<double>{1, 2}); }, "x:");
  crsguard::testing::expect_refused([] { mann_whitney_test(std::vector<double>{1}, std::vector<double>{}); }, "y:");
  crsguard::testing::expect_refused([] { mann_whitney_test(std::vector<double>{2, 2}, std::vector<double>{2, 2, 2}); }, "all values are equal");
  crsguard::testing::expect_refused([] { mann_whitney_test(std::vector<double>{1, std::numeric_limits<double>::infinity()}, std::vector<double>{2}); },
                 "x[1]");
}

TEST(HypothesisTestsInput, TablesRefuseBadShapesAndCounts) {
  crsguard::testing::expect_refused([] { chi_square_test({{1, 2}}); }, "at least 2 rows and 2 columns");
  crsguard::testing::expect_refused([] { fisher_exact_test({{1}, {2}}); }, "at least 2 rows and 2 columns");
  crsguard::testing::expect_refused([] { chi_square_test({{1, 2}, {3}}); }, "table row 1");
  crsguard::testing::expect_refused([] { fisher_exact_test({{1, -2}, {3, 4}}); }, "table[0][1]");
  crsguard::testing::expect_refused([] { chi_square_test({{0, 0}, {3, 4}}); }, "table row 0");
  crsguard::testing::expect_refused([] { chi_square_test({{0, 2}, {0, 4}}); }, "table column 0");
  crsguard::testing::expect_refused([] { fisher_exact_test({{1, 2}, {3, 4}}, 0.0); }, "conf_level");
  crsguard::testing::expect_refused([] { fisher_exact_test({{1, 2}, {3, 4}}, 0.95, 0.0); }, "root_tolerance");
}

TEST(HypothesisTestsInput, FisherRefusesTablesTooLargeToEnumerate) {
  crsguard::testing::expect_refused([] { fisher_exact_test({{60, 60, 60, 60}, {60, 60, 60, 60}, {60, 60, 60, 60}}); }, "too many to enumerate");
}

TEST(HypothesisTestsInput, ClopperPearsonRefusesImpossibleCounts) {
  crsguard::testing::expect_refused([] { clopper_pearson_interval(0, 0); }, "trials");
  crsguard::testing::expect_refused([] { clopper_pearson_interval(5, 4); }, "successes");
  crsguard::testing::expect_refused([] { clopper_pearson_interval(-1, 4); }, "successes");
  crsguard::testing::expect_refused([] { clopper_pearson_interval(1, 4, 1.5); }, "conf_level");
}

}  // namespace
}  // namespace crsguard
