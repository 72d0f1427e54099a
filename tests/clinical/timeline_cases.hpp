#pragma once
// Shared by the clinical tests: the shipped rules, a copy with one value changed, and test
// timelines built from a list of events in the timeline format (docs/timeline-format.md), so
// grading tests read like the guideline tables they check.
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "core/rule_set.hpp"
#include "io/rules_json.hpp"
#include "io/timeline_json.hpp"
#include "model/timeline.hpp"

namespace crsguard::testing {

inline const RuleSet& shipped_rules() {
  static const RuleSet rules = load_rules();
  return rules;
}

// The shipped rules with one parameter changed, as a site's override would.
inline RuleSet rules_with(std::string_view key, double value) {
  RuleSet rules = shipped_rules();
  EXPECT_TRUE(rules.set_value(key, value, "test", "test")) << key;
  return rules;
}

// A patient of the given age (negative: not known) infused on day 0 (at `infusion_clock` when given), followed to day 28 (or to death when given as
// {"time": ..., "cause": ...}).
inline Timeline timeline_of(const nlohmann::json& events, double age_years,
                            const nlohmann::json& death = nullptr, const std::string& infusion_clock = {}) {
  nlohmann::json document{
      {"format", "crsguard.timeline/1"},
      {"patient", {{"id", "case"}, {"sex", "female"}, {"age", {{"value", age_years}, {"unit", "a"}}}}},
      {"infusion", {{"product", "test CAR-T"}, {"targets", {"CD19"}}, {"time", {{"day", 0}}}}},
      {"events", events}};
  if (!infusion_clock.empty()) document["infusion"]["time"]["clock"] = infusion_clock;
  if (age_years < 0) document["patient"].erase("age");
  if (death.is_null()) {
    document["outcome"] = {{"last_followup", {{"day", 28}}}, {"vital_status", "alive"}};
  } else {
    document["outcome"] = {{"last_followup", death["time"]}, {"vital_status", "dead"}, {"death", death}};
  }
  auto timelines = read_timelines_json(document.dump(), "test case");
  return std::move(timelines.front());
}

}  // namespace crsguard::testing
