#pragma once
// What every clinical result carries besides its number: the rule that produced it (id and
// source), the observations behind it (time, value, unit), the inputs that were missing,
// and flags asking a clinician to review. "Decision support, not orders" (../shared/DESIGN.md):
// a clinician can check every grade without trusting the software.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/enum_names.hpp"
#include "model/events.hpp"
#include "model/timeline.hpp"

namespace crsguard {

// complete: every input the rule needs was recorded. incomplete: the grade is a lower bound,
// an input that could raise it was not recorded. not_assessable: too little was recorded to
// grade at all; never reported as grade 0.
enum class Assessment : unsigned char { complete, incomplete, not_assessable };
std::span<const EnumName<Assessment>> names(Assessment);

// A rule of a guideline table, cited once where it is defined.
struct RuleRef {
  std::string_view id;      // stable, e.g. "astct2019.crs.hypoxia.low_flow"
  std::string_view source;  // e.g. "ASTCT 2019 (Lee, BBMT 25:625) Table 1"
  friend bool operator==(const RuleRef&, const RuleRef&) = default;
};

// One recorded fact behind a result.
struct Evidence {
  std::int64_t seconds_since_infusion = 0;
  TimeForm form = TimeForm::study_day;  // how the time was recorded (day only, day and clock, calendar)
  std::optional<std::size_t> event_index;  // into Timeline::events(); nullopt for derived facts
  std::string item;                        // "body_temperature", "oxygen", "norepinephrine", "tocilizumab", ...
  std::optional<double> value;             // in `unit`
  Comparator comparator = Comparator::equal;
  std::string unit;                        // UCUM code, empty when no value
  std::string detail;                      // "nasal_cannula", "daily maximum", "running", ...
  friend bool operator==(const Evidence&, const Evidence&) = default;
};

struct Reason {
  RuleRef rule;
  std::string statement;  // the rule in words, as applied: "one vasopressor (vasopressin not counted)"
  std::vector<Evidence> evidence;
};

struct GradeResult {
  std::optional<int> grade;  // nullopt exactly when not_assessable
  Assessment assessment = Assessment::not_assessable;
  std::vector<Reason> reasons;       // the rules that set the grade, most severe first
  std::vector<std::string> missing;  // inputs not recorded ("systolic_bp", "oxygen", ...)
  std::vector<std::string> review;   // clinician-review flags, each a sentence
  std::optional<std::int64_t> set_at;  // for a maximum over a window: the moment that set it

  [[nodiscard]] bool assessable() const { return grade.has_value(); }
};

// The most severe of several results (a day's assessments): the highest grade, of equal grades the
// one with fewer missing inputs, then the earlier. It becomes a lower bound when another result could
// have exceeded it had its missing inputs been recorded (`possible_grade` says how high), and keeps
// every review flag of the others. Not assessable, missing `nothing_missing_name`, when `results` is empty.
GradeResult most_severe(std::span<const GradeResult* const> results, int (*possible_grade)(const GradeResult&),
                        std::string_view nothing_missing_name);

// Evidence for the observation a Timeline query returned.
Evidence observation_evidence(const ObservedValue& observed, ObservationCode code);
// Evidence for any event (oxygen, vasopressor, neuro assessment, administration) by index.
Evidence event_evidence(const Timeline& timeline, std::size_t event_index);

// "day 6", "day 6 14:30": how a time reads in a rationale, in the form it was recorded.
std::string describe_time(const Timeline& timeline, std::int64_t seconds_since_infusion, TimeForm form);

}  // namespace crsguard
