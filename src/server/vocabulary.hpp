#pragma once
// What the dashboard's entry forms offer (GET /api/v1/vocabulary): the observation codes with the units
// the file reader accepts for each, the drugs with the dose units their plausible ranges use, the
// vasopressors, oxygen devices, routes and indications. Read from the same tables the reader checks
// against, so that a form never offers what the server would refuse.
#include <nlohmann/json.hpp>

namespace crsguard {

nlohmann::json vocabulary_json();

}  // namespace crsguard
