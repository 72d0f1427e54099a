// libFuzzer target: any timeline the reader accepts can be graded (CRS, ICANS, risk scores) and
// explained without a crash, every grade is within its scale, and every shipped protocol can advise
// on it (mid-course and after the last record) with recommendations that name a step of the protocol;
// and grades kept as the record grows equal a fresh grading after every event.
#include <algorithm>
#include <cstdint>
#include <cstdio>

#include "clinical/course_grades.hpp"
#include "clinical/cres.hpp"
#include "clinical/crs_other_scales.hpp"
#include "clinical/hyperinflammation.hpp"
#include "clinical/protocol_engine.hpp"
#include "clinical/risk_scores.hpp"
#include "core/problem.hpp"
#include "io/protocol_yaml.hpp"
#include "io/rules_json.hpp"
#include "io/timeline_json.hpp"

namespace {

void check_protocol_advice(const crsguard::Timeline& timeline, const crsguard::RuleSet& rule_set) {
  using namespace crsguard;
  static const ProtocolRules rules = ProtocolRules::from(rule_set);
  static const std::vector<ProtocolEngine> engines = [] {
    std::vector<ProtocolEngine> out;
    for (const Protocol& protocol : shipped_protocols()) out.emplace_back(protocol, rules);
    return out;
  }();
  static const std::vector<Protocol> protocols = shipped_protocols();
  const std::int64_t end = timeline.end_of_record();
  for (std::size_t p = 0; p < engines.size(); ++p) {
    for (const std::int64_t t : {end / 2, end + 1}) {
      const Advice advice = engines[p].advise(timeline, t);
      for (const Recommendation& rec : advice.recommendations) {
        const auto& steps = protocols[p].steps;
        const bool named = std::any_of(steps.begin(), steps.end(), [&](const ProtocolStep& s) { return s.id == rec.step_id; });
        if (!named) __builtin_trap();
        for (const PhaseDose& phase : rec.schedule) {
          if (phase.dose.mg && !(*phase.dose.mg > 0)) __builtin_trap();  // never zero, negative or NaN
        }
      }
    }
  }
}

// The grades kept as the record grows event by event (CourseGrader, as the simulator keeps them) are
// those of a fresh grading after every event.
void check_incremental_grading(const crsguard::Timeline& timeline, const crsguard::GradingRules& rules) {
  using namespace crsguard;
  constexpr std::size_t kMaxEvents = 300;  // quadratic in the events: keep each input fast
  if (timeline.events().size() > kMaxEvents) return;
  TimelineRecord start = timeline.record();
  start.events.clear();
  start.outcome.reset();
  Timeline growing(std::move(start));
  CourseGrader grader(rules);
  const auto same = [&] {
    const CourseGrades& kept = grader.update(growing);
    const CourseGrades fresh = grade_course(growing, rules);
    bool same_icans = kept.icans.size() == fresh.icans.size() && kept.icans_days.size() == fresh.icans_days.size();
    for (std::size_t i = 0; same_icans && i < kept.icans.size(); ++i) {
      same_icans = kept.icans[i].t == fresh.icans[i].t && kept.icans[i].event_index == fresh.icans[i].event_index &&
                   kept.icans[i].result.grade == fresh.icans[i].result.grade &&
                   kept.icans[i].result.assessment == fresh.icans[i].result.assessment;
    }
    for (std::size_t i = 0; same_icans && i < kept.icans_days.size(); ++i) {
      same_icans = kept.icans_days[i].day == fresh.icans_days[i].day &&
                   kept.icans_days[i].assessments == fresh.icans_days[i].assessments &&
                   kept.icans_days[i].result.grade == fresh.icans_days[i].result.grade;
    }
    if (kept.crs.moments != fresh.crs.moments || kept.crs.days != fresh.crs.days ||
        kept.crs.episodes != fresh.crs.episodes || !same_icans) {
      std::fprintf(stderr, "incremental grades differ after %zu events\n", growing.events().size());
      __builtin_trap();
    }
  };
  for (const Event& event : timeline.events()) {
    growing.append(event);
    same();
  }
  growing.set_outcome(timeline.outcome());
  same();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace crsguard;
  static const RuleSet rule_set = load_rules();
  static const GradingRules rules = GradingRules::from(rule_set);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<Timeline> timelines;
  try {
    timelines = read_timelines_json(text, "fuzz.json");
  } catch (const InputError&) {
    return 0;
  }
  for (const Timeline& timeline : timelines) {
    const CourseGrades grades = grade_course(timeline, rules);
    for (const CrsDayGrade& day : grades.crs.days) {
      const GradeResult result = explain_crs_day(timeline, rules.crs, day);
      if (result.grade && (*result.grade < 0 || *result.grade > 5)) {
        std::fprintf(stderr, "CRS grade %d out of range\n", *result.grade);
        __builtin_trap();
      }
    }
    for (const IcansAssessmentGrade& grade : grades.icans) {
      if (grade.result.grade && (*grade.result.grade < 0 || *grade.result.grade > 5)) __builtin_trap();
    }
    (void)risk_scores(timeline, rule_set);
    if (!grades.crs.days.empty()) {
      const int first = grades.crs.days.front().day;
      const int last = grades.crs.days.back().day;
      for (const auto& scale : names(CrsScale{})) {
        for (const ScaleDayGrade& day : grade_crs_scale_by_day(timeline, scale.value, rule_set, first, last)) {
          if (day.result.grade && (*day.result.grade < 0 || *day.result.grade > 5)) __builtin_trap();
        }
      }
      (void)cres_by_day(timeline, grade_cres_assessments(timeline, rule_set), first, last);
    }
    const auto lab_grades = ctcae_grades(timeline, rule_set);
    for (const CtcaeGrade& lab : lab_grades) {
      if (lab.result.grade && (*lab.result.grade < 0 || *lab.result.grade > 4)) __builtin_trap();
    }
    if (hyperinflammation_flags(timeline, rule_set, lab_grades).size() != 3) __builtin_trap();
    check_protocol_advice(timeline, rule_set);
    check_incremental_grading(timeline, rules);
  }
  return 0;
}
