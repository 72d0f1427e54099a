#include "cli/survival_output.hpp"

#include <fmt/format.h>

#include "cli/text_table.hpp"

namespace crsguard {

using nlohmann::json;

namespace {

bool in_months(Endpoint endpoint) {
  return endpoint == Endpoint::leukaemia_free_survival || endpoint == Endpoint::overall_survival;
}

std::string optional_fixed(const std::optional<double>& value, int digits) {
  return value ? fmt::format("{:.{}f}", *value, digits) : "NA";
}

json optional_json(const std::optional<double>& value) { return value ? json(*value) : json(nullptr); }

// "6 months (day 182.6)" or "day 14".
std::string time_text(Endpoint endpoint, double days) {
  if (in_months(endpoint)) return fmt::format("{:g} months (day {:g})", days / kDaysPerMonth, days);
  return fmt::format("day {:g}", days);
}

std::string median_text(Endpoint endpoint, const MedianSurvival& median, double conf_level) {
  const double scale = in_months(endpoint) ? kDaysPerMonth : 1.0;
  const auto shown = [&](const std::optional<double>& days) {
    return days ? fmt::format("{:.2f}", *days / scale) : std::string("NA");
  };
  const std::string point = median.median ? shown(median.median) : "not reached";
  return fmt::format("{} ({:g} % CI {}–{})", point, conf_level * 100, shown(median.lower), shown(median.upper));
}

std::string endpoint_definition(Endpoint endpoint, const EndpointOptions& options) {
  switch (endpoint) {
    case Endpoint::leukaemia_free_survival:
      return fmt::format("Leukaemia-free survival: infusion to relapse{}; alive without relapse censored at the last "
                         "follow-up{}; patients never in remission (CR/CRi) excluded.",
                         options.death_is_lfs_event ? " or death from any cause" : " (deaths without relapse censored)",
                         options.censor_at_hct ? " or at HCT after CAR-T" : "");
    case Endpoint::overall_survival:
      return fmt::format("Overall survival: infusion to death from any cause; censored at the last follow-up{}.",
                         options.censor_at_hct ? " or at HCT after CAR-T" : "");
    case Endpoint::crs_onset:
      return "Time to CRS onset: infusion to the onset of the first ASTCT CRS episode graded from the record; "
             "censored at the end of the record without CRS.";
    case Endpoint::crs_resolution:
      return "Time to CRS resolution: onset to resolution of the first graded CRS episode; censored at the end of "
             "the record while unresolved.";
  }
  return "";
}

}  // namespace

std::string survival_text(const CohortSurvival& survival) {
  const auto& request = survival.request;
  const Endpoint endpoint = request.endpoint;
  const double scale = in_months(endpoint) ? kDaysPerMonth : 1.0;
  const std::string unit = in_months(endpoint) ? "months" : "days";
  std::string out = endpoint_definition(endpoint, request.endpoint_options) + "\n";
  out += survival_method_text(request.conf_type, request.conf_level) + ".";
  if (in_months(endpoint)) out += " Months = days / 30.4375.";
  out += "\n\n";

  std::vector<std::vector<std::string>> rows;
  for (const auto& group : survival.groups) {
    for (const auto& patient : group.patients) {
      rows.push_back({patient.patient_id, request.by ? group.name : "", fmt::format("{:g}", patient.subject->time),
                      fmt::format("{:.2f}", patient.subject->time / scale), patient.subject->event ? "event" : "censored",
                      patient.reason});
    }
  }
  out += format_text_table({"patient", request.by ? request.by->name : "", "days", unit, "status", "reason"}, rows, 0);
  if (!survival.excluded.empty()) {
    out += fmt::format("\nExcluded ({}):\n", survival.excluded.size());
    for (const auto& patient : survival.excluded) out += fmt::format("  {}: {}\n", patient.patient_id, patient.reason);
  }

  for (const auto& group : survival.groups) {
    out += fmt::format("\n{}{}: n = {}, events = {}, median {} {}\n", request.by ? request.by->name + " = " : "",
                       group.name, group.curve.n, group.curve.events, unit,
                       median_text(endpoint, group.median, request.conf_level));
    std::vector<std::vector<std::string>> steps;
    for (const auto& step : group.curve.steps) {
      if (step.n_event == 0) continue;
      steps.push_back({fmt::format("{:g}", step.time), fmt::format("{:.2f}", step.time / scale),
                       fmt::format("{}", step.n_risk), fmt::format("{}", step.n_event),
                       fmt::format("{:.4f}", step.survival), fmt::format("{:.4f}", step.std_err),
                       optional_fixed(step.lower, 4), optional_fixed(step.upper, 4)});
    }
    if (!steps.empty()) {
      out += format_text_table({"day", unit, "at risk", "events", "survival", "std.err", "lower", "upper"}, steps, 8);
    }
    for (std::size_t i = 0; i < request.at_days.size(); ++i) {
      const auto& at = group.at[i];
      if (!at) {
        out += fmt::format("  at {}: beyond the last follow-up (not estimated)\n", time_text(endpoint, request.at_days[i]));
        continue;
      }
      out += fmt::format("  at {}: survival {:.4f} ({:g} % CI {}–{}), std.err {:.4f}, {} at risk\n",
                         time_text(endpoint, at->time), at->survival, request.conf_level * 100,
                         optional_fixed(at->lower, 4), optional_fixed(at->upper, 4), at->std_err, at->n_risk);
    }
  }
  if (survival.log_rank) {
    const auto& test = *survival.log_rank;
    out += fmt::format("\nLog-rank test (R survdiff, rho = 0) by {}:\n", request.by->name);
    std::vector<std::vector<std::string>> groups;
    for (const auto& group : test.groups) {
      groups.push_back({group.name, fmt::format("{}", group.n), fmt::format("{:g}", group.observed),
                        fmt::format("{:.3f}", group.expected),
                        fmt::format("{:.3f}", (group.observed - group.expected) * (group.observed - group.expected) /
                                                  group.expected)});
    }
    out += format_text_table({"group", "n", "observed", "expected", "(O-E)^2/E"}, groups, 0);
    out += fmt::format("chi-square = {:.4f} on {} df, p = {:.4g}\n", test.chi_square, test.degrees_of_freedom,
                       test.p_value);
  }
  return out;
}

json survival_json(const CohortSurvival& survival) {
  const auto& request = survival.request;
  json groups = json::array();
  for (const auto& group : survival.groups) {
    json patients = json::array();
    for (const auto& patient : group.patients) {
      patients.push_back({{"patient", patient.patient_id}, {"time_days", patient.subject->time},
                          {"event", patient.subject->event}, {"reason", patient.reason}});
    }
    json steps = json::array();
    for (const auto& step : group.curve.steps) {
      steps.push_back({{"time_days", step.time}, {"n_risk", step.n_risk}, {"n_event", step.n_event},
                       {"n_censor", step.n_censor}, {"survival", step.survival}, {"std_err", step.std_err},
                       {"std_err_log", step.std_err_log}, {"lower", optional_json(step.lower)},
                       {"upper", optional_json(step.upper)}});
    }
    json at = json::array();
    for (std::size_t i = 0; i < request.at_days.size(); ++i) {
      const auto& value = group.at[i];
      json row = {{"time_days", request.at_days[i]}, {"time_months", request.at_days[i] / kDaysPerMonth}};
      if (value) {
        row.update({{"survival", value->survival}, {"std_err", value->std_err}, {"lower", optional_json(value->lower)},
                    {"upper", optional_json(value->upper)}, {"n_risk", value->n_risk}});
      } else {
        row["survival"] = nullptr;
        row["note"] = "beyond the last follow-up";
      }
      at.push_back(std::move(row));
    }
    groups.push_back({{"name", group.name},
                      {"n", group.curve.n},
                      {"events", group.curve.events},
                      {"median_days", optional_json(group.median.median)},
                      {"median_lower_days", optional_json(group.median.lower)},
                      {"median_upper_days", optional_json(group.median.upper)},
                      {"patients", std::move(patients)},
                      {"steps", std::move(steps)},
                      {"at", std::move(at)}});
  }
  json excluded = json::array();
  for (const auto& patient : survival.excluded) {
    excluded.push_back({{"patient", patient.patient_id}, {"reason", patient.reason}});
  }
  json out = {{"endpoint", to_name(request.endpoint)},
              {"definition", endpoint_definition(request.endpoint, request.endpoint_options)},
              {"method",
               {{"estimator", "Kaplan-Meier"},
                {"variance", "Greenwood"},
                {"conf_type", confidence_type_name(request.conf_type)},
                {"conf_level", request.conf_level},
                {"text", survival_method_text(request.conf_type, request.conf_level)}}},
              {"time_unit", "d"},
              {"days_per_month", kDaysPerMonth},
              {"by", request.by ? json(request.by->name) : json(nullptr)},
              {"groups", std::move(groups)},
              {"excluded", std::move(excluded)}};
  if (survival.log_rank) {
    json test_groups = json::array();
    for (const auto& group : survival.log_rank->groups) {
      test_groups.push_back({{"name", group.name}, {"n", group.n}, {"observed", group.observed},
                             {"expected", group.expected}, {"variance", group.variance}});
    }
    out["log_rank"] = {{"method", "log-rank test (R survdiff, rho = 0)"},
                       {"groups", std::move(test_groups)},
                       {"chi_square", survival.log_rank->chi_square},
                       {"degrees_of_freedom", survival.log_rank->degrees_of_freedom},
                       {"p_value", survival.log_rank->p_value}};
  }
  return out;
}

}  // namespace crsguard
