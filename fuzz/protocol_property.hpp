#pragma once
// The property the protocol fuzzer checks, shared with the test that replays its corpus
// (tests/io/fuzz_regression_test.cpp): a protocol file is either refused with InputError, every
// problem of which names the file, a line, a column and a reason, or read into a protocol that
// keeps the rules the reader promises (docs/protocols.md, "Validation").
#include <fmt/format.h>

#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "core/problem.hpp"
#include "io/protocol_yaml.hpp"

namespace crsguard::fuzz {

inline std::optional<std::string> refused_protocol_failure(const InputError& error) {
  if (error.problems().empty() && error.dropped() == 0) return std::string("InputError without a problem");
  for (const Problem& problem : error.problems()) {
    if (problem.where.file != "fuzz.yaml" || problem.where.line < 1 || problem.where.column < 1 || problem.reason.empty()) {
      return "a problem without file, line, column or reason: " + problem.to_string();
    }
  }
  return std::nullopt;
}

inline bool grade_ok(const std::optional<int>& grade) { return !grade || (*grade >= 0 && *grade <= 5); }

inline std::optional<std::string> condition_failure(const Condition& condition) {
  if (condition.line < 1) return std::string("a condition without its line");
  if (!grade_ok(condition.crs_grade_min) || !grade_ok(condition.crs_grade_max) || !grade_ok(condition.icans_grade_min) ||
      !grade_ok(condition.icans_grade_max)) {
    return fmt::format("a grade outside 0–5 in the condition at line {}", condition.line);
  }
  for (const Condition& alternative : condition.any_of) {
    if (auto failure = condition_failure(alternative)) return failure;
  }
  return std::nullopt;
}

inline std::optional<std::string> accepted_protocol_failure(const Protocol& protocol) {
  if (protocol.name.empty() || protocol.title.empty() || protocol.sources.empty() || protocol.steps.empty()) {
    return std::string("an accepted protocol without name, title, sources or steps");
  }
  std::set<std::string> ids;
  for (const ProtocolStep& step : protocol.steps) {
    if (step.line < 1 || !ids.insert(step.id).second) return "a step without its line, or a repeated id: " + step.id;
    const bool needs_doses = step.action == ActionKind::give || step.action == ActionKind::consider;
    if (needs_doses && step.schedule.empty()) return "a give or consider step without doses: " + step.id;
    if (step.action != ActionKind::supportive && step.drug.empty()) return "a step without its drug: " + step.id;
    for (const DosePhase& phase : step.schedule) {
      if (phase.line < 1 || !(phase.every_hours > 0 && phase.every_hours <= 168)) return "a bad phase in " + step.id;
    }
    if (auto failure = condition_failure(step.when)) return failure;
  }
  ids.clear();
  for (const SafetyCheck& check : protocol.checks) {
    if (check.line < 1 || !ids.insert(check.id).second) return "a check without its line, or a repeated id: " + check.id;
  }
  return std::nullopt;
}

// nullopt when the property holds; otherwise what broke it.
inline std::optional<std::string> protocol_property_failure(std::string_view text) {
  try {
    return accepted_protocol_failure(read_protocol_yaml(text, "fuzz.yaml"));
  } catch (const InputError& error) {
    return refused_protocol_failure(error);
  }
}

}  // namespace crsguard::fuzz
