#include "io/rules_json.hpp"

#include <fmt/format.h>

#include "core/problem.hpp"
#include "io/json_fields.hpp"
#include "io/strict_json.hpp"
#include "io/timeline_files.hpp"

namespace crsguard {
namespace {

constexpr std::string_view kRulesFormat = "crsguard.rules/1";
constexpr std::string_view kOverridesFormat = "crsguard.rule-overrides/1";
constexpr double kLargestRuleValue = 1e12;

bool valid_key(std::string_view key) {
  if (key.empty() || key.front() == '.' || key.back() == '.') return false;
  for (const char c : key) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.';
    if (!allowed) return false;
  }
  return true;
}

struct DocumentShape {
  std::string_view format;
  bool title_required;
  std::string_view what;  // "rules file", "rule overrides file"
};

// Reads the document's header and calls `read_entry(key, reader)` for each parameter object;
// throws InputError (file, pointer, reason) when anything in the document was wrong.
template <class ReadEntry>
void read_parameters(std::string_view text, const std::string& file, const DocumentShape& shape,
                     ReadEntry read_entry) {
  ProblemLog log(file);
  const auto document = parse_strict_json(text, log);
  if (!document || !log.empty()) {
    log.throw_if_any();
    return;
  }
  ObjectReader root(*document, "", log);
  root.expect_format(shape.format);
  root.string("title", shape.title_required ? Presence::required : Presence::optional);
  root.string("note");
  const auto* parameters = root.get("parameters", Presence::required);
  root.finish(shape.what);
  if (parameters != nullptr && !parameters->is_object()) {
    log.add_at_pointer("/parameters", "expected an object of parameters, found " + json_type_name(*parameters));
  } else if (parameters != nullptr) {
    for (const auto& [key, value] : parameters->items()) {
      ObjectReader entry(value, "/parameters/" + pointer_escape(key), log);
      if (entry.ok()) read_entry(key, entry);
    }
  }
  log.throw_if_any();
}

std::optional<double> read_value(ObjectReader& entry) {
  const auto* value = entry.get("value", Presence::required);
  if (value == nullptr) return std::nullopt;
  if (value->is_boolean()) return value->get<bool>() ? 1.0 : 0.0;
  return entry.number("value", -kLargestRuleValue, kLargestRuleValue, Presence::required);
}

}  // namespace

void read_rules_json(std::string_view text, const std::string& file, RuleSet& into) {
  read_parameters(text, file, {kRulesFormat, true, "rules file"}, [&](const std::string& key, ObjectReader& entry) {
    ProblemLog& log = entry.log();
    if (!valid_key(key)) {
      log.add_at_pointer(entry.pointer(), "a parameter key is lower-case words joined by '.' and '_'");
      return;
    }
    const auto number = read_value(entry);
    const auto unit = entry.string("unit", Presence::required);
    const auto source = entry.string("source", Presence::required);
    const auto status = entry.enumeration<SourceStatus>("status", "source status", Presence::required);
    const auto note = entry.string("note");
    entry.finish("rule parameter");
    if (source && source->empty()) log.add_at_pointer(entry.child("source"), "a rule needs its source");
    if (!number || !unit || !source || !status) return;
    if (!into.add({key, *number, *unit, *source, *status, note.value_or(""), file})) {
      log.add_at_pointer(entry.pointer(),
                         fmt::format("parameter \"{}\" is defined twice (first in {})", key, into.get(key).file));
    }
  });
}

void apply_rule_overrides_json(std::string_view text, const std::string& file, RuleSet& rules) {
  RuleSet updated = rules;  // all or nothing: the caller's rules change only if every entry is valid
  read_parameters(text, file, {kOverridesFormat, false, "rule overrides file"},
                  [&](const std::string& key, ObjectReader& entry) {
    ProblemLog& log = entry.log();
    const RuleParameter* existing = rules.find(key);
    if (existing == nullptr) {
      log.add_at_pointer(entry.pointer(), fmt::format("unknown rule parameter \"{}\"", key));
      return;
    }
    const auto number = read_value(entry);
    const auto unit = entry.string("unit", Presence::required);
    const auto source = entry.string("source", Presence::required);
    entry.finish("rule override");
    if (unit && *unit != existing->unit) {
      log.add_at_pointer(entry.child("unit"),
                         fmt::format("\"{}\" is kept in \"{}\", not \"{}\"", key, existing->unit, *unit));
      return;
    }
    if (source && source->empty()) log.add_at_pointer(entry.child("source"), "a local choice needs its source");
    if (!number || !unit || !source || source->empty()) return;
    if (existing->unit == "boolean" && *number != 0.0 && *number != 1.0) {
      log.add_at_pointer(entry.child("value"), "expected true or false");
      return;
    }
    updated.set_value(key, *number, *source, file);
  });
  rules = std::move(updated);
}

RuleSet load_rules(const std::string& overrides_path) {
  RuleSet rules;
  for (const auto& shipped : shipped_rule_files()) read_rules_json(shipped.text, std::string(shipped.name), rules);
  if (!overrides_path.empty()) apply_rule_overrides_json(read_input_file(overrides_path), overrides_path, rules);
  return rules;
}

}  // namespace crsguard
