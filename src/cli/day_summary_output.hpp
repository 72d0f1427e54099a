#pragma once
// The day-summary table as people read it on a ward round, and as JSON for programs.
#include <nlohmann/json.hpp>

#include <string>

#include "model/timeline.hpp"

namespace crsguard {

std::string day_summary_table(const Timeline& timeline);
nlohmann::json day_summary_json(const Timeline& timeline);
// "zi2021-case (male, 20 y): CD19/CD22 bispecific CAR-T [CD19, CD22], 44 events, days -4 to 28"
std::string timeline_headline(const Timeline& timeline);

}  // namespace crsguard
