// The in-silico trial (sim/trial.hpp) on a small scenario (12 patients, 10 days): the same results on 1
// and 3 threads, the paired design (one patient draw for every arm), no ruxolitinib in the arm without it,
// bootstrap intervals that bracket their estimates, the overrides a virtual patient needs, progress.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>

#include "../cli/cli_run.hpp"
#include "io/protocol_yaml.hpp"
#include "sim/trial.hpp"
#include "sim_fixture.hpp"

namespace crsguard {
namespace {

// Ruxolitinib at grade ≥ 2, so that the arm gives it to some of a few patients.
const std::string& rux_at_grade_2_protocol() {
  static const std::string path = [] {
    static const testing::TempFolder folder("trial-protocol");
    std::string text = testing::read_file(testing::source_path("scenarios/protocols/pan2021-rux-early.yaml"));
    const std::string from = "      crs_grade_min: 3\n      not_given: [ruxolitinib]";
    text.replace(text.find(from), from.size(), "      crs_grade_min: 2\n      not_given: [ruxolitinib]");
    const auto file = folder.path() / "rux-grade-2.yaml";
    std::ofstream(file) << text;
    return file.string();
  }();
  return path;
}

Scenario small_scenario() {
  return read_scenario_yaml("format: crsguard.sim-scenario/1\nname: small\ntitle: small\ndays: 10\npatients: 12\nseed: 4\n"
                            "population:\n"
                            "  age_years: {distribution: uniform, min: 3, max: 18}\n"
                            "  weight_kg: {distribution: by_age, cv_percent: 15}\n"
                            "  height_cm: {distribution: by_age, cv_percent: 5}\n"
                            "  marrow_blasts_percent: {distribution: uniform, min: 5, max: 95}\n"
                            "  car_t_cells_per_kg: {distribution: log_uniform, min: 3.0e6, max: 1.0e7}\n"
                            "  female_fraction: 0.5\n"
                            "  parameters: {variability_scale: 1.5}\n"
                            "arms:\n"
                            "  - name: no-rux\n    protocol: pan2021-paediatric\n"
                            "    remove_steps: [ruxolitinib, ruxolitinib-once-daily, ruxolitinib-stop]\n"
                            "  - name: rux-grade-2\n    protocol: " + rux_at_grade_2_protocol() + "\n"
                            "  - name: rux-refractory\n    protocol: pan2021-paediatric\n",
                            "small.yaml");
}

const TrialResult& one_thread() {
  static const TrialResult r = [] {
    TrialOptions o;
    o.threads = 1;
    o.bootstrap_replicates = 200;
    o.timelines = 2;
    return run_trial(small_scenario(), testing::shipped_rules(), o);
  }();
  return r;
}

bool same(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

TEST(Trial, TheResultDoesNotDependOnTheThreadCount) {
  TrialOptions o;
  o.threads = 3;
  o.bootstrap_replicates = 200;
  o.timelines = 2;
  const TrialResult three = run_trial(small_scenario(), testing::shipped_rules(), o);
  const TrialResult& one = one_thread();
  ASSERT_EQ(three.patients.size(), one.patients.size());
  for (std::size_t i = 0; i < one.patients.size(); ++i) {
    for (std::size_t a = 0; a < one.arms.size(); ++a) {
      const CourseSummary& x = one.patients[i].arms[a].summary;
      const CourseSummary& y = three.patients[i].arms[a].summary;
      EXPECT_EQ(x.max_crs_grade, y.max_crs_grade);
      EXPECT_EQ(x.car_t_auc_per_ul_days, y.car_t_auc_per_ul_days);
      EXPECT_EQ(x.steroid_dexamethasone_equivalent_mg, y.steroid_dexamethasone_equivalent_mg);
      EXPECT_EQ(x.doses_given, y.doses_given);
    }
  }
  for (std::size_t a = 0; a < one.arms.size(); ++a) {
    for (std::size_t m = 0; m < kTrialMetrics; ++m) {
      EXPECT_TRUE(same(one.arms[a].metrics[m].low, three.arms[a].metrics[m].low));
      EXPECT_TRUE(same(one.arms[a].metrics[m].high, three.arms[a].metrics[m].high));
      EXPECT_TRUE(same(one.arms[a].difference_from_first[m].low, three.arms[a].difference_from_first[m].low));
    }
  }
  ASSERT_EQ(three.timelines.size(), 3u);
  EXPECT_FALSE(one.timelines[1][1].events.empty());
  EXPECT_TRUE(three.timelines[1][1].events == one.timelines[1][1].events);
}

TEST(Trial, NoRuxolitinibInTheArmWithoutItAndSomeInTheArmWithIt) {
  const TrialResult& r = one_thread();
  ASSERT_EQ(r.patients_analysed, r.patients.size());
  int given = 0;
  for (const auto& p : r.patients) {
    EXPECT_FALSE(p.arms[0].summary.first_ruxolitinib_day.has_value()) << p.patient.id;
    given += p.arms[1].summary.first_ruxolitinib_day ? 1 : 0;
  }
  EXPECT_GT(given, 0) << "no patient reached grade 2: the test scenario no longer exercises ruxolitinib";
  EXPECT_EQ(r.arms[0].metrics[static_cast<std::size_t>(TrialMetric::ruxolitinib_fraction)].value, 0);
  EXPECT_DOUBLE_EQ(r.arms[1].metrics[static_cast<std::size_t>(TrialMetric::ruxolitinib_fraction)].value,
                   given / static_cast<double>(r.patients.size()));
  for (const auto& record : r.timelines[0]) {
    for (const auto& event : record.events) {
    if (const auto* dose = event.as<Administration>()) {
      EXPECT_NE(dose->drug, "ruxolitinib");
    }
    }
  }
}

TEST(Trial, BootstrapIntervalsBracketTheEstimates) {
  const TrialResult& r = one_thread();
  EXPECT_EQ(r.bootstrap_replicates, 200);
  int checked = 0;
  for (const auto& arm : r.arms) {
    for (std::size_t m = 0; m < kTrialMetrics; ++m) {
      const Estimate& e = arm.metrics[m];
      if (std::isnan(e.value)) continue;
      EXPECT_LE(e.low, e.value) << arm.name << " " << metric_name(static_cast<TrialMetric>(m));
      EXPECT_GE(e.high, e.value) << arm.name << " " << metric_name(static_cast<TrialMetric>(m));
      ++checked;
    }
  }
  EXPECT_GT(checked, 12);
  // The first arm against itself is no comparison; the others have paired differences.
  EXPECT_TRUE(std::isnan(r.arms[0].difference_from_first[0].value));
  const Estimate& d = r.arms[1].difference_from_first[static_cast<std::size_t>(TrialMetric::ruxolitinib_fraction)];
  EXPECT_GT(d.value, 0);
  EXPECT_LE(d.low, d.value);
  EXPECT_GE(d.high, d.value);
}

TEST(Trial, PercentileInterval) {
  std::vector<double> v;
  for (int i = 0; i <= 100; ++i) v.push_back(i);
  v.push_back(std::nan(""));
  const auto [low, high] = percentile_interval(v);
  EXPECT_NEAR(low, 2.5, 1e-12);
  EXPECT_NEAR(high, 97.5, 1e-12);
}

TEST(Trial, OverridesForWhatAVirtualPatientCannotConfirm) {
  const Overrides o = virtual_patient_overrides(load_protocol("pan2021-paediatric"));
  ASSERT_EQ(o.count("ruxolitinib-haemorrhage"), 1u);
  EXPECT_FALSE(o.at("ruxolitinib-haemorrhage").empty());
  EXPECT_EQ(o.count("tocilizumab-limits"), 0u);  // dose limits are answered by the record
}

TEST(Trial, ProgressCountsEveryPatient) {
  Scenario s = small_scenario();
  s.patients = 3;
  s.days = 2;
  std::vector<std::size_t> seen;
  TrialOptions o;
  o.threads = 2;
  o.bootstrap_replicates = 10;
  o.progress = [&](std::size_t done, std::size_t total) {
    EXPECT_EQ(total, 3u);
    seen.push_back(done);
  };
  run_trial(s, testing::shipped_rules(), o);
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (std::vector<std::size_t>{1, 2, 3}));
}

}  // namespace
}  // namespace crsguard
