#pragma once
// Reading the clinical rules files (rules/*.json, format "crsguard.rules/1") and a site's
// override file (format "crsguard.rule-overrides/1"). Documented in docs/grading.md.
#include <span>
#include <string>
#include <string_view>

#include "core/rule_set.hpp"
#include "io/embedded_file.hpp"

namespace crsguard {

// The rules files shipped in rules/, compiled into the binary.
std::span<const EmbeddedFile> shipped_rule_files();

// Adds every parameter of one rules file; throws InputError naming file, pointer and reason
// (an unknown key, a value without a source, a key defined twice across files).
void read_rules_json(std::string_view text, const std::string& file, RuleSet& into);

// Replaces values of existing parameters. Each entry must name the unit the rule is kept in
// (so a threshold in °F or mg/L is refused, not misread) and a source for the local choice.
void apply_rule_overrides_json(std::string_view text, const std::string& file, RuleSet& rules);

// The shipped rules; with a non-empty path, the site overrides read from that file on top.
RuleSet load_rules(const std::string& overrides_path = {});

}  // namespace crsguard
