// The protocol reader's schedules: phases and the dose rule of each. A dose outside the drug
// table's plausible range (core/drugs.hpp) is refused: a dose in the wrong unit is rejected,
// never guessed at.
#include <fmt/format.h>

#include <array>

#include "io/protocol_yaml_parts.hpp"

namespace crsguard::protocol_yaml {
namespace {

constexpr Bounds kCourseDays{0, 365, true};
constexpr Bounds kAnyDose{0, 1e6, true};  // the drug table's range is checked afterwards, with its own message
constexpr std::string_view kLabelDose = "label";
constexpr std::string_view kLabelDrug = "tocilizumab";

// The keys that give a dose's amount, exactly one per dose.
struct AmountKey {
  std::string_view key;
  DoseRule::Basis basis;
  bool per_day;
};
constexpr std::array kAmountKeys = {
    AmountKey{"mg", DoseRule::Basis::mg, false},
    AmountKey{"mg_per_kg", DoseRule::Basis::mg_per_kg, false},
    AmountKey{"mg_per_m2", DoseRule::Basis::mg_per_m2, false},
    AmountKey{"mg_per_kg_per_day", DoseRule::Basis::mg_per_kg, true},
    AmountKey{"mg_per_m2_per_day", DoseRule::Basis::mg_per_m2, true},
    AmountKey{"mg_per_day", DoseRule::Basis::mg, true},
};

std::string amount_key_list() {
  std::string out;
  for (const AmountKey& amount : kAmountKeys) out += (out.empty() ? "" : ", ") + std::string(amount.key);
  return out;
}

std::string_view unit_of(DoseRule::Basis basis) {
  switch (basis) {
    case DoseRule::Basis::mg_per_kg: return "mg/kg";
    case DoseRule::Basis::mg_per_m2: return "mg/m²";
    case DoseRule::Basis::mg:
    case DoseRule::Basis::tocilizumab_label: break;
  }
  return "mg";
}

DoseRange range_of(const DrugInfo& drug, DoseRule::Basis basis) {
  switch (basis) {
    case DoseRule::Basis::mg_per_kg: return drug.mg_per_kg;
    case DoseRule::Basis::mg_per_m2: return drug.mg_per_m2;
    case DoseRule::Basis::mg:
    case DoseRule::Basis::tocilizumab_label: break;
  }
  return drug.mg;
}

// What the dose map says about the drug table's range for one amount (the dose or the top
// of its range) given every `every_hours`; an empty string when it is plausible.
std::string implausibility(const DrugInfo& drug, DoseRule::Basis basis, bool per_day, double amount,
                           double every_hours) {
  const DoseRange range = range_of(drug, basis);
  if (!range.used()) return "";
  const double per_dose = per_day ? amount * every_hours / 24.0 : amount;
  if (per_dose >= range.min && per_dose <= range.max) return "";
  const std::string_view unit = unit_of(basis);
  const std::string dose = per_day ? fmt::format("{} {} per day every {} h is {} {} per dose, which", amount, unit,
                                                 every_hours, per_dose, unit)
                                   : fmt::format("{} {} per dose", amount, unit);
  return fmt::format("{} is implausible for {}: the drug table accepts {} to {} {} per dose (a dose in the wrong "
                     "unit is rejected, never guessed at)",
                     dose, drug.name, range.min, range.max, unit);
}

class DoseReader {
 public:
  DoseReader(const YamlValue& value, const DrugInfo* drug, std::optional<double> every_hours)
      : value_(value), drug_(drug), every_hours_(every_hours) {}

  std::optional<DoseRule> read() {
    if (value_.node.kind == YamlNode::Kind::scalar && value_.node.text == kLabelDose) return label_dose();
    if (value_.node.kind != YamlNode::Kind::mapping) {
      value_.report(fmt::format("expected \"{}\" (tocilizumab only) or a mapping with one of {}; found {}", kLabelDose,
                                amount_key_list(), describe_yaml_value(value_.node)));
      return std::nullopt;
    }
    return amount_dose();
  }

 private:
  std::optional<DoseRule> label_dose() const {
    if (drug_ != nullptr && drug_->name != kLabelDrug) {
      value_.report(fmt::format("the label dose is defined for {} only; give {}'s dose with one of {}", kLabelDrug,
                                drug_->name, amount_key_list()));
      return std::nullopt;
    }
    DoseRule rule;
    rule.basis = DoseRule::Basis::tocilizumab_label;
    return rule;
  }

  std::optional<DoseRule> amount_dose() {
    MappingReader map(value_, "dose");
    DoseRule rule;
    const AmountKey* chosen = nullptr;
    for (const AmountKey& amount : kAmountKeys) {
      const auto number = map.number(amount.key, kAnyDose);
      if (!map.has(amount.key)) continue;
      if (chosen != nullptr) {
        map.report(amount.key, fmt::format("a dose has one amount: {} or {}, not both", chosen->key, amount.key));
        continue;
      }
      chosen = &amount;
      rule.basis = amount.basis;
      rule.per_day = amount.per_day;
      rule.amount = number.value_or(0);
    }
    rule.amount_up_to = map.number("up_to", kAnyDose);
    rule.max_mg = map.number("max_mg", kAnyDose);
    rule.round_to_mg = map.number("round_to_mg", kAnyDose);
    map.finish();
    if (chosen == nullptr) {
      value_.log.add(yaml_location(value_.node, value_.path(), value_.where.field),
                     "a dose has exactly one amount: " + amount_key_list());
      return std::nullopt;
    }
    check_amounts(map, *chosen, rule);
    return rule;
  }

  void check_amounts(MappingReader& map, const AmountKey& chosen, const DoseRule& rule) const {
    if (rule.amount_up_to && rule.amount > 0 && *rule.amount_up_to < rule.amount) {
      map.report("up_to", fmt::format("up_to {} is below the dose {}; up_to is the top of a range", *rule.amount_up_to,
                                      rule.amount));
    }
    if (rule.round_to_mg && rule.max_mg && *rule.round_to_mg > *rule.max_mg) {
      map.report("round_to_mg", fmt::format("round_to_mg {} is above max_mg {}: no rounded dose would fit under the maximum",
                                            *rule.round_to_mg, *rule.max_mg));
    }
    if (drug_ == nullptr) return;
    const double every = every_hours_.value_or(24);
    const auto check = [&](std::string_view key, DoseRule::Basis basis, bool per_day, std::optional<double> amount) {
      if (!amount || *amount <= 0 || (per_day && !every_hours_)) return;
      if (auto reason = implausibility(*drug_, basis, per_day, *amount, every); !reason.empty()) {
        map.report(key, std::move(reason));
      }
    };
    check(chosen.key, rule.basis, rule.per_day, rule.amount);
    check("up_to", rule.basis, rule.per_day, rule.amount_up_to);
    check("max_mg", DoseRule::Basis::mg, false, rule.max_mg);
  }

  const YamlValue& value_;
  const DrugInfo* drug_;
  std::optional<double> every_hours_;
};

DosePhase read_phase(const YamlValue& value, const DrugInfo* drug) {
  return read_mapping<DosePhase>(value, "schedule phase", [&](MappingReader& map, DosePhase& phase) {
    const auto dose = map.get("dose", Presence::required);
    const auto every_hours = map.number("every_hours", kWeekHours, Presence::required);
    phase.for_days = map.number("for_days", kCourseDays);
    phase.until = map.text("until").value_or("");
    if (every_hours) phase.every_hours = *every_hours;
    if (dose) {
      if (auto rule = DoseReader(*dose, drug, every_hours).read()) phase.dose = *rule;
    }
  });
}

}  // namespace

std::vector<DosePhase> read_schedule(MappingReader& step, const DrugInfo* drug) {
  std::vector<DosePhase> phases;
  step.for_each_item("schedule", Presence::optional,
                     [&](const YamlValue& item) { phases.push_back(read_phase(item, drug)); });
  return phases;
}

}  // namespace crsguard::protocol_yaml
