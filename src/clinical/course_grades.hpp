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

// The grades of a record that grows (Timeline::append), kept up to date at the cost of what was
// added: CRS through CrsCourseGrader, ICANS by grading each new assessment and the days from the
// first one touched. grades() equals grade_course(timeline, rules) after every update; a record that
// is not the last one extended (as CrsCourseGrader tells it) is graded from the start.
class CourseGrader {
 public:
  explicit CourseGrader(const GradingRules& rules) : rules_(rules), crs_(rules.crs) {}
  const CourseGrades& update(const Timeline& timeline);
  [[nodiscard]] const CourseGrades& grades() const { return grades_; }
  [[nodiscard]] int graded_from_start() const { return crs_.graded_from_start(); }

 private:
  GradingRules rules_;
  CrsCourseGrader crs_;
  CourseGrades grades_;
  std::size_t events_seen_ = 0;
};

}  // namespace crsguard
