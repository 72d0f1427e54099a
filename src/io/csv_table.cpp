#include "io/csv_table.hpp"

#include <algorithm>
#include <optional>

#include "io/utf8.hpp"

namespace crsguard {

std::vector<CsvRow> parse_csv(std::string_view text, ProblemLog& log) {
  if (const auto bad = first_invalid_utf8(text)) {
    InputLocation where;
    where.line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(*bad), '\n'));
    const auto line_start = text.rfind('\n', *bad == 0 ? 0 : *bad - 1);
    where.column = 1 + static_cast<int>(std::count(text.begin() + static_cast<std::ptrdiff_t>(line_start == std::string_view::npos || *bad == 0 ? 0 : line_start + 1),
                                                    text.begin() + static_cast<std::ptrdiff_t>(*bad), ','));
    log.add(where, "the file is not valid UTF-8 (save it as UTF-8; the field holds a byte that is not a character)");
    return {};
  }

  std::vector<CsvRow> rows;
  CsvRow row;
  std::string cell;
  int line = 1;
  int row_line = 1;
  bool in_quotes = false;
  bool cell_was_quoted = false;
  int quote_line = 0;
  auto end_cell = [&] {
    row.push_back(CsvCell{cell, row_line, static_cast<int>(row.size()) + 1});
    cell.clear();
    cell_was_quoted = false;
  };
  auto end_row = [&] {
    end_cell();
    const bool blank = row.size() == 1 && row.front().text.empty();
    if (!blank) rows.push_back(std::move(row));
    row.clear();
  };
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 byte-order mark
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          cell += '"';
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        if (c == '\n') ++line;
        cell += c;
      }
      continue;
    }
    if (c == '"' && cell.empty() && !cell_was_quoted) {
      in_quotes = true;
      cell_was_quoted = true;
      quote_line = line;
    } else if (c == ',') {
      end_cell();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      continue;
    } else if (c == '\n') {
      end_row();
      ++line;
      row_line = line;
    } else if (c == '"') {
      InputLocation where;
      where.line = line;
      where.column = static_cast<int>(row.size()) + 1;
      log.add(where, "a quote inside an unquoted field; quote the whole field and double the inner quotes");
      return rows;
    } else {
      cell += c;
    }
  }
  if (in_quotes) {
    InputLocation where;
    where.line = quote_line;
    where.column = static_cast<int>(row.size()) + 1;
    log.add(where, "a quoted field is never closed");
    return rows;
  }
  if (!cell.empty() || !row.empty()) end_row();
  return rows;
}

}  // namespace crsguard
