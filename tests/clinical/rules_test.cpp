// The rules files: the shipped ones load, every engine finds its parameters, values marked
// unconfirmed in the spec are marked so in the data, and bad rule files are refused with the
// file, pointer and reason.
#include <gtest/gtest.h>

#include "clinical/course_grades.hpp"
#include "core/problem.hpp"
#include "io/rules_json.hpp"

namespace crsguard {
namespace {

std::string first_problem(const std::function<void()>& action) {
  try {
    action();
  } catch (const InputError& error) {
    return error.problems().front().to_string();
  }
  return "no error";
}

TEST(ShippedRules, LoadAndCarrySourceAndStatus) {
  const RuleSet rules = load_rules();
  ASSERT_FALSE(rules.empty());
  for (const RuleParameter& parameter : rules.parameters()) {
    EXPECT_FALSE(parameter.source.empty()) << parameter.key;
    EXPECT_FALSE(parameter.unit.empty()) << parameter.key;
    EXPECT_NE(parameter.status, SourceStatus::local_choice) << parameter.key;
  }
  EXPECT_NO_THROW(GradingRules::from(rules));
}

TEST(ShippedRules, OperationalDefinitionsAreMarkedUnconfirmed) {
  const RuleSet rules = load_rules();
  EXPECT_EQ(rules.get("astct.crs.fever_min_celsius").status, SourceStatus::confirmed);
  EXPECT_EQ(rules.get("astct.crs.resolution.window_hours").status, SourceStatus::unconfirmed);
  EXPECT_EQ(rules.get("astct.crs.vasopressin_alone_grade").status, SourceStatus::unconfirmed);
  EXPECT_EQ(rules.get("astct.crs.hypotension.adult_sbp_below_mmhg").status, SourceStatus::secondary);
}

TEST(RulesFiles, BadFilesNameTheFilePointerAndReason) {
  RuleSet rules;
  EXPECT_EQ(first_problem([&] {
              read_rules_json(R"({"format": "crsguard.rules/1", "title": "t", "parameters": {
                "a.b": {"value": 1, "unit": "h", "status": "confirmed"}}})", "site.json", rules);
            }),
            "site.json: at /parameters/a.b/source, field \"source\": required field is missing");
  EXPECT_EQ(first_problem([&] {
              read_rules_json(R"({"format": "crsguard.rules/1", "title": "t", "parameters": {
                "A b": {"value": 1, "unit": "h", "source": "x", "status": "confirmed"}}})", "site.json", rules);
            }),
            "site.json: at /parameters/A b, field \"A b\": a parameter key is lower-case words joined by '.' and '_'");
  EXPECT_NE(first_problem([&] {
              read_rules_json(R"({"format": "crsguard.rules/1", "title": "t", "parameters": {
                "a.b": {"value": 1, "unit": "h", "source": "x", "status": "maybe"}}})", "site.json", rules);
            }).find("unknown source status \"maybe\""), std::string::npos);
  EXPECT_TRUE(rules.empty());
}

TEST(RulesFiles, AKeyDefinedTwiceAcrossFilesIsRefused) {
  RuleSet rules;
  const std::string text = R"({"format": "crsguard.rules/1", "title": "t", "parameters": {
    "a.b": {"value": 1, "unit": "h", "source": "x", "status": "confirmed"}}})";
  read_rules_json(text, "one.json", rules);
  EXPECT_EQ(first_problem([&] { read_rules_json(text, "two.json", rules); }),
            "two.json: at /parameters/a.b, field \"a.b\": parameter \"a.b\" is defined twice (first in one.json)");
}

TEST(RuleOverrides, ReplaceValuesKeepUnitsAndRecordTheSource) {
  RuleSet rules = load_rules();
  apply_rule_overrides_json(R"({"format": "crsguard.rule-overrides/1", "parameters": {
    "astct.crs.resolution.window_hours": {"value": 48, "unit": "h", "source": "unit SOP 12"}}})",
                            "site.json", rules);
  const RuleParameter& window = rules.get("astct.crs.resolution.window_hours");
  EXPECT_EQ(window.value, 48);
  EXPECT_EQ(window.status, SourceStatus::local_choice);
  EXPECT_EQ(window.source, "unit SOP 12");
  EXPECT_EQ(GradingRules::from(rules).crs.resolution_window_s, 48 * 3600);
}

TEST(RuleOverrides, AWrongUnitOrUnknownKeyChangesNothing) {
  RuleSet rules = load_rules();
  EXPECT_EQ(first_problem([&] {
              apply_rule_overrides_json(R"({"format": "crsguard.rule-overrides/1", "parameters": {
                "astct.crs.resolution.window_hours": {"value": 2, "unit": "d", "source": "SOP"},
                "astct.crs.fever_min_celsius": {"value": 100.4, "unit": "[degF]", "source": "SOP"}}})",
                                        "site.json", rules);
            }),
            "site.json: at /parameters/astct.crs.fever_min_celsius/unit, field \"unit\": "
            "\"astct.crs.fever_min_celsius\" is kept in \"Cel\", not \"[degF]\"");
  EXPECT_EQ(rules.get("astct.crs.resolution.window_hours").value, 24);  // all or nothing
  EXPECT_NE(first_problem([&] {
              apply_rule_overrides_json(R"({"format": "crsguard.rule-overrides/1", "parameters": {
                "astct.crs.fever_threshold": {"value": 38, "unit": "Cel", "source": "SOP"}}})",
                                        "site.json", rules);
            }).find("unknown rule parameter \"astct.crs.fever_threshold\""), std::string::npos);
}

TEST(RuleOverrides, ASwitchTakesOnlyTrueOrFalse) {
  RuleSet rules = load_rules();
  EXPECT_NE(first_problem([&] {
              apply_rule_overrides_json(R"({"format": "crsguard.rule-overrides/1", "parameters": {
                "astct.crs.masking.enabled": {"value": 2, "unit": "boolean", "source": "SOP"}}})",
                                        "site.json", rules);
            }).find("expected true or false"), std::string::npos);
}

}  // namespace
}  // namespace crsguard
