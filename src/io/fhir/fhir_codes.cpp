#include "io/fhir/fhir_codes.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "core/drugs.hpp"
#include "core/observation_codes.hpp"
#include "core/units.hpp"
#include "io/csv_table.hpp"

namespace crsguard {
namespace {

constexpr std::string_view kTableFile = "mappings/fhir_codes.csv";

FhirCodeKind kind_named(const CsvCell& cell) {
  if (cell.text == "observation") return FhirCodeKind::observation;
  if (cell.text == "panel") return FhirCodeKind::panel;
  if (cell.text == "drug") return FhirCodeKind::drug;
  if (cell.text == "infusion") return FhirCodeKind::infusion;
  throw std::logic_error(fmt::format("{} line {}: kind \"{}\" is not observation, panel, drug or infusion", kTableFile, cell.line, cell.text));
}

std::vector<FhirCodeMapping> read_table() {
  std::string_view text;
  for (const EmbeddedFile& file : shipped_mapping_files()) {
    if (file.name == kTableFile) text = file.text;
  }
  ProblemLog log{std::string(kTableFile)};
  const std::vector<CsvRow> rows = parse_csv(text, log);
  log.throw_if_any();
  const std::vector<std::string> header{"system", "code", "display", "maps_to", "kind", "units", "source"};
  if (rows.empty() || rows.front().size() != header.size()) throw std::logic_error(fmt::format("{}: the header is not {} columns", kTableFile, header.size()));
  for (std::size_t c = 0; c < header.size(); ++c) {
    if (rows.front()[c].text != header[c]) throw std::logic_error(fmt::format("{}: column {} is \"{}\", not \"{}\"", kTableFile, c + 1, rows.front()[c].text, header[c]));
  }
  std::vector<FhirCodeMapping> out;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const CsvRow& row = rows[i];
    const int line = row.front().line;
    if (row.size() != header.size()) throw std::logic_error(fmt::format("{} line {}: {} columns, not {}", kTableFile, line, row.size(), header.size()));
    FhirCodeMapping m{row[0].text, row[1].text, row[2].text, row[3].text, kind_named(row[4]), row[5].text, row[6].text};
    // What a row maps to must exist in crsguard's own tables: the table can never name a code the
    // reader would refuse.
    const bool known = m.kind == FhirCodeKind::observation ? find_observation_code(m.maps_to).has_value()
                       : m.kind == FhirCodeKind::drug      ? find_drug(m.maps_to) != nullptr
                                                           : m.maps_to.empty();
    if (!known) throw std::logic_error(fmt::format("{} line {}: \"{}\" is not a crsguard {}", kTableFile, line, m.maps_to, row[4].text));
    if (!m.unit.empty() && !find_unit(m.unit)) throw std::logic_error(fmt::format("{} line {}: unknown unit \"{}\"", kTableFile, line, m.unit));
    if (m.source.empty()) throw std::logic_error(fmt::format("{} line {}: no source", kTableFile, line));
    for (const FhirCodeMapping& earlier : out) {
      if (earlier.system == m.system && earlier.code == m.code && earlier.unit == m.unit) {
        throw std::logic_error(fmt::format("{} line {}: {}|{} is mapped twice", kTableFile, line, m.system, m.code));
      }
    }
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace

std::span<const FhirCodeMapping> fhir_code_mappings() {
  static const std::vector<FhirCodeMapping> kTable = read_table();
  return kTable;
}

std::optional<FhirCodeMapping> find_fhir_code(std::string_view system, std::string_view code, std::string_view unit) {
  const auto incoming = find_unit(unit);
  for (const FhirCodeMapping& m : fhir_code_mappings()) {
    if (m.system != system || m.code != code) continue;
    if (m.unit.empty()) return m;
    if (incoming && incoming->dimension == find_unit(m.unit)->dimension) return m;
  }
  return std::nullopt;
}

}  // namespace crsguard
