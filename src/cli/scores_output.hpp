#pragma once
// Risk scores, hyperinflammation flags and CTCAE lab grades as text and JSON (docs/grading.md).
#include <nlohmann/json.hpp>

#include <string>

#include "core/rule_set.hpp"
#include "model/timeline.hpp"

namespace crsguard {

std::string scores_text(const Timeline& timeline, const RuleSet& rules);
nlohmann::json scores_json(const Timeline& timeline, const RuleSet& rules);

}  // namespace crsguard
