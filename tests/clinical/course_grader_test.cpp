// The incremental grader (CourseGrader, CrsCourseGrader) against grading the same record from the
// start: equal after every appended event, on a course written as it happens (the fast path) and on
// every shipped example and grading-fuzzer seed (most of them recorded by study day, graded from the
// start); and the engine's overload that reads grades kept this way.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "../io/test_files.hpp"
#include "clinical/course_grades.hpp"
#include "clinical/protocol_engine.hpp"
#include "timeline_cases.hpp"
#include "core/problem.hpp"
#include "io/protocol_yaml.hpp"
#include "io/timeline_json.hpp"

namespace crsguard {
namespace {

using nlohmann::json;

const GradingRules& rules() {
  static const GradingRules grading = GradingRules::from(testing::shipped_rules());
  return grading;
}

void expect_same(const CourseGrades& kept, const CourseGrades& fresh) {
  EXPECT_EQ(kept.crs.moments, fresh.crs.moments);
  EXPECT_EQ(kept.crs.days, fresh.crs.days);
  EXPECT_EQ(kept.crs.episodes, fresh.crs.episodes);
  ASSERT_EQ(kept.icans.size(), fresh.icans.size());
  for (std::size_t i = 0; i < kept.icans.size(); ++i) {
    EXPECT_EQ(kept.icans[i].t, fresh.icans[i].t);
    EXPECT_EQ(kept.icans[i].event_index, fresh.icans[i].event_index);
    EXPECT_EQ(kept.icans[i].result.grade, fresh.icans[i].result.grade);
    EXPECT_EQ(kept.icans[i].result.assessment, fresh.icans[i].result.assessment);
  }
  ASSERT_EQ(kept.icans_days.size(), fresh.icans_days.size());
  for (std::size_t i = 0; i < kept.icans_days.size(); ++i) {
    EXPECT_EQ(kept.icans_days[i].day, fresh.icans_days[i].day);
    EXPECT_EQ(kept.icans_days[i].assessments, fresh.icans_days[i].assessments);
    EXPECT_EQ(kept.icans_days[i].result.grade, fresh.icans_days[i].result.grade);
    EXPECT_EQ(kept.icans_days[i].result.assessment, fresh.icans_days[i].result.assessment);
  }
}

// Writes `whole` again one event at a time, as a bedside would, and checks the grader after each
// event (and after the outcome) against grading the record so far from the start. Returns the
// grader's count of updates graded from the start.
int expect_grows_like_a_fresh_grading(const Timeline& whole) {
  TimelineRecord start = whole.record();
  start.events.clear();
  start.outcome.reset();
  Timeline growing(std::move(start));
  CourseGrader grader(rules());
  for (std::size_t i = 0; i < whole.events().size(); ++i) {
    growing.append(whole.events()[i]);
    SCOPED_TRACE("after event " + std::to_string(i));
    expect_same(grader.update(growing), grade_course(growing, rules()));
    if (::testing::Test::HasFailure()) return grader.graded_from_start();
  }
  growing.set_outcome(whole.outcome());
  expect_same(grader.update(growing), grade_course(growing, rules()));
  return grader.graded_from_start();
}

json at(int day, const char* clock) { return {{"day", day}, {"clock", clock}}; }
json temperature(int day, const char* clock, double celsius) {
  return {{"kind", "observation"}, {"code", "body_temperature"}, {"time", at(day, clock)}, {"value", celsius}, {"unit", "Cel"}};
}
json systolic(int day, const char* clock, double mmhg) {
  return {{"kind", "observation"}, {"code", "systolic_bp"}, {"time", at(day, clock)}, {"value", mmhg}, {"unit", "mm[Hg]"}};
}
json oxygen(int day, const char* clock, const char* device, double flow = 0) {
  json o{{"kind", "oxygen"}, {"time", at(day, clock)}, {"device", device}};
  if (flow > 0) o["flow"] = {{"value", flow}, {"unit", "L/min"}};
  return o;
}
json vasopressor(int day, const char* clock, const char* agent, const char* action) {
  return {{"kind", "vasopressor"}, {"agent", agent}, {"action", action}, {"time", at(day, clock)}};
}
json dose(int day, const char* clock, const char* drug, double mg, int count = 1, double every_h = 0) {
  json a{{"kind", "administration"}, {"drug", drug}, {"dose", {{"value", mg}, {"unit", "mg"}}}, {"time", at(day, clock)}};
  if (count > 1) a["repeat"] = {{"count", count}, {"every", {{"value", every_h}, {"unit", "h"}}}};
  return a;
}
json ice(int day, const char* clock, int orientation) {
  return {{"kind", "neuro"}, {"time", at(day, clock)},
          {"ice", {{"orientation", orientation}, {"naming", 3}, {"commands", 1}, {"writing", 1}, {"attention", 1}}}};
}

// Two episodes recorded to the minute: fever with hypotension, an antipyretic and then a normal
// reading, a vasopressor and tocilizumab (which masks fever), oxygen on and off, a CRS-free day that
// becomes the resolution, corticosteroids on a repeat schedule that runs into the future, ICE
// assessments, and a second episode needing positive pressure.
// `late_day_2_celsius`: the reading at day 2 22:00, inside the CRS-free window that begins at 14:00.
// `death`: {"time": ..., "cause": ...} for a course that ends in death (else alive at day 28).
Timeline course_to_the_minute(double late_day_2_celsius = 36.8, double age_years = 40, const json& death = nullptr) {
  const json events = json::array({
      oxygen(0, "10:00", "none"), temperature(0, "12:00", 37.1), systolic(0, "12:00", 118),
      temperature(1, "08:00", 38.6), systolic(1, "08:00", 84), dose(1, "09:00", "paracetamol", 1000),
      temperature(1, "11:00", 37.4), systolic(1, "12:00", 82), vasopressor(1, "13:00", "norepinephrine", "start"),
      dose(1, "13:00", "tocilizumab", 560), temperature(1, "16:00", 37.2), oxygen(1, "16:00", "nasal_cannula", 3),
      ice(1, "20:00", 4), temperature(2, "08:00", 37.0), systolic(2, "08:00", 104),
      vasopressor(2, "10:00", "norepinephrine", "stop"), oxygen(2, "12:00", "none"), temperature(2, "14:00", 36.9),
      systolic(2, "14:00", 110), ice(2, "16:00", 2), dose(2, "16:00", "dexamethasone", 10, 4, 12),
      temperature(2, "22:00", late_day_2_celsius), temperature(3, "08:00", 36.9), systolic(3, "08:00", 115),
      temperature(3, "20:00", 36.7), temperature(4, "08:00", 36.8), temperature(5, "09:00", 38.3),
      systolic(5, "09:00", 96), oxygen(5, "10:00", "bipap"), temperature(5, "18:00", 38.9),
      dose(5, "18:00", "tocilizumab", 560), temperature(6, "08:00", 37.3), oxygen(6, "12:00", "none"),
      temperature(6, "20:00", 36.9), temperature(7, "08:00", 36.8), systolic(7, "08:00", 118),
      temperature(8, "08:00", 36.7), temperature(9, "08:00", 36.6)});
  return testing::timeline_of(events, age_years, death);
}

TEST(CourseGrader, EqualsAFreshGradingAfterEveryEventOfACourseWrittenAsItHappens) {
  const Timeline whole = course_to_the_minute();
  // The record must exercise what the grader keeps: two episodes, masking, a resolution.
  const CourseGrades grades = grade_course(whole, rules());
  ASSERT_EQ(grades.crs.episodes.size(), 2U);
  ASSERT_TRUE(grades.crs.episodes[0].resolution.has_value());
  ASSERT_TRUE(std::any_of(grades.crs.moments.begin(), grades.crs.moments.end(),
                          [](const CrsMoment& m) { return m.fever == FeverBasis::masked; }));
  ASSERT_GE(grades.icans.size(), 2U);
  // Graded from the start only at the first event: an outcome without a death only moves the end of
  // the record on.
  EXPECT_EQ(expect_grows_like_a_fresh_grading(whole), 1);
}

TEST(CourseGrader, GradesAnOutcomeThatRecordsADeathFromTheStart) {
  const Timeline whole = course_to_the_minute(36.8, 40, json{{"time", at(9, "12:00")}, {"cause", "cytokine release syndrome"}});
  ASSERT_TRUE(whole.outcome().has_value());
  ASSERT_TRUE(whole.outcome()->death_time.has_value());
  EXPECT_EQ(expect_grows_like_a_fresh_grading(whole), 2);
}

TEST(CourseGrader, AResolutionThatALaterDoseWouldCloseStaysOpenToALaterFever) {
  // The dexamethasone given every 12 h from day 2 16:00 has doses recorded ahead of the bedside. Once the
  // day 3 16:00 dose is in, the CRS-free period from day 2 14:00 has lasted its window at that dose: but a
  // fever recorded later, at day 2 22:00, must still undo that resolution.
  const Timeline whole = course_to_the_minute(38.5);
  const CourseGrades grades = grade_course(whole, rules());
  const std::int64_t free_from = whole.day_start(2) + 14 * 3600;
  const auto at = std::find_if(grades.crs.moments.begin(), grades.crs.moments.end(),
                               [&](const CrsMoment& m) { return m.t == free_from; });
  ASSERT_NE(at, grades.crs.moments.end());
  EXPECT_EQ(at->episode, 1);  // the fever kept the first episode open
  EXPECT_EQ(expect_grows_like_a_fresh_grading(whole), 1);
}

TEST(CourseGrader, EqualsAFreshGradingOnEveryExampleAndFuzzerSeed) {
  int records = 0;
  std::vector<std::filesystem::path> files{testing::source_path("examples/adult-case-zi2021.timeline.json")};
  for (const std::string folder : {"examples/paediatric-cohort-pan2021", "fuzz/corpus/grading"}) {
    const auto base = testing::source_path(folder);
    if (!std::filesystem::exists(base)) continue;
    for (const auto& entry : std::filesystem::directory_iterator(base)) files.push_back(entry.path());
  }
  for (const auto& file : files) {
    SCOPED_TRACE(file.string());
    std::vector<Timeline> timelines;
    try {
      timelines = read_timelines_json(testing::read_text(file), file.string());
    } catch (const InputError&) {
      continue;  // a seed the reader refuses
    }
    for (const Timeline& timeline : timelines) {
      expect_grows_like_a_fresh_grading(timeline);
      ++records;
    }
  }
  EXPECT_GE(records, 15);
}

TEST(CourseGrader, GradesFromTheStartWhenTheRecordIsNotTheOneItExtended) {
  const Timeline whole = course_to_the_minute();
  CourseGrader grader(rules());
  grader.update(whole);
  // A shorter record, then one with an event recorded by study day only: each graded from the start.
  TimelineRecord shorter = whole.record();
  shorter.events.resize(10);
  const Timeline first_ten(shorter);
  expect_same(grader.update(first_ten), grade_course(first_ten, rules()));
  Timeline by_day = first_ten;
  by_day.append(Event{EventTime{first_ten.events().back().time.seconds_since_infusion, TimeForm::study_day},
                      Observation{ObservationCode::body_temperature, 39.0, {}, {}, {}, {}}, {}});
  expect_same(grader.update(by_day), grade_course(by_day, rules()));
  EXPECT_EQ(grader.graded_from_start(), 3);
  // The same record for a child of 5 (CAPD, not ICE; paediatric hypotension thresholds).
  const Timeline child = course_to_the_minute(36.8, 5);
  grader.update(whole);
  expect_same(grader.update(child), grade_course(child, rules()));
  EXPECT_EQ(grader.graded_from_start(), 5);
}

TEST(CrsCourseGrader, GradesIntoACourseItDidNotWriteFromTheStart) {
  const Timeline whole = course_to_the_minute();
  CrsCourseGrader grader(rules().crs);
  CrsCourse course;
  grader.update(whole, course);
  CrsCourse other;
  grader.update(whole, other);
  EXPECT_EQ(other.moments, course.moments);
  EXPECT_EQ(grader.graded_from_start(), 2);
}

TEST(ProtocolEngine, AdvisesTheSameFromGradesKeptAsTheRecordGrows) {
  const Timeline whole = course_to_the_minute();
  const std::vector<Protocol> protocols = shipped_protocols();
  const auto astct = std::find_if(protocols.begin(), protocols.end(), [](const Protocol& p) { return p.name == "astct-asco-2021"; });
  ASSERT_NE(astct, protocols.end());
  const ProtocolEngine engine(*astct, ProtocolRules::from(testing::shipped_rules()));
  TimelineRecord start = whole.record();
  start.events.clear();
  start.outcome.reset();
  Timeline growing(std::move(start));
  CourseGrader grader(rules());
  int compared = 0;
  for (const Event& event : whole.events()) {
    growing.append(event);
    const std::int64_t t = event.time.seconds_since_infusion;
    if (!growing.complete_at(t)) {
      EXPECT_THROW((void)engine.advise(growing, grader.update(growing), t), std::invalid_argument);
      continue;
    }
    const Advice kept = engine.advise(growing, grader.update(growing), t);
    const Advice fresh = engine.advise(growing, t);
    EXPECT_EQ(kept.state.crs.grade, fresh.state.crs.grade);
    EXPECT_EQ(kept.state.crs_episode, fresh.state.crs_episode);
    ASSERT_EQ(kept.recommendations.size(), fresh.recommendations.size());
    for (std::size_t i = 0; i < kept.recommendations.size(); ++i) {
      EXPECT_EQ(kept.recommendations[i].step_id, fresh.recommendations[i].step_id);
      EXPECT_EQ(kept.recommendations[i].because, fresh.recommendations[i].because);
    }
    ++compared;
  }
  EXPECT_GT(compared, 20);
}

// Advice asked for without its words (AdviceText::omitted) decides exactly as the full advice: the
// same state, lines, verdicts, steps, doses and findings; only the reasons, statements, evidence,
// summaries and notes are left out.
void expect_same_decisions(const Advice& omitted, const Advice& full) {
  const auto same_grade = [](const CurrentGrade& a, const CurrentGrade& b) {
    EXPECT_EQ(a.grade, b.grade);
    EXPECT_EQ(a.highest_possible, b.highest_possible);
    EXPECT_EQ(a.assessed_at, b.assessed_at);
    EXPECT_EQ(a.day_only, b.day_only);
    EXPECT_EQ(a.event, b.event);
  };
  const PatientState& o = omitted.state;
  const PatientState& f = full.state;
  same_grade(o.crs, f.crs);
  same_grade(o.icans, f.icans);
  EXPECT_EQ(o.crs_episode, f.crs_episode);
  EXPECT_EQ(o.episode_onset, f.episode_onset);
  EXPECT_EQ(o.episode_resolution, f.episode_resolution);
  EXPECT_EQ(o.course_start, f.course_start);
  ASSERT_EQ(o.therapies.size(), f.therapies.size());
  for (std::size_t i = 0; i < o.therapies.size(); ++i) {
    EXPECT_EQ(o.therapies[i].drug, f.therapies[i].drug);
    EXPECT_EQ(o.therapies[i].drug_class, f.therapies[i].drug_class);
    EXPECT_EQ(o.therapies[i].first_dose, f.therapies[i].first_dose);
    EXPECT_EQ(o.therapies[i].last_dose, f.therapies[i].last_dose);
    EXPECT_EQ(o.therapies[i].doses, f.therapies[i].doses);
    EXPECT_EQ(o.therapies[i].on, f.therapies[i].on);
    EXPECT_EQ(o.therapies[i].first_dose_day_only, f.therapies[i].first_dose_day_only);
    EXPECT_TRUE(o.therapies[i].evidence.empty());
  }
  ASSERT_EQ(o.response.has_value(), f.response.has_value());
  if (o.response) {
    EXPECT_EQ(o.response->therapy, f.response->therapy);
    EXPECT_EQ(o.response->since, f.response->since);
    EXPECT_EQ(o.response->grade_then, f.response->grade_then);
    EXPECT_EQ(o.response->grade_now, f.response->grade_now);
    EXPECT_EQ(o.response->possible, f.response->possible);
    EXPECT_TRUE(o.response->statement.empty());
  }
  EXPECT_EQ(o.steroid_refractory.verdict, f.steroid_refractory.verdict);
  EXPECT_EQ(o.steroid_refractory.high_dose_since, f.steroid_refractory.high_dose_since);
  EXPECT_EQ(o.steroid_refractory.missing, f.steroid_refractory.missing);
  EXPECT_TRUE(o.steroid_refractory.statement.empty());
  EXPECT_EQ(o.steroids.dexamethasone_equivalent_mg, f.steroids.dexamethasone_equivalent_mg);
  EXPECT_EQ(o.steroids.doses.size(), f.steroids.doses.size());
  EXPECT_EQ(o.steroids.doses_not_counted, f.steroids.doses_not_counted);
  EXPECT_TRUE(omitted.notes.empty());
  ASSERT_EQ(omitted.recommendations.size(), full.recommendations.size());
  for (std::size_t i = 0; i < omitted.recommendations.size(); ++i) {
    const Recommendation& a = omitted.recommendations[i];
    const Recommendation& b = full.recommendations[i];
    SCOPED_TRACE(b.step_id);
    EXPECT_EQ(a.step_id, b.step_id);
    EXPECT_EQ(a.action, b.action);
    EXPECT_EQ(a.drug, b.drug);
    EXPECT_EQ(a.route, b.route);
    EXPECT_EQ(a.repeat_dose, b.repeat_dose);
    EXPECT_EQ(a.status, b.status);
    EXPECT_TRUE(a.because.empty());
    EXPECT_TRUE(a.evidence.empty());
    ASSERT_EQ(a.schedule.size(), b.schedule.size());
    for (std::size_t k = 0; k < a.schedule.size(); ++k) {
      EXPECT_EQ(a.schedule[k].dose.mg, b.schedule[k].dose.mg);
      EXPECT_EQ(a.schedule[k].dose.steps, b.schedule[k].dose.steps);
      EXPECT_EQ(a.schedule[k].every_hours, b.schedule[k].every_hours);
      EXPECT_EQ(a.schedule[k].for_days, b.schedule[k].for_days);
      EXPECT_TRUE(a.schedule[k].summary.empty());
    }
    ASSERT_EQ(a.findings.size(), b.findings.size());
    for (std::size_t k = 0; k < a.findings.size(); ++k) {
      EXPECT_EQ(a.findings[k].check_id, b.findings[k].check_id);
      EXPECT_EQ(a.findings[k].status, b.findings[k].status);
      EXPECT_EQ(a.findings[k].statement, b.findings[k].statement);
    }
  }
}

TEST(ProtocolEngine, AdviceWithoutItsWordsDecidesAsTheFullAdvice) {
  std::vector<Timeline> records;
  records.push_back(course_to_the_minute());
  for (const char* file : {"examples/adult-case-zi2021.timeline.json", "examples/paediatric-cohort-pan2021"}) {
    const auto path = testing::source_path(file);
    std::vector<std::filesystem::path> files;
    if (std::filesystem::is_directory(path)) {
      for (const auto& entry : std::filesystem::directory_iterator(path)) files.push_back(entry.path());
    } else {
      files.push_back(path);
    }
    for (const auto& each : files) {
      for (Timeline& timeline : read_timelines_json(testing::read_text(each), each.string())) records.push_back(std::move(timeline));
    }
  }
  ASSERT_GE(records.size(), 15U);
  const ProtocolRules protocol_rules = ProtocolRules::from(testing::shipped_rules());
  int decisions = 0;
  int recommended = 0;
  for (const Protocol& protocol : shipped_protocols()) {
    const ProtocolEngine engine(protocol, protocol_rules);
    for (const Timeline& record : records) {
      SCOPED_TRACE(protocol.name + " on " + record.patient().id);
      // Every 6 hours from the infusion to the last event, on the record as known then.
      const std::int64_t end = last_recorded_time(record);
      for (std::int64_t t = 0; t <= end; t += 6 * 3600) {
        const Timeline known = record.known_at(t);
        const CourseGrades grades = grade_course(known, protocol_rules.grading);
        const Advice full = engine.advise(known, grades, t);
        const Advice omitted = engine.advise(known, grades, t, {}, AdviceText::omitted);
        SCOPED_TRACE("t = " + std::to_string(t));
        expect_same_decisions(omitted, full);
        if (::testing::Test::HasFailure()) return;
        ++decisions;
        recommended += static_cast<int>(full.recommendations.size());
      }
    }
  }
  EXPECT_GT(decisions, 500);
  EXPECT_GT(recommended, 100);  // the comparison covers recommendations, not only quiet states
}

}  // namespace
}  // namespace crsguard
