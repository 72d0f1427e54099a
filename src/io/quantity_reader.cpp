#include "io/quantity_reader.hpp"

#include <fmt/format.h>

namespace crsguard {
namespace {

std::string describe_unit(const Unit& unit, const std::string& spelling) {
  return spelling == unit.code ? fmt::format("\"{}\"", spelling) : fmt::format("\"{}\" ({})", spelling, unit.code);
}

struct UnitValue {
  double value;
  std::string unit;
};

std::optional<UnitValue> read_value_and_unit(ObjectReader& reader, std::string_view key, Presence presence) {
  const auto* raw = reader.get(key, presence);
  if (raw == nullptr) return std::nullopt;
  ObjectReader quantity(*raw, reader.child(key), reader.log());
  if (!quantity.ok()) return std::nullopt;
  const auto* value = quantity.get("value", Presence::required);
  const auto* unit = quantity.get("unit");
  quantity.finish("a quantity");
  if (value == nullptr) return std::nullopt;
  const auto number = read_number(*value, quantity.child("value"), reader.log());
  if (unit == nullptr) {
    reader.log().add_at_pointer(quantity.child("unit"), "a value needs its unit; none was given");
    return std::nullopt;
  }
  const auto unit_text = read_string(*unit, quantity.child("unit"), reader.log());
  if (!number || !unit_text) return std::nullopt;
  return UnitValue{*number, *unit_text};
}

}  // namespace

std::optional<double> to_canonical(double value, const std::string& unit_text, const QuantityRule& rule,
                                   const std::string& value_pointer, const std::string& unit_pointer, ProblemLog& log) {
  const Unit& canonical = unit_by_code(rule.canonical_unit);
  if (unit_text.empty()) {
    log.add_at_pointer(unit_pointer, fmt::format("a value needs its unit; {} is given in {}", rule.what,
                                                 spellings_for(canonical.dimension)));
    return std::nullopt;
  }
  const auto unit = find_unit(unit_text);
  if (!unit) {
    log.add_at_pointer(unit_pointer, fmt::format("unknown unit \"{}\" for {}; accepted: {}", unit_text, rule.what,
                                                 spellings_for(canonical.dimension)));
    return std::nullopt;
  }
  double converted = 0;
  if (unit->dimension == canonical.dimension) {
    converted = convert(value, *unit, canonical);
  } else if (unit->dimension == Dimension::substance_concentration &&
             canonical.dimension == Dimension::mass_concentration && rule.molar_mass_g_per_mol > 0) {
    const double grams_per_litre = value * unit->scale * rule.molar_mass_g_per_mol;
    converted = convert(grams_per_litre, unit_by_code("g/L"), canonical);
  } else {
    log.add_at_pointer(unit_pointer,
                       fmt::format("unit {} measures {}, but {} is a {}; accepted units: {}",
                                   describe_unit(*unit, unit_text), dimension_name(unit->dimension), rule.what,
                                   dimension_name(canonical.dimension), spellings_for(canonical.dimension)));
    return std::nullopt;
  }
  if (unit->code != canonical.code) converted = round_converted(converted);
  if (converted < rule.min || converted > rule.max) {
    const std::string given = unit->code == canonical.code
                                  ? std::string()
                                  : fmt::format(" ({} {} = {} {})", value, unit_text, converted, canonical.code);
    log.add_at_pointer(value_pointer,
                       fmt::format("{} {} {} is outside the plausible range {}–{} {}{}; check the value and its unit",
                                   rule.what, converted, canonical.code, rule.min, rule.max, canonical.code, given));
    return std::nullopt;
  }
  return converted;
}

std::optional<double> read_quantity(ObjectReader& reader, std::string_view key, const QuantityRule& rule,
                                    Presence presence) {
  const auto given = read_value_and_unit(reader, key, presence);
  if (!given) return std::nullopt;
  const std::string pointer = reader.child(key);
  return to_canonical(given->value, given->unit, rule, pointer + "/value", pointer + "/unit", reader.log());
}

std::optional<ChosenQuantity> read_quantity_of_kinds(ObjectReader& reader, std::string_view key,
                                                     std::string_view what, const QuantityRule* rules,
                                                     std::size_t rule_count) {
  const auto given = read_value_and_unit(reader, key, Presence::optional);
  if (!given) return std::nullopt;
  const std::string pointer = reader.child(key);
  const auto unit = find_unit(given->unit);
  std::string accepted;
  for (std::size_t i = 0; i < rule_count; ++i) {
    const Unit& canonical = unit_by_code(rules[i].canonical_unit);
    if (!accepted.empty()) accepted += "; ";
    accepted += spellings_for(canonical.dimension);
    if (unit && unit->dimension == canonical.dimension) {
      const auto value = to_canonical(given->value, given->unit, rules[i], pointer + "/value", pointer + "/unit",
                                      reader.log());
      if (!value) return std::nullopt;
      return ChosenQuantity{i, *value};
    }
  }
  reader.log().add_at_pointer(pointer + "/unit", fmt::format("{} unit \"{}\" for {}; accepted: {}",
                                                             unit ? "unsuitable" : "unknown", given->unit, what,
                                                             accepted));
  return std::nullopt;
}

}  // namespace crsguard
