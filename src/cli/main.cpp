// crsguard command line. Exit status: 0 success, 1 internal failure, 2 bad input or usage.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "cli/day_summary_output.hpp"
#include "cli/grading_output.hpp"
#include "cli/scores_output.hpp"
#include "core/problem.hpp"
#include "io/rules_json.hpp"
#include "io/timeline_files.hpp"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitInternal = 1;
constexpr int kExitBadInput = 2;

void print_problems(const crsguard::InputError& error) {
  for (const auto& line : error.lines()) std::cerr << line << '\n';
}

int run_validate(const std::vector<std::string>& paths) {
  int status = kExitOk;
  for (const auto& path : paths) {
    try {
      const auto loaded = crsguard::load_timelines(path);
      if (loaded.size() == 1 && loaded.front().file == path) {
        std::cout << fmt::format("{}: ok: {}\n", path, crsguard::timeline_headline(loaded.front().timeline));
      } else {
        std::cout << fmt::format("{}: ok: cohort of {} patients\n", path, loaded.size());
        for (const auto& item : loaded) {
          std::cout << fmt::format("  {}: {}\n", item.file, crsguard::timeline_headline(item.timeline));
        }
      }
    } catch (const crsguard::InputError& error) {
      print_problems(error);
      status = kExitBadInput;
    }
  }
  return status;
}

int run_summary(const std::string& path, bool as_json) {
  try {
    const auto loaded = crsguard::load_timelines(path);
    if (as_json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& item : loaded) out.push_back(crsguard::day_summary_json(item.timeline));
      std::cout << (loaded.size() == 1 ? out.front() : out).dump(2) << '\n';
      return kExitOk;
    }
    bool first = true;
    for (const auto& item : loaded) {
      if (!first) std::cout << '\n';
      first = false;
      std::cout << crsguard::day_summary_table(item.timeline);
    }
    return kExitOk;
  } catch (const crsguard::InputError& error) {
    print_problems(error);
    return kExitBadInput;
  }
}

struct GradeOptions {
  std::string path;
  std::string by = "day";
  std::string scale = "astct";
  std::string rules_path;
  bool as_json = false;
};

// Loads the timelines and the rules, grades every patient, and hands them to `print`.
template <class Print>
int with_graded_patients(const std::string& path, const std::string& rules_path, Print print) {
  try {
    const crsguard::RuleSet rule_set = crsguard::load_rules(rules_path);
    const auto rules = crsguard::GradingRules::from(rule_set);
    const auto loaded = crsguard::load_timelines(path);
    std::vector<crsguard::GradedPatient> patients;
    patients.reserve(loaded.size());
    for (const auto& item : loaded) {
      patients.push_back({&item.timeline, crsguard::grade_course(item.timeline, rules)});
    }
    print(patients, rules, rule_set);
    return kExitOk;
  } catch (const crsguard::InputError& error) {
    print_problems(error);
    return kExitBadInput;
  }
}

void print_json(nlohmann::json document, const crsguard::RuleSet& rule_set) {
  if (auto overrides = crsguard::rule_overrides_json(rule_set); !overrides.empty()) {
    document["rule_overrides"] = std::move(overrides);
  }
  std::cout << document.dump(2) << '\n';
}

// The older scales named by --scale (empty for astct).
std::vector<crsguard::CrsScale> older_scales(const std::string& scale) {
  using crsguard::CrsScale;
  if (scale == "lee2014") return {CrsScale::lee2014};
  if (scale == "penn") return {CrsScale::penn2018};
  if (scale == "mskcc") return {CrsScale::mskcc2018};
  if (scale == "cartox") return {CrsScale::cartox2018};
  if (scale == "all") return {CrsScale::lee2014, CrsScale::penn2018, CrsScale::mskcc2018, CrsScale::cartox2018};
  return {};
}

int run_grade(const GradeOptions& options) {
  const auto granularity = options.by == "event" ? crsguard::GradeGranularity::event : crsguard::GradeGranularity::day;
  const auto scales = older_scales(options.scale);
  if (!scales.empty() && granularity == crsguard::GradeGranularity::event) {
    std::cerr << "crsguard grade: --by event is available for --scale astct only\n";
    return kExitBadInput;
  }
  return with_graded_patients(options.path, options.rules_path, [&](const auto& patients, const auto& rules,
                                                                    const auto& rule_set) {
    if (!scales.empty()) {
      if (patients.size() == 1) {
        if (options.as_json) return print_json(crsguard::scales_json(patients.front(), scales, rule_set), rule_set);
        std::cout << crsguard::scales_text(patients.front(), scales, rule_set);
        return;
      }
      if (options.as_json) return print_json(crsguard::cohort_scales_json(patients, scales, rule_set), rule_set);
      std::cout << crsguard::cohort_scales_text(patients, scales, rule_set);
      return;
    }
    if (patients.size() == 1) {
      if (options.as_json) return print_json(crsguard::grades_json(patients.front(), rules, granularity), rule_set);
      std::cout << crsguard::grades_text(patients.front(), rules, granularity);
      return;
    }
    if (options.as_json) return print_json(crsguard::cohort_grades_json(patients, rules), rule_set);
    std::cout << crsguard::cohort_grades_text(patients);
  });
}

int run_episodes(const std::string& path, const std::string& rules_path, bool as_json) {
  return with_graded_patients(path, rules_path, [&](const auto& patients, const auto& rules, const auto& rule_set) {
    if (as_json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& patient : patients) out.push_back(crsguard::episodes_json(patient, rules));
      return print_json(nlohmann::json{{"patients", std::move(out)}}, rule_set);
    }
    bool first = true;
    for (const auto& patient : patients) {
      if (!first) std::cout << '\n';
      first = false;
      std::cout << crsguard::timeline_headline(*patient.timeline) << '\n'
                << crsguard::episodes_text(patient, rules);
    }
  });
}

int run_scores(const std::string& path, const std::string& rules_path, bool as_json) {
  return with_graded_patients(path, rules_path, [&](const auto& patients, const auto&, const auto& rule_set) {
    if (as_json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& patient : patients) out.push_back(crsguard::scores_json(*patient.timeline, rule_set));
      return print_json(nlohmann::json{{"patients", std::move(out)}}, rule_set);
    }
    bool first = true;
    for (const auto& patient : patients) {
      if (!first) std::cout << '\n';
      first = false;
      std::cout << crsguard::scores_text(*patient.timeline, rule_set);
    }
  });
}

int run_rules(const std::string& rules_path, bool as_json) {
  try {
    const crsguard::RuleSet rules = crsguard::load_rules(rules_path);
    if (as_json) {
      std::cout << crsguard::rule_parameters_json(rules).dump(2) << '\n';
    } else {
      std::cout << crsguard::rule_parameters_text(rules);
    }
    return kExitOk;
  } catch (const crsguard::InputError& error) {
    print_problems(error);
    return kExitBadInput;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "crsguard: cytokine release syndrome and ICANS decision support after CAR-T therapy.\n"
      "Decision support, not orders: every result shows the data and rule behind it."};
  app.set_version_flag("--version", std::string("crsguard ") + CRSGUARD_VERSION);
  app.require_subcommand(1);

  std::vector<std::string> validate_paths;
  auto* validate = app.add_subcommand("validate", "Check timeline files (JSON, CSV) or cohort folders");
  validate->add_option("FILE", validate_paths, "timeline file, cohort file or folder")->required();

  std::string summary_path;
  bool summary_json = false;
  auto* summary = app.add_subcommand("summary", "Per-day summary: Tmax, HRmax, SBPmin, oxygen, vasopressors, drugs");
  summary->add_option("FILE", summary_path, "timeline file, cohort file or folder")->required();
  summary->add_flag("--json", summary_json, "print JSON instead of a table");

  GradeOptions grade_options;
  auto* grade = app.add_subcommand("grade", "ASTCT 2019 CRS and ICANS grades with the rule and data behind each");
  grade->add_option("FILE", grade_options.path, "timeline file, cohort file or folder")->required();
  grade->add_option("--by", grade_options.by, "one row per study day (maximum) or per event")
      ->check(CLI::IsMember({"day", "event"}));
  grade->add_option("--scale", grade_options.scale, "grading scale")->check(CLI::IsMember({"astct", "lee2014", "penn", "mskcc", "cartox", "all"}));
  grade->add_option("--rules", grade_options.rules_path, "site overrides of rule parameters (docs/grading.md)");
  grade->add_flag("--json", grade_options.as_json, "print JSON instead of text");

  std::string episodes_path;
  std::string episodes_rules;
  bool episodes_json_flag = false;
  auto* episodes = app.add_subcommand("episodes", "CRS episodes: onset, maximum grade, resolution, duration");
  episodes->add_option("FILE", episodes_path, "timeline file, cohort file or folder")->required();
  episodes->add_option("--rules", episodes_rules, "site overrides of rule parameters (docs/grading.md)");
  episodes->add_flag("--json", episodes_json_flag, "print JSON instead of text");

  std::string scores_path;
  std::string scores_rules;
  bool scores_json_flag = false;
  auto* scores = app.add_subcommand("scores", "Risk scores (EASIX, m-EASIX, CAR-HEMATOTOX, Hay 2017) with their inputs");
  scores->add_option("FILE", scores_path, "timeline file, cohort file or folder")->required();
  scores->add_option("--rules", scores_rules, "site overrides of rule parameters (docs/grading.md)");
  scores->add_flag("--json", scores_json_flag, "print JSON instead of text");

  std::string rules_overrides;
  bool rules_json_flag = false;
  auto* rules = app.add_subcommand("rules", "List every clinical rule parameter with its value, unit, source and status");
  rules->add_option("--rules", rules_overrides, "site overrides of rule parameters (docs/grading.md)");
  rules->add_flag("--json", rules_json_flag, "print JSON instead of a table");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? kExitOk : kExitBadInput;
  }

  try {
    if (*validate) return run_validate(validate_paths);
    if (*summary) return run_summary(summary_path, summary_json);
    if (*grade) return run_grade(grade_options);
    if (*episodes) return run_episodes(episodes_path, episodes_rules, episodes_json_flag);
    if (*scores) return run_scores(scores_path, scores_rules, scores_json_flag);
    if (*rules) return run_rules(rules_overrides, rules_json_flag);
  } catch (const std::exception& error) {
    std::cerr << "crsguard: internal error: " << error.what() << '\n';
    return kExitInternal;
  }
  return kExitInternal;
}
