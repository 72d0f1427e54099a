#pragma once
// Text and JSON of a cohort summary (crsguard cohort, and the report's tables).
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "analysis/cohort_summary.hpp"

namespace crsguard {

std::string cohort_summary_text(const CohortSummary& summary);
nlohmann::json cohort_summary_json(const CohortSummary& summary);

// Rows shared by the text, JSON and HTML outputs.
std::vector<std::vector<std::string>> baseline_rows(const CohortSummary& summary);      // characteristic, value, missing
std::vector<std::vector<std::string>> grade_distribution_rows(const GradeDistribution& distribution);  // grade, patients
std::string response_rate_text(const ResponseRate& rate, double conf_level);

}  // namespace crsguard
