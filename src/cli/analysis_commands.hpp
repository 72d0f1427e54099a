#pragma once
// The cohort-analysis commands: `crsguard cohort`, `survival`, `compare`, `platelets`, `report`
// (docs/analysis.md). Each reads timelines, runs src/analysis, and prints text or JSON.
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace crsguard {

struct CohortCommandOptions {
  std::string path;
  std::string rules_path;
  bool as_json = false;
};

struct SurvivalCommandOptions {
  std::string path;
  std::string endpoint = "lfs";
  std::string conf_type = "log";
  double conf_level = 0.95;
  std::vector<double> at_months;
  std::vector<double> at_days;
  std::string by;
  bool censor_at_hct = false;
  bool death_censors_lfs = false;
  std::string rules_path;
  bool as_json = false;
};

struct CompareCommandOptions {
  std::string path;
  std::string test;
  std::string by;
  std::vector<std::string> values;  // one field; two for a paired t-test
  double conf_level = 0.95;
  std::string rules_path;
  bool as_json = false;
};

struct PlateletsCommandOptions {
  std::string path;
  std::string drug = "ruxolitinib";
  std::string rules_path;
  bool as_json = false;
};

struct ReportCommandOptions {
  std::string path;
  std::string out;
  std::string title;
  std::string endpoint = "lfs";
  std::string conf_type = "log";
  std::vector<double> at_months;
  std::string survival_by;
  std::vector<std::string> comparisons;  // TEST:BY:VALUE
  std::string rules_path;
};

struct AnalysisCommands {
  CLI::App* cohort = nullptr;
  CLI::App* survival = nullptr;
  CLI::App* compare = nullptr;
  CLI::App* platelets = nullptr;
  CLI::App* report = nullptr;
  CohortCommandOptions cohort_options;
  SurvivalCommandOptions survival_options;
  CompareCommandOptions compare_options;
  PlateletsCommandOptions platelets_options;
  ReportCommandOptions report_options;
};

// Adds the subcommands; `commands` must outlive the parse.
void add_analysis_commands(CLI::App& app, AnalysisCommands& commands);
// Runs the one that was chosen; returns the exit status, or -1 when none of them was.
int run_analysis_command(const AnalysisCommands& commands);

}  // namespace crsguard
