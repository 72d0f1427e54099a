#pragma once
// Text and JSON of the platelet transfusion response (analysis/platelets.hpp; docs/platelets.md):
// one row per transfusion with its counts, CCI, PPR and result, then the summary before and after
// the first dose of the chosen drug. Both state the definitions and the thresholds used.
#include <nlohmann/json.hpp>

#include <string>

#include "analysis/platelets.hpp"

namespace crsguard {

std::string platelets_text(const PatientPlateletResponse& patient, const PlateletRules& rules);
std::string platelets_text(const CohortPlateletResponse& cohort, const PlateletRules& rules);

// Keys sorted (nlohmann::json objects are ordered maps); every number's key or "units" names its unit.
nlohmann::json platelets_json(const PatientPlateletResponse& patient, const PlateletRules& rules);
nlohmann::json platelets_json(const CohortPlateletResponse& cohort, const PlateletRules& rules);

}  // namespace crsguard
