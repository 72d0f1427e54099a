#pragma once
// The summary a CAR-T series opens with: the baseline table, the response rates with exact
// (Clopper–Pearson) confidence intervals, and the distribution of maximum CRS and ICANS grades.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "analysis/cohort.hpp"

namespace crsguard {

// x of n patients, with the exact binomial CI (R binom.test's conf.int).
struct ResponseRate {
  std::string field;   // "remission"
  std::string title;   // "complete remission (CR/CRi)"
  int responders = 0;
  int assessed = 0;    // patients with a value of the field
  int not_assessed = 0;
  double rate = 0;
  double lower = 0;
  double upper = 1;
};

struct CohortSummary {
  int patients = 0;
  double conf_level = 0.95;
  std::vector<BaselineRow> baseline;
  std::vector<ResponseRate> responses;  // remission, MRD-negative remission
  GradeDistribution crs;
  GradeDistribution icans;
};

// Rate of the yes-no field `field` being "yes" (throws std::invalid_argument for an unknown or numeric field).
ResponseRate response_rate(std::span<const CohortPatient> patients, const FieldInfo& field, double conf_level);

CohortSummary summarise_cohort(std::span<const CohortPatient> patients, std::span<const FieldInfo> baseline_fields,
                               double conf_level);

}  // namespace crsguard
