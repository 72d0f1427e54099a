#pragma once
// Severe CRS and HLH-like hyperinflammation after CAR-T (../shared/spec/clinical.md §7): three
// named criteria that disagree, reported side by side so a clinician sees which one fired —
// CARTOX HLH/MAS (Neelapu 2018), the ferritin-with-cytopenia marker of severe CRS used by
// Pan 2021, and an IEC-HS screening flag after Hines 2023. Thresholds and windows are data
// (rules/hyperinflammation.json); organ findings a Timeline cannot hold (haemophagocytosis,
// pulmonary oedema, oliguria) are reported as missing, never assumed absent.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "clinical/ctcae.hpp"
#include "clinical/grade.hpp"
#include "core/enum_names.hpp"
#include "core/rule_set.hpp"
#include "model/timeline.hpp"

namespace crsguard {

enum class HyperinflammationCriterion : unsigned char { iec_hs_2023, cartox_hlh_mas_2018, pan2021_severe_crs_marker };
std::span<const EnumName<HyperinflammationCriterion>> names(HyperinflammationCriterion);

struct HyperinflammationFlag {
  HyperinflammationCriterion criterion{};
  RuleRef rule;                              // id + source of the criterion as a whole
  std::optional<bool> met;                   // nullopt: not assessable (inputs missing)
  std::optional<std::int64_t> first_met_at;  // when every part was first fulfilled together
  std::vector<Reason> reasons;               // the parts that fired (or, when not met, why not), with evidence
  std::vector<std::string> missing;          // parts that could not be checked ("haemophagocytosis", ...)
};

// One flag per criterion, in the order of the enum.
std::vector<HyperinflammationFlag> hyperinflammation_flags(const Timeline& timeline, const RuleSet& rules);
// The same, reusing CTCAE grades already computed for this timeline with these rules.
std::vector<HyperinflammationFlag> hyperinflammation_flags(const Timeline& timeline, const RuleSet& rules,
                                                           std::span<const CtcaeGrade> grades);

}  // namespace crsguard
