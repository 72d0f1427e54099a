// crsguard cohort, survival and compare on the example paediatric cohort, checked against R
// (tests/oracles/paediatric_cohort.R → tests/data/oracles/paediatric_cohort.json), and their bad input.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <string>

#include "cli_run.hpp"

namespace {

using namespace crsguard::testing;
using nlohmann::json;

const std::string kCohort = source_path("examples/paediatric-cohort-pan2021").string();

const json& oracle() {
  static const json document = json::parse(read_file(source_path("tests/data/oracles/paediatric_cohort.json")));
  return document;
}

// R writes an infinite bound as "Inf"; crsguard's JSON does the same.
void expect_close(const json& actual, const json& expected, const std::string& what) {
  if (expected.is_string()) {
    EXPECT_EQ(actual, expected) << what;
    return;
  }
  ASSERT_TRUE(actual.is_number()) << what << ": " << actual.dump();
  const double a = actual.get<double>();
  const double e = expected.get<double>();
  EXPECT_LE(std::abs(a - e), 1e-10 * std::max(1.0, std::abs(e))) << what << ": " << a << " vs R " << e;
}

json run_json(const std::vector<std::string>& arguments) {
  const CliRun run = run_crsguard(arguments);
  EXPECT_EQ(run.status, 0) << run.err;
  return json::parse(run.out);
}

TEST(AnalysisCli, SixMonthLeukaemiaFreeSurvivalWithEachConfidenceType) {
  for (const std::string type : {"plain", "log", "log-log"}) {
    const json out = run_json({"survival", kCohort, "--endpoint", "lfs", "--conf-type", type, "--at", "6", "--json"});
    ASSERT_EQ(out["groups"].size(), 1u);
    const json& group = out["groups"][0];
    EXPECT_EQ(group["n"], 14);
    EXPECT_EQ(group["events"], 3);
    const json& at = group["at"][0];
    const json& expected = oracle()["lfs_at_six_months"][type];
    expect_close(at["time_days"], oracle()["six_month_days"], type + " time");
    for (const char* key : {"survival", "std_err", "lower", "upper", "n_risk"}) expect_close(at[key], expected[key], type + " " + key);
    EXPECT_EQ(out["method"]["conf_type"], type);
  }
}

TEST(AnalysisCli, SurvivalTextNamesTheMethodAndTheEstimate) {
  const CliRun run = run_crsguard({"survival", kCohort, "--at", "6", "--conf-type", "log-log"});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("Greenwood"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("log-log"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("survival 0.8571 (95 % CI 0.5394–0.9622)"), std::string::npos) << run.out;
}

TEST(AnalysisCli, LogRankByPriorHct) {
  const json out = run_json({"survival", kCohort, "--by", "prior_hct", "--json"});
  ASSERT_TRUE(out.contains("log_rank"));
  expect_close(out["log_rank"]["chi_square"], oracle()["log_rank_lfs_by_prior_hct"]["chi_square"], "chi-square");
  expect_close(out["log_rank"]["p_value"], oracle()["log_rank_lfs_by_prior_hct"]["p_value"], "p");
  EXPECT_EQ(out["groups"].size(), 2u);
}

TEST(AnalysisCli, SevereCrsByPriorHctWithFishersExactTest) {
  const json out = run_json({"compare", kCohort, "--test", "fisher", "--by", "prior_hct", "--value", "severe_crs", "--json"});
  const json& expected = oracle()["fisher_severe_crs_by_prior_hct"];
  expect_close(out["result"]["p_value"], expected["p_value"], "p");
  expect_close(out["result"]["estimate"], expected["odds_ratio"], "odds ratio");
  expect_close(out["result"]["lower"], expected["lower"], "lower");
  expect_close(out["result"]["upper"], expected["upper"], "upper");
  EXPECT_EQ(out["table"]["rows"], json({"no", "yes"}));
  EXPECT_EQ(out["table"]["columns"], json({"no", "yes"}));
  EXPECT_EQ(out["table"]["counts"], json({{9, 2}, {0, 3}}));

  const CliRun text = run_crsguard({"compare", kCohort, "--test", "fisher", "--by", "prior_hct", "--value", "severe_crs"});
  EXPECT_NE(text.out.find("Fisher's Exact Test for Count Data"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("p = 0.02747"), std::string::npos) << text.out;
}

TEST(AnalysisCli, CohortSummaryHasTheResponseRateWithItsExactInterval) {
  const json out = run_json({"cohort", kCohort, "--json"});
  EXPECT_EQ(out["patients"], 14);
  const json& remission = out["responses"][0];
  EXPECT_EQ(remission["field"], "remission");
  EXPECT_EQ(remission["responders"], 14);
  expect_close(remission["lower"], oracle()["remission_rate"]["lower"], "lower");
  expect_close(remission["upper"], oracle()["remission_rate"]["upper"], "upper");
  const CliRun text = run_crsguard({"cohort", kCohort});
  EXPECT_NE(text.out.find("age, years"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("8.5 (3–18)"), std::string::npos) << text.out;
}

TEST(AnalysisCli, BadOptionsAreRefusedWithTheReason) {
  struct Case {
    std::vector<std::string> arguments;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {{"survival", kCohort, "--conf-type", "logit"}, "--conf-type \"logit\""},
      {{"survival", kCohort, "--endpoint", "pfs"}, "--endpoint \"pfs\""},
      {{"survival", kCohort, "--by", "shoe_size"}, "--by \"shoe_size\": unknown field"},
      {{"survival", kCohort, "--at", "-1"}, "--at -1"},
      {{"survival", kCohort, "--conf-level", "95"}, "--conf-level 95"},
      {{"compare", kCohort, "--test", "fisher", "--by", "prior_hct", "--value", "age_years"}, "compares categories"},
      {{"compare", kCohort, "--test", "welch", "--by", "prior_hct", "--value", "severe_crs"}, "compares numbers"},
      {{"compare", kCohort, "--test", "anova", "--by", "prior_hct", "--value", "age_years"}, "--test \"anova\""},
      {{"compare", kCohort, "--test", "welch", "--by", "age_years", "--value", "age_years"}, "--by age_years"},
      {{"survival", source_path("tests/data/bad/many-problems.json").string()}, "many-problems.json"},
  };
  for (const auto& item : cases) {
    const CliRun run = run_crsguard(item.arguments);
    EXPECT_EQ(run.status, 2) << item.arguments[0] << " " << item.reason << "\n" << run.out;
    EXPECT_NE(run.err.find(item.reason), std::string::npos) << run.err;
    EXPECT_TRUE(run.out.empty()) << run.out;
  }
}

TEST(AnalysisCli, WelchTestOfAgeByPriorHctReportsRsMethodName) {
  const json out = run_json({"compare", kCohort, "--test", "welch", "--by", "prior_hct", "--value", "age_years", "--json"});
  EXPECT_EQ(out["result"]["method"], "Welch Two Sample t-test");
  EXPECT_EQ(out["groups"][0]["n"], 11);
  EXPECT_EQ(out["groups"][1]["n"], 3);
}

}  // namespace

namespace {

TEST(AnalysisCli, PlateletResponseBeforeAndAfterRuxolitinib) {
  const std::string folder = source_path("tests/data/platelets").string();
  const CliRun run = run_crsguard({"platelets", folder});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("CCI ≥ 7500"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("PPR ≥ 30 %"), std::string::npos) << run.out;
  const json out = run_json({"platelets", source_path("tests/data/platelets/child-ruxolitinib.json").string(), "--json"});
  EXPECT_FALSE(out.empty());
  const CliRun unknown_drug = run_crsguard({"platelets", folder, "--drug", "aspirin-ish"});
  EXPECT_EQ(unknown_drug.status, 2);
  EXPECT_NE(unknown_drug.err.find("drug"), std::string::npos) << unknown_drug.err;
}

}  // namespace
