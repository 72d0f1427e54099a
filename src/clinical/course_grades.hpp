#pragma once
// Everything the ASTCT grading engine says about one patient's course, computed once:
// CRS moments, days and episodes; ICANS per assessment and per day (the same days as CRS).
#include <optional>
#include <vector>

#include "clinical/crs_astct.hpp"
#include "clinical/icans.hpp"
#include "core/rule_set.hpp"
#include "model/timeline.hpp"

namespace crsguard {

struct GradingRules {
  CrsRules crs;
  IcansRules icans;
  static GradingRules from(const RuleSet& rules) { return {CrsRules::from(rules), IcansRules::from(rules)}; }
};

struct CourseGrades {
  CrsCourse crs;
  std::vector<IcansAssessmentGrade> icans;
  std::vector<IcansDayGrade> icans_days;  // aligned with crs.days

  // Maximum over the course; nullopt when no day could be graded.
  [[nodiscard]] std::optional<int> max_crs_grade() const;
  [[nodiscard]] std::optional<int> max_icans_grade() const;
};

CourseGrades grade_course(const Timeline& timeline, const GradingRules& rules);

}  // namespace crsguard
