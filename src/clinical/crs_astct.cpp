// ASTCT 2019 CRS grading. Source of every rule below, cited once:
//   Lee DW, Santomasso BD, Locke FL, et al. ASTCT consensus grading for cytokine release
//   syndrome and neurologic toxicity associated with immune effector cells.
//   Biol Blood Marrow Transplant 2019;25(4):625-638, Table 1 and its footnotes
//   (../shared/spec/clinical.md §1.2-1.4). Onset and resolution follow the operational
//   definitions of clinical.md §1.5 (not in the ASTCT text; parameters marked unconfirmed).
//   Paediatric hypotension: AHA PALS 2020 (Topjian AA et al., Circulation 2020;142:S469).
#include "clinical/crs_astct.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cctype>
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

namespace {

// What a temperature reading proves. A daily minimum below 38 °C does not show the patient
// was afebrile all day, and "> 37.5" shows neither fever nor its absence.
enum class TemperatureProof : unsigned char { fever, afebrile, nothing };

TemperatureProof temperature_proof(const Observation& reading, double fever_min) {
  const double value = *reading.value;
  switch (reading.comparator) {
    case Comparator::equal:
      if (value >= fever_min) return TemperatureProof::fever;
      return reading.statistic == Statistic::min ? TemperatureProof::nothing : TemperatureProof::afebrile;
    case Comparator::greater:
    case Comparator::greater_or_equal:
      return value >= fever_min ? TemperatureProof::fever : TemperatureProof::nothing;
    case Comparator::less:
    case Comparator::less_or_equal: {
      const bool below = reading.comparator == Comparator::less ? value <= fever_min : value < fever_min;
      return below && reading.statistic != Statistic::min ? TemperatureProof::afebrile : TemperatureProof::nothing;
    }
  }
  return TemperatureProof::nothing;
}

enum class PressureProof : unsigned char { hypotensive, normal, nothing };

// A daily maximum below the threshold proves hypotension; a normal daily maximum proves nothing.
PressureProof pressure_proof(const Observation& reading, double threshold) {
  const double value = *reading.value;
  switch (reading.comparator) {
    case Comparator::equal:
      if (value < threshold) return PressureProof::hypotensive;
      return reading.statistic == Statistic::max ? PressureProof::nothing : PressureProof::normal;
    case Comparator::less:
      return value <= threshold ? PressureProof::hypotensive : PressureProof::nothing;
    case Comparator::less_or_equal:
      return value < threshold ? PressureProof::hypotensive : PressureProof::nothing;
    case Comparator::greater:
    case Comparator::greater_or_equal:
      return value >= threshold && reading.statistic != Statistic::max ? PressureProof::normal
                                                                      : PressureProof::nothing;
  }
  return PressureProof::nothing;
}

int oxygen_level(const OxygenSupport& oxygen, double low_flow_max, bool& flow_missing) {
  flow_missing = false;
  switch (oxygen.device) {
    case OxygenDevice::none: return 0;
    case OxygenDevice::blow_by: return 2;
    case OxygenDevice::nasal_cannula:
      if (!oxygen.flow_l_per_min) {
        flow_missing = true;
        return 2;
      }
      return *oxygen.flow_l_per_min <= low_flow_max ? 2 : 3;
    case OxygenDevice::simple_face_mask:
    case OxygenDevice::venturi_mask:
    case OxygenDevice::non_rebreather:
    case OxygenDevice::high_flow_nasal_cannula: return 3;
    case OxygenDevice::cpap:
    case OxygenDevice::bipap:
    case OxygenDevice::mechanical_ventilation: return 4;
  }
  return 0;
}

bool names_crs(std::string cause) {
  std::transform(cause.begin(), cause.end(), cause.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return cause == "crs" || cause == "cytokine release syndrome" || cause == "cytokine_release_syndrome";
}

// One change of state, from an event or from one dose of a repeat schedule.
struct Change {
  std::int64_t t;
  std::size_t event_index;
  bool is_dose;
};

// When an event takes effect for grading. A time recorded by day only means "some time that day":
// on the infusion day it is taken as the infusion (a day-0 maximum temperature came after it, not
// at the midnight before), and a de-escalation (a vasopressor stopped, less oxygen) as the end of
// its day, because the support still ran during part of that day.
std::int64_t effective_time(const Timeline& timeline, const Event& event, const OxygenSupport* previous_oxygen) {
  const std::int64_t t = event.time.seconds_since_infusion;
  if (event.time.form != TimeForm::study_day) return t;
  const int day = timeline.study_day(t);
  const auto* change = event.as<VasopressorChange>();
  const auto* oxygen = event.as<OxygenSupport>();
  const bool de_escalation = (change != nullptr && change->action == VasopressorAction::stop) ||
                             (oxygen != nullptr && previous_oxygen != nullptr && more_support(*previous_oxygen, *oxygen));
  if (de_escalation) return timeline.day_start(day + 1) - 1;
  if (day == 0 && t < 0) return 0;
  return t;
}

// Every event and every expanded dose, in the order they take effect (doses after events at
// equal times: a dose given at the moment of a reading does not change what the reading shows).
std::vector<Change> changes_of(const Timeline& timeline) {
  std::vector<Change> changes;
  const auto& events = timeline.events();
  const auto& doses = timeline.doses();
  changes.reserve(events.size() + doses.size());
  std::size_t d = 0;
  const OxygenSupport* previous_oxygen = nullptr;
  for (std::size_t e = 0; e < events.size(); ++e) {
    const std::int64_t t = events[e].time.seconds_since_infusion;
    while (d < doses.size() && doses[d].seconds_since_infusion < t) {
      changes.push_back({doses[d].seconds_since_infusion, doses[d].event_index, true});
      ++d;
    }
    if (events[e].kind() == EventKind::administration) continue;
    changes.push_back({effective_time(timeline, events[e], previous_oxygen), e, false});
    if (const auto* oxygen = events[e].as<OxygenSupport>()) previous_oxygen = oxygen;
  }
  for (; d < doses.size(); ++d) changes.push_back({doses[d].seconds_since_infusion, doses[d].event_index, true});
  std::stable_sort(changes.begin(), changes.end(), [](const Change& a, const Change& b) { return a.t < b.t; });
  return changes;
}

struct RunningAgent {
  VasopressorAgent agent;
  std::size_t start_event;
};

// The inputs of ASTCT grading as they stand after the changes seen so far.
class CrsState {
 public:
  CrsState(const Timeline& timeline, const CrsRules& rules)
      : timeline_(timeline), rules_(rules),
        threshold_(hypotension_threshold_mmhg(rules, timeline.patient().age_years)) {}

  struct GroupFacts {
    bool fever = false;            // a fever reading at this time (from infusion on)
    bool afebrile = false;         // an afebrile reading not just after an antipyretic
    std::size_t fever_event = kNoEvent;
    std::size_t afebrile_event = kNoEvent;
    bool support_started = false;  // oxygen or a vasopressor began
    bool hypotensive_reading = false;
  };

  void apply(const Change& change, GroupFacts& facts) {
    const Event& event = timeline_.events()[change.event_index];
    if (change.is_dose) {
      apply_dose(change, event);
      return;
    }
    if (const auto* observation = event.as<Observation>()) {
      if (!observation->value) return;
      const bool crs_input = observation->code == ObservationCode::body_temperature ||
                             observation->code == ObservationCode::systolic_bp;
      if (crs_input) observed(change.t);
      if (observation->code == ObservationCode::body_temperature) apply_temperature(change, *observation, facts);
      if (observation->code == ObservationCode::systolic_bp) apply_pressure(change, *observation, facts);
    } else if (const auto* oxygen = event.as<OxygenSupport>()) {
      observed(change.t);
      oxygen_ = oxygen;
      oxygen_event_ = change.event_index;
      if (oxygen->device != OxygenDevice::none) facts.support_started = true;
    } else if (const auto* vasopressor = event.as<VasopressorChange>()) {
      observed(change.t);
      apply_vasopressor(change.event_index, *vasopressor, facts);
    }
  }

  [[nodiscard]] bool on_support() const {
    return !running_.empty() || (oxygen_ != nullptr && oxygen_->device != OxygenDevice::none);
  }
  [[nodiscard]] bool hypotensive_now(std::int64_t t) const {
    return pressure_event_ != kNoEvent && pressure_time_ > t - rules_.bp_lookback_s &&
           pressure_ == PressureProof::hypotensive;
  }

  // The moment's grade inputs. `episode_floor`: fevers before it belong to a resolved episode.
  CrsMoment evaluate(std::int64_t t, int episode, std::int64_t episode_floor, std::size_t masking_event) const {
    CrsMoment m;
    m.t = t;
    m.episode = episode;
    const std::int64_t fever_from = std::max(t - rules_.fever_lookback_s + 1, episode_floor);
    if (fever_event_ != kNoEvent && fever_time_ >= fever_from) {
      m.fever = FeverBasis::recorded;
      m.fever_event = fever_event_;
    } else if (masking_event != kNoEvent && (on_support() || (has_observation_ && last_observation_ >= fever_from))) {
      // Masking lifts the need for fever, not the need to have looked at the patient: a masked
      // episode with nothing recorded in the look-back is not assessable, not grade 1.
      m.fever = FeverBasis::masked;
      m.masking_event = masking_event;
    } else if (temperature_event_ != kNoEvent &&
               temperature_time_ >= std::max(fever_from, t - rules_.afebrile_valid_s + 1)) {
      m.fever = FeverBasis::absent;
      m.fever_event = temperature_event_;
    }
    evaluate_circulation(t, m);
    evaluate_oxygen(m);
    settle_grade(m);
    return m;
  }

 private:
  void observed(std::int64_t t) {
    last_observation_ = t;
    has_observation_ = true;
  }

  void apply_dose(const Change& change, const Event& event) {
    const auto* administration = event.as<Administration>();
    const DrugInfo* drug = find_drug(administration->drug);
    if (drug == nullptr) return;
    if (drug->drug_class == DrugClass::antipyretic) {
      last_antipyretic_ = change.t;
      had_antipyretic_ = true;
    }
  }

  void apply_temperature(const Change& change, const Observation& reading, GroupFacts& facts) {
    const TemperatureProof proof = temperature_proof(reading, rules_.fever_min_celsius);
    if (proof == TemperatureProof::nothing || change.t < 0) return;
    temperature_time_ = change.t;
    temperature_event_ = change.event_index;
    if (proof == TemperatureProof::fever) {
      // Of several fevers recorded at one time (a day's maximum and a spot reading), cite the highest.
      if (fever_event_ != kNoEvent && fever_time_ == change.t && fever_value_ >= *reading.value) return;
      fever_value_ = *reading.value;
      fever_time_ = change.t;
      fever_event_ = change.event_index;
      facts.fever = true;
      facts.fever_event = change.event_index;
      return;
    }
    const bool after_antipyretic = had_antipyretic_ && change.t - last_antipyretic_ < rules_.antipyretic_effect_s;
    if (!after_antipyretic && !facts.afebrile) {
      facts.afebrile = true;
      facts.afebrile_event = change.event_index;
    }
  }

  void apply_pressure(const Change& change, const Observation& reading, GroupFacts& facts) {
    const PressureProof proof = pressure_proof(reading, threshold_);
    // Readings at one time (a day's minimum and maximum) combine: any hypotension wins.
    if (pressure_event_ != kNoEvent && pressure_time_ == change.t && pressure_ == PressureProof::hypotensive) return;
    if (pressure_event_ != kNoEvent && pressure_time_ == change.t && proof == PressureProof::nothing) return;
    pressure_ = proof;
    pressure_time_ = change.t;
    pressure_event_ = change.event_index;
    if (proof == PressureProof::hypotensive) facts.hypotensive_reading = true;
  }

  void apply_vasopressor(std::size_t event_index, const VasopressorChange& change, GroupFacts& facts) {
    const auto same_agent = [&](const RunningAgent& r) { return r.agent == change.agent; };
    running_.erase(std::remove_if(running_.begin(), running_.end(), same_agent), running_.end());
    if (change.action == VasopressorAction::stop) return;
    running_.push_back({change.agent, event_index});
    if (change.action == VasopressorAction::start) facts.support_started = true;
  }

  void evaluate_circulation(std::int64_t t, CrsMoment& m) const {
    int catecholamines = 0;
    bool vasopressin = false;
    bool inotrope = false;
    std::size_t slot = 0;
    // Catecholamines first, the latest started first (the one that set the level), so the
    // evidence leads with the agents that count.
    for (const int pass : {0, 1}) {
      for (auto agent = running_.rbegin(); agent != running_.rend(); ++agent) {
        const RunningAgent& running = *agent;
        const VasopressorInfo& info = vasopressor_info(running.agent);
        const bool counts = !info.is_vasopressin && !info.is_inotrope_only;
        if (counts != (pass == 0)) continue;
        if (pass == 0) ++catecholamines;
        vasopressin = vasopressin || info.is_vasopressin;
        inotrope = inotrope || info.is_inotrope_only;
        if (slot < m.vasopressor_events.size()) m.vasopressor_events.at(slot++) = running.start_event;
      }
    }
    if (catecholamines >= 2) {
      m.hypotension_level = 4;
    } else if (catecholamines == 1) {
      m.hypotension_level = 3;
      if (inotrope) m.review |= kReviewInotropeWithVasopressor;
    } else if (vasopressin || inotrope) {
      if (vasopressin) {
        m.hypotension_level = std::max(m.hypotension_level, rules_.vasopressin_alone_grade);
        m.review |= kReviewVasopressinAlone;
      }
      if (inotrope) {
        m.hypotension_level = std::max(m.hypotension_level, rules_.inotrope_alone_grade);
        m.review |= kReviewInotropeAlone;
      }
    } else if (pressure_event_ != kNoEvent && pressure_time_ > t - rules_.bp_lookback_s &&
               pressure_ != PressureProof::nothing) {
      m.pressure_event = pressure_event_;
      m.hypotension_level = pressure_ == PressureProof::hypotensive ? 2 : 0;
      if (!timeline_.patient().age_years && rules_.paediatric_thresholds) m.review |= kReviewAgeUnknownForThreshold;
    } else {
      m.missing |= kMissingBloodPressure;
    }
  }

  void evaluate_oxygen(CrsMoment& m) const {
    if (oxygen_ == nullptr) {
      m.missing |= kMissingOxygen;
      return;
    }
    bool flow_missing = false;
    m.hypoxia_level = oxygen_level(*oxygen_, rules_.low_flow_max_l_per_min, flow_missing);
    m.oxygen_event = oxygen_event_;
    if (flow_missing) m.missing |= kMissingOxygenFlow;
  }

  // Grade from the parameters; drop missing inputs that could not change the grade.
  static void settle_grade(CrsMoment& m) {
    switch (m.fever) {
      case FeverBasis::not_recorded:
        m.grade = -1;
        m.missing |= kMissingTemperature;
        if (m.hypotension_level > 0 || m.hypoxia_level > 0) m.review |= kReviewSupportWithoutTemperature;
        return;
      case FeverBasis::absent:
        m.grade = 0;
        if (m.hypotension_level > 0 || m.hypoxia_level > 0) m.review |= kReviewNoFeverWithHypotensionOrHypoxia;
        m.missing = 0;  // without fever (and nothing masking it) it is not CRS, whatever else is unknown
        return;
      case FeverBasis::recorded:
      case FeverBasis::masked: break;
    }
    m.grade = std::max({1, m.hypotension_level, m.hypoxia_level});
    if (m.grade >= 2) m.missing &= ~static_cast<unsigned>(kMissingBloodPressure);
    if (m.grade >= 3) m.missing &= ~static_cast<unsigned>(kMissingOxygenFlow);
    if (m.grade >= 4) m.missing &= ~static_cast<unsigned>(kMissingOxygen);
  }

  const Timeline& timeline_;
  const CrsRules& rules_;
  double threshold_;
  std::int64_t fever_time_ = 0;
  double fever_value_ = 0;
  std::size_t fever_event_ = kNoEvent;
  std::int64_t temperature_time_ = 0;
  std::size_t temperature_event_ = kNoEvent;
  PressureProof pressure_ = PressureProof::nothing;
  std::int64_t pressure_time_ = 0;
  std::size_t pressure_event_ = kNoEvent;
  // Plain flags rather than std::optional: GCC 12 at -O3 reports optionals in this loop as
  // maybe-uninitialized (a false positive that -Werror would turn into a build failure).
  const OxygenSupport* oxygen_ = nullptr;  // the support in effect (points into the timeline); null: never recorded
  std::size_t oxygen_event_ = kNoEvent;
  std::vector<RunningAgent> running_;
  std::int64_t last_antipyretic_ = 0;
  bool had_antipyretic_ = false;
  std::int64_t last_observation_ = 0;  // the latest temperature, pressure, oxygen or vasopressor record
  bool has_observation_ = false;
};

// Where the record ends: the last event, follow-up or death.
std::optional<std::int64_t> death_time(const Timeline& timeline) {
  const auto& outcome = timeline.outcome();
  if (!outcome || outcome->vital_status != VitalStatus::dead || !outcome->death_time) return std::nullopt;
  return outcome->death_time->seconds_since_infusion;
}

// Pass 1: episodes from fever, support and pressure alone (masking does not end an episode).
std::vector<CrsEpisode> find_episodes(const Timeline& timeline, const CrsRules& rules,
                                      const std::vector<Change>& changes) {
  std::vector<CrsEpisode> episodes;
  CrsState state(timeline, rules);
  // The start of a CRS-free period that may become the resolution (kNoTime: none yet).
  constexpr std::int64_t kNoTime = INT64_MIN;
  std::int64_t candidate = kNoTime;
  std::size_t candidate_event = kNoEvent;
  bool confirmed = false;
  const auto close = [&](std::int64_t resolution) {
    CrsEpisode& episode = episodes.back();
    episode.resolution = resolution;
    episode.resolution_event = candidate_event;
    episode.resolution_confirmed = confirmed;
    candidate = kNoTime;
  };
  const auto open = [&] { return !episodes.empty() && !episodes.back().resolution; };
  const auto died = death_time(timeline);

  for (std::size_t i = 0; i < changes.size();) {
    const std::int64_t t = changes[i].t;
    if (died && t > *died) break;
    CrsState::GroupFacts facts;
    for (; i < changes.size() && changes[i].t == t; ++i) state.apply(changes[i], facts);

    const bool has_candidate = candidate != kNoTime;
    if (has_candidate && facts.afebrile && t > candidate) confirmed = true;
    if (open() && has_candidate && t >= candidate + rules.resolution_window_s) close(candidate);
    if (!open()) {
      if (facts.fever && t >= 0) {
        CrsEpisode episode;
        episode.number = static_cast<int>(episodes.size()) + 1;
        episode.onset = t;
        episode.onset_event = facts.fever_event;
        episodes.push_back(std::move(episode));
      }
      continue;
    }
    const bool disqualified = facts.fever || facts.hypotensive_reading || state.on_support() ||
                              state.hypotensive_now(t);
    if (disqualified) {
      candidate = kNoTime;
    } else if (candidate == kNoTime && facts.afebrile) {
      candidate = t;
      candidate_event = facts.afebrile_event;
      confirmed = false;
    }
  }
  if (open()) {
    CrsEpisode& episode = episodes.back();
    if (died && *died >= episode.onset) {
      episode.ended_by_death = true;
    } else if (candidate != kNoTime && timeline.end_of_record() >= candidate + rules.resolution_window_s) {
      close(candidate);
    } else {
      episode.ongoing_at_end_of_record = true;
    }
  }
  return episodes;
}

// The doses that mask fever under the rules, in time order.
std::vector<DoseGiven> masking_doses(const Timeline& timeline, const CrsRules& rules) {
  std::vector<DoseGiven> out;
  if (!rules.masking_enabled) return out;
  for (const DoseGiven& dose : timeline.doses()) {
    const DrugInfo* drug = find_drug(dose.administration->drug);
    if (drug != nullptr && rules.masking_by_drug_class.at(static_cast<std::size_t>(drug->drug_class))) {
      out.push_back(dose);
    }
  }
  return out;
}

// Whether a graded moment might be worse than `grade` had its missing inputs been recorded; then the
// maximum of its day (or episode) is only a lower bound, even if another moment set it completely.
bool could_exceed(const CrsMoment& m, int grade) { return highest_possible_grade(m) > grade; }

// Whether moment a should stand for a day or episode rather than b: the higher grade, then
// the better-documented one (fewer inputs missing), then the earlier.
bool worse(const CrsMoment& a, const CrsMoment& b) {
  if (a.grade != b.grade) return a.grade > b.grade;
  return std::popcount(a.missing) < std::popcount(b.missing);
}

// CRS treatments given during each episode: the masking drug classes, and anything given for CRS.
void record_therapies(const Timeline& timeline, const CrsRules& rules, std::vector<CrsEpisode>& episodes) {
  const std::int64_t end = timeline.end_of_record();
  for (const DoseGiven& dose : timeline.doses()) {
    const DrugInfo* drug = find_drug(dose.administration->drug);
    const bool masks = drug != nullptr && rules.masking_by_drug_class.at(static_cast<std::size_t>(drug->drug_class));
    const bool for_crs = dose.administration->indication == Indication::crs;
    if (!masks && !for_crs) continue;
    for (CrsEpisode& episode : episodes) {
      const std::int64_t until = episode.resolution.value_or(end + 1);
      if (dose.seconds_since_infusion < episode.onset || dose.seconds_since_infusion >= until) continue;
      const std::string name = dose.administration->display_name();
      if (std::find(episode.therapies.begin(), episode.therapies.end(), name) == episode.therapies.end()) {
        episode.therapies.push_back(name);
      }
    }
  }
}

// Pass 2: a moment at every change, day start and extra time, with masking limited to episodes.
std::vector<CrsMoment> sweep_moments(const Timeline& timeline, const CrsRules& rules,
                                     const std::vector<Change>& changes, const std::vector<CrsEpisode>& episodes,
                                     std::vector<std::int64_t> extra_times) {
  const std::int64_t end = timeline.end_of_record();
  const int last_day = timeline.study_day(end);
  for (int day = 0; day <= last_day; ++day) extra_times.push_back(timeline.day_start(day));
  const auto died = death_time(timeline);
  const bool crs_death = died && timeline.outcome() && names_crs(timeline.outcome()->death_cause);
  if (crs_death) extra_times.push_back(*died);
  std::sort(extra_times.begin(), extra_times.end());
  extra_times.erase(std::unique(extra_times.begin(), extra_times.end()), extra_times.end());

  std::vector<CrsMoment> moments;
  moments.reserve(changes.size() + extra_times.size());
  CrsState state(timeline, rules);
  const std::vector<DoseGiven> masking = masking_doses(timeline, rules);
  std::size_t next_masking = 0;
  std::size_t episode_index = 0;
  std::size_t i = 0;
  std::size_t x = 0;
  std::size_t masking_event = kNoEvent;
  std::int64_t masking_time = 0;
  std::int64_t floor = 0;
  while (i < changes.size() || x < extra_times.size()) {
    const std::int64_t t = (x == extra_times.size() || (i < changes.size() && changes[i].t < extra_times[x]))
                               ? changes[i].t
                               : extra_times[x];
    CrsState::GroupFacts facts;
    for (; i < changes.size() && changes[i].t == t; ++i) state.apply(changes[i], facts);
    for (; x < extra_times.size() && extra_times[x] == t; ++x) {
    }
    if (t < 0 || t > end) continue;

    while (episode_index < episodes.size() && episodes[episode_index].resolution &&
           t >= *episodes[episode_index].resolution) {
      floor = *episodes[episode_index].resolution;
      ++episode_index;
      masking_event = kNoEvent;
      while (next_masking < masking.size() && masking[next_masking].seconds_since_infusion < floor) ++next_masking;
    }
    int episode = 0;
    if (episode_index < episodes.size() && t >= episodes[episode_index].onset) {
      const CrsEpisode& current = episodes[episode_index];
      episode = current.number;
      // The first masking dose of the episode masks fever from then on, until resolution.
      while (masking_event == kNoEvent && next_masking < masking.size() &&
             masking[next_masking].seconds_since_infusion <= t) {
        if (masking[next_masking].seconds_since_infusion >= current.onset) {
          masking_event = masking[next_masking].event_index;
          masking_time = masking[next_masking].seconds_since_infusion;
        } else {
          ++next_masking;
        }
      }
    }
    CrsMoment moment = state.evaluate(t, episode, floor, episode > 0 ? masking_event : kNoEvent);
    if (moment.fever == FeverBasis::masked) moment.masking_time = masking_time;
    if (crs_death && t == *died) {
      moment.grade = 5;
      moment.death_from_crs = true;
      if (moment.episode == 0) moment.review |= kReviewDeathOutsideEpisode;
      moment.missing = 0;
    }
    moments.push_back(moment);
  }
  return moments;
}

}  // namespace

int highest_possible_grade(const CrsMoment& m) {
  // Support without a temperature: had there been fever, the moment would be at least that grade.
  if (m.grade < 0) return std::max(m.hypotension_level, m.hypoxia_level);
  int possible = m.grade;
  if ((m.missing & kMissingBloodPressure) != 0U) possible = std::max(possible, 2);
  if ((m.missing & kMissingOxygenFlow) != 0U) possible = std::max(possible, 3);
  if ((m.missing & kMissingOxygen) != 0U) possible = std::max(possible, 4);
  return possible;
}

CrsCourse grade_crs_course(const Timeline& timeline, const CrsRules& rules) {
  CrsCourse course;
  const std::vector<Change> changes = changes_of(timeline);
  course.episodes = find_episodes(timeline, rules, changes);
  course.moments = sweep_moments(timeline, rules, changes, course.episodes, {});
  record_therapies(timeline, rules, course.episodes);

  const int last_day = timeline.study_day(timeline.end_of_record());
  course.days.reserve(static_cast<std::size_t>(std::max(0, last_day + 1)));
  std::size_t m = 0;
  for (int day = 0; day <= last_day; ++day) {
    const TimeWindow window = timeline.day_window(day);
    CrsDayGrade row;
    row.day = day;
    std::vector<CrsMoment> worst_in_episode(course.episodes.size());
    const std::size_t first_of_day = m;
    for (; m < course.moments.size() && course.moments[m].t < window.to; ++m) {
      const CrsMoment& moment = course.moments[m];
      if (moment.t < window.from) continue;
      ++row.moments;
      if (row.moments == 1 || worse(moment, row.worst)) row.worst = moment;
      if (moment.episode > 0) {
        CrsMoment& in_episode = worst_in_episode[static_cast<std::size_t>(moment.episode - 1)];
        if (in_episode.episode == 0 || worse(moment, in_episode)) in_episode = moment;
      }
    }
    for (std::size_t i = first_of_day; i < m; ++i) {
      const CrsMoment& moment = course.moments[i];
      if (moment.t < window.from) continue;
      row.review |= moment.review;
      if (row.worst.grade >= 0 && could_exceed(moment, row.worst.grade)) row.missing |= moment.missing;
    }
    for (const CrsMoment& in_episode : worst_in_episode) {
      if (in_episode.episode == 0 || in_episode.grade < 0) continue;
      CrsEpisode& episode = course.episodes[static_cast<std::size_t>(in_episode.episode - 1)];
      ++episode.days_at_grade.at(static_cast<std::size_t>(in_episode.grade));
      if (episode.worst.episode == 0 || worse(in_episode, episode.worst)) episode.worst = in_episode;
    }
    course.days.push_back(row);
  }
  for (const CrsMoment& moment : course.moments) {
    if (moment.episode == 0) continue;
    CrsEpisode& episode = course.episodes[static_cast<std::size_t>(moment.episode - 1)];
    if (episode.worst.grade >= 0 && could_exceed(moment, episode.worst.grade)) episode.missing |= moment.missing;
  }
  return course;
}

CrsMoment crs_grade_at(const Timeline& timeline, const CrsRules& rules, std::int64_t t) {
  const std::vector<Change> changes = changes_of(timeline);
  const std::vector<CrsEpisode> episodes = find_episodes(timeline, rules, changes);
  const std::vector<CrsMoment> moments = sweep_moments(timeline, rules, changes, episodes, {t});
  const auto at = std::find_if(moments.begin(), moments.end(), [t](const CrsMoment& m) { return m.t == t; });
  if (at != moments.end()) return *at;
  CrsMoment outside;  // before infusion or after the record: nothing to grade
  outside.t = t;
  outside.missing = kMissingTemperature;
  return outside;
}

}  // namespace crsguard
