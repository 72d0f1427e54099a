// Kaplan–Meier, medians, survival at chosen times and the log-rank test (analysis/survival.hpp) against
// R's survival package 3.5.3 (tests/oracles/survival.R): the fixture holds each input beside R's
// answer, compared at 1e-10 relative (1e-12 absolute near zero); R's NA must be nullopt (bands) or
// NaN (std_err where S = 0). Then the paediatric 6-month leukaemia-free survival spelled out, and the
// inputs the functions must refuse.
#include "analysis/survival.hpp"

#include <gtest/gtest.h>

#include "analysis/expect_refused.hpp"
#include "analysis/oracle_fixture.hpp"
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace crsguard {
namespace {

using nlohmann::json;

const json& oracle() {
  static const json fixture = [] {
    const std::string path = std::string(CRSGUARD_SOURCE_DIR) + "/tests/data/oracles/survival.json";
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot open " + path);
    return json::parse(in);
  }();
  return fixture;
}

double number(const json& value) { return crsguard::testing::fixture_number(value); }

void expect_close(double actual, const json& expected_json, const std::string& what) {
  const double expected = number(expected_json);
  if (std::isnan(expected)) {
    EXPECT_TRUE(std::isnan(actual)) << what << ": R gives NA/NaN, got " << actual;
    return;
  }
  if (std::isinf(expected)) {
    EXPECT_EQ(actual, expected) << what;
    return;
  }
  const double tolerance = std::max(1e-10 * std::abs(expected), 1e-12);
  EXPECT_NEAR(actual, expected, tolerance) << what;
}

void expect_close(const std::optional<double>& actual, const json& expected_json, const std::string& what) {
  if (expected_json.is_null()) {
    EXPECT_FALSE(actual.has_value()) << what << ": R gives NA, got " << actual.value_or(0);
    return;
  }
  ASSERT_TRUE(actual.has_value()) << what << ": R gives " << expected_json.dump();
  expect_close(*actual, expected_json, what);
}

std::vector<SurvivalSubject> subjects_of(const json& data) {
  std::vector<SurvivalSubject> out;
  for (std::size_t i = 0; i < data["time"].size(); ++i) {
    out.push_back({number(data["time"][i]), number(data["status"][i]) == 1});
  }
  return out;
}

ConfidenceType type_of(const json& fit) {
  const auto type = parse_confidence_type(fit["conf_type"].get<std::string>());
  if (!type) throw std::runtime_error("unknown conf_type " + fit["conf_type"].dump());
  return *type;
}

TEST(KaplanMeierAgainstR, EveryColumnMedianAndSurvivalAt) {
  int fits = 0;
  for (const json& data : oracle()["kaplan_meier"]) {
    const std::string name = data["name"];
    const auto subjects = subjects_of(data);
    const double level = number(data["conf_level"]);
    for (const json& fit : data["fits"]) {
      const std::string where = name + " " + fit["conf_type"].get<std::string>();
      const KaplanMeierCurve curve = kaplan_meier(subjects, type_of(fit), level);
      ++fits;
      EXPECT_EQ(curve.n, static_cast<int>(subjects.size())) << where;
      ASSERT_EQ(curve.steps.size(), fit["time"].size()) << where;
      int events = 0;
      for (std::size_t i = 0; i < curve.steps.size(); ++i) {
        const KaplanMeierStep& step = curve.steps[i];
        const std::string row = where + " row " + std::to_string(i);
        EXPECT_EQ(step.time, number(fit["time"][i])) << row;
        EXPECT_EQ(step.n_risk, number(fit["n_risk"][i])) << row;
        EXPECT_EQ(step.n_event, number(fit["n_event"][i])) << row;
        EXPECT_EQ(step.n_censor, number(fit["n_censor"][i])) << row;
        expect_close(step.survival, fit["surv"][i], row + " surv");
        expect_close(step.std_err_log, fit["std_err_log"][i], row + " std.err (log S)");
        expect_close(step.std_err, fit["std_err"][i], row + " std.err (S)");
        expect_close(step.lower, fit["lower"][i], row + " lower");
        expect_close(step.upper, fit["upper"][i], row + " upper");
        events += step.n_event;
      }
      EXPECT_EQ(curve.events, events) << where;

      const MedianSurvival median = median_survival(curve);
      expect_close(median.median, fit["median"], where + " median");
      expect_close(median.lower, fit["median_lower"], where + " median lower");
      expect_close(median.upper, fit["median_upper"], where + " median upper");

      for (std::size_t i = 0; i < data["at_times"].size(); ++i) {
        const double time = number(data["at_times"][i]);
        const std::string at_where = where + " at " + std::to_string(time);
        const auto at = survival_at(curve, time);
        const json& expected = fit["at"][i];
        if (expected.is_null()) {
          EXPECT_FALSE(at.has_value()) << at_where << ": R drops this time";
          continue;
        }
        ASSERT_TRUE(at.has_value()) << at_where;
        EXPECT_EQ(at->time, number(expected["time"])) << at_where;
        EXPECT_EQ(at->n_risk, number(expected["n_risk"])) << at_where;
        EXPECT_EQ(at->n_risk, number_at_risk(subjects, time)) << at_where;
        expect_close(at->survival, expected["surv"], at_where + " surv");
        expect_close(at->std_err, expected["std_err"], at_where + " std.err");
        expect_close(at->lower, expected["lower"], at_where + " lower");
        expect_close(at->upper, expected["upper"], at_where + " upper");
      }
    }
  }
  EXPECT_EQ(fits, 31);  // ten small data sets × three CI types, and the large one (log)
}

TEST(LogRankAgainstR, ObservedExpectedVarianceChiSquare) {
  int tests = 0;
  for (const json& data : oracle()["log_rank"]) {
    const std::string name = data["name"];
    const auto subjects = subjects_of(data);
    const auto groups = data["group"].get<std::vector<std::string>>();
    const LogRankTest test = log_rank_test(subjects, groups);
    ++tests;
    ASSERT_EQ(test.groups.size(), data["groups"].size()) << name;
    for (std::size_t j = 0; j < test.groups.size(); ++j) {
      const std::string where = name + " group " + test.groups[j].name;
      EXPECT_EQ(test.groups[j].name, data["groups"][j].get<std::string>()) << where;
      EXPECT_EQ(test.groups[j].n, number(data["n"][j])) << where;
      expect_close(test.groups[j].observed, data["observed"][j], where + " observed");
      expect_close(test.groups[j].expected, data["expected"][j], where + " expected");
      expect_close(test.groups[j].variance, data["variance"][j][j], where + " variance");
    }
    expect_close(test.chi_square, data["chi_square"], name + " chi-square");
    EXPECT_EQ(test.degrees_of_freedom, number(data["df"])) << name;
    expect_close(test.p_value, data["p_value"], name + " p");
  }
  EXPECT_EQ(tests, 5);
}

// The paediatric cohort's leukaemia-free survival at 6 months (182.625 days): R prints S = 0.857143,
// std.err 0.0935, 12 at risk, and the bands plain [0.673843, 1], log [0.692117, 1],
// log-log [0.539448, 0.962232].
TEST(KaplanMeier, PaediatricLeukaemiaFreeSurvivalAtSixMonths) {
  const json* data = nullptr;
  for (const json& entry : oracle()["kaplan_meier"]) {
    if (entry["name"] == "paediatric_lfs") data = &entry;
  }
  ASSERT_NE(data, nullptr);
  const auto subjects = subjects_of(*data);
  ASSERT_EQ(subjects.size(), 14u);
  struct Expected {
    ConfidenceType type;
    double lower;
    double upper;
  };
  for (const Expected& expected : {Expected{ConfidenceType::plain, 0.673843, 1.0},
                                   Expected{ConfidenceType::log, 0.692117, 1.0},
                                   Expected{ConfidenceType::log_log, 0.539448, 0.962232}}) {
    const std::string where(confidence_type_name(expected.type));
    const auto at = survival_at(kaplan_meier(subjects, expected.type), 182.625);
    ASSERT_TRUE(at.has_value()) << where;
    EXPECT_EQ(at->n_risk, 12) << where;
    EXPECT_NEAR(at->survival, 12.0 / 14.0, 1e-15) << where;  // two events (days 76, 122) among 14
    EXPECT_NEAR(at->std_err, 0.0935, 5e-5) << where;
    ASSERT_TRUE(at->lower && at->upper) << where;
    EXPECT_NEAR(*at->lower, expected.lower, 5e-7) << where;
    EXPECT_NEAR(*at->upper, expected.upper, 5e-7) << where;
    // And the full precision of R's answer in the fixture.
    for (const json& fit : (*data)["fits"]) {
      if (type_of(fit) != expected.type) continue;
      expect_close(at->survival, fit["at"][0]["surv"], where + " surv");
      expect_close(at->lower, fit["at"][0]["lower"], where + " lower");
      expect_close(at->upper, fit["at"][0]["upper"], where + " upper");
    }
  }
  // Beyond the last follow-up (day 335) R reports nothing.
  EXPECT_FALSE(survival_at(kaplan_meier(subjects), 365.25).has_value());
}

// The radix sort (from 2 048 subjects) and std::sort (below) must give the same curve in any order.
TEST(KaplanMeier, OrderOfSubjectsDoesNotMatter) {
  std::vector<SurvivalSubject> subjects;
  for (int i = 1; i <= 5000; ++i) subjects.push_back({((i * 7919) % 149) / 7.0 + (i % 11 == 0 ? 1000.25 : 0), i % 3 != 0});
  std::vector<SurvivalSubject> reversed(subjects.rbegin(), subjects.rend());
  const auto a = kaplan_meier(subjects);
  const auto b = kaplan_meier(reversed);
  const auto c = kaplan_meier(std::span(subjects).first(1500));  // std::sort path
  ASSERT_EQ(a.steps.size(), b.steps.size());
  for (std::size_t i = 0; i < a.steps.size(); ++i) {
    EXPECT_EQ(a.steps[i].time, b.steps[i].time);
    EXPECT_EQ(a.steps[i].n_risk, b.steps[i].n_risk);
    EXPECT_EQ(a.steps[i].survival, b.steps[i].survival);
    if (i > 0) {
      EXPECT_LT(a.steps[i - 1].time, a.steps[i].time);
    }
  }
  for (std::size_t i = 1; i < c.steps.size(); ++i) {
    EXPECT_LT(c.steps[i - 1].time, c.steps[i].time);
  }
  EXPECT_EQ(a.steps.front().n_risk, 5000);
}

TEST(KaplanMeier, NegativeZeroIsTimeZero) {
  const std::vector<SurvivalSubject> subjects = {{0.0, true}, {-0.0, false}, {1.0, true}};
  const auto curve = kaplan_meier(subjects);
  ASSERT_EQ(curve.steps.size(), 2u);
  EXPECT_EQ(curve.steps[0].n_event, 1);
  EXPECT_EQ(curve.steps[0].n_censor, 1);
}

TEST(ConfidenceTypeNames, RoundTripRNames) {
  for (ConfidenceType type : {ConfidenceType::plain, ConfidenceType::log, ConfidenceType::log_log}) {
    EXPECT_EQ(parse_confidence_type(confidence_type_name(type)), type);
  }
  EXPECT_EQ(confidence_type_name(ConfidenceType::log_log), "log-log");
  EXPECT_FALSE(parse_confidence_type("logit").has_value());
}


TEST(SurvivalInput, RefusedWithFieldAndReason) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<SurvivalSubject> good = {{1, true}, {2, false}, {3, true}};
  crsguard::testing::expect_refused([] { kaplan_meier(std::vector<SurvivalSubject>{}); }, "no subjects");
  crsguard::testing::expect_refused([] { kaplan_meier(std::vector<SurvivalSubject>{{1, true}, {-1, false}}); }, "subjects[1].time");
  crsguard::testing::expect_refused([&] { kaplan_meier(std::vector<SurvivalSubject>{{nan, true}}); }, "subjects[0].time");
  crsguard::testing::expect_refused([&] { kaplan_meier(std::vector<SurvivalSubject>{{inf, true}}); }, "subjects[0].time");
  for (double level : {0.0, 1.0, -0.5, 1.5, nan}) {
    crsguard::testing::expect_refused([&] { kaplan_meier(good, ConfidenceType::log, level); }, "conf_level");
  }
  const auto curve = kaplan_meier(good);
  crsguard::testing::expect_refused([&] { survival_at(curve, nan); }, "time");
  crsguard::testing::expect_refused([&] { survival_at(curve, -1); }, "time");

  const std::vector<std::string> two = {"a", "b", "a"};
  crsguard::testing::expect_refused([&] { log_rank_test(good, std::vector<std::string>{"a", "b"}); }, "group_of");
  crsguard::testing::expect_refused([&] { log_rank_test(good, std::vector<std::string>{"a", "a", "a"}); }, "at least two");
  crsguard::testing::expect_refused([&] { log_rank_test(std::vector<SurvivalSubject>{}, std::vector<std::string>{}); }, "no subjects");
  crsguard::testing::expect_refused([&] { log_rank_test(std::vector<SurvivalSubject>{{1, true}, {-2, true}, {3, true}}, two); },
                 "subjects[1].time");
  // Every subject at risk has the event at the only event time: V = 0, which R's solve() refuses too.
  crsguard::testing::expect_refused([&] { log_rank_test(std::vector<SurvivalSubject>{{1, true}, {1, true}}, std::vector<std::string>{"a", "b"}); },
                 "singular");
}

TEST(LogRank, NoEventsIsNoTest) {
  // R: chisq 0 and pvalue NaN (df −1); crsguard reports df 0.
  const auto test = log_rank_test(std::vector<SurvivalSubject>{{1, false}, {2, false}, {3, false}, {4, false}},
                                  std::vector<std::string>{"a", "a", "b", "b"});
  EXPECT_EQ(test.chi_square, 0);
  EXPECT_EQ(test.degrees_of_freedom, 0);
  EXPECT_TRUE(std::isnan(test.p_value));
}

}  // namespace
}  // namespace crsguard
