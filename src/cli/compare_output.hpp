#pragma once
// Text and JSON of a group comparison (crsguard compare, and the report).
#include <nlohmann/json.hpp>

#include <string>

#include "analysis/cohort_compare.hpp"

namespace crsguard {

std::string comparison_text(const CohortComparison& comparison);
nlohmann::json comparison_json(const CohortComparison& comparison);
// "Fisher's Exact Test for Count Data: p = 0.02747, odds ratio Inf (95 % CI 1.0536–Inf)"
std::string test_result_line(const TestResult& result, double conf_level);

}  // namespace crsguard
