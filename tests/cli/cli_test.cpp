// The crsguard command as a user runs it: output, errors and exit status.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace {

struct CliRun {
  int status;
  std::string out;
  std::string err;
};

std::string slurp(const std::filesystem::path& path) {
  std::ifstream stream(path);
  std::ostringstream text;
  text << stream.rdbuf();
  return text.str();
}

// Runs the CLI from the repository root with `arguments` (already shell-quoted).
CliRun crsguard(const std::string& arguments) {
  const auto dir = std::filesystem::temp_directory_path();
  // ctest runs tests in parallel processes: each call gets its own files.
  static int calls = 0;
  const std::string stem = "crsguard-cli-test-" + std::to_string(::getpid()) + "-" + std::to_string(++calls);
  const auto out = dir / (stem + ".out");
  const auto err = dir / (stem + ".err");
  const std::string command = std::string("cd '") + CRSGUARD_SOURCE_DIR + "' && '" + CRSGUARD_CLI_PATH + "' " +
                              arguments + " >'" + out.string() + "' 2>'" + err.string() + "'";
  const int raw = std::system(command.c_str());
  CliRun run{WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, slurp(out), slurp(err)};
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return run;
}

std::set<std::string> files_in(const std::filesystem::path& folder) {
  std::set<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) names.insert(entry.path().filename().string());
  return names;
}

TEST(Cli, VersionAndHelp) {
  const CliRun version = crsguard("--version");
  EXPECT_EQ(version.status, 0);
  EXPECT_NE(version.out.find("crsguard 0.1.0"), std::string::npos) << version.out;
  EXPECT_EQ(crsguard("--help").status, 0);
  EXPECT_EQ(crsguard("").status, 2) << "no subcommand is a usage error";
  EXPECT_EQ(crsguard("frobnicate").status, 2);
}

TEST(Cli, ValidateGoodFilesAndFolders) {
  const CliRun adult = crsguard("validate examples/adult-case-zi2021.timeline.json");
  EXPECT_EQ(adult.status, 0) << adult.err;
  EXPECT_NE(adult.out.find("examples/adult-case-zi2021.timeline.json: ok: zi2021-case (male, 20 y)"), std::string::npos)
      << adult.out;
  const CliRun cohort = crsguard("validate examples/paediatric-cohort-pan2021");
  EXPECT_EQ(cohort.status, 0) << cohort.err;
  EXPECT_NE(cohort.out.find("cohort of 14 patients"), std::string::npos) << cohort.out;
}

TEST(Cli, ValidateBadFileExitsTwoAndNamesEveryProblem) {
  const auto bad = std::filesystem::temp_directory_path() / ("crsguard-cli-bad-" + std::to_string(::getpid()) + ".json");
  std::ofstream(bad) << R"({"format": "crsguard.timeline/1", "patient": {"id": "p", "sex": "male"},
    "infusion": {"product": "x", "targets": ["CD19"]},
    "events": [{"kind": "observation", "time": {"day": 1}, "code": "body_temperature", "value": 60, "unit": "Cel"},
               {"kind": "oxygen", "time": {"day": 1}, "device": "mask"}]})";
  const CliRun run = crsguard("validate examples/adult-case-zi2021.timeline.json '" + bad.string() + "'");
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.out.find("adult-case-zi2021.timeline.json: ok"), std::string::npos) << "good files still reported";
  EXPECT_NE(run.err.find(bad.string() + ": at /events/0/value, field \"value\": body temperature 60 Cel"),
            std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find(bad.string() + ": at /events/1/device, field \"device\": unknown oxygen device"),
            std::string::npos)
      << run.err;
  std::filesystem::remove(bad);
}

TEST(Cli, SummaryTableAndJson) {
  const CliRun table = crsguard("summary examples/adult-case-zi2021.timeline.json");
  ASSERT_EQ(table.status, 0) << table.err;
  std::istringstream lines(table.out);
  std::string line;
  std::string day5;
  while (std::getline(lines, line)) {
    if (line.rfind("  5 ", 0) == 0) day5 = line;
  }
  EXPECT_NE(day5.find("40.8"), std::string::npos) << table.out;
  EXPECT_NE(day5.find("161"), std::string::npos) << day5;
  EXPECT_NE(day5.find("tocilizumab 400 mg"), std::string::npos) << day5;

  const CliRun json_run = crsguard("summary --json examples/adult-case-zi2021.timeline.json");
  ASSERT_EQ(json_run.status, 0) << json_run.err;
  const auto summary = nlohmann::json::parse(json_run.out);
  EXPECT_EQ(summary["patient"], "zi2021-case");
  bool day6_checked = false;
  bool day7_checked = false;
  for (const auto& day : summary["days"]) {
    if (day["day"] == 6) {
      EXPECT_EQ(day["min_systolic_bp"]["value"], 89);
      day6_checked = true;
    }
    if (day["day"] == 7) {
      for (const auto& drug : day["drugs"]) {
        if (drug["drug"] == "ruxolitinib") {
          EXPECT_EQ(drug["doses"], 2);
          EXPECT_EQ(drug["dose"]["value"], 10);
          day7_checked = true;
        }
      }
    }
  }
  EXPECT_TRUE(day6_checked && day7_checked) << json_run.out;
}

TEST(Cli, MissingFileIsBadInputAndNothingIsWritten) {
  const auto before = files_in(CRSGUARD_SOURCE_DIR);
  const CliRun run = crsguard("summary examples/no-such-file.json");
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("examples/no-such-file.json: no such file or folder"), std::string::npos) << run.err;
  crsguard("validate examples/adult-case-zi2021.timeline.json");
  EXPECT_EQ(files_in(CRSGUARD_SOURCE_DIR), before);
}

}  // namespace
