#pragma once
// A fresh folder under the system's temporary directory, removed with everything in it when the object
// goes; for tests that write files (stores, command output).
#include <stdlib.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>

namespace crsguard::testing {

class TempFolder {
 public:
  // `purpose` goes into the folder's name, so a folder left by a crashed test says whose it is.
  explicit TempFolder(const std::string& purpose) {
    std::string pattern = (std::filesystem::temp_directory_path() / ("crsguard-" + purpose + "-XXXXXX")).string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + pattern);
    path_ = pattern;
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  ~TempFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace crsguard::testing
