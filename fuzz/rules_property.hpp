#pragma once
// The property the rules-file fuzzer checks, shared with the test that replays its corpus:
// a rules or overrides file is either refused with InputError (leaving the rules as they were)
// or read into parameters that all carry a unit and a source.
#include <optional>
#include <string>
#include <string_view>

#include "core/problem.hpp"
#include "io/rules_json.hpp"

namespace crsguard::fuzz {

inline std::optional<std::string> rules_property_failure(std::string_view text) {
  RuleSet fresh;
  try {
    read_rules_json(text, "fuzz.json", fresh);
    for (const RuleParameter& parameter : fresh.parameters()) {
      if (parameter.unit.empty() || parameter.source.empty()) return "parameter without unit or source: " + parameter.key;
    }
  } catch (const InputError& error) {
    if (error.problems().empty() && error.dropped() == 0) return std::string("InputError without a problem");
  }
  static const RuleSet shipped = load_rules();
  RuleSet rules = shipped;
  try {
    apply_rule_overrides_json(text, "fuzz.json", rules);
  } catch (const InputError&) {
    for (std::size_t i = 0; i < rules.parameters().size(); ++i) {
      if (rules.parameters()[i].value != shipped.parameters()[i].value) return std::string("refused overrides changed a rule");
    }
  }
  return std::nullopt;
}

}  // namespace crsguard::fuzz
