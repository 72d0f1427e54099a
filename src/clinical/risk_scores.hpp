#pragma once
// Risk scores a CAR-T team reads before and in the first days after infusion
// (../shared/spec/clinical.md §8): CAR-HEMATOTOX before lymphodepletion, EASIX, modified
// EASIX and simplified EASIX before lymphodepletion and on each early study day, and the
// Hay 2017 research rule for grade >= 4 CRS. Every boundary, cut-off and time window is a
// rule parameter (rules/risk-scores.json), because most of them are not yet confirmed
// against the primary papers. A score is never computed from a partial set of inputs: a
// missing input leaves the value empty and is named, so "no value" is never read as "low".
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "clinical/grade.hpp"
#include "core/enum_names.hpp"
#include "core/rule_set.hpp"
#include "model/timeline.hpp"

namespace crsguard {

enum class RiskScoreKind : unsigned char { easix, m_easix, simplified_easix, car_hematotox, hay2017_severe_crs };
std::span<const EnumName<RiskScoreKind>> names(RiskScoreKind);

// before_lymphodepletion: the latest values at or before the first lymphodepletion dose (or
// the infusion when none is recorded), within a lookback. study_day: the values of one study
// day. after_infusion: a rule over the first hours after infusion (Hay 2017).
enum class ScoreTimePoint : unsigned char { before_lymphodepletion, study_day, after_infusion };
std::span<const EnumName<ScoreTimePoint>> names(ScoreTimePoint);

struct RiskScore {
  RiskScoreKind kind{};
  RuleRef rule;                       // e.g. "pennisi2021.m_easix", with its source
  // Weakest status among the parameters this result used, weakest first: unconfirmed,
  // local_choice, secondary, confirmed (a site's choice carries a source; a value from
  // memory does not).
  SourceStatus status = SourceStatus::confirmed;
  ScoreTimePoint time_point = ScoreTimePoint::before_lymphodepletion;
  std::optional<int> day;             // study_day scores only
  std::optional<std::int64_t> at;     // the latest input's time, seconds since infusion
  // EASIX family: the index (U/L x mg/dL / 10^9/L); CAR-HEMATOTOX: the points; Hay: none.
  std::optional<double> value;
  std::optional<double> log2_value;   // EASIX family, when the index is above zero
  std::optional<int> points;          // CAR-HEMATOTOX
  // "low"/"high" where a cut-off is configured, Hay: "high"/"not high"; empty when no
  // cut-off exists or the score could not be assessed.
  std::string category;
  std::vector<Evidence> inputs;       // each input used, with time, value and unit
  // Inputs not recorded, or recorded in a form the score cannot use (a bound that does not
  // decide, a zero platelet count); the notes say which.
  std::vector<std::string> missing;
  std::vector<std::string> notes;

  // A value, or (for a rule without a value) a category.
  [[nodiscard]] bool assessable() const { return value.has_value() || !category.empty(); }
};

// Every risk score of one timeline, in a fixed order: CAR-HEMATOTOX; EASIX, m-EASIX and
// simplified EASIX, each before lymphodepletion then by study day; Hay 2017 (when enabled).
// Reads its parameters from `rules` (throws MissingRuleError for a key not defined there).
std::vector<RiskScore> risk_scores(const Timeline& timeline, const RuleSet& rules);

}  // namespace crsguard
