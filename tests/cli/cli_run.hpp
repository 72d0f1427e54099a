#pragma once
// Runs the crsguard command as a user would, capturing its exit status, stdout and stderr.
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "../headless_chromium.hpp"  // shell_quote
#include "../temp_folder.hpp"

namespace crsguard::testing {

namespace fs = std::filesystem;

inline fs::path source_path(const std::string& relative) { return fs::path(CRSGUARD_SOURCE_DIR) / relative; }

inline std::string read_file(const fs::path& path) {
  std::ifstream stream(path, std::ios::binary);
  std::ostringstream text;
  text << stream.rdbuf();
  return text.str();
}

inline std::vector<std::string> lines_of(const std::string& text) {
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
// With `input`, that text is its standard input (else the test's own).
inline CliRun run_crsguard(const std::vector<std::string>& arguments, const fs::path& working_folder,
                           const std::optional<std::string>& input = std::nullopt) {
  const TempFolder captured("output");
  const fs::path out = captured.path() / "stdout";
  const fs::path err = captured.path() / "stderr";
  std::string command = "cd " + shell_quote(working_folder.string()) + " && " + shell_quote(CRSGUARD_CLI_PATH);
  for (const auto& argument : arguments) command += " " + shell_quote(argument);
  command += " >" + shell_quote(out.string()) + " 2>" + shell_quote(err.string());
  if (input) {
    const fs::path in = captured.path() / "stdin";
    std::ofstream(in, std::ios::binary) << *input;
    command += " <" + shell_quote(in.string());
  }
  const int raw = std::system(command.c_str());
  CliRun run;
  if (raw != -1 && WIFEXITED(raw)) run.status = WEXITSTATUS(raw);
  run.out = read_file(out);
  run.err = read_file(err);
  return run;
}

// Runs in a throwaway working folder with absolute paths, as a user might from anywhere.
inline CliRun run_crsguard(const std::vector<std::string>& arguments) {
  const TempFolder working("cwd");
  return run_crsguard(arguments, working.path());
}

}  // namespace crsguard::testing
