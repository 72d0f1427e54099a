#pragma once
// The example paediatric cohort (Pan 2021, examples/paediatric-cohort-pan2021), read and graded once
// per test program with the shipped rules.
#include <string>
#include <vector>

#include "analysis/cohort.hpp"
#include "clinical/course_grades.hpp"
#include "io/rules_json.hpp"
#include "io/timeline_files.hpp"

namespace crsguard::testing {

struct ExampleCohort {
  std::vector<Timeline> timelines;
  std::vector<CohortPatient> patients;
};

inline std::vector<Timeline> read_timelines(const std::string& relative_path) {
  std::vector<Timeline> out;
  for (auto& item : load_timelines(std::string(CRSGUARD_SOURCE_DIR) + "/" + relative_path)) {
    out.push_back(std::move(item.timeline));
  }
  return out;
}

inline const ExampleCohort& paediatric_cohort() {
  static const ExampleCohort cohort = [] {
    ExampleCohort out;
    out.timelines = read_timelines("examples/paediatric-cohort-pan2021");
    out.patients = grade_cohort(out.timelines, GradingRules::from(load_rules()));
    return out;
  }();
  return cohort;
}

}  // namespace crsguard::testing
