#pragma once
// A data file shipped inside the binary (cmake/EmbedFiles.cmake): rules/*.json, protocols/*.yaml.
#include <string_view>

namespace crsguard {

struct EmbeddedFile {
  std::string_view name;  // "rules/astct-2019.json": the path in the source tree
  std::string_view text;
};

}  // namespace crsguard
