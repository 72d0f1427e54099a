#pragma once
// Shared by the clinical tests: the shipped rules, a copy with one value changed, and test
// timelines built from a list of events in the timeline format (docs/timeline-format.md), so
// grading tests read like the guideline tables they check.
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "clinical/grade.hpp"
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

// Compares a grade with a case's "expect" object of the grading data files: grade (null: not
// assessable), assessment, rule ids in order and missing inputs (each when given), review-flag count.
inline void expect_result_matches(const GradeResult& result, const nlohmann::json& expect) {
  if (expect["grade"].is_null()) {
    EXPECT_FALSE(result.grade.has_value());
  } else {
    EXPECT_EQ(result.grade, expect["grade"].get<int>());
  }
  EXPECT_EQ(to_name(result.assessment), expect["assessment"].get<std::string>());
  if (expect.contains("rules")) {
    std::vector<std::string> ids;
    for (const Reason& reason : result.reasons) ids.emplace_back(reason.rule.id);
    EXPECT_EQ(ids, expect["rules"].get<std::vector<std::string>>());
  }
  if (expect.contains("missing")) {
    EXPECT_EQ(result.missing, expect["missing"].get<std::vector<std::string>>());
  }
  EXPECT_EQ(result.review.size(), expect["review_flags"].get<std::size_t>());
}

}  // namespace crsguard::testing
