#include "analysis/cohort_summary.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "analysis/hypothesis_tests.hpp"

namespace crsguard {

ResponseRate response_rate(std::span<const CohortPatient> patients, const FieldInfo& field, double conf_level) {
  if (field.kind != FieldKind::category) {
    throw std::invalid_argument(fmt::format("{}: a response rate needs a yes-no field", field.name));
  }
  ResponseRate out;
  out.field = field.name;
  out.title = field.title;
  for (const CohortPatient& patient : patients) {
    const FieldValue value = field_value(patient, field);
    if (!value.category) {
      ++out.not_assessed;
      continue;
    }
    ++out.assessed;
    if (*value.category == "yes") ++out.responders;
  }
  if (out.assessed > 0) {
    out.rate = static_cast<double>(out.responders) / out.assessed;
    const auto interval = clopper_pearson_interval(out.responders, out.assessed, conf_level);
    out.lower = interval.lower;
    out.upper = interval.upper;
  }
  return out;
}

CohortSummary summarise_cohort(std::span<const CohortPatient> patients, std::span<const FieldInfo> baseline_fields,
                               double conf_level) {
  CohortSummary out;
  out.patients = static_cast<int>(patients.size());
  out.conf_level = conf_level;
  out.baseline = baseline_table(patients, baseline_fields);
  for (const char* name : {"remission", "mrd_negative_remission"}) {
    out.responses.push_back(response_rate(patients, *find_cohort_field(name), conf_level));
  }
  out.crs = crs_grade_distribution(patients);
  out.icans = icans_grade_distribution(patients);
  return out;
}

}  // namespace crsguard
