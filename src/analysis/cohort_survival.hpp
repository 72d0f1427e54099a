#pragma once
// Survival of a cohort: one endpoint derived for every patient (analysis/endpoints.hpp), split by
// a field into groups, a Kaplan–Meier curve per group, survival at chosen times, medians, and the
// log-rank test between the groups. The CLI's `survival` and the report both print this.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "analysis/cohort.hpp"
#include "analysis/endpoints.hpp"
#include "analysis/survival.hpp"

namespace crsguard {

struct CohortSurvivalRequest {
  Endpoint endpoint = Endpoint::leukaemia_free_survival;
  EndpointOptions endpoint_options;
  ConfidenceType conf_type = ConfidenceType::log;
  double conf_level = 0.95;
  std::vector<double> at_days;     // survival reported at these times
  std::optional<FieldInfo> by;     // no field: one group, "all"
};

struct SurvivalGroup {
  std::string name;
  std::vector<PatientEndpoint> patients;  // those with an endpoint, in cohort order
  KaplanMeierCurve curve;
  MedianSurvival median;
  std::vector<std::optional<SurvivalAt>> at;  // aligned with the request's at_days
};

struct CohortSurvival {
  CohortSurvivalRequest request;
  std::vector<PatientEndpoint> excluded;  // no endpoint, or no value of the grouping field
  std::vector<SurvivalGroup> groups;      // sorted by name, as the log-rank test orders them
  std::optional<LogRankTest> log_rank;    // with two or more groups
};

// Throws std::invalid_argument when no patient has the endpoint.
CohortSurvival analyse_survival(std::span<const CohortPatient> patients, const CohortSurvivalRequest& request);

// "Kaplan–Meier, Greenwood variance, log-transformed 95 % CI": the definition, for every output.
std::string survival_method_text(ConfidenceType conf_type, double conf_level);

}  // namespace crsguard
