// The crsguard command as a user runs it: what it prints, where, and its exit status
// (0 ok, 2 bad input or usage, 1 internal failure).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <stdlib.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

fs::path source_path(const std::string& relative) { return fs::path(CRSGUARD_SOURCE_DIR) / relative; }

// A fresh, empty folder under the system temp folder, removed with everything in it at the end.
class TempFolder {
 public:
  explicit TempFolder(const std::string& purpose) {
    std::string pattern = (fs::temp_directory_path() / ("crsguard-cli-" + purpose + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  ~TempFolder() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string read_file(const fs::path& path) {
  std::ifstream stream(path, std::ios::binary);
  std::ostringstream text;
  text << stream.rdbuf();
  return text.str();
}

// Single-quoted for /bin/sh: every character is literal except ', written as '\''.
std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  return lines;
}

struct CliRun {
  int status = -1;  // exit status; -1 when the process did not exit normally (a crash)
  std::string out;
  std::string err;
};

// Runs crsguard with `arguments` in `working_folder`. stdout and stderr go to files in a
// separate folder, so that the working folder shows whatever the command itself writes.
CliRun run_crsguard(const std::vector<std::string>& arguments, const fs::path& working_folder) {
  const TempFolder captured("output");
  const fs::path out = captured.path() / "stdout";
  const fs::path err = captured.path() / "stderr";
  std::string command = "cd " + shell_quote(working_folder.string()) + " && " + shell_quote(CRSGUARD_CLI_PATH);
  for (const auto& argument : arguments) command += " " + shell_quote(argument);
  command += " >" + shell_quote(out.string()) + " 2>" + shell_quote(err.string());
  const int raw = std::system(command.c_str());
  CliRun run;
  if (raw != -1 && WIFEXITED(raw)) run.status = WEXITSTATUS(raw);
  run.out = read_file(out);
  run.err = read_file(err);
  return run;
}

// Runs in a throwaway working folder with absolute paths, as a user might from anywhere.
CliRun run_crsguard(const std::vector<std::string>& arguments) {
  const TempFolder working("cwd");
  return run_crsguard(arguments, working.path());
}

const std::string kAdultCase = source_path("examples/adult-case-zi2021.timeline.json").string();
const std::string kPaediatricCohort = source_path("examples/paediatric-cohort-pan2021").string();
const std::string kManyProblems = source_path("tests/data/bad/many-problems.json").string();

TEST(Cli, VersionPrintsNameAndVersion) {
  const CliRun run = run_crsguard({"--version"});
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("crsguard 0.1.0"), std::string::npos) << run.out;
}

TEST(Cli, HelpExitsZeroAndNamesTheSubcommands) {
  const CliRun run = run_crsguard({"--help"});
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("validate"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("summary"), std::string::npos) << run.out;
}

TEST(Cli, NoSubcommandIsAUsageError) {
  const CliRun run = run_crsguard({});
  EXPECT_EQ(run.status, 2);
  EXPECT_FALSE(run.err.empty()) << "a usage error must say what is wrong";
}

TEST(Cli, UnknownSubcommandIsAUsageError) { EXPECT_EQ(run_crsguard({"frobnicate"}).status, 2); }

TEST(Cli, ValidateGoodFilePrintsOk) {
  const CliRun run = run_crsguard({"validate", kAdultCase});
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out.rfind(kAdultCase + ": ok: zi2021-case", 0), 0u) << run.out;
  EXPECT_EQ(run.err, "");
}

TEST(Cli, ValidateFolderListsFourteenPatients) {
  const CliRun run = run_crsguard({"validate", kPaediatricCohort});
  EXPECT_EQ(run.status, 0) << run.err;
  const auto lines = lines_of(run.out);
  ASSERT_EQ(lines.size(), 15u) << run.out;
  EXPECT_EQ(lines[0], kPaediatricCohort + ": ok: cohort of 14 patients");
  for (int patient = 1; patient <= 14; ++patient) {
    const std::string number = (patient < 10 ? "0" : "") + std::to_string(patient);
    const std::string& line = lines[static_cast<std::size_t>(patient)];
    EXPECT_NE(line.find("patient-" + number + ".timeline.json: pan2021-p" + number + " "), std::string::npos) << line;
  }
}

TEST(Cli, ValidateBadFileExitsTwoWithOneLinePerProblem) {
  const CliRun run = run_crsguard({"validate", kManyProblems});
  EXPECT_EQ(run.status, 2);
  EXPECT_EQ(run.out.find(": ok"), std::string::npos) << run.out;
  const auto lines = lines_of(run.err);
  const std::vector<std::string> expected_places{
      ": at /infusion/targets, field \"targets\": ", ": at /patient/sex, field \"sex\": ",
      ": at /events/0/value, field \"value\": ", ": at /events/1/device, field \"device\": ",
      ": at /events/2/dose/value, field \"value\": "};
  ASSERT_EQ(lines.size(), expected_places.size()) << run.err;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].rfind(kManyProblems + expected_places[i], 0), 0u) << lines[i];
    // After the place comes the reason: not empty.
    EXPECT_GT(lines[i].size(), kManyProblems.size() + expected_places[i].size()) << lines[i];
  }
}

TEST(Cli, ValidateGoodAndBadTogetherStillReportsTheGoodOne) {
  const std::string bad = source_path("tests/data/bad/unknown-unit.json").string();
  // The bad file first: one bad file must not stop the others from being checked.
  const CliRun run = run_crsguard({"validate", bad, kAdultCase});
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.out.find(kAdultCase + ": ok"), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find(bad), std::string::npos) << run.out;
  EXPECT_EQ(run.err.rfind(bad + ": at /events/0/unit, field \"unit\": unknown unit \"degrees\"", 0), 0u) << run.err;
}

TEST(Cli, SummaryTableShowsTheDayOfTocilizumab) {
  const CliRun run = run_crsguard({"summary", kAdultCase});
  ASSERT_EQ(run.status, 0) << run.err;
  std::string day5;
  for (const auto& line : lines_of(run.out)) {
    std::istringstream words(line);
    std::string first;
    if (words >> first && first == "5") day5 = line;
  }
  ASSERT_FALSE(day5.empty()) << "no row for day 5:\n" << run.out;
  EXPECT_NE(day5.find("40.8"), std::string::npos) << day5;
  EXPECT_NE(day5.find("161"), std::string::npos) << day5;
  EXPECT_NE(day5.find("tocilizumab 400 mg"), std::string::npos) << day5;
}

TEST(Cli, SummaryJsonParsesWithTheDaysValues) {
  const CliRun run = run_crsguard({"summary", kAdultCase, "--json"});
  ASSERT_EQ(run.status, 0) << run.err;
  const auto summary = nlohmann::json::parse(run.out, nullptr, false);
  ASSERT_FALSE(summary.is_discarded()) << "not JSON:\n" << run.out;
  EXPECT_EQ(summary.value("patient", ""), "zi2021-case");
  ASSERT_TRUE(summary.contains("days") && summary["days"].is_array()) << run.out;
  const nlohmann::json* day6 = nullptr;
  const nlohmann::json* day7 = nullptr;
  for (const auto& day : summary["days"]) {
    if (day.value("day", 0) == 6) day6 = &day;
    if (day.value("day", 0) == 7) day7 = &day;
  }
  ASSERT_NE(day6, nullptr) << run.out;
  ASSERT_NE(day7, nullptr) << run.out;
  EXPECT_EQ((*day6)["min_systolic_bp"]["value"], 89) << day6->dump();
  bool ruxolitinib_found = false;
  for (const auto& drug : (*day7)["drugs"]) {
    if (drug.value("drug", "") != "ruxolitinib") continue;
    ruxolitinib_found = true;
    EXPECT_EQ(drug["doses"], 2) << drug.dump();
  }
  EXPECT_TRUE(ruxolitinib_found) << day7->dump();
}

TEST(Cli, SummaryOfMissingFileIsBadInput) {
  const std::string missing = source_path("examples/no-such-file.json").string();
  const CliRun run = run_crsguard({"summary", missing});
  EXPECT_EQ(run.status, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find(missing + ": no such file"), std::string::npos) << run.err;
}

TEST(Cli, CommandsWriteNothingToTheWorkingFolder) {
  const TempFolder working("nothing-written");
  const auto files_in = [&working] {
    std::set<std::string> names;
    for (const auto& entry : fs::recursive_directory_iterator(working.path())) names.insert(entry.path().string());
    return names;
  };
  std::ofstream(working.path() / "already-here.txt") << "a file the user had\n";
  const auto before = files_in();
  const std::vector<std::vector<std::string>> commands{
      {"--version"},
      {"--help"},
      {"validate", kAdultCase},
      {"validate", kPaediatricCohort},
      {"validate", kManyProblems},
      {"summary", kAdultCase},
      {"summary", "--json", kAdultCase},
      {"summary", "no-such-file.json"},
  };
  for (const auto& command : commands) {
    const CliRun run = run_crsguard(command, working.path());
    EXPECT_NE(run.status, -1) << command.front() << " did not exit normally";
  }
  EXPECT_EQ(files_in(), before);
  EXPECT_EQ(read_file(working.path() / "already-here.txt"), "a file the user had\n");
}

}  // namespace
