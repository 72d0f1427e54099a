#include "cli/text_table.hpp"

#include <algorithm>

namespace crsguard {

std::size_t display_width(const std::string& text) {
  return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

namespace {

std::string pad(const std::string& text, std::size_t width, bool right_align) {
  const std::size_t fill = width > display_width(text) ? width - display_width(text) : 0;
  return right_align ? std::string(fill, ' ') + text : text + std::string(fill, ' ');
}

}  // namespace

std::string format_text_table(const std::vector<std::string>& headers,
                              const std::vector<std::vector<std::string>>& rows, std::size_t right_aligned) {
  std::vector<std::size_t> widths(headers.size());
  for (std::size_t c = 0; c < headers.size(); ++c) {
    widths[c] = display_width(headers[c]);
    for (const auto& row : rows) widths[c] = std::max(widths[c], display_width(row.at(c)));
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const bool last = c + 1 == cells.size();
      out += last ? cells[c] : pad(cells[c], widths[c], c < right_aligned) + "  ";
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::string out = line(headers);
  for (const auto& row : rows) out += line(row);
  return out;
}

}  // namespace crsguard
