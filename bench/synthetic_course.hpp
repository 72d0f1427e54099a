#pragma once
// A synthetic monitored admission for benchmarks: hourly temperature and systolic pressure over
// `days`, one CRS episode of random onset, length and severity (seeded), with oxygen changes,
// vasopressor runs and tocilizumab. Shared by the grading and protocol benchmarks.
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "model/timeline.hpp"

namespace crsguard {

inline constexpr int kBenchDays = 28;
// Distinct synthetic courses; a feed cycles through them so that it fits in memory.
inline constexpr int kDistinctCourses = 64;

inline Event bench_observation(std::int64_t t, ObservationCode code, double value) {
  return Event{EventTime{t, TimeForm::study_day_clock}, Observation{code, value, {}, {}, {}, {}}, ""};
}

// One monitored admission: hourly temperature and systolic pressure, a CRS episode of random
// onset, length and severity, with oxygen changes, vasopressor runs and tocilizumab.
inline Timeline synthetic_course(std::uint32_t seed, int days) {
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
  record.patient.weight_kg = 72;
  record.patient.height_cm = 175;
  record.infusion.product = "CD19 CAR-T";
  record.infusion.targets = {"CD19"};
  record.events.push_back(Event{EventTime{0, TimeForm::study_day_clock}, OxygenSupport{}, ""});
  for (int hour = 0; hour < days * 24; ++hour) {
    const std::int64_t t = std::int64_t{hour} * 3600;
    const bool in_crs = hour >= onset && hour < end;
    record.events.push_back(bench_observation(t, ObservationCode::body_temperature, (in_crs ? 38.6 : 36.9) + noise(random)));
    record.events.push_back(bench_observation(t, ObservationCode::systolic_bp, (in_crs && worst >= 2 ? 86 : 112) + 4 * noise(random)));
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
  outcome.last_followup = EventTime{std::int64_t{days} * 86400 - 1, TimeForm::study_day_clock};
  record.outcome = outcome;
  return Timeline(std::move(record));
}

// The pool of distinct 28-day courses (seeds 1..kDistinctCourses), built once.
inline const std::vector<Timeline>& synthetic_courses() {
  static const std::vector<Timeline> pool = [] {
    std::vector<Timeline> out;
    for (int i = 0; i < kDistinctCourses; ++i) out.push_back(synthetic_course(static_cast<std::uint32_t>(i + 1), kBenchDays));
    return out;
  }();
  return pool;
}

}  // namespace crsguard
