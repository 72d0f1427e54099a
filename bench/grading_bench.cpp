// Grading throughput: the ASTCT CRS engine over a synthetic feed of 10 000 patients × 28 days of
// hourly vitals, oxygen and vasopressor events. Results and the command: bench/README.md.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <random>
#include <string>

#include "clinical/course_grades.hpp"
#include "clinical/crs_astct.hpp"
#include "io/rules_json.hpp"
#include "model/timeline.hpp"
#include "synthetic_course.hpp"

namespace crsguard {
namespace {

constexpr int kPatients = 10000;

const std::vector<Timeline>& courses() { return synthetic_courses(); }

std::int64_t feed_events() {
  std::int64_t events = 0;
  for (int p = 0; p < kPatients; ++p) {
    events += static_cast<std::int64_t>(courses()[static_cast<std::size_t>(p % kDistinctCourses)].events().size());
  }
  return events;
}

// The ASTCT day grades (and episodes) of every patient in the feed, single-threaded.
void BM_AstctCrsDayGrades10000Patients(benchmark::State& state) {
  const CrsRules rules = CrsRules::from(load_rules());
  for (auto _ : state) {
    for (int p = 0; p < kPatients; ++p) {
      benchmark::DoNotOptimize(grade_crs_course(courses()[static_cast<std::size_t>(p % kDistinctCourses)], rules));
    }
  }
  state.SetItemsProcessed(state.iterations() * feed_events());
  state.counters["patients"] = kPatients;
  // A check that the feed exercises the grades: how many distinct courses reach each maximum.
  std::array<int, 6> by_max{};
  for (const Timeline& timeline : courses()) {
    int max = 0;
    for (const CrsDayGrade& day : grade_crs_course(timeline, rules).days) max = std::max(max, day.worst.grade);
    ++by_max.at(static_cast<std::size_t>(max));
  }
  for (int grade = 1; grade <= 4; ++grade) {
    state.counters["courses_max_grade_" + std::to_string(grade)] = by_max.at(static_cast<std::size_t>(grade));
  }
}
BENCHMARK(BM_AstctCrsDayGrades10000Patients)->Unit(benchmark::kMillisecond);

// The full course (CRS and ICANS) plus the rationale of every day, as `crsguard grade --json` builds it.
void BM_CourseWithDayRationale10000Patients(benchmark::State& state) {
  const GradingRules rules = GradingRules::from(load_rules());
  for (auto _ : state) {
    for (int p = 0; p < kPatients; ++p) {
      const Timeline& timeline = courses()[static_cast<std::size_t>(p % kDistinctCourses)];
      const CourseGrades grades = grade_course(timeline, rules);
      for (const CrsDayGrade& day : grades.crs.days) {
        benchmark::DoNotOptimize(explain_crs_day(timeline, rules.crs, day));
      }
    }
  }
  state.SetItemsProcessed(state.iterations() * feed_events());
}
BENCHMARK(BM_CourseWithDayRationale10000Patients)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace crsguard

BENCHMARK_MAIN();
