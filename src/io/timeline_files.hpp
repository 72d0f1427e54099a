#pragma once
// Loading timelines from the file system: one file (JSON timeline, JSON cohort or CSV)
// or a folder of them (a cohort). Patient ids must be unique across everything loaded.
#include <filesystem>
#include <string>
#include <vector>

#include "model/timeline.hpp"

namespace crsguard {

struct LoadedTimeline {
  Timeline timeline;
  std::string file;  // the file it came from, as the user would name it
};

// Files larger than this are refused rather than read into memory.
inline constexpr std::uintmax_t kMaxInputFileBytes = 256ull * 1024 * 1024;

// Throws InputError with every problem of every file (each file up to its limit).
// The whole file as text; InputError naming the file when it cannot be read or is too large.
std::string read_input_file(const std::filesystem::path& file);

std::vector<LoadedTimeline> load_timelines(const std::filesystem::path& path);

// Reads one file's timelines, choosing the reader by extension (.csv) or content (JSON).
std::vector<Timeline> read_timeline_file(const std::filesystem::path& file);

}  // namespace crsguard
