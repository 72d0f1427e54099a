#pragma once
// Pieces of the protocol reader (io/protocol_yaml.hpp) shared by its source files; not an
// interface for anyone else.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/drugs.hpp"
#include "core/problem.hpp"
#include "io/yaml_fields.hpp"
#include "model/protocol.hpp"

namespace crsguard::protocol_yaml {

// The ranges of docs/protocols.md, "Validation".
inline constexpr Bounds kWeekHours{0, 168, true};       // windows, intervals, "after" times: up to a week
inline constexpr Bounds kMonthHours{0, 720, true};      // how long something has lasted: up to 30 days
inline constexpr int kMaxGrade = 5;                     // ASTCT CRS and ICANS grades run 0–5

// State kept across the whole document: conditions that use steroid_refractory are checked
// against the top-level definition once everything has been read.
struct Reading {
  ProblemLog& log;
  std::vector<InputLocation> steroid_refractory_uses;
};

// Reads the mapping `value` into a new T (which keeps the mapping's line if it has one):
// `read_keys(map, item)` reads the keys and checks how they go together, then every key it did not
// ask for is reported. A value that is not a mapping is reported, and gives a default T.
template <class T, class ReadKeys>
T read_mapping(const YamlValue& value, std::string_view what, ReadKeys read_keys) {
  T item;
  if constexpr (requires { item.line; }) item.line = value.node.line;
  MappingReader map(value, what);
  if (!map.ok()) return item;
  read_keys(map, item);
  map.finish();
  return item;
}

// A drug of the drug table ("tocilizumab") or a drug class by its identifier ("anti_il6").
std::optional<std::string> read_drug_reference(const YamlValue& value);
std::vector<std::string> read_drug_references(MappingReader& map, std::string_view key,
                                              Presence presence = Presence::optional);
// The drug a step gives: a drug of the drug table, not a class.
const DrugInfo* read_step_drug(MappingReader& step);

// improving, unchanged, worse (unknown is what the engine concludes, not a state to ask for).
std::optional<std::vector<ResponseState>> read_response_states(MappingReader& map, std::string_view key,
                                                               Presence presence = Presence::optional);

Condition read_condition(const YamlValue& value, Reading& reading);

// The phases of a step's schedule; doses are checked against `drug`'s plausible ranges (null:
// the drug was not valid, and doses are checked for form only).
std::vector<DosePhase> read_schedule(MappingReader& step, const DrugInfo* drug);

}  // namespace crsguard::protocol_yaml
