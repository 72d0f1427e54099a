// crsguard command line. Exit status: 0 success, 1 internal failure, 2 bad input or usage.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <iostream>
#include <string>
#include <vector>

#include "cli/analysis_commands.hpp"
#include "cli/server_commands.hpp"
#include "cli/sim_commands.hpp"
#include "cli/day_summary_output.hpp"
#include "cli/db_commands.hpp"
#include "cli/grading_output.hpp"
#include "cli/protocol_output.hpp"
#include "cli/scores_output.hpp"
#include "core/problem.hpp"
#include "core/time.hpp"
#include "clinical/protocol_replay.hpp"
#include "io/protocol_yaml.hpp"
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

struct ProtocolOptions {
  std::string path;
  std::string protocol;
  std::string at;
  std::string rules_path;
  std::vector<std::string> overrides;  // CHECK_ID=REASON
  double step_hours = 1;
  bool as_json = false;
};

// "7", "day 7", "7 14:30", "day 7 14:30": the start of study day 7, or that clock time on it.
std::optional<std::int64_t> parse_moment(const crsguard::Timeline& timeline, std::string text) {
  if (text.rfind("day", 0) == 0) text = text.substr(3);
  int day = 0;
  int hour = 0;
  int minute = 0;
  int consumed = 0;
  if (std::sscanf(text.c_str(), " %d %n", &day, &consumed) == 1 && static_cast<std::size_t>(consumed) == text.size()) {
    return timeline.day_start(day);
  }
  consumed = 0;
  const int read = std::sscanf(text.c_str(), " %d %d:%d %n", &day, &hour, &minute, &consumed);
  if (read == 3 && static_cast<std::size_t>(consumed) == text.size() && hour >= 0 && hour < 24 && minute >= 0 && minute < 60) {
    return timeline.day_start(day) + hour * crsguard::kSecondsPerHour + minute * crsguard::kSecondsPerMinute;
  }
  return std::nullopt;
}

crsguard::Overrides parse_overrides(const std::vector<std::string>& items) {
  crsguard::Overrides overrides;
  for (const std::string& item : items) {
    const auto equals = item.find('=');
    if (equals == std::string::npos || equals == 0) {
      throw std::invalid_argument(fmt::format("--override \"{}\": expected CHECK_ID=REASON", item));
    }
    overrides[item.substr(0, equals)] = item.substr(equals + 1);
  }
  return overrides;
}

// The one patient of FILE, the protocol and the rules; a cohort needs one patient chosen first.
template <class Run>
int with_patient_and_protocol(const ProtocolOptions& options, Run run) {
  try {
    const crsguard::RuleSet rule_set = crsguard::load_rules(options.rules_path);
    const auto rules = crsguard::ProtocolRules::from(rule_set);
    const crsguard::Protocol protocol = crsguard::load_protocol(options.protocol);
    const auto loaded = crsguard::load_timelines(options.path);
    if (loaded.size() != 1) {
      std::cerr << options.path << ": holds " << loaded.size()
                << " patients; advise and replay take one patient's timeline file\n";
      return kExitBadInput;
    }
    return run(loaded.front().timeline, protocol, rules);
  } catch (const crsguard::InputError& error) {
    print_problems(error);
    return kExitBadInput;
  } catch (const std::invalid_argument& error) {
    std::cerr << "crsguard: " << error.what() << '\n';
    return kExitBadInput;
  }
}

int run_advise(const ProtocolOptions& options) {
  return with_patient_and_protocol(options, [&](const crsguard::Timeline& timeline, const crsguard::Protocol& protocol,
                                                const crsguard::ProtocolRules& rules) {
    std::int64_t t = crsguard::last_recorded_time(timeline) + 1;  // after everything recorded
    if (!options.at.empty()) {
      const auto moment = parse_moment(timeline, options.at);
      if (!moment) {
        std::cerr << "crsguard: --at \"" << options.at << "\": expected a study day, optionally with a clock (\"7\", \"7 14:30\")\n";
        return kExitBadInput;
      }
      t = *moment;
    }
    const crsguard::Advice advice = crsguard::ProtocolEngine(protocol, rules).advise(timeline, t, parse_overrides(options.overrides));
    if (options.as_json) std::cout << crsguard::advice_json(timeline, protocol, advice).dump(2) << '\n';
    else std::cout << crsguard::advice_text(timeline, protocol, advice);
    return kExitOk;
  });
}

int run_replay(const ProtocolOptions& options) {
  if (!(options.step_hours >= 0.25 && options.step_hours <= 24)) {
    std::cerr << "crsguard: --step: between 0.25 and 24 hours\n";
    return kExitBadInput;
  }
  return with_patient_and_protocol(options, [&](const crsguard::Timeline& timeline, const crsguard::Protocol& protocol,
                                                const crsguard::ProtocolRules& rules) {
    const auto replay = crsguard::replay_protocol(timeline, protocol, rules, crsguard::seconds_from_hours(options.step_hours));
    if (options.as_json) std::cout << crsguard::replay_json(timeline, protocol, replay).dump(2) << '\n';
    else std::cout << crsguard::replay_text(timeline, protocol, replay);
    return kExitOk;
  });
}

int run_protocols(const std::string& file, bool as_json) {
  try {
    std::vector<crsguard::Protocol> protocols;
    if (file.empty()) protocols = crsguard::shipped_protocols();
    else protocols.push_back(crsguard::load_protocol(file));
    if (as_json) std::cout << crsguard::protocols_json(protocols).dump(2) << '\n';
    else std::cout << crsguard::protocols_text(protocols);
    return kExitOk;
  } catch (const crsguard::InputError& error) {
    print_problems(error);
    return kExitBadInput;
  }
}

void add_protocol_options(CLI::App* command, ProtocolOptions& options) {
  command->add_option("FILE", options.path, "one patient's timeline file")->required();
  command->add_option("--protocol", options.protocol, "shipped protocol name (crsguard protocols) or a protocol .yaml file")
      ->required();
  command->add_option("--rules", options.rules_path, "site overrides of rule parameters (docs/grading.md)");
  command->add_flag("--json", options.as_json, "print JSON instead of text");
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

  ProtocolOptions advise_options;
  auto* advise = app.add_subcommand("advise", "What the protocol recommends next, with doses, limits and safety checks");
  add_protocol_options(advise, advise_options);
  advise->add_option("--at", advise_options.at, "moment: study day, optionally with a clock (\"7\", \"7 14:30\"); default: after the last record");
  advise->add_option("--override", advise_options.overrides, "lift a block: CHECK_ID=REASON (the reason is recorded)");

  ProtocolOptions replay_options;
  auto* replay = app.add_subcommand("replay", "Walk the record moment by moment: the protocol's steps beside the drugs given");
  add_protocol_options(replay, replay_options);
  replay->add_option("--step", replay_options.step_hours, "hours between the moments asked, besides every event (default 1)");

  std::string protocols_file;
  bool protocols_json_flag = false;
  auto* protocols = app.add_subcommand("protocols", "List the shipped protocols with their sources, or check a protocol file");
  protocols->add_option("FILE", protocols_file, "a protocol .yaml file to validate and list");
  protocols->add_flag("--json", protocols_json_flag, "print JSON instead of text");

  crsguard::DbOptions db_options;
  auto* db = crsguard::add_db_command(app, db_options);

  crsguard::AnalysisCommands analysis;
  crsguard::add_analysis_commands(app, analysis);
  crsguard::SimCommands sim;
  crsguard::add_sim_commands(app, sim);
  crsguard::ServerCommands server;
  crsguard::add_server_commands(app, server);

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
    if (*advise) return run_advise(advise_options);
    if (*replay) return run_replay(replay_options);
    if (*protocols) return run_protocols(protocols_file, protocols_json_flag);
    if (*db) return crsguard::run_db_command(db_options);
    if (const int status = crsguard::run_analysis_command(analysis); status >= 0) return status;
    if (const int status = crsguard::run_sim_command(sim); status >= 0) return status;
    if (const int status = crsguard::run_server_command(server); status >= 0) return status;
  } catch (const std::exception& error) {
    std::cerr << "crsguard: internal error: " << error.what() << '\n';
    return kExitInternal;
  }
  return kExitInternal;
}
