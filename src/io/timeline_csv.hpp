#pragma once
// The CSV long format (docs/timeline-format.md, "CSV long format"): one event per row,
// any number of patients per file. Rows are assembled into the JSON structure of a
// timeline and checked by the same decoder, so CSV and JSON accept the same content;
// problems are reported with the CSV line and column.
#include <string>
#include <string_view>
#include <vector>

#include "model/timeline.hpp"

namespace crsguard {

// Throws InputError listing every problem.
std::vector<Timeline> read_timelines_csv(std::string_view text, const std::string& file);

}  // namespace crsguard
