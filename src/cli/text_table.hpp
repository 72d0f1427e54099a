#pragma once
// Plain-text tables for the terminal: columns padded to their widest cell (UTF-8 aware).
#include <cstddef>
#include <string>
#include <vector>

namespace crsguard {

// Display width in characters (counts UTF-8 code points; enough for the symbols used here).
std::size_t display_width(const std::string& text);

// The first `right_aligned` columns are right-aligned (numbers), the rest left-aligned; the last
// column is never padded, and trailing spaces are dropped.
std::string format_text_table(const std::vector<std::string>& headers,
                              const std::vector<std::vector<std::string>>& rows, std::size_t right_aligned);

}  // namespace crsguard
