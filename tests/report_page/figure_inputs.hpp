#pragma once
// Inputs for every figure of analysis/figures.hpp, shared by tests/analysis/figures_test.cpp and
// tests/report_page/report_page_test.cpp: the example paediatric cohort (Pan 2021) and the adult case
// (Zi 2021), graded with the shipped rules, and — because neither example records cytokines or CAR-T
// kinetics — two small made-up kinetics timelines (test data only, not clinical values), one with a
// zero value that a log axis must drop.
#include <string>
#include <vector>

#include "analysis/cohort.hpp"
#include "analysis/figures.hpp"
#include "clinical/course_grades.hpp"
#include "io/rules_json.hpp"
#include "io/timeline_files.hpp"

namespace crsguard::testing {

struct FigureInputs {
  std::vector<Timeline> paediatric;
  std::vector<CohortPatient> paediatric_patients;
  std::vector<Timeline> adult;
  std::vector<CohortPatient> adult_patients;
  std::vector<Timeline> kinetics;  // made up: IL-6, ferritin, CAR-T copies
  std::vector<CohortPatient> kinetics_patients;
};

inline std::vector<Timeline> load_example(const std::string& relative_path) {
  std::vector<Timeline> out;
  for (auto& item : load_timelines(std::string(CRSGUARD_SOURCE_DIR) + "/" + relative_path)) {
    out.push_back(std::move(item.timeline));
  }
  return out;
}

inline Event observation_at(double day, ObservationCode code, double value) {
  Event event;
  event.time = EventTime{static_cast<std::int64_t>(day * 86400.0), TimeForm::study_day_clock};
  Observation observation;
  observation.code = code;
  observation.value = value;
  event.detail = observation;
  return event;
}

// Made-up kinetics (shapes like a CRS course, numbers chosen only to exercise the figure).
inline Timeline kinetics_timeline(const std::string& id, double scale, bool with_zero) {
  TimelineRecord record;
  record.patient.id = id;
  const double days[] = {0.5, 1, 2, 3, 5, 7, 10, 14, 21, 28};
  const double il6[] = {8, 40, 900, 2500, 600, 120, 30, 12, 6, 4};
  const double ferritin[] = {400, 600, 2000, 9000, 15000, 8000, 3000, 1500, 900, 700};
  const double copies[] = {50, 200, 3000, 20000, 90000, 60000, 20000, 5000, 1500, 800};
  for (std::size_t i = 0; i < std::size(days); ++i) {
    record.events.push_back(observation_at(days[i], ObservationCode::il6, il6[i] * scale));
    record.events.push_back(observation_at(days[i], ObservationCode::ferritin, ferritin[i] * scale));
    record.events.push_back(observation_at(days[i], ObservationCode::car_t_copies, copies[i] * scale));
  }
  if (with_zero) record.events.push_back(observation_at(35, ObservationCode::il6, 0));
  return Timeline(std::move(record));
}

inline const FigureInputs& figure_inputs() {
  static const FigureInputs inputs = [] {
    const GradingRules rules = GradingRules::from(load_rules());
    FigureInputs out;
    out.paediatric = load_example("examples/paediatric-cohort-pan2021");
    out.paediatric_patients = grade_cohort(out.paediatric, rules);
    out.adult = load_example("examples/adult-case-zi2021.timeline.json");
    out.adult_patients = grade_cohort(out.adult, rules);
    out.kinetics.push_back(kinetics_timeline("made-up-k1", 1.0, true));
    out.kinetics.push_back(kinetics_timeline("made-up-k2", 0.3, false));
    out.kinetics_patients = grade_cohort(out.kinetics, rules);
    return out;
  }();
  return inputs;
}

// The paediatric cohort's overall survival, as the report draws it.
inline CohortSurvival paediatric_overall_survival() {
  CohortSurvivalRequest request;
  request.endpoint = Endpoint::overall_survival;
  request.by = find_cohort_field("prior_hct");
  return analyse_survival(figure_inputs().paediatric_patients, request);
}

inline std::vector<GroupValue> example_group_values() {
  // Age by prior HCT in the paediatric cohort: real values of the example, grouped by a real field.
  std::vector<GroupValue> out;
  const auto age = find_cohort_field("age_years");
  const auto hct = find_cohort_field("prior_hct");
  for (const CohortPatient& patient : figure_inputs().paediatric_patients) {
    const FieldValue a = field_value(patient, *age);
    const FieldValue h = field_value(patient, *hct);
    if (a.number && h.label()) out.push_back({"prior HCT: " + *h.label(), patient.timeline->patient().id, *a.number});
  }
  return out;
}

inline std::vector<PlateletIncrementPoint> example_platelet_points() {
  // Made up (the platelet module is separate): two patients before and after, one without a PPR.
  return {{"p-a", "before", 2.1, 8.0, false}, {"p-a", "after", 9.5, 31.0, true},
          {"p-b", "before", 4.0, std::nullopt, false}, {"p-b", "after", 7.8, 22.5, true}};
}

}  // namespace crsguard::testing
