#include "analysis/cohort_survival.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <stdexcept>

namespace crsguard {

CohortSurvival analyse_survival(std::span<const CohortPatient> patients, const CohortSurvivalRequest& request) {
  CohortSurvival out;
  out.request = request;
  std::map<std::string, std::vector<PatientEndpoint>> by_group;  // sorted by name
  for (const CohortPatient& patient : patients) {
    PatientEndpoint endpoint =
        derive_endpoint(*patient.timeline, request.endpoint, request.endpoint_options, &patient.grades.crs);
    if (!endpoint.subject) {
      out.excluded.push_back(std::move(endpoint));
      continue;
    }
    std::string group = "all";
    if (request.by) {
      const FieldValue value = field_value(patient, *request.by);
      const auto label = value.label();
      if (!label) {
        endpoint.reason = fmt::format("{}: {}", request.by->name, value.note.empty() ? "not recorded" : value.note);
        endpoint.subject.reset();
        out.excluded.push_back(std::move(endpoint));
        continue;
      }
      group = *label;
    }
    by_group[group].push_back(std::move(endpoint));
  }
  if (by_group.empty()) {
    throw std::invalid_argument(fmt::format("no patient has a {} endpoint", endpoint_title(request.endpoint)));
  }
  std::vector<SurvivalSubject> all_subjects;
  std::vector<std::string> all_groups;
  for (auto& [name, members] : by_group) {
    SurvivalGroup group;
    group.name = name;
    std::vector<SurvivalSubject> subjects;
    for (const auto& member : members) {
      subjects.push_back(*member.subject);
      all_subjects.push_back(*member.subject);
      all_groups.push_back(name);
    }
    group.curve = kaplan_meier(subjects, request.conf_type, request.conf_level);
    group.median = median_survival(group.curve);
    for (double day : request.at_days) group.at.push_back(survival_at(group.curve, day));
    group.patients = std::move(members);
    out.groups.push_back(std::move(group));
  }
  if (out.groups.size() >= 2) out.log_rank = log_rank_test(all_subjects, all_groups);
  return out;
}

std::string survival_method_text(ConfidenceType conf_type, double conf_level) {
  const std::string_view transform = conf_type == ConfidenceType::plain ? "untransformed (plain)"
                                     : conf_type == ConfidenceType::log ? "log-transformed"
                                                                        : "log-log-transformed";
  return fmt::format("Kaplan–Meier estimate, Greenwood variance, {} {:g} % CI (R survival conf.type = \"{}\")",
                     transform, conf_level * 100, confidence_type_name(conf_type));
}

}  // namespace crsguard
