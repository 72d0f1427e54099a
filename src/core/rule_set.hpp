#pragma once
// Named clinical parameters (thresholds, windows, cut-offs, switches), each with its unit,
// its source and how far that source was checked. Guidelines disagree and change, and some
// values in ../shared/spec/clinical.md are not yet confirmed against a primary text, so
// such values are data (rules/*.json), never constants in code. The engines read them by
// key; a missing key is a programming error caught by the tests over the shipped rules.
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/enum_names.hpp"

namespace crsguard {

// How far a value was checked (../shared/spec/clinical.md §0): [C] seen in a retrieved
// source, [S] seen only in a secondary source, [M] from memory, not yet confirmed.
enum class SourceStatus : unsigned char { confirmed, secondary, unconfirmed, local_choice };
std::span<const EnumName<SourceStatus>> names(SourceStatus);

struct RuleParameter {
  std::string key;       // "astct.crs.fever_min_celsius"
  double value = 0;      // booleans are 0 or 1
  std::string unit;      // UCUM, "1" for a count or ratio, "boolean"
  std::string source;    // citation key and table, e.g. "ASTCT2019 Table 1"
  SourceStatus status = SourceStatus::confirmed;
  std::string note;
  std::string file;      // the rules file it came from
};

class MissingRuleError : public std::logic_error {
 public:
  explicit MissingRuleError(std::string_view key);
};

class RuleSet {
 public:
  // Adds a parameter; false (nothing changed) when the key exists already.
  bool add(RuleParameter parameter);
  // Replaces the value of an existing key; false when the key is unknown.
  bool set_value(std::string_view key, double value, std::string source, std::string file);

  [[nodiscard]] const RuleParameter* find(std::string_view key) const;
  [[nodiscard]] const RuleParameter& get(std::string_view key) const;  // throws MissingRuleError
  [[nodiscard]] double number(std::string_view key) const { return get(key).value; }
  [[nodiscard]] bool enabled(std::string_view key) const { return get(key).value != 0.0; }
  [[nodiscard]] std::span<const RuleParameter> parameters() const { return parameters_; }
  [[nodiscard]] bool empty() const { return parameters_.empty(); }

 private:
  std::vector<RuleParameter> parameters_;  // sorted by key
};

}  // namespace crsguard
