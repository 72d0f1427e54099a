#include "clinical/course_grades.hpp"

#include <algorithm>

namespace crsguard {

std::optional<int> CourseGrades::max_crs_grade() const {
  std::optional<int> best;
  for (const CrsDayGrade& day : crs.days) {
    if (day.worst.grade >= 0) best = std::max(best.value_or(0), day.worst.grade);
  }
  return best;
}

std::optional<int> CourseGrades::max_icans_grade() const {
  std::optional<int> best;
  for (const IcansAssessmentGrade& grade : icans) {
    if (grade.result.grade) best = std::max(best.value_or(0), *grade.result.grade);
  }
  return best;
}

CourseGrades grade_course(const Timeline& timeline, const GradingRules& rules) {
  CourseGrades out;
  out.crs = grade_crs_course(timeline, rules.crs);
  out.icans = grade_icans_assessments(timeline, rules.icans);
  if (!out.crs.days.empty()) {
    out.icans_days = icans_by_day(timeline, out.icans, out.crs.days.front().day, out.crs.days.back().day);
  }
  return out;
}

}  // namespace crsguard
