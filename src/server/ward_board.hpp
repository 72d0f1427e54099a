#pragma once
// What the ward board shows of one patient (docs/api.md, "The state at a glance"): the current CRS and
// ICANS grades with their trend over the last 24 hours, the course maxima, the last observation, and the
// alerts a nurse or physician must not miss. Each alert is read from the grading engine or from the
// protocol engine's advice, never worked out a second time here.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>

#include "clinical/course_grades.hpp"
#include "clinical/protocol_engine.hpp"
#include "model/timeline.hpp"

namespace crsguard {

// "What changed" on the board is over one day: a grade against the one a full nursing day (three
// shifts) before. A choice of this project, not a clinical rule; docs/api.md says so.
inline constexpr std::int64_t kTrendWindowSeconds = 24 * 3600;

// A grade now against the grade kTrendWindowSeconds before.
struct GradeChange {
  std::optional<int> now;
  bool now_lower_bound = false;  // `now` is "≥": an input that could raise it was not recorded
  std::optional<int> before;     // nullopt: nothing assessable that long before
  std::int64_t at = 0;           // when `now` was assessed
};

GradeChange crs_change(const CourseGrades& grades);
GradeChange icans_change(const CourseGrades& grades);
// "up", "down", "same"; null when either grade is unknown, or when `now` is a lower bound not above
// `before` (a "≥1" after a 2 may be no better at all).
nlohmann::json trend_json(const GradeChange& change);

// crs_now and icans_now (each {grade, lower_bound, at, ...}), crs_max, icans_max, crs_trend, icans_trend,
// last_observation.
nlohmann::json glance_json(const Timeline& timeline, const CourseGrades& grades);

// [{kind, message}]: new_grade_2_or_more (CRS or ICANS at grade ≥ 2 and higher than 24 h before, or
// with nothing assessable then), and from the advice: steroid_refractory (the protocol's verdict is
// yes), dose_limit_reached (a dose-limits check triggered), platelets_below_ruxolitinib_threshold (a
// platelets check on ruxolitinib triggered: only where ruxolitinib is being considered).
nlohmann::json alerts_json(const CourseGrades& grades, const Advice& advice);

}  // namespace crsguard
