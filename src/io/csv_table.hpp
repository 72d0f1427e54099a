#pragma once
// RFC 4180 CSV: quoted fields, doubled quotes, CRLF or LF line ends. Each cell keeps the
// line and column (field number) it came from, for error messages.
#include <string>
#include <string_view>
#include <vector>

#include "core/problem.hpp"

namespace crsguard {

struct CsvCell {
  std::string text;
  int line;
  int column;
};

using CsvRow = std::vector<CsvCell>;

// Splits text into rows; an unterminated quote is logged. Empty lines are skipped.
std::vector<CsvRow> parse_csv(std::string_view text, ProblemLog& log);

}  // namespace crsguard
