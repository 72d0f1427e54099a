#include "io/timeline_files.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "core/problem.hpp"
#include "io/timeline_csv.hpp"
#include "io/timeline_json.hpp"

namespace crsguard {
namespace {

InputError file_error(const std::string& file, std::string reason) {
  InputLocation where;
  where.file = file;
  return InputError(Problem{where, std::move(reason)});
}

}  // namespace

std::string read_input_file(const std::filesystem::path& file) {
  const std::string name = file.string();
  std::error_code error;
  const auto size = std::filesystem::file_size(file, error);
  if (error) throw file_error(name, "cannot read the file: " + error.message());
  if (size > kMaxInputFileBytes) {
    throw file_error(name, fmt::format("file is {} bytes; the limit is {} bytes", size, kMaxInputFileBytes));
  }
  std::ifstream stream(file, std::ios::binary);
  if (!stream) throw file_error(name, "cannot open the file for reading");
  std::ostringstream contents;
  contents << stream.rdbuf();
  return contents.str();
}

namespace {

bool is_timeline_file(const std::filesystem::path& path) {
  const auto extension = path.extension().string();
  return extension == ".json" || extension == ".csv";
}

}  // namespace

std::vector<Timeline> read_timeline_file(const std::filesystem::path& file) {
  const std::string text = read_input_file(file);
  if (file.extension() == ".csv") return read_timelines_csv(text, file.string());
  return read_timelines_json(text, file.string());
}

std::vector<LoadedTimeline> load_timelines(const std::filesystem::path& path) {
  std::error_code error;
  std::vector<std::filesystem::path> files;
  if (std::filesystem::is_directory(path, error)) {
    for (const auto& entry : std::filesystem::directory_iterator(path, error)) {
      if (entry.is_regular_file() && is_timeline_file(entry.path())) files.push_back(entry.path());
    }
    if (error) throw file_error(path.string(), "cannot list the folder: " + error.message());
    std::sort(files.begin(), files.end());
    if (files.empty()) throw file_error(path.string(), "the folder holds no timeline files (*.json, *.csv)");
  } else if (std::filesystem::exists(path, error)) {
    files.push_back(path);
  } else {
    throw file_error(path.string(), "no such file or folder");
  }

  std::vector<LoadedTimeline> loaded;
  std::vector<Problem> problems;
  std::size_t dropped = 0;
  std::map<std::string, std::string> file_of_id;
  for (const auto& file : files) {
    try {
      for (auto& timeline : read_timeline_file(file)) {
        const std::string id = timeline.patient().id;
        const auto [previous, inserted] = file_of_id.emplace(id, file.string());
        if (!inserted) {
          InputLocation where;
          where.file = file.string();
          where.field = "id";
          where.json_pointer = "/patient/id";
          problems.push_back(Problem{where, fmt::format("duplicate patient id \"{}\": also in {}", id, previous->second)});
          continue;
        }
        loaded.push_back(LoadedTimeline{std::move(timeline), file.string()});
      }
    } catch (const InputError& input_error) {
      problems.insert(problems.end(), input_error.problems().begin(), input_error.problems().end());
      dropped += input_error.dropped();
    }
  }
  if (!problems.empty() || dropped > 0) throw InputError(std::move(problems), dropped);
  return loaded;
}

}  // namespace crsguard
