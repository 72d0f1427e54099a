#pragma once
// Doses a CAR-T ward computes and the limits it checks: tocilizumab by weight with its cap and
// vials, its interval and count limits, and corticosteroid exposure in dexamethasone equivalents.
// Every number comes from rules/dosing.json; every result shows its computation.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "clinical/grade.hpp"
#include "core/rule_set.hpp"
#include "model/timeline.hpp"

namespace crsguard {

struct DosingRules {
  double tocilizumab_mg_per_kg = 0;
  double tocilizumab_child_mg_per_kg = 0;
  double tocilizumab_child_below_kg = 0;
  double tocilizumab_max_mg = 0;
  std::int64_t tocilizumab_min_interval_s = 0;
  int tocilizumab_max_per_24h = 0;
  int tocilizumab_max_per_episode = 0;
  std::vector<int> tocilizumab_vials_mg;  // stocked vial sizes, ascending
  double tocilizumab_round_to_mg = 0;     // 0: no rounding
  // mg of each corticosteroid equivalent in anti-inflammatory potency (dexamethasone 0.75 mg = ...).
  std::vector<std::pair<std::string, double>> steroid_equivalent_mg;

  static DosingRules from(const RuleSet& rules);
};

struct ComputedDose {
  std::optional<double> mg;                // nullopt when an input is missing
  std::vector<std::string> steps;          // the computation, in order: "8 mg/kg × 62 kg = 496 mg"
  std::vector<std::string> missing;        // "body_weight"
  std::vector<std::string> warnings;
  std::vector<int> vials_mg;               // vials to draw it from (fewest mg wasted, then fewest vials)
  RuleRef rule;
};

// mg/kg × weight, capped. Weight from the patient record (actual body weight).
ComputedDose dose_by_weight(double mg_per_kg, std::optional<double> weight_kg, std::optional<double> max_mg,
                            const RuleRef& rule);
// mg/m² × BSA (the patient's formula: Mosteller by default, Du Bois on request), capped.
ComputedDose dose_by_body_surface(double mg_per_m2, const Patient& patient, std::optional<double> max_mg,
                                  const RuleRef& rule);
// Tocilizumab for CRS: 12 mg/kg under 30 kg, else 8 mg/kg, at most 800 mg (clinical.md §5.1).
ComputedDose tocilizumab_dose(const Patient& patient, const DosingRules& rules);

// The vials, of the stocked sizes, that hold at least `mg` with the least waste (then the fewest vials).
std::vector<int> vials_for(double mg, const std::vector<int>& sizes_mg);

enum class LimitVerdict : unsigned char { allowed, blocked, unknown };

struct LimitCheck {
  RuleRef rule;
  LimitVerdict verdict = LimitVerdict::allowed;
  std::string statement;           // "last dose 6.0 h ago; at least 8 h apart"
  std::vector<Evidence> evidence;  // the doses counted
};

// Limits on repeating a drug; an unset limit is not checked.
struct DoseLimitRules {
  std::optional<std::int64_t> min_interval_s;
  std::optional<int> max_per_24h;
  std::optional<int> max_per_episode;
  RuleRef interval_rule;
  RuleRef per_24h_rule;
  RuleRef per_episode_rule;
};

// Whether another dose of `drug` at t respects the limits (repeat schedules expanded): the interval
// and the 24-hour count over every dose given by t, the episode count from `episode_onset`.
std::vector<LimitCheck> dose_limits(const Timeline& timeline, std::string_view drug, std::int64_t t,
                                    std::int64_t episode_onset, const DoseLimitRules& limits);

// Whether another tocilizumab dose at t respects the interval, 24-hour and per-episode limits;
// `episode_onset`: the start of the current CRS episode (doses before it are not counted).
std::vector<LimitCheck> tocilizumab_limits(const Timeline& timeline, std::int64_t t, std::int64_t episode_onset,
                                           const DosingRules& rules);

struct SteroidDose {
  std::int64_t seconds_since_infusion = 0;
  std::string drug;
  double mg = 0;                          // as given (mg/kg and mg/m² converted with weight or BSA)
  double dexamethasone_equivalent_mg = 0;
  std::size_t event_index = 0;
};

struct SteroidExposure {
  double dexamethasone_equivalent_mg = 0;  // sum over the counted doses
  std::vector<SteroidDose> doses;
  int doses_not_counted = 0;               // no dose recorded, or mg/kg without weight: never guessed
  std::vector<std::string> missing;
};

// dexamethasone-equivalent mg of one corticosteroid dose; nullopt for a drug not in the table.
std::optional<double> dexamethasone_equivalent_mg(const std::string& drug, double mg, const DosingRules& rules);
// Every corticosteroid dose given in the window (repeat schedules expanded), in dexamethasone equivalents.
SteroidExposure cumulative_steroid_exposure(const Timeline& timeline, TimeWindow window, const DosingRules& rules);

namespace dosing_rules {
extern const RuleRef kTocilizumabDose;
extern const RuleRef kTocilizumabInterval;
extern const RuleRef kTocilizumabPer24h;
extern const RuleRef kTocilizumabPerEpisode;
extern const RuleRef kSteroidEquivalence;
}  // namespace dosing_rules

}  // namespace crsguard
