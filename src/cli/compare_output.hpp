#pragma once
// Text and JSON of a group comparison (crsguard compare, and the report).
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "analysis/cohort_compare.hpp"

namespace crsguard {

std::string comparison_text(const CohortComparison& comparison);
nlohmann::json comparison_json(const CohortComparison& comparison);
// "Fisher's Exact Test for Count Data: p = 0.02747, odds ratio Inf (95 % CI 1.0536–Inf)"
// "severe CRS by prior allogeneic HCT", or "A versus B in the same patients" (paired).
std::string comparison_heading(const CohortComparison& comparison);
// Category tests: one row per group, its level then the count at each value level.
std::vector<std::vector<std::string>> contingency_rows(const CohortComparison& comparison);
std::string test_result_line(const TestResult& result, double conf_level);

}  // namespace crsguard
