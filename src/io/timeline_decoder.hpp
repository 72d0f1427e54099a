#pragma once
// Decodes a timeline JSON document (docs/timeline-format.md) into a TimelineRecord,
// logging every problem with its JSON pointer. Shared by the JSON and CSV readers so that
// both formats accept exactly the same content.
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "core/problem.hpp"
#include "model/timeline.hpp"

namespace crsguard {

inline constexpr std::string_view kTimelineFormat = "crsguard.timeline/1";
inline constexpr std::string_view kCohortFormat = "crsguard.cohort/1";

// `pointer` is where the timeline object sits in its document ("" for a whole file).
// The record is complete only when no problem was logged.
TimelineRecord decode_timeline(const nlohmann::json& document, const std::string& pointer, ProblemLog& log);

}  // namespace crsguard
