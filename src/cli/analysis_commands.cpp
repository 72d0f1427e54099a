#include "cli/analysis_commands.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "analysis/cohort.hpp"
#include "analysis/cohort_compare.hpp"
#include "analysis/cohort_summary.hpp"
#include "analysis/cohort_survival.hpp"
#include "cli/cohort_output.hpp"
#include "cli/cohort_report.hpp"
#include "cli/compare_output.hpp"
#include "cli/platelets_output.hpp"
#include "cli/grading_output.hpp"
#include "cli/survival_output.hpp"
#include "cli/command_guard.hpp"
#include "core/problem.hpp"
#include "io/rules_json.hpp"
#include "io/timeline_files.hpp"

namespace crsguard {

namespace {

struct LoadedCohort {
  RuleSet rule_set;
  std::vector<Timeline> timelines;
  std::vector<CohortPatient> patients;  // points into `timelines`: the object must not be copied
};

std::unique_ptr<LoadedCohort> load_cohort(const std::string& path, const std::string& rules_path) {
  auto cohort = std::make_unique<LoadedCohort>();
  cohort->rule_set = load_rules(rules_path);
  for (auto& item : load_timelines(path)) cohort->timelines.push_back(std::move(item.timeline));
  cohort->patients = grade_cohort(cohort->timelines, GradingRules::from(cohort->rule_set));
  return cohort;
}

std::string field_names() {
  std::string out;
  for (const auto& field : cohort_fields()) out += (out.empty() ? "" : ", ") + field.name;
  return out + ", peak_<code> (any laboratory, cytokine or CAR-T code)";
}

FieldInfo required_field(const std::string& name, const std::string& option) {
  if (auto field = find_cohort_field(name)) return *field;
  throw std::invalid_argument(fmt::format("{} \"{}\": unknown field; fields: {}", option, name, field_names()));
}


void print(const nlohmann::json& document, const RuleSet& rule_set) {
  nlohmann::json out = document;
  if (auto overrides = rule_overrides_json(rule_set); !overrides.empty()) out["rule_overrides"] = std::move(overrides);
  std::cout << out.dump(2) << '\n';
}

void check_level(double level, std::string_view option) {
  if (!(level > 0 && level < 1)) {
    throw std::invalid_argument(fmt::format("{} {}: a confidence level between 0 and 1 (0.95 for 95 %)", option, level));
  }
}

// Loads the cohort, analyses it and prints the result as text or JSON; the options were checked before.
template <class Analyse, class Text, class Json>
int print_cohort_analysis(const std::string& path, const std::string& rules_path, bool as_json, Analyse analyse,
                          Text text, Json to_json) {
  const auto cohort = load_cohort(path, rules_path);
  const auto result = analyse(cohort->patients);
  if (as_json) print(to_json(result), cohort->rule_set);
  else std::cout << text(result);
  return kExitOk;
}

int run_cohort(const CohortCommandOptions& options) {
  return guarded("cohort", [&] {
    return print_cohort_analysis(
        options.path, options.rules_path, options.as_json,
        [](const auto& patients) { return summarise_cohort(patients, default_baseline_fields(), 0.95); },
        [](const CohortSummary& summary) { return cohort_summary_text(summary); },
        [](const CohortSummary& summary) { return cohort_summary_json(summary); });
  });
}

CohortSurvivalRequest survival_request(const SurvivalCommandOptions& options) {
  CohortSurvivalRequest request;
  const auto endpoint = from_name<Endpoint>(options.endpoint);
  if (!endpoint) throw std::invalid_argument(fmt::format("--endpoint \"{}\": expected lfs, os, crs-onset or crs-resolution", options.endpoint));
  request.endpoint = *endpoint;
  const auto conf_type = parse_confidence_type(options.conf_type);
  if (!conf_type) throw std::invalid_argument(fmt::format("--conf-type \"{}\": expected plain, log or log-log", options.conf_type));
  request.conf_type = *conf_type;
  check_level(options.conf_level, "--conf-level");
  request.conf_level = options.conf_level;
  request.endpoint_options.censor_at_hct = options.censor_at_hct;
  request.endpoint_options.death_is_lfs_event = !options.death_censors_lfs;
  const bool in_months = request.endpoint == Endpoint::leukaemia_free_survival || request.endpoint == Endpoint::overall_survival;
  for (double months : options.at_months) {
    if (!(months >= 0)) throw std::invalid_argument(fmt::format("--at {}: months since infusion, 0 or more", months));
    if (!in_months) throw std::invalid_argument("--at takes months for lfs and os; use --at-day for the CRS endpoints");
    request.at_days.push_back(months * kDaysPerMonth);
  }
  for (double days : options.at_days) {
    if (!(days >= 0)) throw std::invalid_argument(fmt::format("--at-day {}: days, 0 or more", days));
    request.at_days.push_back(days);
  }
  if (!options.by.empty()) request.by = required_field(options.by, "--by");
  return request;
}

int run_survival(const SurvivalCommandOptions& options) {
  return guarded("survival", [&] {
    const CohortSurvivalRequest request = survival_request(options);
    return print_cohort_analysis(
        options.path, options.rules_path, options.as_json,
        [&](const auto& patients) { return analyse_survival(patients, request); },
        [](const CohortSurvival& survival) { return survival_text(survival); },
        [](const CohortSurvival& survival) { return survival_json(survival); });
  });
}

ComparisonRequest comparison_request(const CompareCommandOptions& options) {
  ComparisonRequest request;
  const auto test = from_name<ComparisonTest>(options.test);
  if (!test) {
    throw std::invalid_argument(fmt::format(
        "--test \"{}\": expected fisher, chi-square, chi-square-yates, student, welch, mann-whitney or paired", options.test));
  }
  request.test = *test;
  check_level(options.conf_level, "--conf-level");
  request.conf_level = options.conf_level;
  if (!options.by.empty()) request.by = required_field(options.by, "--by");
  for (const auto& name : options.values) request.values.push_back(required_field(name, "--value"));
  return request;
}

int run_compare(const CompareCommandOptions& options) {
  return guarded("compare", [&] {
    const ComparisonRequest request = comparison_request(options);
    return print_cohort_analysis(
        options.path, options.rules_path, options.as_json,
        [&](const auto& patients) { return compare_cohort(patients, request); },
        [](const CohortComparison& comparison) { return comparison_text(comparison); },
        [](const CohortComparison& comparison) { return comparison_json(comparison); });
  });
}

int run_platelets(const PlateletsCommandOptions& options) {
  return guarded("platelets", [&] {
    const RuleSet rule_set = load_rules(options.rules_path);
    const PlateletRules rules = PlateletRules::from(rule_set);
    std::vector<Timeline> timelines;
    for (auto& item : load_timelines(options.path)) timelines.push_back(std::move(item.timeline));
    if (timelines.size() == 1) {
      const auto response = platelet_transfusion_response(timelines.front(), rules, options.drug);
      if (options.as_json) print(platelets_json(response, rules), rule_set);
      else std::cout << platelets_text(response, rules);
      return kExitOk;
    }
    const auto response = cohort_platelet_response(timelines, rules, options.drug);
    if (options.as_json) print(platelets_json(response, rules), rule_set);
    else std::cout << platelets_text(response, rules);
    return kExitOk;
  });
}

// "fisher:prior_hct:severe_crs", "paired:peak_il6:peak_ferritin" (paired: two values, no grouping).
ComparisonRequest parse_comparison(const std::string& text) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t colon; (colon = text.find(':', start)) != std::string::npos; start = colon + 1) {
    parts.push_back(text.substr(start, colon - start));
  }
  parts.push_back(text.substr(start));
  if (parts.size() != 3) throw std::invalid_argument(fmt::format("--compare \"{}\": expected TEST:BY:VALUE", text));
  CompareCommandOptions options;
  options.test = parts[0];
  if (parts[0] == "paired") {
    options.values = {parts[1], parts[2]};
  } else {
    options.by = parts[1];
    options.values = {parts[2]};
  }
  return comparison_request(options);
}

// The page goes to a temporary file beside the target, renamed over it only when complete, so that a
// failure never leaves half a report (or destroys the previous one).
void write_whole_file(const std::filesystem::path& target, const std::string& text) {
  const std::filesystem::path temporary = target.string() + ".partial";
  {
    std::ofstream stream(temporary, std::ios::binary | std::ios::trunc);
    if (!stream) throw std::invalid_argument(fmt::format("--out {}: cannot write there", target.string()));
    stream << text;
    stream.close();
    if (!stream) {
      std::filesystem::remove(temporary);
      throw std::invalid_argument(fmt::format("--out {}: writing failed", target.string()));
    }
  }
  std::error_code error;
  std::filesystem::rename(temporary, target, error);
  if (error) {
    std::filesystem::remove(temporary);
    throw std::invalid_argument(fmt::format("--out {}: cannot replace it: {}", target.string(), error.message()));
  }
}

int run_report(const ReportCommandOptions& options) {
  return guarded("report", [&] {
    SurvivalCommandOptions survival;
    survival.endpoint = options.endpoint;
    survival.conf_type = options.conf_type;
    survival.at_months = options.at_months.empty() ? std::vector<double>{6, 12} : options.at_months;
    survival.by = options.survival_by;
    CohortReportOptions report;
    report.survival = survival_request(survival);
    for (const auto& text : options.comparisons) report.comparisons.push_back(parse_comparison(text));
    if (!options.title.empty()) report.title = options.title;
    report.source = options.path;
    report.generated = std::string("generated by crsguard ") + CRSGUARD_VERSION;
    if (options.out.empty()) throw std::invalid_argument("--out: the HTML file to write");
    const auto cohort = load_cohort(options.path, options.rules_path);
    report.platelet_rules = PlateletRules::from(cohort->rule_set);
    const std::string page = report_html(cohort_report(cohort->patients, report));
    write_whole_file(options.out, page);
    std::cout << fmt::format("{}: report of {} patients written ({} bytes)\n", options.out, cohort->patients.size(), page.size());
    return kExitOk;
  });
}

}  // namespace

void add_analysis_commands(CLI::App& app, AnalysisCommands& commands) {
  auto& cohort = commands.cohort_options;
  commands.cohort = app.add_subcommand("cohort", "Cohort summary: baseline table, response rate with CI, CRS and ICANS grade distribution");
  commands.cohort->add_option("COHORT", cohort.path, "cohort folder or file")->required();
  commands.cohort->add_option("--rules", cohort.rules_path, "site overrides of rule parameters (docs/grading.md)");
  commands.cohort->add_flag("--json", cohort.as_json, "print JSON instead of text");

  auto& survival = commands.survival_options;
  commands.survival = app.add_subcommand("survival", "Kaplan–Meier survival with Greenwood CI, medians and the log-rank test");
  commands.survival->add_option("COHORT", survival.path, "cohort folder or file")->required();
  commands.survival->add_option("--endpoint", survival.endpoint, "lfs (default), os, crs-onset, crs-resolution");
  commands.survival->add_option("--conf-type", survival.conf_type, "confidence interval: plain, log (default), log-log");
  commands.survival->add_option("--conf-level", survival.conf_level, "confidence level (default 0.95)");
  commands.survival->add_option("--at", survival.at_months, "survival at these months since infusion (lfs, os)");
  commands.survival->add_option("--at-day", survival.at_days, "survival at these days (any endpoint)");
  commands.survival->add_option("--by", survival.by, "group by a cohort field (crsguard cohort lists them) and compare by log-rank");
  commands.survival->add_flag("--censor-at-hct", survival.censor_at_hct, "censor at an HCT after CAR-T (sensitivity analysis)");
  commands.survival->add_flag("--death-censors-lfs", survival.death_censors_lfs, "count a death without relapse as censored for lfs");
  commands.survival->add_option("--rules", survival.rules_path, "site overrides of rule parameters (docs/grading.md)");
  commands.survival->add_flag("--json", survival.as_json, "print JSON instead of text");

  auto& compare = commands.compare_options;
  commands.compare = app.add_subcommand("compare", "Compare groups: Fisher, chi-square, Student, Welch, Mann–Whitney, paired t");
  commands.compare->add_option("COHORT", compare.path, "cohort folder or file")->required();
  commands.compare->add_option("--test", compare.test, "fisher, chi-square, chi-square-yates, student, welch, mann-whitney, paired")
      ->required();
  commands.compare->add_option("--by", compare.by, "the category field that forms the groups (not for paired)");
  commands.compare->add_option("--value", compare.values, "the field compared (two fields for paired: first − second)")
      ->required();
  commands.compare->add_option("--conf-level", compare.conf_level, "confidence level of the estimate's CI (default 0.95)");
  commands.compare->add_option("--rules", compare.rules_path, "site overrides of rule parameters (docs/grading.md)");
  commands.compare->add_flag("--json", compare.as_json, "print JSON instead of text");

  auto& platelets = commands.platelets_options;
  commands.platelets = app.add_subcommand("platelets", "Platelet transfusion response: CCI and PPR at 24 h, before and after a drug");
  commands.platelets->add_option("FILE", platelets.path, "timeline file, cohort file or folder")->required();
  commands.platelets->add_option("--drug", platelets.drug, "the drug whose first dose splits before/after (default ruxolitinib)");
  commands.platelets->add_option("--rules", platelets.rules_path, "site overrides of rule parameters (docs/grading.md)");
  commands.platelets->add_flag("--json", platelets.as_json, "print JSON instead of text");

  auto& report = commands.report_options;
  commands.report = app.add_subcommand("report", "Write one self-contained, offline HTML report: tables and figures");
  commands.report->add_option("COHORT", report.path, "cohort folder or file")->required();
  commands.report->add_option("--out", report.out, "the HTML file to write")->required();
  commands.report->add_option("--title", report.title, "the report's title");
  commands.report->add_option("--endpoint", report.endpoint, "survival endpoint: lfs (default), os, crs-onset, crs-resolution");
  commands.report->add_option("--conf-type", report.conf_type, "survival CI: plain, log (default), log-log");
  commands.report->add_option("--at", report.at_months, "survival at these months (default 6 and 12)");
  commands.report->add_option("--survival-by", report.survival_by, "survival curves by a cohort field, with the log-rank test");
  commands.report->add_option("--compare", report.comparisons, "a comparison TEST:BY:VALUE (e.g. fisher:prior_hct:severe_crs)");
  commands.report->add_option("--rules", report.rules_path, "site overrides of rule parameters (docs/grading.md)");
}

int run_analysis_command(const AnalysisCommands& commands) {
  if (commands.cohort != nullptr && *commands.cohort) return run_cohort(commands.cohort_options);
  if (commands.survival != nullptr && *commands.survival) return run_survival(commands.survival_options);
  if (commands.compare != nullptr && *commands.compare) return run_compare(commands.compare_options);
  if (commands.platelets != nullptr && *commands.platelets) return run_platelets(commands.platelets_options);
  if (commands.report != nullptr && *commands.report) return run_report(commands.report_options);
  return -1;
}

}  // namespace crsguard
