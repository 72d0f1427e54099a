// Platelet transfusion response. Sources, cited once:
//   CCI: Delaflor-Weiss E, Mintz PD. Transfus Med Rev 2000;14:180-196 (williams.medicine.wisc.edu/cci.htm);
//        ASCO 2018 (Schiffer CA et al. J Clin Oncol 36:283) — ../shared/spec/clinical.md §9.1.
//   PPR and blood volume per kg: TRAP analysis, Transfusion 1999 (PMID 10378838) — clinical.md §9.2.
//   Success at 24 h (CCI ≥ 7500 and PPR ≥ 30 %): Pan J et al. J Cell Mol Med 2021;25:1089-1099
//        (../shared/data/README.md).
// Every threshold and window is a parameter of rules/platelets.json.
#include "analysis/platelets.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>

#include "core/drugs.hpp"
#include "core/time.hpp"

namespace crsguard {

namespace {

constexpr std::array kResponseNames{
    EnumName<TransfusionResponse>{TransfusionResponse::success, "success"},
    EnumName<TransfusionResponse>{TransfusionResponse::failure, "failure"},
    EnumName<TransfusionResponse>{TransfusionResponse::not_assessable, "not_assessable"},
};

// 1 ×10^9/L = 1000 /µL (clinical.md §9.1 unit rule: without it the CCI is 1000 times too small).
constexpr double kPerMicrolitrePer1e9PerLitre = 1000.0;

void check_drug(std::string_view drug) {
  if (find_drug(drug) == nullptr) {
    throw std::invalid_argument(fmt::format("drug: \"{}\" is not in the drug table (core/drugs.cpp)", drug));
  }
}

[[noreturn]] void bad_rule(std::string_view key, std::string_view reason) {
  throw std::invalid_argument(fmt::format("{}: {}", key, reason));
}

std::string hours_text(std::int64_t seconds) { return fmt::format("{:g} h", static_cast<double>(seconds) / 3600.0); }

std::optional<double> median_of(std::vector<double> values) {
  if (values.empty()) return std::nullopt;
  std::sort(values.begin(), values.end());
  const std::size_t middle = values.size() / 2;
  if (values.size() % 2 == 1) return values[middle];
  return (values[middle - 1] + values[middle]) / 2.0;
}

std::string count_text(const PlateletCount& count) {
  return fmt::format("{}{:g} ×10^9/L", comparator_symbol(count.comparator), count.value_1e9_per_l);
}

PlateletBodySize body_size(const Patient& patient, const PlateletRules& rules) {
  PlateletBodySize body;
  body.weight_kg = patient.weight_kg;
  body.height_cm = patient.height_cm;
  body.bsa_m2 = patient.body_surface_area_m2();
  body.bsa_formula = patient.bsa_formula;
  if (!patient.weight_kg) {
    body.blood_volume_basis = "weight not recorded";
    return body;
  }
  if (!patient.age_years) {
    // The child and adult values differ; choosing one without the age would be a guess.
    body.blood_volume_basis = "age not recorded (the mL/kg differs for a child and an adult)";
    return body;
  }
  const bool child = *patient.age_years < rules.child_below_age_years;
  body.blood_volume_ml_per_kg = child ? rules.child_blood_volume_ml_per_kg : rules.adult_blood_volume_ml_per_kg;
  body.blood_volume_l = *body.blood_volume_ml_per_kg * *patient.weight_kg / 1000.0;
  body.blood_volume_basis =
      fmt::format("{} (age {:g} years {} {:g}): {:g} mL/kg × {:g} kg = {:g} L", child ? "child" : "adult",
                  *patient.age_years, child ? "<" : "≥", rules.child_below_age_years, *body.blood_volume_ml_per_kg,
                  *patient.weight_kg, *body.blood_volume_l);
  return body;
}

struct PlateletTransfusionEvent {
  std::size_t event_index;
  std::int64_t time;
  const Transfusion* transfusion;
};

std::vector<PlateletTransfusionEvent> platelet_transfusions(const Timeline& timeline) {
  std::vector<PlateletTransfusionEvent> out;
  const auto& events = timeline.events();
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto* transfusion = events[i].as<Transfusion>();
    if (transfusion != nullptr && transfusion->product == TransfusionProduct::platelets) {
      out.push_back({i, events[i].time.seconds_since_infusion, transfusion});
    }
  }
  return out;
}

PlateletCount to_count(const ObservedValue& value) {
  return {value.value, value.comparator, value.time.seconds_since_infusion, value.event_index};
}

// The count nearest to `target` in [from, to] (both inclusive) and before `before` (exclusive);
// of two equally near, the earlier.
std::optional<PlateletCount> nearest_count(const std::vector<ObservedValue>& counts, std::int64_t from,
                                           std::int64_t to, std::int64_t target, std::optional<std::int64_t> before) {
  std::optional<PlateletCount> best;
  std::int64_t best_distance = 0;
  for (const auto& value : counts) {
    const std::int64_t t = value.time.seconds_since_infusion;
    if (t < from || t > to || (before && t >= *before)) continue;
    const std::int64_t distance = t > target ? t - target : target - t;
    if (!best || distance < best_distance) {
      best = to_count(value);
      best_distance = distance;
    }
  }
  return best;
}

bool any_count_in(const std::vector<ObservedValue>& counts, std::int64_t from, std::int64_t to) {
  return std::any_of(counts.begin(), counts.end(), [&](const ObservedValue& value) {
    return value.time.seconds_since_infusion >= from && value.time.seconds_since_infusion <= to;
  });
}

PostTransfusionCount post_count(const PlateletCount& count, std::int64_t transfusion_time,
                                const std::optional<PlateletCount>& pre, std::optional<double> dose_1e11,
                                const PlateletBodySize& body) {
  PostTransfusionCount post;
  post.count = count;
  post.hours_after = static_cast<double>(count.seconds_since_infusion - transfusion_time) / 3600.0;
  if (!pre || pre->comparator != Comparator::equal || count.comparator != Comparator::equal) return post;
  post.increment_1e9_per_l = count.value_1e9_per_l - pre->value_1e9_per_l;
  if (!dose_1e11) return post;
  if (body.bsa_m2) post.cci = corrected_count_increment(*post.increment_1e9_per_l, *body.bsa_m2, *dose_1e11);
  if (body.blood_volume_l) {
    post.ppr_percent = percentage_platelet_recovery(*post.increment_1e9_per_l, *body.blood_volume_l, *dose_1e11);
  }
  return post;
}

}  // namespace

std::span<const EnumName<TransfusionResponse>> names(TransfusionResponse) { return kResponseNames; }

PlateletRules PlateletRules::from(const RuleSet& rules) {
  PlateletRules out;
  out.min_cci_24h = rules.number("platelets.success.min_cci_24h");
  out.min_ppr_24h_percent = rules.number("platelets.success.min_ppr_24h_percent");
  out.pre_count_window_s = seconds_from_hours(rules.number("platelets.pre_count.window_hours"));
  out.post_24h_target_s = seconds_from_hours(rules.number("platelets.post_24h.target_hours"));
  out.post_24h_from_s = seconds_from_hours(rules.number("platelets.post_24h.from_hours"));
  out.post_24h_to_s = seconds_from_hours(rules.number("platelets.post_24h.to_hours"));
  out.post_1h_from_s = seconds_from_hours(rules.number("platelets.post_1h.from_minutes") / 60.0);
  out.post_1h_to_s = seconds_from_hours(rules.number("platelets.post_1h.to_minutes") / 60.0);
  out.adult_blood_volume_ml_per_kg = rules.number("platelets.blood_volume.adult_ml_per_kg");
  out.child_blood_volume_ml_per_kg = rules.number("platelets.blood_volume.child_ml_per_kg");
  out.child_below_age_years = rules.number("platelets.blood_volume.child_below_age_years");

  if (out.min_cci_24h <= 0) bad_rule("platelets.success.min_cci_24h", "must be positive");
  if (out.min_ppr_24h_percent <= 0 || out.min_ppr_24h_percent > 100) {
    bad_rule("platelets.success.min_ppr_24h_percent", "must lie in (0, 100] %");
  }
  if (out.pre_count_window_s <= 0) bad_rule("platelets.pre_count.window_hours", "must be positive");
  if (out.post_24h_from_s <= 0) bad_rule("platelets.post_24h.from_hours", "must be positive");
  if (out.post_24h_to_s <= out.post_24h_from_s) {
    bad_rule("platelets.post_24h.to_hours", "must be later than platelets.post_24h.from_hours");
  }
  if (out.post_24h_target_s < out.post_24h_from_s || out.post_24h_target_s > out.post_24h_to_s) {
    bad_rule("platelets.post_24h.target_hours", "must lie within the 24-h window (from_hours to to_hours)");
  }
  if (out.post_1h_from_s < 0) bad_rule("platelets.post_1h.from_minutes", "must not be negative");
  if (out.post_1h_to_s <= out.post_1h_from_s) {
    bad_rule("platelets.post_1h.to_minutes", "must be later than platelets.post_1h.from_minutes");
  }
  if (out.post_1h_to_s >= out.post_24h_from_s) {
    bad_rule("platelets.post_1h.to_minutes", "the 1-h window must end before the 24-h window starts");
  }
  if (out.adult_blood_volume_ml_per_kg <= 0) bad_rule("platelets.blood_volume.adult_ml_per_kg", "must be positive");
  if (out.child_blood_volume_ml_per_kg <= 0) bad_rule("platelets.blood_volume.child_ml_per_kg", "must be positive");
  if (out.child_below_age_years < 0) bad_rule("platelets.blood_volume.child_below_age_years", "must not be negative");
  return out;
}

double corrected_count_increment(double increment_1e9_per_l, double bsa_m2, double dose_1e11) {
  if (!(bsa_m2 > 0) || !std::isfinite(bsa_m2)) {
    throw std::invalid_argument(fmt::format("bsa_m2: must be a positive number of m², got {:g}", bsa_m2));
  }
  if (!(dose_1e11 > 0) || !std::isfinite(dose_1e11)) {
    throw std::invalid_argument(fmt::format("dose_1e11: must be a positive number of ×10^11 platelets, got {:g}", dose_1e11));
  }
  return increment_1e9_per_l * kPerMicrolitrePer1e9PerLitre * bsa_m2 / dose_1e11;
}

double percentage_platelet_recovery(double increment_1e9_per_l, double blood_volume_l, double dose_1e11) {
  if (!(blood_volume_l > 0) || !std::isfinite(blood_volume_l)) {
    throw std::invalid_argument(fmt::format("blood_volume_l: must be a positive number of L, got {:g}", blood_volume_l));
  }
  if (!(dose_1e11 > 0) || !std::isfinite(dose_1e11)) {
    throw std::invalid_argument(fmt::format("dose_1e11: must be a positive number of ×10^11 platelets, got {:g}", dose_1e11));
  }
  // platelets recovered in the circulation (increment × volume, ×10^9) over platelets given (×10^9).
  const double transfused_1e9 = dose_1e11 * 100.0;
  return increment_1e9_per_l * blood_volume_l / transfused_1e9 * 100.0;
}

PlateletPhaseSummary summarise_platelet_phase(std::span<const PlateletTransfusionResult> transfusions, bool after) {
  PlateletPhaseSummary summary;
  std::vector<double> ccis;
  std::vector<double> pprs;
  for (const auto& result : transfusions) {
    if (result.after_drug_start != after) continue;
    ++summary.transfusions;
    if (result.response == TransfusionResponse::not_assessable) continue;
    ++summary.assessable;
    if (result.response == TransfusionResponse::success) ++summary.successes;
    // An assessable transfusion has both numbers (the success rule needs both).
    ccis.push_back(*result.day_one->cci);
    pprs.push_back(*result.day_one->ppr_percent);
  }
  if (summary.assessable > 0) {
    summary.success_rate = static_cast<double>(summary.successes) / static_cast<double>(summary.assessable);
  }
  summary.median_cci = median_of(std::move(ccis));
  summary.median_ppr_percent = median_of(std::move(pprs));
  return summary;
}

PatientPlateletResponse platelet_transfusion_response(const Timeline& timeline, const PlateletRules& rules,
                                                      std::string_view drug) {
  check_drug(drug);
  PatientPlateletResponse out;
  out.patient_id = timeline.patient().id;
  out.drug = std::string(drug);
  out.body = body_size(timeline.patient(), rules);
  for (const auto& dose : timeline.doses()) {
    if (dose.administration->drug == drug) {
      out.drug_start_s = dose.seconds_since_infusion;  // doses() is in time order: the first
      break;
    }
  }

  const std::vector<ObservedValue> counts = timeline.values(ObservationCode::platelets);
  const auto transfusions = platelet_transfusions(timeline);
  for (std::size_t k = 0; k < transfusions.size(); ++k) {
    const auto& event = transfusions[k];
    const std::int64_t t = event.time;
    // The next platelet transfusion, if later than this one: counts from then on measure both.
    std::optional<std::int64_t> next;
    for (std::size_t j = k + 1; j < transfusions.size(); ++j) {
      if (transfusions[j].time > t) {
        next = transfusions[j].time;
        break;
      }
    }
    PlateletTransfusionResult result;
    result.event_index = event.event_index;
    result.seconds_since_infusion = t;
    result.study_day = timeline.study_day(t);
    result.after_drug_start = out.drug_start_s && t >= *out.drug_start_s;
    std::vector<std::string>& reasons = result.reasons;

    if (!event.transfusion->amount) {
      reasons.emplace_back("dose not recorded (platelets transfused, ×10^11)");
    } else if (event.transfusion->amount_unit != TransfusionAmountUnit::platelets_1e11) {
      reasons.emplace_back("dose recorded as a volume, not as platelets ×10^11");
    } else {
      result.dose_1e11 = event.transfusion->amount;
    }

    for (auto it = counts.rbegin(); it != counts.rend(); ++it) {
      const std::int64_t at = it->time.seconds_since_infusion;
      if (at > t) continue;
      if (at >= t - rules.pre_count_window_s) result.pre = to_count(*it);
      break;
    }
    if (!result.pre) {
      reasons.push_back(fmt::format("no platelet count in the {} before the transfusion",
                                    hours_text(rules.pre_count_window_s)));
    } else if (result.pre->comparator != Comparator::equal) {
      reasons.push_back(fmt::format("pre-transfusion count reported as a bound ({})", count_text(*result.pre)));
    }

    if (const auto one_hour = nearest_count(counts, t + rules.post_1h_from_s, t + rules.post_1h_to_s,
                                            t + seconds_from_hours(1), next)) {
      result.one_hour = post_count(*one_hour, t, result.pre, result.dose_1e11, out.body);
    }
    const std::int64_t from = t + rules.post_24h_from_s;
    const std::int64_t to = t + rules.post_24h_to_s;
    if (const auto day_one = nearest_count(counts, from, to, t + rules.post_24h_target_s, next)) {
      result.day_one = post_count(*day_one, t, result.pre, result.dose_1e11, out.body);
      if (day_one->comparator != Comparator::equal) {
        reasons.push_back(fmt::format("24-h count reported as a bound ({})", count_text(*day_one)));
      }
    } else if (next && *next <= to && any_count_in(counts, from, to)) {
      reasons.push_back(fmt::format("the counts {}–{} after the transfusion follow the next platelet transfusion "
                                    "({} after this one), so they measure both",
                                    hours_text(rules.post_24h_from_s), hours_text(rules.post_24h_to_s),
                                    hours_text(*next - t)));
    } else {
      reasons.push_back(fmt::format("no platelet count {}–{} after the transfusion", hours_text(rules.post_24h_from_s),
                                    hours_text(rules.post_24h_to_s)));
    }

    if (!out.body.bsa_m2) {
      reasons.emplace_back(out.body.weight_kg ? "no body surface area: height not recorded"
                                              : "no body surface area: weight not recorded");
    }
    if (!out.body.blood_volume_l) reasons.push_back("no blood volume: " + out.body.blood_volume_basis);

    if (reasons.empty()) {
      const double cci = *result.day_one->cci;
      const double ppr = *result.day_one->ppr_percent;
      const bool cci_met = cci >= rules.min_cci_24h;
      const bool ppr_met = ppr >= rules.min_ppr_24h_percent;
      result.response = cci_met && ppr_met ? TransfusionResponse::success : TransfusionResponse::failure;
      reasons.push_back(fmt::format("24-h CCI {:.0f} {} {:g}", cci, cci_met ? "≥" : "<", rules.min_cci_24h));
      reasons.push_back(fmt::format("24-h PPR {:.1f} % {} {:g} %", ppr, ppr_met ? "≥" : "<", rules.min_ppr_24h_percent));
    }
    out.transfusions.push_back(std::move(result));
  }
  out.before_drug = summarise_platelet_phase(out.transfusions, false);
  out.after_drug = summarise_platelet_phase(out.transfusions, true);
  return out;
}

CohortPlateletResponse cohort_platelet_response(std::span<const Timeline> timelines, const PlateletRules& rules,
                                                std::string_view drug) {
  check_drug(drug);
  CohortPlateletResponse out;
  out.drug = std::string(drug);
  std::vector<PlateletTransfusionResult> pooled;
  for (const auto& timeline : timelines) {
    auto patient = platelet_transfusion_response(timeline, rules, drug);
    if (patient.drug_start_s) ++out.patients_given_drug;
    pooled.insert(pooled.end(), patient.transfusions.begin(), patient.transfusions.end());
    out.patients.push_back(std::move(patient));
  }
  out.before_drug = summarise_platelet_phase(pooled, false);
  out.after_drug = summarise_platelet_phase(pooled, true);
  return out;
}

}  // namespace crsguard
