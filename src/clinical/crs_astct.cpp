// ASTCT 2019 CRS grading: the rule references and parameters. What each reading proves and the grade
// of a moment are in crs_state.hpp; the sweeps over a course in crs_course.cpp. Source of every rule,
// cited once:
//   Lee DW, Santomasso BD, Locke FL, et al. ASTCT consensus grading for cytokine release
//   syndrome and neurologic toxicity associated with immune effector cells.
//   Biol Blood Marrow Transplant 2019;25(4):625-638, Table 1 and its footnotes
//   (../shared/spec/clinical.md §1.2-1.4). Onset and resolution follow the operational
//   definitions of clinical.md §1.5 (not in the ASTCT text; parameters marked unconfirmed).
//   Paediatric hypotension: AHA PALS 2020 (Topjian AA et al., Circulation 2020;142:S469).
#include "clinical/crs_astct.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "core/drugs.hpp"
#include "core/time.hpp"

namespace crsguard {

namespace crs_rules {
constexpr std::string_view kAstct = "ASTCT 2019 (Lee et al., BBMT 2019;25:625) Table 1";
const RuleRef kFever{"astct2019.crs.fever", kAstct};
const RuleRef kFeverMasked{"astct2019.crs.fever_masked", "ASTCT 2019 (Lee et al., BBMT 2019;25:625) Table 1 footnote"};
const RuleRef kNoFever{"astct2019.crs.no_fever", kAstct};
const RuleRef kNoHypotension{"astct2019.crs.no_hypotension", kAstct};
const RuleRef kNoHypoxia{"astct2019.crs.no_hypoxia", kAstct};
const RuleRef kHypotensionWithoutVasopressor{"astct2019.crs.hypotension.no_vasopressor", kAstct};
const RuleRef kOneVasopressor{"astct2019.crs.hypotension.one_vasopressor", kAstct};
const RuleRef kMultipleVasopressors{"astct2019.crs.hypotension.multiple_vasopressors", kAstct};
const RuleRef kVasopressinAlone{"crsguard.crs.vasopressin_alone", "clinical.md §1.4 (not covered by ASTCT 2019)"};
const RuleRef kInotropeAlone{"crsguard.crs.inotrope_alone", "clinical.md §1.4 (not covered by ASTCT 2019)"};
const RuleRef kLowFlowOxygen{"astct2019.crs.hypoxia.low_flow", kAstct};
const RuleRef kHighFlowOxygen{"astct2019.crs.hypoxia.high_flow", kAstct};
const RuleRef kPositivePressure{"astct2019.crs.hypoxia.positive_pressure", kAstct};
const RuleRef kDeath{"astct2019.crs.death", kAstct};
const RuleRef kOnset{"crsguard.crs.onset", "clinical.md §1.5 operational definition"};
const RuleRef kResolution{"crsguard.crs.resolution", "clinical.md §1.5 operational definition"};
}  // namespace crs_rules

CrsRules CrsRules::from(const RuleSet& rules) {
  CrsRules out;
  out.fever_min_celsius = rules.number("astct.crs.fever_min_celsius");
  out.fever_lookback_s = seconds_from_hours(rules.number("astct.crs.fever_lookback_hours"));
  out.afebrile_valid_s = seconds_from_hours(rules.number("astct.crs.afebrile_valid_hours"));
  out.masking_enabled = rules.enabled("astct.crs.masking.enabled");
  const auto masks = [&](DrugClass drug_class, std::string_view key) {
    out.masking_by_drug_class.at(static_cast<std::size_t>(drug_class)) = rules.enabled(key);
  };
  masks(DrugClass::antipyretic, "astct.crs.masking.antipyretic");
  masks(DrugClass::anti_il6, "astct.crs.masking.anti_il6");
  masks(DrugClass::corticosteroid, "astct.crs.masking.corticosteroid");
  masks(DrugClass::il1_blocker, "astct.crs.masking.il1_blocker");
  masks(DrugClass::jak_inhibitor, "astct.crs.masking.jak_inhibitor");
  masks(DrugClass::anti_ifn_gamma, "astct.crs.masking.anti_ifn_gamma");
  out.adult_sbp_below_mmhg = rules.number("astct.crs.hypotension.adult_sbp_below_mmhg");
  out.bp_lookback_s = seconds_from_hours(rules.number("astct.crs.hypotension.bp_lookback_hours"));
  out.paediatric_thresholds = rules.enabled("astct.crs.hypotension.paediatric_thresholds");
  out.pals_neonate_below_age_years = rules.number("astct.crs.hypotension.pals_neonate_below_age_years");
  out.pals_neonate_sbp_below_mmhg = rules.number("astct.crs.hypotension.pals_neonate_sbp_below_mmhg");
  out.pals_infant_below_age_years = rules.number("astct.crs.hypotension.pals_infant_below_age_years");
  out.pals_infant_sbp_below_mmhg = rules.number("astct.crs.hypotension.pals_infant_sbp_below_mmhg");
  out.pals_child_below_age_years = rules.number("astct.crs.hypotension.pals_child_below_age_years");
  out.pals_child_base_mmhg = rules.number("astct.crs.hypotension.pals_child_base_mmhg");
  out.pals_child_per_year_mmhg = rules.number("astct.crs.hypotension.pals_child_per_year_mmhg");
  out.vasopressin_alone_grade = static_cast<int>(rules.number("astct.crs.vasopressin_alone_grade"));
  out.inotrope_alone_grade = static_cast<int>(rules.number("astct.crs.inotrope_alone_grade"));
  out.low_flow_max_l_per_min = rules.number("astct.crs.hypoxia.low_flow_max_l_per_min");
  out.resolution_window_s = seconds_from_hours(rules.number("astct.crs.resolution.window_hours"));
  out.antipyretic_effect_s = seconds_from_hours(rules.number("astct.crs.resolution.antipyretic_effect_hours"));
  return out;
}

double hypotension_threshold_mmhg(const CrsRules& rules, std::optional<double> age_years) {
  if (!rules.paediatric_thresholds || !age_years || *age_years >= rules.pals_child_below_age_years) {
    return rules.adult_sbp_below_mmhg;
  }
  if (*age_years < rules.pals_neonate_below_age_years) return rules.pals_neonate_sbp_below_mmhg;
  if (*age_years < rules.pals_infant_below_age_years) return rules.pals_infant_sbp_below_mmhg;
  // PALS counts the child's age in whole years.
  return rules.pals_child_base_mmhg + rules.pals_child_per_year_mmhg * std::floor(*age_years);
}

std::optional<double> CrsEpisode::duration_days() const {
  if (!resolution) return std::nullopt;
  return static_cast<double>(*resolution - onset) / static_cast<double>(kSecondsPerDay);
}

int highest_possible_grade(const CrsMoment& m) {
  // Support without a temperature: had there been fever, the moment would be at least that grade.
  if (m.grade < 0) return std::max(m.hypotension_level, m.hypoxia_level);
  int possible = m.grade;
  if ((m.missing & kMissingBloodPressure) != 0U) possible = std::max(possible, 2);
  if ((m.missing & kMissingOxygenFlow) != 0U) possible = std::max(possible, 3);
  if ((m.missing & kMissingOxygen) != 0U) possible = std::max(possible, 4);
  return possible;
}

}  // namespace crsguard
