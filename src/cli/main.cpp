// crsguard command line. Exit status: 0 success, 1 internal failure, 2 bad input or usage.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "cli/day_summary_output.hpp"
#include "core/problem.hpp"
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

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? kExitOk : kExitBadInput;
  }

  try {
    if (*validate) return run_validate(validate_paths);
    if (*summary) return run_summary(summary_path, summary_json);
  } catch (const std::exception& error) {
    std::cerr << "crsguard: internal error: " << error.what() << '\n';
    return kExitInternal;
  }
  return kExitInternal;
}
