#include "clinical/course_grades.hpp"

#include <algorithm>
#include <iterator>

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

const CourseGrades& CourseGrader::update(const Timeline& timeline) {
  const int from_start_before = crs_.graded_from_start();
  crs_.update(timeline, grades_.crs);
  const auto& events = timeline.events();
  // ICANS is graded per assessment, from that assessment alone (death from ICANS comes with an outcome),
  // and from the start whenever CRS was: the record is not the one last extended.
  const bool appended = crs_.graded_from_start() == from_start_before;
  if (!appended) {
    grades_.icans = grade_icans_assessments(timeline, rules_.icans);
    grades_.icans_days.clear();
  }
  std::optional<int> first_new_day;
  if (appended) {
    for (std::size_t i = events_seen_; i < events.size(); ++i) {
      if (events[i].kind() != EventKind::neuro || events[i].time.seconds_since_infusion < 0) continue;
      grades_.icans.push_back(grade_icans_assessment(timeline, rules_.icans, i));
      if (!first_new_day) first_new_day = timeline.study_day(events[i].time);
    }
  }
  events_seen_ = events.size();
  if (grades_.crs.days.empty()) {
    grades_.icans_days.clear();
    return grades_;
  }
  // Days before the first new assessment stand, except the last one kept: the record may have grown into it.
  const int first_day = grades_.crs.days.front().day;
  const int last_day = grades_.crs.days.back().day;
  int from_day = first_new_day.value_or(last_day);
  if (!grades_.icans_days.empty()) from_day = std::min(from_day, grades_.icans_days.back().day);
  from_day = std::max(from_day, first_day);
  if (grades_.icans_days.empty()) from_day = first_day;
  std::erase_if(grades_.icans_days, [&](const IcansDayGrade& day) { return day.day >= from_day; });
  auto rebuilt = icans_by_day(timeline, grades_.icans, from_day, last_day);
  grades_.icans_days.insert(grades_.icans_days.end(), std::make_move_iterator(rebuilt.begin()),
                            std::make_move_iterator(rebuilt.end()));
  return grades_;
}

}  // namespace crsguard
