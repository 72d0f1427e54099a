#pragma once
// Text and JSON of a cohort's survival analysis (crsguard survival, and the report's tables).
#include <nlohmann/json.hpp>

#include <string>

#include "analysis/cohort_survival.hpp"

namespace crsguard {

std::string survival_text(const CohortSurvival& survival);
nlohmann::json survival_json(const CohortSurvival& survival);

}  // namespace crsguard
