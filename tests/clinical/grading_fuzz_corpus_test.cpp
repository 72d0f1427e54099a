// Replays the grading fuzzer's seeds and regression inputs (fuzz/grading_fuzzer.cpp) so that a
// timeline that once crashed the engine stays fixed in every test run.
#include <gtest/gtest.h>

#include <filesystem>

#include "../io/test_files.hpp"
#include "clinical/course_grades.hpp"
#include "clinical/hyperinflammation.hpp"
#include "clinical/risk_scores.hpp"
#include "core/problem.hpp"
#include "io/rules_json.hpp"
#include "io/timeline_json.hpp"

namespace crsguard {
namespace {

TEST(GradingFuzzCorpus, EveryAcceptedTimelineGradesWithinTheScales) {
  const RuleSet rule_set = load_rules();
  const GradingRules rules = GradingRules::from(rule_set);
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
        ++graded;
      }
    }
  }
  EXPECT_GE(graded, 3);
}

}  // namespace
}  // namespace crsguard
