#pragma once
// Timeline JSON files (docs/timeline-format.md): strict reading, canonical writing.
#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "model/timeline.hpp"

namespace crsguard {

// Reads a file holding one timeline, or a cohort ("crsguard.cohort/1") of several.
// Throws InputError listing every problem (up to the per-file limit).
std::vector<Timeline> read_timelines_json(std::string_view text, const std::string& file);

// The canonical JSON of a timeline: sorted keys, canonical units, shortest numbers.
nlohmann::json encode_timeline(const Timeline& timeline);
// encode_timeline dumped with two-space indentation and a final newline.
std::string write_timeline_json(const Timeline& timeline);

// A number as the canonical form writes it: whole numbers below 2^53 as integers.
nlohmann::json canonical_number(double value);

}  // namespace crsguard
