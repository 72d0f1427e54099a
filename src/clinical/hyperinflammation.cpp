// Severe CRS / HLH-like hyperinflammation flags.
// Sources (short keys of ../shared/spec/clinical.md; each parameter in rules/hyperinflammation.json):
//   CARTOX2018: Neelapu SS, et al. Nat Rev Clin Oncol 2018;15(1):47-62, "CAR-T-cell-related HLH/MAS":
//     peak ferritin > 10,000 ng/mL during the cytokine-release phase (typically the first 5 days)
//     and any two of grade ≥ 3 bilirubin/AST/ALT rise, grade ≥ 3 oliguria or creatinine rise,
//     grade ≥ 3 pulmonary oedema, haemophagocytosis (clinical.md §7.1) [S].
//   Pan2021: Pan J, et al. J Cell Mol Med 2021;25(2):1089-1099: ferritin > 5,000 ng/mL with
//     cytopenia as a criterion of severe CRS, citing NCCN 2019 and Döring 2016 (clinical.md §7.1
//     note); "cytopenia" is not defined there, so its CTCAE grade and pairing window are ours [M].
//   Hines2023: Hines MR, et al. Transplant Cell Ther 2023;29(7):438.e1-438.e16, IEC-HS key
//     features (clinical.md §7.2) [M]: implemented as a screening flag, not a diagnosis — IEC-HS
//     is a clinical diagnosis (attributable to IEC therapy, independent of CRS and ICANS).
#include "clinical/hyperinflammation.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <fmt/format.h>
#include <functional>
#include <utility>

#include "core/time.hpp"

namespace crsguard {

std::span<const EnumName<HyperinflammationCriterion>> names(HyperinflammationCriterion) {
  static constexpr std::array<EnumName<HyperinflammationCriterion>, 3> kNames{{
      {HyperinflammationCriterion::iec_hs_2023, "iec_hs_2023"},
      {HyperinflammationCriterion::cartox_hlh_mas_2018, "cartox_hlh_mas_2018"},
      {HyperinflammationCriterion::pan2021_severe_crs_marker, "pan2021_severe_crs_marker"},
  }};
  return kNames;
}

namespace {

constexpr std::string_view kCartoxSource = "CARTOX 2018 (Neelapu, Nat Rev Clin Oncol 15:47) CAR-T-cell-related HLH/MAS";
constexpr std::string_view kPanSource = "Pan 2021 (J Cell Mol Med 25:1089), after NCCN 2019: ferritin with cytopenia";
constexpr std::string_view kIecHsSource = "ASTCT 2023 IEC-HS (Hines, Transplant Cell Ther 29:438.e1) key features; screening";

constexpr RuleRef kCartox{"cartox2018.hlh_mas", kCartoxSource};
constexpr RuleRef kCartoxFerritin{"cartox2018.hlh_mas.ferritin", kCartoxSource};
constexpr RuleRef kCartoxLiver{"cartox2018.hlh_mas.bilirubin_or_transaminases", kCartoxSource};
constexpr RuleRef kCartoxRenal{"cartox2018.hlh_mas.creatinine_or_oliguria", kCartoxSource};
constexpr RuleRef kPan{"pan2021.severe_crs.ferritin_with_cytopenia", kPanSource};
constexpr RuleRef kPanFerritin{"pan2021.severe_crs.ferritin", kPanSource};
constexpr RuleRef kPanCytopenia{"pan2021.severe_crs.cytopenia", kPanSource};
constexpr RuleRef kIecHs{"astct2023.iec_hs.screen", kIecHsSource};
constexpr RuleRef kIecHsFerritin{"astct2023.iec_hs.ferritin", kIecHsSource};
constexpr RuleRef kIecHsCytopenia{"astct2023.iec_hs.cytopenia", kIecHsSource};
constexpr RuleRef kIecHsTransaminases{"astct2023.iec_hs.transaminases", kIecHsSource};
constexpr RuleRef kIecHsFibrinogen{"astct2023.iec_hs.fibrinogen", kIecHsSource};
constexpr RuleRef kIecHsLdh{"astct2023.iec_hs.ldh", kIecHsSource};
constexpr RuleRef kIecHsTriglycerides{"astct2023.iec_hs.triglycerides", kIecHsSource};

constexpr std::array kCytopenias{CtcaeTerm::platelet_count_decreased, CtcaeTerm::neutrophil_count_decreased,
                                 CtcaeTerm::anemia};
constexpr std::array kLiverTerms{CtcaeTerm::blood_bilirubin_increased, CtcaeTerm::ast_increased,
                                 CtcaeTerm::alt_increased};
constexpr std::array kTransaminases{CtcaeTerm::ast_increased, CtcaeTerm::alt_increased};
constexpr std::array kCreatinine{CtcaeTerm::creatinine_increased};

std::int64_t hours(double value) { return static_cast<std::int64_t>(std::llround(value * kSecondsPerHour)); }

TimeWindow study_days(const Timeline& timeline, double first_day, double last_day) {
  return {timeline.day_start(static_cast<int>(std::lround(first_day))),
          timeline.day_start(static_cast<int>(std::lround(last_day)) + 1)};
}

TimeWindow around(std::int64_t t, std::int64_t half_width) { return {t - half_width, t + half_width + 1}; }

// A result reported as a bound (">15000", "<500") is above or below a threshold only when the
// bound itself says so.
bool certainly_above(const ObservedValue& observed, double threshold) {
  switch (observed.comparator) {
    case Comparator::less:
    case Comparator::less_or_equal: return false;
    case Comparator::greater: return observed.value >= threshold;
    case Comparator::equal:
    case Comparator::greater_or_equal: return observed.value > threshold;
  }
  return false;
}

bool possibly_above(const ObservedValue& observed, double threshold) {
  switch (observed.comparator) {
    case Comparator::greater:
    case Comparator::greater_or_equal: return true;
    case Comparator::less:
    case Comparator::less_or_equal:
    case Comparator::equal: return observed.value > threshold;
  }
  return false;
}

bool certainly_below(const ObservedValue& observed, double threshold) {
  switch (observed.comparator) {
    case Comparator::greater:
    case Comparator::greater_or_equal: return false;
    case Comparator::less: return observed.value <= threshold;
    case Comparator::equal:
    case Comparator::less_or_equal: return observed.value < threshold;
  }
  return false;
}

std::vector<ObservedValue> values_in(const Timeline& timeline, ObservationCode code, TimeWindow window) {
  std::vector<ObservedValue> out;
  for (const auto& observed : timeline.values(code)) {
    if (window.contains(observed.time.seconds_since_infusion)) out.push_back(observed);
  }
  return out;
}

const Observation& observation_of(const Timeline& timeline, const ObservedValue& observed) {
  return std::get<Observation>(timeline.events()[observed.event_index].detail);
}

std::string value_text(const ObservedValue& observed, ObservationCode code) {
  const ObservationInfo& info = observation_info(code);
  return fmt::format("{} {}{:g} {}", info.name, comparator_symbol(observed.comparator), observed.value,
                     info.canonical_unit);
}

// ---- parts of a criterion ------------------------------------------------------------------

enum class PartState : unsigned char { met, not_met, unknown };

struct Part {
  PartState state = PartState::unknown;
  std::optional<std::int64_t> met_at;
  std::optional<Reason> reason;       // why it is met (or, for the gate, why not)
  std::vector<std::string> missing;   // reported when the part stays unknown
};

Part unknown_part(std::string name) {
  Part part;
  part.missing.push_back(std::move(name));
  return part;
}

// A part met by a CTCAE grade of one of `terms` at or above `min_grade` within the window.
// It stays unknown while a result in the window could not be graded or is only a lower bound.
Part ctcae_part(std::span<const CtcaeGrade> grades, std::span<const CtcaeTerm> terms, TimeWindow window,
                int min_grade, RuleRef rule, std::string name) {
  bool seen = false;
  bool doubtful = false;
  for (const auto& grade : grades) {
    if (std::find(terms.begin(), terms.end(), grade.term) == terms.end()) continue;
    if (!window.contains(grade.seconds_since_infusion)) continue;
    seen = true;
    if (grade.result.grade && *grade.result.grade >= min_grade) {
      Part part;
      part.state = PartState::met;
      part.met_at = grade.seconds_since_infusion;
      Reason reason{rule, fmt::format("{} grade {} ({}; ≥ {} required)", to_name(grade.term), *grade.result.grade,
                                      grade.version, min_grade), {}};
      for (const auto& cause : grade.result.reasons) {
        reason.evidence.insert(reason.evidence.end(), cause.evidence.begin(), cause.evidence.end());
      }
      part.reason = std::move(reason);
      return part;
    }
    if (!grade.result.grade || grade.result.assessment == Assessment::incomplete) doubtful = true;
  }
  Part part = unknown_part(std::move(name));
  if (seen && !doubtful) part.state = PartState::not_met;
  return part;
}

// A part met by a single value in the window; `test` says met / not met / cannot tell.
using ValueTest = std::function<std::optional<bool>(const ObservedValue&)>;

Part value_part(const Timeline& timeline, ObservationCode code, TimeWindow window, const ValueTest& test,
                RuleRef rule, std::string_view criterion, std::string name) {
  bool seen = false;
  bool doubtful = false;
  for (const auto& observed : values_in(timeline, code, window)) {
    seen = true;
    const auto verdict = test(observed);
    if (verdict && *verdict) {
      Part part;
      part.state = PartState::met;
      part.met_at = observed.time.seconds_since_infusion;
      part.reason = Reason{rule, fmt::format("{}: {}", value_text(observed, code), criterion),
                           {observation_evidence(observed, code)}};
      return part;
    }
    if (!verdict) doubtful = true;
  }
  Part part = unknown_part(std::move(name));
  if (seen && !doubtful) part.state = PartState::not_met;
  return part;
}

// A criterion is a gate (ferritin) and parts of which `needed` must hold. It is not met when
// the gate fails or when even the parts that could not be checked could not make up the count.
void decide(HyperinflammationFlag& flag, const Part& gate, std::span<const Part> parts, int needed) {
  std::vector<std::int64_t> met_times;
  int unknown = 0;
  if (gate.reason) flag.reasons.push_back(*gate.reason);
  if (gate.state == PartState::unknown) flag.missing.insert(flag.missing.end(), gate.missing.begin(), gate.missing.end());
  for (const Part& part : parts) {
    if (part.state == PartState::met) {
      met_times.push_back(*part.met_at);
      flag.reasons.push_back(*part.reason);
    } else if (part.state == PartState::unknown) {
      ++unknown;
      flag.missing.insert(flag.missing.end(), part.missing.begin(), part.missing.end());
    }
  }
  std::sort(met_times.begin(), met_times.end());
  const int met = static_cast<int>(met_times.size());
  if (gate.state == PartState::not_met || met + unknown < needed) {
    flag.met = false;
  } else if (gate.state == PartState::met && met >= needed) {
    flag.met = true;
    std::int64_t at = *gate.met_at;
    if (needed > 0) at = std::max(at, met_times[static_cast<std::size_t>(needed - 1)]);
    flag.first_met_at = at;
  }
}

// ---- CARTOX HLH/MAS ------------------------------------------------------------------------

Part peak_ferritin_part(const Timeline& timeline, TimeWindow window, double above, RuleRef rule) {
  const auto ferritin = values_in(timeline, ObservationCode::ferritin, window);
  if (ferritin.empty()) return unknown_part("ferritin");
  const auto peak = timeline.max_in(ObservationCode::ferritin, window);
  Part part;
  for (const auto& observed : ferritin) {
    if (!certainly_above(observed, above)) continue;
    part.state = PartState::met;
    part.met_at = observed.time.seconds_since_infusion;
    part.reason = Reason{rule, fmt::format("peak {} > {:g} ng/mL", value_text(*peak, ObservationCode::ferritin), above),
                         {observation_evidence(observed, ObservationCode::ferritin)}};
    if (peak->event_index != observed.event_index) {
      part.reason->evidence.push_back(observation_evidence(*peak, ObservationCode::ferritin));
    }
    return part;
  }
  const bool doubtful = std::any_of(ferritin.begin(), ferritin.end(),
                                    [&](const ObservedValue& observed) { return possibly_above(observed, above); });
  part.state = doubtful ? PartState::unknown : PartState::not_met;
  if (doubtful) part.missing.emplace_back("ferritin");
  part.reason = Reason{rule, fmt::format("peak {}: {} {:g} ng/mL", value_text(*peak, ObservationCode::ferritin),
                                         doubtful ? "reported as a bound, may or may not exceed" : "not above", above),
                       {observation_evidence(*peak, ObservationCode::ferritin)}};
  return part;
}

HyperinflammationFlag cartox_flag(const Timeline& timeline, const RuleSet& rules, std::span<const CtcaeGrade> grades) {
  HyperinflammationFlag flag;
  flag.criterion = HyperinflammationCriterion::cartox_hlh_mas_2018;
  flag.rule = kCartox;
  const TimeWindow window = study_days(timeline, rules.number("hyperinflammation.cartox.window_first_day"),
                                       rules.number("hyperinflammation.cartox.window_last_day"));
  const int min_grade = static_cast<int>(std::lround(rules.number("hyperinflammation.cartox.organ_min_ctcae_grade")));
  const int needed = static_cast<int>(std::lround(rules.number("hyperinflammation.cartox.organ_criteria_needed")));
  const Part ferritin =
      peak_ferritin_part(timeline, window, rules.number("hyperinflammation.cartox.ferritin_above"), kCartoxFerritin);

  std::vector<Part> organs;
  organs.push_back(ctcae_part(grades, kLiverTerms, window, min_grade, kCartoxLiver, "bilirubin_or_transaminases"));
  // Oliguria is not recorded in a Timeline: without a creatinine rise this criterion stays open.
  Part renal = ctcae_part(grades, kCreatinine, window, min_grade, kCartoxRenal, "creatinine");
  if (renal.state != PartState::met) {
    if (renal.state == PartState::not_met) renal.missing.clear();
    renal.state = PartState::unknown;
    renal.missing.emplace_back("oliguria");
  }
  organs.push_back(std::move(renal));
  organs.push_back(unknown_part("pulmonary_oedema"));
  organs.push_back(unknown_part("haemophagocytosis"));
  decide(flag, ferritin, organs, needed);
  return flag;
}

// ---- Pan 2021 ferritin with cytopenia ------------------------------------------------------

HyperinflammationFlag pan2021_flag(const Timeline& timeline, const RuleSet& rules, std::span<const CtcaeGrade> grades) {
  HyperinflammationFlag flag;
  flag.criterion = HyperinflammationCriterion::pan2021_severe_crs_marker;
  flag.rule = kPan;
  const TimeWindow window = study_days(timeline, rules.number("hyperinflammation.pan2021.window_first_day"),
                                       rules.number("hyperinflammation.pan2021.window_last_day"));
  const double above = rules.number("hyperinflammation.pan2021.ferritin_above");
  const int min_grade = static_cast<int>(std::lround(rules.number("hyperinflammation.pan2021.cytopenia_min_ctcae_grade")));
  const std::int64_t pairing = hours(rules.number("hyperinflammation.pan2021.pairing_window_hours"));

  const auto ferritin = values_in(timeline, ObservationCode::ferritin, window);
  if (ferritin.empty()) {
    flag.missing.emplace_back("ferritin");
    return flag;
  }
  std::optional<std::pair<Part, Part>> best;  // ferritin and cytopenia parts of the earliest pair
  bool high = false;
  bool possibly_high = false;
  bool counts_open = false;  // a high ferritin without a conclusive blood count near it
  for (const auto& observed : ferritin) {
    possibly_high = possibly_high || possibly_above(observed, above);
    if (!certainly_above(observed, above)) continue;
    high = true;
    const std::int64_t t = observed.time.seconds_since_infusion;
    const Part cytopenia = ctcae_part(grades, kCytopenias, around(t, pairing), min_grade, kPanCytopenia, "blood_counts");
    if (cytopenia.state == PartState::unknown) counts_open = true;
    if (cytopenia.state != PartState::met) continue;
    Part gate;
    gate.state = PartState::met;
    gate.met_at = t;
    gate.reason = Reason{kPanFerritin, fmt::format("{} > {:g} ng/mL", value_text(observed, ObservationCode::ferritin), above),
                         {observation_evidence(observed, ObservationCode::ferritin)}};
    const std::int64_t at = std::max(t, *cytopenia.met_at);
    if (!best || at < std::max(*best->first.met_at, *best->second.met_at)) best.emplace(std::move(gate), cytopenia);
  }
  if (best) {
    flag.met = true;
    flag.first_met_at = std::max(*best->first.met_at, *best->second.met_at);
    flag.reasons = {*best->first.reason, *best->second.reason};
    return flag;
  }
  const auto peak = timeline.max_in(ObservationCode::ferritin, window);
  const Evidence peak_evidence = observation_evidence(*peak, ObservationCode::ferritin);
  if (high && counts_open) {
    flag.missing.emplace_back("blood_counts");
    flag.reasons.push_back(Reason{kPanFerritin,
                                  fmt::format("ferritin > {:g} ng/mL, but no conclusive blood count within {:g} h",
                                              above, static_cast<double>(pairing) / kSecondsPerHour),
                                  {peak_evidence}});
  } else if (high) {
    flag.met = false;
    flag.reasons.push_back(Reason{kPanCytopenia,
                                  fmt::format("ferritin > {:g} ng/mL, but no cytopenia of CTCAE grade ≥ {} within {:g} h",
                                              above, min_grade, static_cast<double>(pairing) / kSecondsPerHour),
                                  {peak_evidence}});
  } else if (possibly_high) {
    flag.missing.emplace_back("ferritin");
    flag.reasons.push_back(Reason{kPanFerritin, "ferritin reported as a bound that may or may not exceed the threshold",
                                  {peak_evidence}});
  } else {
    flag.met = false;
    flag.reasons.push_back(Reason{kPanFerritin,
                                  fmt::format("peak {}: not above {:g} ng/mL", value_text(*peak, ObservationCode::ferritin), above),
                                  {peak_evidence}});
  }
  return flag;
}

// ---- IEC-HS screening ------------------------------------------------------------------------

struct IecHsRules {
  TimeWindow window;
  double ferritin_x_uln, ferritin_x_baseline, rise_factor;
  std::int64_t rise_within, pairing;
  bool use_default_uln;
  double default_ferritin_uln, default_ldh_uln;
  int cytopenia_min_grade, transaminase_min_grade, features_needed;
  double fibrinogen_below;
  bool fibrinogen_below_lln_counts;
  double ldh_x_uln, triglycerides_above;
  bool count_triglycerides;
};

IecHsRules read_iec_hs_rules(const Timeline& timeline, const RuleSet& rules) {
  const auto number = [&](std::string_view item) { return rules.number(fmt::format("hyperinflammation.iec_hs.{}", item)); };
  const auto whole = [&](std::string_view item) { return static_cast<int>(std::lround(number(item))); };
  const auto enabled = [&](std::string_view item) { return rules.enabled(fmt::format("hyperinflammation.iec_hs.{}", item)); };
  IecHsRules out{};
  out.window = study_days(timeline, number("window_first_day"), number("window_last_day"));
  out.ferritin_x_uln = number("ferritin_above_x_uln");
  out.ferritin_x_baseline = number("ferritin_above_x_baseline");
  out.rise_factor = number("ferritin_rise_factor");
  out.rise_within = hours(number("ferritin_rise_within_hours"));
  out.pairing = hours(number("pairing_window_hours"));
  out.use_default_uln = enabled("use_default_uln");
  out.default_ferritin_uln = number("default_uln.ferritin");
  out.default_ldh_uln = number("default_uln.ldh");
  out.cytopenia_min_grade = whole("cytopenia_min_ctcae_grade");
  out.transaminase_min_grade = whole("transaminase_min_ctcae_grade");
  out.features_needed = whole("features_needed");
  out.fibrinogen_below = number("fibrinogen_below");
  out.fibrinogen_below_lln_counts = enabled("fibrinogen_below_lln_counts");
  out.ldh_x_uln = number("ldh_above_x_uln");
  out.triglycerides_above = number("triglycerides_above");
  out.count_triglycerides = enabled("count_triglycerides");
  return out;
}

std::optional<double> upper_limit(const Timeline& timeline, const ObservedValue& observed, bool use_default,
                                  double default_limit) {
  const Observation& observation = observation_of(timeline, observed);
  if (observation.reference_range && observation.reference_range->high) return observation.reference_range->high;
  if (use_default) return default_limit;
  return std::nullopt;
}

// Ferritin "> 2 × ULN, or > 2 × baseline, and/or rapidly rising" at one result. A baseline
// route is used only when a baseline was recorded; without a ULN and any route met, unknown.
Part ferritin_gate(const Timeline& timeline, const IecHsRules& rules, const ObservedValue& observed,
                   const std::optional<ObservedValue>& baseline, std::span<const ObservedValue> all_ferritin) {
  const std::int64_t t = observed.time.seconds_since_infusion;
  Part part;
  part.met_at = t;
  Reason reason{kIecHsFerritin, "", {observation_evidence(observed, ObservationCode::ferritin)}};
  const std::string value = value_text(observed, ObservationCode::ferritin);
  const auto uln = upper_limit(timeline, observed, rules.use_default_uln, rules.default_ferritin_uln);
  if (uln && certainly_above(observed, rules.ferritin_x_uln * *uln)) {
    reason.statement = fmt::format("{} > {:g} × ULN ({:g} ng/mL)", value, rules.ferritin_x_uln, *uln);
  } else if (baseline && baseline->event_index != observed.event_index &&
             certainly_above(observed, rules.ferritin_x_baseline * baseline->value)) {
    reason.statement = fmt::format("{} > {:g} × baseline ({:g} ng/mL)", value, rules.ferritin_x_baseline, baseline->value);
    reason.evidence.push_back(observation_evidence(*baseline, ObservationCode::ferritin));
  } else {
    for (const auto& earlier : all_ferritin) {
      const std::int64_t te = earlier.time.seconds_since_infusion;
      if (te >= t) break;
      if (t - te > rules.rise_within || earlier.comparator != Comparator::equal) continue;
      if (certainly_above(observed, rules.rise_factor * earlier.value)) {
        reason.statement = fmt::format("{} rose more than {:g}-fold within {:g} h (from {:g} ng/mL)", value,
                                       rules.rise_factor, static_cast<double>(rules.rise_within) / kSecondsPerHour,
                                       earlier.value);
        reason.evidence.push_back(observation_evidence(earlier, ObservationCode::ferritin));
        break;
      }
    }
  }
  if (!reason.statement.empty()) {
    part.state = PartState::met;
    part.reason = std::move(reason);
  } else {
    part.state = uln ? PartState::not_met : PartState::unknown;
    if (!uln) part.missing.emplace_back("ferritin_uln");
  }
  return part;
}

// New or worsening: a count of CTCAE grade ≥ the minimum that is worse than its baseline grade.
Part new_cytopenia(const Timeline& timeline, const RuleSet& rules, std::span<const CtcaeGrade> grades,
                   TimeWindow window, int min_grade) {
  std::vector<CtcaeGrade> worsened;
  for (const CtcaeTerm term : kCytopenias) {
    const auto baseline = ctcae_baseline(timeline, ctcae_observation(term), rules);
    int baseline_grade = 0;
    for (const auto& grade : grades) {
      if (grade.term != term || !baseline || grade.result.reasons.empty()) continue;
      const auto& evidence = grade.result.reasons.front().evidence;
      if (!evidence.empty() && evidence.front().event_index == baseline->event_index) {
        baseline_grade = grade.result.grade.value_or(0);
      }
    }
    for (const auto& grade : grades) {
      if (grade.term != term) continue;
      if (!window.contains(grade.seconds_since_infusion)) continue;
      if (grade.result.grade && (*grade.result.grade < min_grade || *grade.result.grade <= baseline_grade)) {
        CtcaeGrade not_worse = grade;
        not_worse.result.grade = 0;  // seen, but not new or worse
        not_worse.result.assessment = Assessment::complete;
        worsened.push_back(std::move(not_worse));
      } else {
        worsened.push_back(grade);
      }
    }
  }
  std::sort(worsened.begin(), worsened.end(), [](const CtcaeGrade& a, const CtcaeGrade& b) {
    return a.seconds_since_infusion < b.seconds_since_infusion;
  });
  return ctcae_part(worsened, kCytopenias, window, min_grade, kIecHsCytopenia, "blood_counts");
}

std::vector<Part> iec_hs_features(const Timeline& timeline, const RuleSet& rules, const IecHsRules& iec,
                                  std::span<const CtcaeGrade> grades, TimeWindow window) {
  std::vector<Part> features;
  features.push_back(new_cytopenia(timeline, rules, grades, window, iec.cytopenia_min_grade));
  features.push_back(ctcae_part(grades, kTransaminases, window,
                                iec.transaminase_min_grade, kIecHsTransaminases, "transaminases"));
  const ValueTest low_fibrinogen = [&](const ObservedValue& observed) -> std::optional<bool> {
    if (certainly_below(observed, iec.fibrinogen_below)) return true;
    const Observation& observation = observation_of(timeline, observed);
    if (iec.fibrinogen_below_lln_counts && observation.reference_range && observation.reference_range->low &&
        certainly_below(observed, *observation.reference_range->low)) {
      return true;
    }
    return false;
  };
  const std::string fibrinogen_criterion =
      fmt::format("below {:g} mg/dL{}", iec.fibrinogen_below, iec.fibrinogen_below_lln_counts ? " or below the LLN" : "");
  features.push_back(value_part(timeline, ObservationCode::fibrinogen, window, low_fibrinogen, kIecHsFibrinogen,
                                fibrinogen_criterion, "fibrinogen"));
  const ValueTest raised_ldh = [&](const ObservedValue& observed) -> std::optional<bool> {
    const auto uln = upper_limit(timeline, observed, iec.use_default_uln, iec.default_ldh_uln);
    if (!uln) return std::nullopt;
    return certainly_above(observed, iec.ldh_x_uln * *uln);
  };
  features.push_back(value_part(timeline, ObservationCode::ldh, window, raised_ldh, kIecHsLdh,
                                fmt::format("above {:g} × ULN", iec.ldh_x_uln), "ldh"));
  if (iec.count_triglycerides) {
    const ValueTest high_triglycerides = [&](const ObservedValue& observed) -> std::optional<bool> {
      return certainly_above(observed, iec.triglycerides_above);
    };
    features.push_back(value_part(timeline, ObservationCode::triglycerides, window, high_triglycerides,
                                  kIecHsTriglycerides, fmt::format("above {:g} mg/dL", iec.triglycerides_above),
                                  "triglycerides"));
  }
  features.push_back(unknown_part("haemophagocytosis"));
  return features;
}

// Each ferritin result that meets the ferritin feature anchors a look for the other features
// within the pairing window; the flag reports the earliest anchor that met, else the first.
HyperinflammationFlag iec_hs_flag(const Timeline& timeline, const RuleSet& rules, std::span<const CtcaeGrade> grades) {
  const IecHsRules iec = read_iec_hs_rules(timeline, rules);
  const auto all_ferritin = timeline.values(ObservationCode::ferritin);
  const auto baseline = ctcae_baseline(timeline, ObservationCode::ferritin, rules);
  std::optional<HyperinflammationFlag> chosen;
  bool ferritin_open = false;
  bool seen = false;
  for (const auto& observed : all_ferritin) {
    if (!iec.window.contains(observed.time.seconds_since_infusion)) continue;
    seen = true;
    const Part gate = ferritin_gate(timeline, iec, observed, baseline, all_ferritin);
    if (gate.state == PartState::unknown) ferritin_open = true;
    if (gate.state != PartState::met) continue;
    HyperinflammationFlag candidate;
    const auto features = iec_hs_features(timeline, rules, iec, grades,
                                          around(observed.time.seconds_since_infusion, iec.pairing));
    decide(candidate, gate, features, iec.features_needed);
    const bool better = !chosen || (candidate.met == true && (chosen->met != true ||
                                                              *candidate.first_met_at < *chosen->first_met_at));
    if (better) chosen = std::move(candidate);
  }
  HyperinflammationFlag flag;
  if (chosen) {
    flag = std::move(*chosen);
    if (flag.met == false && ferritin_open) flag.met.reset();
  } else if (!seen) {
    flag.missing.emplace_back("ferritin");
  } else if (ferritin_open) {
    flag.missing.emplace_back("ferritin_uln");
  } else {
    flag.met = false;
    flag.reasons.push_back(Reason{kIecHsFerritin,
                                  fmt::format("no ferritin above {:g} × ULN or {:g} × baseline, nor rising {:g}-fold",
                                              iec.ferritin_x_uln, iec.ferritin_x_baseline, iec.rise_factor),
                                  {}});
  }
  flag.criterion = HyperinflammationCriterion::iec_hs_2023;
  flag.rule = kIecHs;
  return flag;
}

}  // namespace

std::vector<HyperinflammationFlag> hyperinflammation_flags(const Timeline& timeline, const RuleSet& rules,
                                                           std::span<const CtcaeGrade> grades) {
  return {iec_hs_flag(timeline, rules, grades), cartox_flag(timeline, rules, grades),
          pan2021_flag(timeline, rules, grades)};
}

std::vector<HyperinflammationFlag> hyperinflammation_flags(const Timeline& timeline, const RuleSet& rules) {
  const auto grades = ctcae_grades(timeline, rules);
  return hyperinflammation_flags(timeline, rules, grades);
}

}  // namespace crsguard
