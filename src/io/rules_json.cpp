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

// Reads the document and checks its "format"; the returned reader still holds "parameters".
std::optional<nlohmann::json> parse_document(std::string_view text, ProblemLog& log) {
  auto document = parse_strict_json(text, log);
  if (!document || !log.empty()) return std::nullopt;
  return document;
}

void check_format(ObjectReader& root, std::string_view expected) {
  const auto format = root.string("format", Presence::required);
  if (format && *format != expected) {
    root.log().add_at_pointer(root.child("format"),
                              fmt::format("unknown format \"{}\"; expected \"{}\"", *format, expected));
  }
}

std::optional<double> read_value(ObjectReader& entry) {
  const auto* value = entry.get("value", Presence::required);
  if (value == nullptr) return std::nullopt;
  if (value->is_boolean()) return value->get<bool>() ? 1.0 : 0.0;
  return entry.number("value", -kLargestRuleValue, kLargestRuleValue, Presence::required);
}

}  // namespace

void read_rules_json(std::string_view text, const std::string& file, RuleSet& into) {
  ProblemLog log(file);
  const auto document = parse_document(text, log);
  if (!document) {
    log.throw_if_any();
    return;
  }
  ObjectReader root(*document, "", log);
  check_format(root, kRulesFormat);
  root.string("title", Presence::required);
  root.string("note");
  const auto* parameters = root.get("parameters", Presence::required);
  root.finish("rules file");
  if (parameters != nullptr && !parameters->is_object()) {
    log.add_at_pointer("/parameters", "expected an object of parameters, found " + json_type_name(*parameters));
  } else if (parameters != nullptr) {
    for (const auto& [key, value] : parameters->items()) {
      const std::string pointer = "/parameters/" + pointer_escape(key);
      if (!valid_key(key)) {
        log.add_at_pointer(pointer, "a parameter key is lower-case words joined by '.' and '_'");
        continue;
      }
      ObjectReader entry(value, pointer, log);
      if (!entry.ok()) continue;
      RuleParameter parameter;
      parameter.key = key;
      parameter.file = file;
      const auto number = read_value(entry);
      const auto unit = entry.string("unit", Presence::required);
      const auto source = entry.string("source", Presence::required);
      const auto status = entry.enumeration<SourceStatus>("status", "source status", Presence::required);
      const auto note = entry.string("note");
      entry.finish("rule parameter");
      if (source && source->empty()) log.add_at_pointer(entry.child("source"), "a rule needs its source");
      if (!number || !unit || !source || !status) continue;
      parameter.value = *number;
      parameter.unit = *unit;
      parameter.source = *source;
      parameter.status = *status;
      parameter.note = note.value_or("");
      if (!into.add(parameter)) {
        log.add_at_pointer(pointer, fmt::format("parameter \"{}\" is defined twice (first in {})", key,
                                                into.get(key).file));
      }
    }
  }
  log.throw_if_any();
}

void apply_rule_overrides_json(std::string_view text, const std::string& file, RuleSet& rules) {
  ProblemLog log(file);
  const auto document = parse_document(text, log);
  if (!document) {
    log.throw_if_any();
    return;
  }
  ObjectReader root(*document, "", log);
  check_format(root, kOverridesFormat);
  root.string("note");
  const auto* parameters = root.get("parameters", Presence::required);
  root.finish("rule overrides file");
  if (parameters != nullptr && !parameters->is_object()) {
    log.add_at_pointer("/parameters", "expected an object of parameters, found " + json_type_name(*parameters));
  } else if (parameters != nullptr) {
    RuleSet updated = rules;  // all or nothing: the caller's rules change only if every entry is valid
    for (const auto& [key, value] : parameters->items()) {
      const std::string pointer = "/parameters/" + pointer_escape(key);
      const RuleParameter* existing = rules.find(key);
      if (existing == nullptr) {
        log.add_at_pointer(pointer, fmt::format("unknown rule parameter \"{}\"", key));
        continue;
      }
      ObjectReader entry(value, pointer, log);
      if (!entry.ok()) continue;
      const auto number = read_value(entry);
      const auto unit = entry.string("unit", Presence::required);
      const auto source = entry.string("source", Presence::required);
      entry.finish("rule override");
      if (unit && *unit != existing->unit) {
        log.add_at_pointer(entry.child("unit"), fmt::format("\"{}\" is kept in \"{}\", not \"{}\"", key,
                                                            existing->unit, *unit));
        continue;
      }
      if (source && source->empty()) log.add_at_pointer(entry.child("source"), "a local choice needs its source");
      if (!number || !unit || !source || source->empty()) continue;
      if (existing->unit == "boolean" && *number != 0.0 && *number != 1.0) {
        log.add_at_pointer(entry.child("value"), "expected true or false");
        continue;
      }
      updated.set_value(key, *number, *source, file);
    }
    log.throw_if_any();
    rules = std::move(updated);
  }
  log.throw_if_any();
}

RuleSet load_rules(const std::string& overrides_path) {
  RuleSet rules;
  for (const auto& shipped : shipped_rule_files()) read_rules_json(shipped.text, std::string(shipped.name), rules);
  if (!overrides_path.empty()) apply_rule_overrides_json(read_input_file(overrides_path), overrides_path, rules);
  return rules;
}

}  // namespace crsguard
