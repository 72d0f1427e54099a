#pragma once
// Helpers for tests that read the repository's files.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace crsguard::testing {

inline std::filesystem::path source_path(const std::string& relative) {
  return std::filesystem::path(CRSGUARD_SOURCE_DIR) / relative;
}

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream stream(path, std::ios::binary);
  std::ostringstream text;
  text << stream.rdbuf();
  return text.str();
}

// Files under a folder of the repository with the given extension, sorted.
inline std::vector<std::filesystem::path> files_under(const std::string& folder, const std::string& extension) {
  std::vector<std::filesystem::path> out;
  const auto root = source_path(folder);
  if (!std::filesystem::exists(root)) return out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && entry.path().extension() == extension) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace crsguard::testing
