#pragma once
// Renders a local HTML file in headless Chromium and returns the DOM after its scripts ran
// (--dump-dom), for tests of the offline report page. Every host name resolves to nothing
// (--host-resolver-rules="MAP * ~NOTFOUND"), so a page that tries the network fails visibly.
//
// Chromium: $CRSGUARD_CHROMIUM, else /usr/bin/chromium. When it is missing, a test calls
// GTEST_SKIP() — unless CRSGUARD_REQUIRE_CHROMIUM=1 (CI), where that is a failure.
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <array>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

namespace crsguard::testing {

// The browser to use, or nullopt when none is installed.
inline std::optional<std::filesystem::path> find_chromium() {
  if (const char* chosen = ::getenv("CRSGUARD_CHROMIUM"); chosen != nullptr && *chosen != '\0') {
    if (std::filesystem::exists(chosen)) return std::filesystem::path(chosen);
    return std::nullopt;
  }
  for (const char* candidate : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
    if (std::filesystem::exists(candidate)) return std::filesystem::path(candidate);
  }
  return std::nullopt;
}

inline bool chromium_required() {
  const char* required = ::getenv("CRSGUARD_REQUIRE_CHROMIUM");
  return required != nullptr && std::string(required) == "1";
}

// Single quotes for /bin/sh, so that any path is passed as one word.
inline std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The DOM of `html_file` once Chromium's virtual time budget (ms) has run out; throws
// std::runtime_error when Chromium exits with an error. `profile_dir` keeps Chromium's profile out of
// $HOME (a fresh folder per test).
inline std::string dump_dom(const std::filesystem::path& chromium, const std::filesystem::path& html_file,
                            const std::filesystem::path& profile_dir, int virtual_time_budget_ms = 20000) {
  const std::string command =
      shell_quote(chromium.string()) + " --headless --no-sandbox --disable-gpu --no-first-run" +
      " --disable-extensions --disable-background-networking --disable-component-update" +
      " --disable-sync --disable-default-apps --no-default-browser-check" +
      " --user-data-dir=" + shell_quote(profile_dir.string()) +
      " --host-resolver-rules=" + shell_quote("MAP * ~NOTFOUND") +
      " --virtual-time-budget=" + std::to_string(virtual_time_budget_ms) +
      " --dump-dom " + shell_quote("file://" + std::filesystem::absolute(html_file).string()) + " 2>/dev/null";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot start " + command);
  std::string dom;
  std::array<char, 65536> buffer{};
  std::size_t n = 0;
  while ((n = ::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) dom.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    throw std::runtime_error("chromium failed (status " + std::to_string(status) + "): " + command);
  }
  return dom;
}

}  // namespace crsguard::testing
