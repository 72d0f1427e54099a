#include "server/ward_board.hpp"

#include <fmt/format.h>

#include "cli/grading_output.hpp"
#include "clinical/crs_astct.hpp"
#include "clinical/grade.hpp"

namespace crsguard {
namespace {

using nlohmann::json;

struct Graded {
  std::int64_t t = 0;
  int grade = 0;
  bool lower_bound = false;
};

// The latest graded entry at or before `until`, walking back from the end.
template <class Range, class GradeOf>
std::optional<Graded> latest_graded(const Range& range, std::int64_t until, GradeOf grade_of) {
  for (auto it = range.rbegin(); it != range.rend(); ++it) {
    if (it->t > until) continue;
    if (const std::optional<Graded> graded = grade_of(*it)) return graded;
  }
  return std::nullopt;
}

template <class Range, class GradeOf>
GradeChange change_of(const Range& range, GradeOf grade_of) {
  GradeChange out;
  const auto now = latest_graded(range, INT64_MAX, grade_of);
  if (!now) return out;
  out.now = now->grade;
  out.now_lower_bound = now->lower_bound;
  out.at = now->t;
  if (const auto before = latest_graded(range, now->t - kTrendWindowSeconds, grade_of)) out.before = before->grade;
  return out;
}

std::optional<Graded> crs_graded(const CrsMoment& moment) {
  if (moment.grade < 0) return std::nullopt;
  return Graded{moment.t, moment.grade, highest_possible_grade(moment) > moment.grade};
}

std::optional<Graded> icans_graded(const IcansAssessmentGrade& assessment) {
  if (!assessment.result.grade) return std::nullopt;
  return Graded{assessment.t, *assessment.result.grade, assessment.result.assessment == Assessment::incomplete};
}

bool newly_severe(const GradeChange& change) {
  return change.now && *change.now >= 2 && (!change.before || *change.before < *change.now);
}

std::string change_text(const char* what, const GradeChange& change) {
  const std::string grade = fmt::format("{}{}", change.now_lower_bound ? "≥" : "", *change.now);
  if (!change.before) return fmt::format("{} grade {} (nothing assessable 24 h before)", what, grade);
  return fmt::format("{} grade {} (grade {} 24 h before)", what, grade, *change.before);
}

}  // namespace

GradeChange crs_change(const CourseGrades& grades) { return change_of(grades.crs.moments, crs_graded); }
GradeChange icans_change(const CourseGrades& grades) { return change_of(grades.icans, icans_graded); }

json trend_json(const GradeChange& change) {
  if (!change.now || !change.before) return nullptr;
  if (*change.now > *change.before) return "up";
  if (change.now_lower_bound) return nullptr;
  if (*change.now < *change.before) return "down";
  return "same";
}

json glance_json(const Timeline& timeline, const CourseGrades& grades) {
  json out;
  json crs = nullptr;
  for (auto it = grades.crs.moments.rbegin(); it != grades.crs.moments.rend(); ++it) {
    if (it->grade < 0) continue;
    crs = {{"grade", it->grade}, {"lower_bound", highest_possible_grade(*it) > it->grade},
           {"at", time_json(timeline, it->t)}, {"episode", it->episode}};
    break;
  }
  const GradeChange icans = icans_change(grades);
  out["crs_now"] = std::move(crs);
  out["icans_now"] = icans.now ? json{{"grade", *icans.now}, {"lower_bound", icans.now_lower_bound}, {"at", time_json(timeline, icans.at)}}
                               : json(nullptr);
  out["crs_trend"] = trend_json(crs_change(grades));
  out["icans_trend"] = trend_json(icans);
  const auto max_crs = grades.max_crs_grade();
  const auto max_icans = grades.max_icans_grade();
  out["crs_max"] = max_crs ? json(*max_crs) : json(nullptr);
  out["icans_max"] = max_icans ? json(*max_icans) : json(nullptr);
  const auto& events = timeline.events();
  out["last_observation"] =
      events.empty() ? json(nullptr) : time_json(timeline, events.back().time.seconds_since_infusion, events.back().time.form);
  return out;
}

json alerts_json(const CourseGrades& grades, const Advice& advice) {
  json out = json::array();
  const auto alert = [&](const char* kind, std::string message) { out.push_back({{"kind", kind}, {"message", std::move(message)}}); };
  const GradeChange crs = crs_change(grades);
  if (newly_severe(crs)) alert("new_grade_2_or_more", change_text("CRS", crs));
  const GradeChange icans = icans_change(grades);
  if (newly_severe(icans)) alert("new_grade_2_or_more", change_text("ICANS", icans));
  if (advice.state.steroid_refractory.verdict == Verdict::yes) {
    alert("steroid_refractory", advice.state.steroid_refractory.statement.empty() ? std::string("steroid-refractory CRS")
                                                                                 : advice.state.steroid_refractory.statement);
  }
  for (const Recommendation& recommendation : advice.recommendations) {
    for (const SafetyFinding& finding : recommendation.findings) {
      if (finding.status != FindingStatus::triggered) continue;
      if (finding.kind == SafetyCheckKind::dose_limits) {
        alert("dose_limit_reached", fmt::format("{}: {}", recommendation.drug, finding.statement));
      } else if (finding.kind == SafetyCheckKind::platelets_below && recommendation.drug == "ruxolitinib") {
        alert("platelets_below_ruxolitinib_threshold", finding.statement);
      }
    }
  }
  return out;
}

}  // namespace crsguard
