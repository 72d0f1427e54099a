#pragma once
// Internal to the CRS grader (crs_course.cpp): what the record says about the ASTCT inputs after each
// change, and one change of state. Not part of the public API. Source of the rules: ASTCT 2019
// (Lee et al., BBMT 2019;25:625) Table 1 and its footnotes, as cited in crs_astct.cpp.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <vector>

#include "clinical/crs_astct.hpp"
#include "core/drugs.hpp"

namespace crsguard::crs_detail {

// What a temperature reading proves. A daily minimum below 38 °C does not show the patient
// was afebrile all day, and "> 37.5" shows neither fever nor its absence.
enum class TemperatureProof : unsigned char { fever, afebrile, nothing };

inline TemperatureProof temperature_proof(const Observation& reading, double fever_min) {
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
inline PressureProof pressure_proof(const Observation& reading, double threshold) {
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

inline int oxygen_level(const OxygenSupport& oxygen, double low_flow_max, bool& flow_missing) {
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

// One change of state, from an event or from one dose of a repeat schedule.
struct Change {
  std::int64_t t;
  std::size_t event_index;
  bool is_dose;
};

struct RunningAgent {
  VasopressorAgent agent;
  std::size_t start_event;
};

// The inputs of ASTCT grading as they stand after the changes seen so far.
class CrsState {
 public:
  // A value type (copied as a checkpoint by the incremental grader): it keeps no reference into the
  // timeline, which may grow and move between two changes.
  CrsState(const CrsRules& rules, std::optional<double> age_years)
      : rules_(&rules), threshold_(hypotension_threshold_mmhg(rules, age_years)), age_known_(age_years.has_value()) {}

  struct GroupFacts {
    bool fever = false;            // a fever reading at this time (from infusion on)
    bool afebrile = false;         // an afebrile reading not just after an antipyretic
    std::size_t fever_event = kNoEvent;
    std::size_t afebrile_event = kNoEvent;
    bool support_started = false;  // oxygen or a vasopressor began
    bool hypotensive_reading = false;
  };

  void apply(const Timeline& timeline, const Change& change, GroupFacts& facts) {
    const Event& event = timeline.events()[change.event_index];
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
      oxygen_recorded_ = true;
      oxygen_on_ = oxygen->device != OxygenDevice::none;
      oxygen_level_ = oxygen_level(*oxygen, rules_->low_flow_max_l_per_min, oxygen_flow_missing_);
      oxygen_event_ = change.event_index;
      if (oxygen_on_) facts.support_started = true;
    } else if (const auto* vasopressor = event.as<VasopressorChange>()) {
      observed(change.t);
      apply_vasopressor(change.event_index, *vasopressor, facts);
    }
  }

  [[nodiscard]] bool on_support() const {
    return !running_.empty() || oxygen_on_;
  }
  [[nodiscard]] bool hypotensive_now(std::int64_t t) const {
    return pressure_event_ != kNoEvent && pressure_time_ > t - rules_->bp_lookback_s &&
           pressure_ == PressureProof::hypotensive;
  }

  // The moment's grade inputs. `episode_floor`: fevers before it belong to a resolved episode.
  CrsMoment evaluate(std::int64_t t, int episode, std::int64_t episode_floor, std::size_t masking_event) const {
    CrsMoment m;
    m.t = t;
    m.episode = episode;
    const std::int64_t fever_from = std::max(t - rules_->fever_lookback_s + 1, episode_floor);
    if (fever_event_ != kNoEvent && fever_time_ >= fever_from) {
      m.fever = FeverBasis::recorded;
      m.fever_event = fever_event_;
    } else if (masking_event != kNoEvent && (on_support() || (has_observation_ && last_observation_ >= fever_from))) {
      // Masking lifts the need for fever, not the need to have looked at the patient: a masked
      // episode with nothing recorded in the look-back is not assessable, not grade 1.
      m.fever = FeverBasis::masked;
      m.masking_event = masking_event;
    } else if (temperature_event_ != kNoEvent &&
               temperature_time_ >= std::max(fever_from, t - rules_->afebrile_valid_s + 1)) {
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
    const TemperatureProof proof = temperature_proof(reading, rules_->fever_min_celsius);
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
    const bool after_antipyretic = had_antipyretic_ && change.t - last_antipyretic_ < rules_->antipyretic_effect_s;
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
        m.hypotension_level = std::max(m.hypotension_level, rules_->vasopressin_alone_grade);
        m.review |= kReviewVasopressinAlone;
      }
      if (inotrope) {
        m.hypotension_level = std::max(m.hypotension_level, rules_->inotrope_alone_grade);
        m.review |= kReviewInotropeAlone;
      }
    } else if (pressure_event_ != kNoEvent && pressure_time_ > t - rules_->bp_lookback_s &&
               pressure_ != PressureProof::nothing) {
      m.pressure_event = pressure_event_;
      m.hypotension_level = pressure_ == PressureProof::hypotensive ? 2 : 0;
      if (!age_known_ && rules_->paediatric_thresholds) m.review |= kReviewAgeUnknownForThreshold;
    } else {
      m.missing |= kMissingBloodPressure;
    }
  }

  void evaluate_oxygen(CrsMoment& m) const {
    if (!oxygen_recorded_) {
      m.missing |= kMissingOxygen;
      return;
    }
    m.hypoxia_level = oxygen_level_;
    m.oxygen_event = oxygen_event_;
    if (oxygen_flow_missing_) m.missing |= kMissingOxygenFlow;
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

  const CrsRules* rules_;
  double threshold_;
  bool age_known_;
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
  bool oxygen_recorded_ = false;  // the support in effect, as its ASTCT hypoxia level
  bool oxygen_on_ = false;
  bool oxygen_flow_missing_ = false;
  int oxygen_level_ = 0;
  std::size_t oxygen_event_ = kNoEvent;
  std::vector<RunningAgent> running_;
  std::int64_t last_antipyretic_ = 0;
  bool had_antipyretic_ = false;
  std::int64_t last_observation_ = 0;  // the latest temperature, pressure, oxygen or vasopressor record
  bool has_observation_ = false;
};

}  // namespace crsguard::crs_detail
