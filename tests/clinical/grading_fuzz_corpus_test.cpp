// Replays the grading fuzzer's seeds and regression inputs (fuzz/grading_fuzzer.cpp) so that a
// timeline that once crashed the engine stays fixed in every test run.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "../io/test_files.hpp"
#include "clinical/course_grades.hpp"
#include "clinical/hyperinflammation.hpp"
#include "clinical/protocol_engine.hpp"
#include "clinical/risk_scores.hpp"
#include "core/problem.hpp"
#include "io/protocol_yaml.hpp"
#include "io/rules_json.hpp"
#include "io/timeline_json.hpp"

namespace crsguard {
namespace {

TEST(GradingFuzzCorpus, EveryAcceptedTimelineGradesWithinTheScales) {
  const RuleSet rule_set = load_rules();
  const GradingRules rules = GradingRules::from(rule_set);
  const ProtocolRules protocol_rules = ProtocolRules::from(rule_set);
  const std::vector<Protocol> protocols = shipped_protocols();
  int graded = 0;
  for (const std::string root : {"fuzz/corpus/grading", "fuzz/regressions/grading"}) {
    const auto base = testing::source_path(root);
    if (!std::filesystem::exists(base)) continue;
    for (const auto& entry : std::filesystem::directory_iterator(base)) {
      SCOPED_TRACE(entry.path().string());
      std::vector<Timeline> timelines;
      try {
        timelines = read_timelines_json(testing::read_text(entry.path()), entry.path().string());
      } catch (const InputError&) {
        continue;
      }
      for (const Timeline& timeline : timelines) {
        const CourseGrades grades = grade_course(timeline, rules);
        for (const CrsDayGrade& day : grades.crs.days) {
          const GradeResult result = explain_crs_day(timeline, rules.crs, day);
          if (result.grade) {
            EXPECT_GE(*result.grade, 0);
            EXPECT_LE(*result.grade, 5);
          }
        }
        EXPECT_EQ(hyperinflammation_flags(timeline, rule_set).size(), 3U);
        (void)risk_scores(timeline, rule_set);
        // Every shipped protocol advises on it, mid-course and after the last record.
        for (const Protocol& protocol : protocols) {
          const ProtocolEngine engine(protocol, protocol_rules);
          for (const std::int64_t t : {timeline.end_of_record() / 2, timeline.end_of_record() + 1}) {
            for (const Recommendation& rec : engine.advise(timeline, t).recommendations) {
              EXPECT_TRUE(std::any_of(protocol.steps.begin(), protocol.steps.end(),
                                      [&](const ProtocolStep& step) { return step.id == rec.step_id; }));
              for (const PhaseDose& phase : rec.schedule) EXPECT_GT(phase.dose.mg.value_or(1), 0);
            }
          }
        }
        ++graded;
      }
    }
  }
  EXPECT_GE(graded, 3);
}

}  // namespace
}  // namespace crsguard
