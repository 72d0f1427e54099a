#pragma once
// Turns a (value, unit) pair from a file into a value in the canonical unit of its
// quantity, or logs why it cannot: unit missing, unknown, of the wrong kind, or the
// converted value implausible.
#include <optional>
#include <string>
#include <string_view>

#include "core/problem.hpp"
#include "core/units.hpp"
#include "io/json_fields.hpp"

namespace crsguard {

struct QuantityRule {
  std::string_view what;            // "body temperature", "oxygen flow"
  std::string_view canonical_unit;  // UCUM code of the stored value
  double min;                       // plausible range in the canonical unit, inclusive
  double max;
  double molar_mass_g_per_mol = 0;  // > 0: molar concentrations may be converted
};

// Converts `value` given in `unit_text` to rule.canonical_unit. Problems are logged at
// unit_pointer (unit problems) or value_pointer (range problems).
std::optional<double> to_canonical(double value, const std::string& unit_text, const QuantityRule& rule,
                                   const std::string& value_pointer, const std::string& unit_pointer, ProblemLog& log);

// A quantity object {"value": number, "unit": "UCUM"} at reader.child(key).
std::optional<double> read_quantity(ObjectReader& reader, std::string_view key, const QuantityRule& rule,
                                    Presence presence = Presence::optional);

// A quantity object whose unit picks one of several rules (e.g. a dose in mg or mg/kg).
// Returns the index of the rule used and the canonical value.
struct ChosenQuantity {
  std::size_t rule_index;
  double value;
};
std::optional<ChosenQuantity> read_quantity_of_kinds(ObjectReader& reader, std::string_view key,
                                                     std::string_view what, const QuantityRule* rules,
                                                     std::size_t rule_count);

}  // namespace crsguard
