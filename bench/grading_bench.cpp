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

namespace crsguard {
namespace {

constexpr int kPatients = 10000;
constexpr int kDays = 28;
// Distinct synthetic courses; the feed cycles through them so that it fits in memory.
constexpr int kDistinctCourses = 64;

Event observation(std::int64_t t, ObservationCode code, double value) {
  return Event{EventTime{t, TimeForm::study_day_clock}, Observation{code, value, {}, {}, {}, {}}, ""};
}

// One monitored admission: hourly temperature and systolic pressure, a CRS episode of random
// onset, length and severity, with oxygen changes, vasopressor runs and tocilizumab.
Timeline synthetic_course(std::uint32_t seed) {
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> onset_day(1, 6);
  std::uniform_int_distribution<int> length_days(2, 8);
  std::uniform_int_distribution<int> severity(1, 4);
  const int onset = onset_day(random) * 24;
  const int end = onset + length_days(random) * 24;
  const int worst = severity(random);
  std::normal_distribution<double> noise(0.0, 0.3);

  TimelineRecord record;
  record.patient.id = "bench-" + std::to_string(seed);
  record.patient.age_years = 45;
  record.infusion.product = "CD19 CAR-T";
  record.infusion.targets = {"CD19"};
  record.events.push_back(Event{EventTime{0, TimeForm::study_day_clock}, OxygenSupport{}, ""});
  for (int hour = 0; hour < kDays * 24; ++hour) {
    const std::int64_t t = std::int64_t{hour} * 3600;
    const bool in_crs = hour >= onset && hour < end;
    record.events.push_back(observation(t, ObservationCode::body_temperature, (in_crs ? 38.6 : 36.9) + noise(random)));
    record.events.push_back(observation(t, ObservationCode::systolic_bp, (in_crs && worst >= 2 ? 86 : 112) + 4 * noise(random)));
    if (hour == onset + 6 && worst >= 2) {
      record.events.push_back(Event{EventTime{t, TimeForm::study_day_clock},
                                    OxygenSupport{worst >= 4 ? OxygenDevice::cpap : OxygenDevice::nasal_cannula,
                                                  worst >= 4 ? std::nullopt : std::optional<double>(worst * 2.5), {}},
                                    ""});
      record.events.push_back(Event{EventTime{t, TimeForm::study_day_clock},
                                    Administration{"tocilizumab", "", DrugDose{8, DoseBasis::mg_per_kg}, Route::iv,
                                                   60.0, Indication::crs, std::nullopt},
                                    ""});
    }
    if (hour == onset + 12 && worst >= 3) {
      record.events.push_back(Event{EventTime{t, TimeForm::study_day_clock},
                                    VasopressorChange{VasopressorAgent::norepinephrine, VasopressorAction::start, {}}, ""});
    }
    if (hour == onset + 18 && worst >= 4) {
      record.events.push_back(Event{EventTime{t, TimeForm::study_day_clock},
                                    VasopressorChange{VasopressorAgent::epinephrine, VasopressorAction::start, {}}, ""});
    }
    if (hour == end && worst >= 2) {
      record.events.push_back(Event{EventTime{t, TimeForm::study_day_clock}, OxygenSupport{}, ""});
      if (worst >= 3) {
        record.events.push_back(Event{EventTime{t, TimeForm::study_day_clock},
                                      VasopressorChange{VasopressorAgent::norepinephrine, VasopressorAction::stop, {}},
                                      ""});
      }
      if (worst >= 4) {
        record.events.push_back(Event{EventTime{t, TimeForm::study_day_clock},
                                      VasopressorChange{VasopressorAgent::epinephrine, VasopressorAction::stop, {}},
                                      ""});
      }
    }
  }
  Outcome outcome;
  outcome.last_followup = EventTime{std::int64_t{kDays} * 86400 - 1, TimeForm::study_day_clock};
  record.outcome = outcome;
  return Timeline(std::move(record));
}

const std::vector<Timeline>& courses() {
  static const std::vector<Timeline> pool = [] {
    std::vector<Timeline> out;
    for (int i = 0; i < kDistinctCourses; ++i) out.push_back(synthetic_course(static_cast<std::uint32_t>(i + 1)));
    return out;
  }();
  return pool;
}

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
