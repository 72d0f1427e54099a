// Dosing rules and their sources, cited once:
//   Tocilizumab for CRS: ACTEMRA (tocilizumab) US prescribing information, Genentech; dose limits as
//   tabulated by ASCO 2021 (Santomasso, J Clin Oncol 39:3978) and NCCN (clinical.md §5.1).
//   Corticosteroid equivalence: Liu D et al., Allergy Asthma Clin Immunol 2013;9:30 (clinical.md §5.2).
#include "clinical/dosing.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "core/drugs.hpp"
#include "core/time.hpp"

namespace crsguard {

namespace dosing_rules {
constexpr std::string_view kActemra = "ACTEMRA US prescribing information (CRS); ASCO 2021 / NCCN (clinical.md §5.1)";
const RuleRef kTocilizumabDose{"actemra.crs.dose", kActemra};
const RuleRef kTocilizumabInterval{"actemra.crs.min_interval", kActemra};
const RuleRef kTocilizumabPer24h{"nccn.crs.tocilizumab_per_24h", kActemra};
const RuleRef kTocilizumabPerEpisode{"nccn.crs.tocilizumab_per_episode", kActemra};
const RuleRef kSteroidEquivalence{"liu2013.steroid_equivalence", "Liu 2013 (Allergy Asthma Clin Immunol 9:30), clinical.md §5.2"};
}  // namespace dosing_rules

DosingRules DosingRules::from(const RuleSet& rules) {
  DosingRules out;
  out.tocilizumab_mg_per_kg = rules.number("dosing.tocilizumab.mg_per_kg");
  out.tocilizumab_child_mg_per_kg = rules.number("dosing.tocilizumab.child_mg_per_kg");
  out.tocilizumab_child_below_kg = rules.number("dosing.tocilizumab.child_below_kg");
  out.tocilizumab_max_mg = rules.number("dosing.tocilizumab.max_mg");
  out.tocilizumab_min_interval_s = seconds_from_hours(rules.number("dosing.tocilizumab.min_interval_hours"));
  out.tocilizumab_max_per_24h = static_cast<int>(rules.number("dosing.tocilizumab.max_doses_per_24h"));
  out.tocilizumab_max_per_episode = static_cast<int>(rules.number("dosing.tocilizumab.max_doses_per_episode"));
  for (const int size : {80, 200, 400}) {
    if (rules.enabled(fmt::format("dosing.tocilizumab.vial_{}_mg", size))) out.tocilizumab_vials_mg.push_back(size);
  }
  out.tocilizumab_round_to_mg = rules.number("dosing.tocilizumab.round_to_mg");
  for (const char* drug : {"dexamethasone", "methylprednisolone", "prednisone", "prednisolone", "hydrocortisone"}) {
    out.steroid_equivalent_mg.emplace_back(drug, rules.number(fmt::format("dosing.steroid_equivalent_mg.{}", drug)));
  }
  return out;
}

namespace {

void apply_cap(ComputedDose& dose, std::optional<double> max_mg) {
  if (!dose.mg || !max_mg || *dose.mg <= *max_mg) return;
  dose.steps.push_back(fmt::format("capped at the maximum of {:g} mg per dose", *max_mg));
  dose.mg = *max_mg;
}

}  // namespace

ComputedDose dose_by_weight(double mg_per_kg, std::optional<double> weight_kg, std::optional<double> max_mg,
                            const RuleRef& rule) {
  ComputedDose dose;
  dose.rule = rule;
  if (!weight_kg) {
    dose.missing.emplace_back("body_weight");
    dose.steps.push_back(fmt::format("{:g} mg/kg × body weight: weight not recorded", mg_per_kg));
    return dose;
  }
  dose.mg = mg_per_kg * *weight_kg;
  dose.steps.push_back(fmt::format("{:g} mg/kg × {:g} kg = {:g} mg", mg_per_kg, *weight_kg, *dose.mg));
  apply_cap(dose, max_mg);
  return dose;
}

ComputedDose dose_by_body_surface(double mg_per_m2, const Patient& patient, std::optional<double> max_mg,
                                  const RuleRef& rule) {
  ComputedDose dose;
  dose.rule = rule;
  const auto bsa = patient.body_surface_area_m2();
  if (!bsa) {
    if (!patient.weight_kg) dose.missing.emplace_back("body_weight");
    if (!patient.height_cm) dose.missing.emplace_back("height");
    dose.steps.push_back(fmt::format("{:g} mg/m² × body surface area: weight or height not recorded", mg_per_m2));
    return dose;
  }
  dose.mg = mg_per_m2 * *bsa;
  dose.steps.push_back(fmt::format("body surface area ({}) = {:.3f} m²", to_name(patient.bsa_formula), *bsa));
  dose.steps.push_back(fmt::format("{:g} mg/m² × {:.3f} m² = {:.1f} mg", mg_per_m2, *bsa, *dose.mg));
  apply_cap(dose, max_mg);
  return dose;
}

std::vector<int> vials_for(double mg, const std::vector<int>& sizes_mg) {
  if (sizes_mg.empty() || mg <= 0) return {};
  // The vial sizes share a step (40 mg for 80/200/400): count in steps, the least waste first.
  const int step = std::accumulate(sizes_mg.begin(), sizes_mg.end(), 0, [](int a, int b) { return std::gcd(a, b); });
  const int largest = *std::max_element(sizes_mg.begin(), sizes_mg.end());
  const int need = static_cast<int>(std::ceil(mg / step - 1e-9));
  const int limit = need + largest / step;
  constexpr int kNone = std::numeric_limits<int>::max();
  std::vector<int> fewest(static_cast<std::size_t>(limit) + 1, kNone);  // fewest vials to hold exactly n steps
  std::vector<int> last(static_cast<std::size_t>(limit) + 1, 0);
  fewest[0] = 0;
  for (int n = 1; n <= limit; ++n) {
    for (const int size : sizes_mg) {
      const int k = size / step;
      if (k > n || fewest[static_cast<std::size_t>(n - k)] == kNone) continue;
      if (fewest[static_cast<std::size_t>(n - k)] + 1 < fewest[static_cast<std::size_t>(n)]) {
        fewest[static_cast<std::size_t>(n)] = fewest[static_cast<std::size_t>(n - k)] + 1;
        last[static_cast<std::size_t>(n)] = size;
      }
    }
  }
  for (int n = need; n <= limit; ++n) {
    if (fewest[static_cast<std::size_t>(n)] == kNone) continue;
    std::vector<int> vials;
    for (int rest = n; rest > 0; rest -= last[static_cast<std::size_t>(rest)] / step) {
      vials.push_back(last[static_cast<std::size_t>(rest)]);
    }
    std::sort(vials.rbegin(), vials.rend());
    return vials;
  }
  return {};
}

ComputedDose tocilizumab_dose(const Patient& patient, const DosingRules& rules) {
  const bool child = patient.weight_kg && *patient.weight_kg < rules.tocilizumab_child_below_kg;
  const double mg_per_kg = child ? rules.tocilizumab_child_mg_per_kg : rules.tocilizumab_mg_per_kg;
  ComputedDose dose = dose_by_weight(mg_per_kg, patient.weight_kg, rules.tocilizumab_max_mg,
                                     dosing_rules::kTocilizumabDose);
  if (!dose.mg) return dose;
  dose.steps.insert(dose.steps.begin(),
                    fmt::format("{:g} mg/kg for a weight {} {:g} kg", mg_per_kg, child ? "under" : "of at least",
                                rules.tocilizumab_child_below_kg));
  if (rules.tocilizumab_round_to_mg > 0) {
    const double rounded = std::round(*dose.mg / rules.tocilizumab_round_to_mg) * rules.tocilizumab_round_to_mg;
    if (rounded != *dose.mg) {
      dose.steps.push_back(fmt::format("rounded to the nearest {:g} mg: {:g} mg", rules.tocilizumab_round_to_mg, rounded));
      dose.mg = std::min(rounded, rules.tocilizumab_max_mg);
    }
  }
  dose.vials_mg = vials_for(*dose.mg, rules.tocilizumab_vials_mg);
  if (!dose.vials_mg.empty()) {
    const int total = std::accumulate(dose.vials_mg.begin(), dose.vials_mg.end(), 0);
    std::string list;
    for (const int vial : dose.vials_mg) list += (list.empty() ? "" : " + ") + std::to_string(vial);
    dose.steps.push_back(fmt::format("vials: {} mg ({:g} mg left over)", list, total - *dose.mg));
  }
  return dose;
}

std::vector<LimitCheck> dose_limits(const Timeline& timeline, std::string_view drug, std::int64_t t,
                                    std::int64_t episode_onset, const DoseLimitRules& limits) {
  std::vector<Evidence> in_episode;
  std::vector<Evidence> in_24h;
  std::optional<std::int64_t> last;
  std::optional<Evidence> last_evidence;
  // The interval and the 24-hour count take every dose (one given just before the episode began is
  // still in the blood); only the episode count starts at the onset.
  for (const DoseGiven& dose : timeline.doses()) {
    if (dose.administration->drug != drug || dose.seconds_since_infusion > t) continue;
    Evidence evidence = event_evidence(timeline, dose.event_index);
    if (evidence.seconds_since_infusion != dose.seconds_since_infusion) {  // one dose of a repeat schedule
      evidence.seconds_since_infusion = dose.seconds_since_infusion;
      evidence.form = TimeForm::study_day_clock;
    }
    if (dose.seconds_since_infusion >= episode_onset) in_episode.push_back(evidence);
    if (dose.seconds_since_infusion > t - kSecondsPerDay) in_24h.push_back(evidence);
    last = dose.seconds_since_infusion;
    last_evidence = evidence;
  }
  std::vector<LimitCheck> checks;
  if (limits.min_interval_s) {
    LimitCheck interval{limits.interval_rule, LimitVerdict::allowed, "no earlier dose", {}};
    if (last) {
      const double hours = static_cast<double>(t - *last) / static_cast<double>(kSecondsPerHour);
      const double minimum = static_cast<double>(*limits.min_interval_s) / static_cast<double>(kSecondsPerHour);
      interval.verdict = t - *last >= *limits.min_interval_s ? LimitVerdict::allowed : LimitVerdict::blocked;
      interval.statement = fmt::format("last dose {:.1f} h before; at least {:g} h apart", hours, minimum);
      interval.evidence = {*last_evidence};
    }
    checks.push_back(interval);
  }
  const auto count_check = [](const RuleRef& rule, const std::vector<Evidence>& doses, int limit, std::string_view span) {
    const int given = static_cast<int>(doses.size());
    return LimitCheck{rule, given < limit ? LimitVerdict::allowed : LimitVerdict::blocked,
                      fmt::format("{} dose{} {}; at most {}", given, given == 1 ? "" : "s", span, limit), doses};
  };
  if (limits.max_per_24h) {
    checks.push_back(count_check(limits.per_24h_rule, in_24h, *limits.max_per_24h, "in the last 24 h"));
  }
  if (limits.max_per_episode) {
    checks.push_back(count_check(limits.per_episode_rule, in_episode, *limits.max_per_episode, "in this CRS episode"));
  }
  return checks;
}

std::vector<LimitCheck> tocilizumab_limits(const Timeline& timeline, std::int64_t t, std::int64_t episode_onset,
                                           const DosingRules& rules) {
  using namespace dosing_rules;
  const DoseLimitRules limits{rules.tocilizumab_min_interval_s, rules.tocilizumab_max_per_24h,
                              rules.tocilizumab_max_per_episode, kTocilizumabInterval, kTocilizumabPer24h,
                              kTocilizumabPerEpisode};
  return dose_limits(timeline, "tocilizumab", t, episode_onset, limits);
}

std::optional<double> dexamethasone_equivalent_mg(const std::string& drug, double mg, const DosingRules& rules) {
  double dexamethasone = 0;
  std::optional<double> this_drug;
  for (const auto& [name, equivalent] : rules.steroid_equivalent_mg) {
    if (name == "dexamethasone") dexamethasone = equivalent;
    if (name == drug) this_drug = equivalent;
  }
  if (!this_drug || *this_drug <= 0) return std::nullopt;
  return mg * dexamethasone / *this_drug;
}

SteroidExposure cumulative_steroid_exposure(const Timeline& timeline, TimeWindow window, const DosingRules& rules) {
  SteroidExposure exposure;
  const Patient& patient = timeline.patient();
  const auto& doses = timeline.doses();
  const auto first = std::lower_bound(doses.begin(), doses.end(), window.from,
                                      [](const DoseGiven& d, std::int64_t t) { return d.seconds_since_infusion < t; });
  for (auto dose = first; dose != doses.end() && dose->seconds_since_infusion < window.to; ++dose) {
    const DoseGiven& given = *dose;
    if (!window.contains(given.seconds_since_infusion)) continue;
    const Administration& administration = *given.administration;
    const DrugInfo* drug = find_drug(administration.drug);
    if (drug == nullptr || drug->drug_class != DrugClass::corticosteroid) continue;
    std::optional<double> mg;
    if (administration.dose) {
      switch (administration.dose->basis) {
        case DoseBasis::mg: mg = administration.dose->value; break;
        case DoseBasis::mg_per_kg:
          if (patient.weight_kg) mg = administration.dose->value * *patient.weight_kg;
          else exposure.missing.emplace_back("body_weight");
          break;
        case DoseBasis::mg_per_m2:
          if (const auto bsa = patient.body_surface_area_m2()) mg = administration.dose->value * *bsa;
          else exposure.missing.emplace_back("body_surface_area");
          break;
      }
    } else {
      exposure.missing.emplace_back("dose");
    }
    const auto equivalent = mg ? dexamethasone_equivalent_mg(administration.drug, *mg, rules) : std::nullopt;
    if (!equivalent) {
      ++exposure.doses_not_counted;
      continue;
    }
    exposure.doses.push_back({given.seconds_since_infusion, administration.drug, *mg, *equivalent, given.event_index});
    exposure.dexamethasone_equivalent_mg += *equivalent;
  }
  std::sort(exposure.missing.begin(), exposure.missing.end());
  exposure.missing.erase(std::unique(exposure.missing.begin(), exposure.missing.end()), exposure.missing.end());
  return exposure;
}

}  // namespace crsguard
