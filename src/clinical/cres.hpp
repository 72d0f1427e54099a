#pragma once
// CAR-T-cell-related encephalopathy syndrome (CRES) grading of the CARTOX group (Neelapu 2018),
// the neurotoxicity scale that ASTCT ICANS replaced, at each neurological assessment and per
// study day (../shared/spec/clinical.md §3). Rules and sources: cres.cpp; parameters:
// rules/other-scales.json.
//
// A Timeline records ICE items, not CARTOX-10 items. CARTOX-10 = the ICE items without "follows
// commands" plus "names the president / prime minister", which is never recorded; so CARTOX-10 is
// known only as the range [ICE − commands, ICE − commands + 1], and graded only when both ends
// fall in the same CRES band.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "clinical/crs_other_scales.hpp"
#include "clinical/grade.hpp"
#include "core/rule_set.hpp"
#include "model/events.hpp"
#include "model/timeline.hpp"

namespace crsguard {

struct CresRules {
  int cartox10_max_points = 0;   // no encephalopathy
  int grade1_min_points = 0;     // 7–9: grade 1
  int grade2_min_points = 0;     // 3–6: grade 2; below: grade 3
  double cartox10_min_age_years = 0;
  double status_epilepticus_min_minutes = 0;
  double csf_opening_pressure_grade4_min_mmhg = 0;

  static CresRules from(const RuleSet& rules);
};

// The CARTOX-10 score an ICE assessment allows: nullopt when only the ICE total was recorded
// (the "commands" item cannot then be taken out).
struct Cartox10Range {
  int low = 0;
  int high = 0;
};
std::optional<Cartox10Range> cartox10_from_ice(const IceScore& ice);

// The CRES grade of a CARTOX-10 score (0: no encephalopathy).
int cres_grade_of_cartox10(int points, const CresRules& rules);

struct CresAssessmentGrade {
  std::int64_t t = 0;
  std::size_t event_index = 0;
  std::optional<int> cartox10_low, cartox10_high;
  GradeResult result;
};

// One grade per neurological assessment from the infusion on, in time order.
std::vector<CresAssessmentGrade> grade_cres_assessments(const Timeline& timeline, const RuleSet& rules);

// The most severe assessment of each study day from first_day to last_day; a day without an
// assessment is not assessable (missing "neuro_assessment").
std::vector<ScaleDayGrade> cres_by_day(const Timeline& timeline, std::span<const CresAssessmentGrade> grades,
                                       int first_day, int last_day);

}  // namespace crsguard
