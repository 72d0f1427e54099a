#pragma once
// The grading engine's results as people read them (text) and as programs read them (JSON;
// keys documented in docs/grading.md).
#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "clinical/course_grades.hpp"
#include "clinical/crs_other_scales.hpp"
#include "clinical/grade.hpp"
#include "core/rule_set.hpp"
#include "model/timeline.hpp"

namespace crsguard {

enum class GradeGranularity { day, event };

struct GradedPatient {
  const Timeline* timeline;
  CourseGrades grades;
};

// "2", "≥1" (lower bound: an input that could raise it was not recorded), "n/a" (not assessable).
std::string grade_cell(const GradeResult& result);

// {day, clock, hours_since_infusion}; clock left out for a time recorded by day only (`form`, or
// when not given, the form of the events at that time).
nlohmann::json time_json(const Timeline& timeline, std::int64_t seconds_since_infusion,
                         std::optional<TimeForm> form = std::nullopt);
// {item, time, value, comparator, unit, detail, event}: one fact behind a result.
nlohmann::json evidence_json(const Timeline& timeline, const Evidence& evidence);
nlohmann::json grade_result_json(const Timeline& timeline, const GradeResult& result);

std::string grades_text(const GradedPatient& patient, const GradingRules& rules, GradeGranularity granularity);
nlohmann::json grades_json(const GradedPatient& patient, const GradingRules& rules, GradeGranularity granularity);

std::string episodes_text(const GradedPatient& patient, const GradingRules& rules);
nlohmann::json episodes_json(const GradedPatient& patient, const GradingRules& rules);

// One row per patient: computed maximum CRS and ICANS grades, onset, duration, and the grades the
// source reported, side by side.
std::string cohort_grades_text(const std::vector<GradedPatient>& patients);
nlohmann::json cohort_grades_json(const std::vector<GradedPatient>& patients, const GradingRules& rules);

// Older CRS scales (Lee 2014, Penn, MSKCC, CARTOX; with CARTOX also CARTOX-10/CRES) per study day,
// for comparing with publications that used them. One scale: its rationale row by row; several:
// a side-by-side table of grades with ASTCT 2019.
std::string scales_text(const GradedPatient& patient, std::span<const CrsScale> scales, const RuleSet& rules);
nlohmann::json scales_json(const GradedPatient& patient, std::span<const CrsScale> scales, const RuleSet& rules);
// One row per patient: the maximum grade of ASTCT 2019 and each scale.
std::string cohort_scales_text(const std::vector<GradedPatient>& patients, std::span<const CrsScale> scales,
                               const RuleSet& rules);
nlohmann::json cohort_scales_json(const std::vector<GradedPatient>& patients, std::span<const CrsScale> scales,
                                  const RuleSet& rules);

// The rule parameters changed by a site's override file, for the record of what was applied.
nlohmann::json rule_overrides_json(const RuleSet& rules);
// Every rule parameter: key, value, unit, status, source (and the file it came from).
std::string rule_parameters_text(const RuleSet& rules);
nlohmann::json rule_parameters_json(const RuleSet& rules);

}  // namespace crsguard
