// The scenario file (sim/scenario.hpp): the shipped rux-timing scenario and its arms' variations, the
// shipped protocol variant read by the ordinary protocol reader, and the problems a scenario must report
// with file, line and reason (an unknown key, an unknown step in an arm, a bad distribution).
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "../cli/cli_run.hpp"
#include "core/problem.hpp"
#include "io/protocol_yaml.hpp"
#include "sim/scenario.hpp"

namespace crsguard {
namespace {

const ProtocolStep* step(const Protocol& p, const std::string& id) {
  const auto it = std::find_if(p.steps.begin(), p.steps.end(), [&](const ProtocolStep& s) { return s.id == id; });
  return it == p.steps.end() ? nullptr : &*it;
}

std::string minimal(const std::string& arms, const std::string& extra = "", const std::string& age = "{distribution: uniform, min: 3, max: 18}") {
  return "format: crsguard.sim-scenario/1\n"        // line 1
         "name: test\n"                              // 2
         "title: A test scenario\n"                  // 3
         "days: 10\n"                                // 4
         "patients: 5\n"                             // 5
         "seed: 1\n"                                 // 6
         "population:\n"                             // 7
         "  age_years: " + age + "\n"                // 8
         "  weight_kg: {distribution: by_age, cv_percent: 15}\n"  // 9
         "  height_cm: {distribution: by_age, cv_percent: 5}\n"   // 10
         "  marrow_blasts_percent: 50\n"             // 11
         "  car_t_cells_per_kg: 3.0e6\n"             // 12
         "  female_fraction: 0.5\n"                  // 13
         + extra +
         "arms:\n" + arms;
}

std::string problems_of(const std::string& text) {
  try {
    read_scenario_yaml(text, "test.yaml");
  } catch (const InputError& error) {
    std::string out;
    for (const auto& line : error.lines()) out += line + "\n";
    return out;
  }
  return "";
}

TEST(Scenario, TheShippedRuxTimingScenario) {
  const Scenario s = load_scenario("rux-timing");
  EXPECT_EQ(s.name, "rux-timing");
  ASSERT_GE(s.arms.size(), 4u);
  EXPECT_EQ(s.days, 28);
  const Protocol& none = s.arms[0].protocol;
  EXPECT_EQ(none.name, "pan2021-paediatric");
  for (const char* id : {"ruxolitinib", "ruxolitinib-once-daily", "ruxolitinib-stop"}) EXPECT_EQ(step(none, id), nullptr) << id;
  EXPECT_NE(step(none, "tocilizumab"), nullptr);
  ASSERT_NE(step(s.arms[1].protocol, "ruxolitinib"), nullptr);
  EXPECT_TRUE(step(s.arms[1].protocol, "ruxolitinib")->when.steroid_refractory.value_or(false));
  const ProtocolStep* early = step(s.arms[2].protocol, "ruxolitinib");
  ASSERT_NE(early, nullptr);
  EXPECT_EQ(early->when.crs_grade_min, 3);
  EXPECT_FALSE(early->when.steroid_refractory.has_value());
  const ProtocolStep* high = step(s.arms[3].protocol, "ruxolitinib");
  ASSERT_NE(high, nullptr);
  EXPECT_EQ(high->schedule.front().dose.basis, DoseRule::Basis::mg);
  EXPECT_EQ(high->schedule.front().dose.amount, 10);
  // The same file from disk, by path, gives the same arms.
  const Scenario from_disk = load_scenario(testing::source_path("scenarios/rux-timing.yaml").string());
  EXPECT_EQ(from_disk.arms.size(), s.arms.size());
  EXPECT_EQ(from_disk.arms[2].protocol.name, "pan2021-rux-early");
}

TEST(Scenario, TheProtocolVariantPassesTheProtocolReader) {
  const std::string path = testing::source_path("scenarios/protocols/pan2021-rux-early.yaml").string();
  const Protocol p = read_protocol_yaml(testing::read_file(path), path);
  EXPECT_EQ(p.name, "pan2021-rux-early");
}

TEST(Scenario, StepForDaysAndMgPerKgDose) {
  const Scenario s = read_scenario_yaml(minimal("  - name: a\n    protocol: pan2021-paediatric\n"
                                                "    step_for_days: {ruxolitinib: 8}\n"
                                                "    step_dose: {tocilizumab: {mg_per_kg: 12}}\n"),
                                        "test.yaml");
  ASSERT_EQ(s.arms.size(), 1u);
  EXPECT_EQ(step(s.arms[0].protocol, "ruxolitinib")->schedule.front().for_days, 8);
  EXPECT_EQ(step(s.arms[0].protocol, "tocilizumab")->schedule.front().dose.basis, DoseRule::Basis::mg_per_kg);
  EXPECT_EQ(step(s.arms[0].protocol, "tocilizumab")->schedule.front().dose.amount, 12);
  EXPECT_EQ(s.arms[0].variations.size(), 2u);
}

TEST(Scenario, AnUnknownKeyIsReportedWithItsLine) {
  const std::string problems = problems_of(minimal("  - name: a\n    protocol: pan2021-paediatric\n", "  shoe_size: 3\n"));
  EXPECT_NE(problems.find("test.yaml: line 14"), std::string::npos) << problems;
  EXPECT_NE(problems.find("unknown key \"shoe_size\""), std::string::npos) << problems;
}

TEST(Scenario, AnUnknownStepInAnArmIsAnError) {
  const std::string problems =
      problems_of(minimal("  - name: a\n    protocol: pan2021-paediatric\n    remove_steps: [ruxolitinib, rux-typo]\n"
                          "  - name: b\n    protocol: pan2021-paediatric\n    step_dose:\n      nothing-here: {mg: 10}\n"));
  EXPECT_NE(problems.find("line 17"), std::string::npos) << problems;
  EXPECT_NE(problems.find("no step \"rux-typo\""), std::string::npos) << problems;
  EXPECT_NE(problems.find("line 21"), std::string::npos) << problems;
  EXPECT_NE(problems.find("no step \"nothing-here\""), std::string::npos) << problems;
}

TEST(Scenario, ABadDistributionIsReportedWithItsLine) {
  const std::string problems =
      problems_of(minimal("  - name: a\n    protocol: pan2021-paediatric\n", "", "{distribution: gamma, shape: 2}"));
  EXPECT_NE(problems.find("line 8"), std::string::npos) << problems;
  EXPECT_NE(problems.find("unknown distribution \"gamma\""), std::string::npos) << problems;
  const std::string reversed =
      problems_of(minimal("  - name: a\n    protocol: pan2021-paediatric\n", "", "{distribution: uniform, min: 18, max: 3}"));
  EXPECT_NE(reversed.find("line 8"), std::string::npos) << reversed;
  EXPECT_NE(reversed.find("min below max"), std::string::npos) << reversed;
}

TEST(Scenario, BadArmsAndUnknownProtocols) {
  const std::string problems = problems_of(minimal("  - name: A arm\n    protocol: pan2021-paediatric\n"
                                                   "  - name: b\n    protocol: no-such-protocol\n"
                                                   "  - name: b\n    protocol: pan2021-paediatric\n"));
  EXPECT_NE(problems.find("not a valid arm name"), std::string::npos) << problems;
  EXPECT_NE(problems.find("unknown protocol \"no-such-protocol\""), std::string::npos) << problems;
  EXPECT_NE(problems.find("used twice"), std::string::npos) << problems;
  EXPECT_NE(problems_of(minimal("")).find("arms"), std::string::npos);
}

}  // namespace
}  // namespace crsguard
