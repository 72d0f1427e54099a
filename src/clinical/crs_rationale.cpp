// The rationale of an ASTCT 2019 CRS grade: the rules (ids and sources in crs_astct.cpp) and the
// observations behind a moment, in words a clinician can check.
#include "clinical/crs_astct.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <string>

namespace crsguard {

namespace {

std::string temperature_text(const Timeline& timeline, std::size_t event_index) {
  const auto* observation = timeline.events()[event_index].as<Observation>();
  return fmt::format("{}{:g} °C", comparator_symbol(observation->comparator), *observation->value);
}

// The running agents; with `counted_only`, the catecholamines, and the others named as not counted.
std::string vasopressor_names(const Timeline& timeline, const CrsMoment& m, bool counted_only = false) {
  std::string counted;
  std::string others;
  for (const std::size_t event : m.vasopressor_events) {
    if (event == kNoEvent) continue;
    const VasopressorAgent agent = timeline.events()[event].as<VasopressorChange>()->agent;
    const VasopressorInfo& info = vasopressor_info(agent);
    const bool counts = !counted_only || (!info.is_vasopressin && !info.is_inotrope_only);
    std::string& list = counts ? counted : others;
    list += (list.empty() ? "" : ", ") + std::string(to_name(agent));
  }
  return others.empty() ? counted : counted + " (not counted: " + others + ")";
}

Reason fever_reason(const Timeline& timeline, const CrsRules& rules, const CrsMoment& m) {
  using namespace crs_rules;
  switch (m.fever) {
    case FeverBasis::recorded:
      return {kFever, fmt::format("fever {} (≥ {:g} °C)", temperature_text(timeline, m.fever_event), rules.fever_min_celsius),
              {event_evidence(timeline, m.fever_event)}};
    case FeverBasis::masked: {
      Evidence dose = event_evidence(timeline, m.masking_event);
      if (dose.seconds_since_infusion != m.masking_time) {  // one dose of a repeat schedule
        dose.seconds_since_infusion = m.masking_time;
        dose.form = TimeForm::study_day_clock;
      }
      return {kFeverMasked,
              fmt::format("fever no longer required: the episode had fever and {} was given",
                          timeline.events()[m.masking_event].as<Administration>()->display_name()),
              {dose}};
    }
    case FeverBasis::absent:
      return {kNoFever,
              fmt::format("no fever: {} (< {:g} °C) and no antipyretic or anti-cytokine therapy masking it",
                          temperature_text(timeline, m.fever_event), rules.fever_min_celsius),
              {event_evidence(timeline, m.fever_event)}};
    case FeverBasis::not_recorded: break;
  }
  return {};
}

std::optional<Reason> circulation_reason(const Timeline& timeline, const CrsRules& rules, const CrsMoment& m) {
  using namespace crs_rules;
  std::vector<Evidence> agents;
  for (const std::size_t event : m.vasopressor_events) {
    if (event != kNoEvent) agents.push_back(event_evidence(timeline, event));
  }
  const double threshold = hypotension_threshold_mmhg(rules, timeline.patient().age_years);
  if (m.hypotension_level == 4) {
    return Reason{kMultipleVasopressors, "multiple vasopressors (vasopressin not counted): " + vasopressor_names(timeline, m, true), agents};
  }
  if ((m.review & kReviewVasopressinAlone) != 0U && m.hypotension_level == rules.vasopressin_alone_grade) {
    return Reason{kVasopressinAlone, "vasopressin without a catecholamine: not covered by ASTCT 2019, graded as one vasopressor", agents};
  }
  if ((m.review & kReviewInotropeAlone) != 0U && m.hypotension_level == rules.inotrope_alone_grade) {
    return Reason{kInotropeAlone, "inotrope only (" + vasopressor_names(timeline, m) + "): not named by ASTCT 2019, graded as one vasopressor", agents};
  }
  if (m.hypotension_level == 3) {
    return Reason{kOneVasopressor, "one vasopressor, with or without vasopressin: " + vasopressor_names(timeline, m, true), agents};
  }
  if (m.pressure_event == kNoEvent) return std::nullopt;
  const auto* reading = timeline.events()[m.pressure_event].as<Observation>();
  const std::string value = fmt::format("systolic {}{:g} mmHg", comparator_symbol(reading->comparator), *reading->value);
  if (m.hypotension_level == 2) {
    return Reason{kHypotensionWithoutVasopressor,
                  fmt::format("hypotension not requiring vasopressors: {} (< {:g} mmHg)", value, threshold),
                  {event_evidence(timeline, m.pressure_event)}};
  }
  return Reason{kNoHypotension, fmt::format("no hypotension: {} (≥ {:g} mmHg), no vasopressor", value, threshold),
                {event_evidence(timeline, m.pressure_event)}};
}

std::optional<Reason> oxygen_reason(const Timeline& timeline, const CrsRules& rules, const CrsMoment& m) {
  using namespace crs_rules;
  if (m.oxygen_event == kNoEvent) return std::nullopt;
  const auto* oxygen = timeline.events()[m.oxygen_event].as<OxygenSupport>();
  std::string support(to_name(oxygen->device));
  if (oxygen->flow_l_per_min) support += fmt::format(" {:g} L/min", *oxygen->flow_l_per_min);
  std::vector<Evidence> evidence{event_evidence(timeline, m.oxygen_event)};
  switch (m.hypoxia_level) {
    case 2:
      return Reason{kLowFlowOxygen, fmt::format("low-flow oxygen ({}; nasal cannula ≤ {:g} L/min or blow-by)", support,
                                                rules.low_flow_max_l_per_min), evidence};
    case 3:
      return Reason{kHighFlowOxygen, fmt::format("high-flow oxygen ({}; nasal cannula > {:g} L/min, face mask, "
                                                 "non-rebreather or Venturi mask)", support, rules.low_flow_max_l_per_min),
                    evidence};
    case 4:
      return Reason{kPositivePressure, "positive pressure (" + support + "; CPAP, BiPAP or mechanical ventilation)", evidence};
    default: return Reason{kNoHypoxia, "no supplemental oxygen (" + support + ")", evidence};
  }
}

void add_missing(GradeResult& result, unsigned missing) {
  if ((missing & kMissingTemperature) != 0U) result.missing.emplace_back("body_temperature");
  if ((missing & kMissingBloodPressure) != 0U) result.missing.emplace_back("systolic_bp");
  if ((missing & kMissingOxygen) != 0U) result.missing.emplace_back("oxygen");
  if ((missing & kMissingOxygenFlow) != 0U) result.missing.emplace_back("oxygen_flow");
}

void add_review(GradeResult& result, unsigned review) {
  if ((review & kReviewVasopressinAlone) != 0U) {
    result.review.emplace_back("vasopressin without a catecholamine is not covered by ASTCT 2019: review the grade");
  }
  if ((review & kReviewInotropeAlone) != 0U) {
    result.review.emplace_back("an inotrope without a vasoconstrictor is not named by ASTCT 2019: review the grade");
  }
  if ((review & kReviewInotropeWithVasopressor) != 0U) {
    result.review.emplace_back("an inotrope runs with a vasopressor; it is not counted towards 'multiple vasopressors'");
  }
  if ((review & kReviewNoFeverWithHypotensionOrHypoxia) != 0U) {
    result.review.emplace_back("hypotension or oxygen need without fever: not CRS by ASTCT 2019 unless fever is masked; "
                               "look for another cause or early CRS");
  }
  if ((review & kReviewAgeUnknownForThreshold) != 0U) {
    result.review.emplace_back("age unknown: the adult systolic threshold was used");
  }
  if ((review & kReviewSupportWithoutTemperature) != 0U) {
    result.review.emplace_back("hypotension or oxygen need with no recent temperature: record one to grade CRS");
  }
  if ((review & kReviewDeathOutsideEpisode) != 0U) {
    result.review.emplace_back("death attributed to CRS outside a CRS episode (after resolution): review the cause");
  }
}

}  // namespace

GradeResult explain_crs_moment(const Timeline& timeline, const CrsRules& rules, const CrsMoment& m) {
  GradeResult result;
  result.set_at = m.t;
  add_missing(result, m.missing);
  add_review(result, m.review);
  if (m.grade < 0) {
    result.assessment = Assessment::not_assessable;
    return result;
  }
  result.grade = m.grade;
  result.assessment = m.missing == 0 ? Assessment::complete : Assessment::incomplete;
  if (m.death_from_crs) {
    result.reasons.push_back({crs_rules::kDeath, "death from CRS: " + timeline.outcome()->death_cause, {}});
    return result;
  }
  Reason fever = fever_reason(timeline, rules, m);
  auto circulation = circulation_reason(timeline, rules, m);
  auto oxygen = oxygen_reason(timeline, rules, m);
  if (m.fever == FeverBasis::absent) {
    result.reasons.push_back(std::move(fever));
    return result;
  }
  // The parameter that set the grade first, then the others.
  const bool oxygen_first = m.hypoxia_level > m.hypotension_level;
  if (m.grade >= 2 && oxygen_first && oxygen) result.reasons.push_back(*oxygen);
  if (m.grade >= 2 && !oxygen_first && circulation) result.reasons.push_back(*circulation);
  result.reasons.push_back(std::move(fever));
  if (!(m.grade >= 2 && !oxygen_first) && circulation) result.reasons.push_back(*circulation);
  if (!(m.grade >= 2 && oxygen_first) && oxygen) result.reasons.push_back(*oxygen);
  return result;
}

namespace {

GradeResult with_other_moments(GradeResult result, unsigned missing, unsigned review) {
  const GradeResult extra = [&] {
    GradeResult out;
    add_missing(out, missing);
    add_review(out, review);
    return out;
  }();
  for (const auto& item : extra.missing) {
    if (std::find(result.missing.begin(), result.missing.end(), item) == result.missing.end()) result.missing.push_back(item);
  }
  for (const auto& flag : extra.review) {
    if (std::find(result.review.begin(), result.review.end(), flag) == result.review.end()) result.review.push_back(flag);
  }
  if (result.grade && !result.missing.empty()) result.assessment = Assessment::incomplete;
  return result;
}

}  // namespace

GradeResult explain_crs_day(const Timeline& timeline, const CrsRules& rules, const CrsDayGrade& day) {
  return with_other_moments(explain_crs_moment(timeline, rules, day.worst), day.missing, day.review);
}

GradeResult explain_crs_episode(const Timeline& timeline, const CrsRules& rules, const CrsEpisode& episode) {
  return with_other_moments(explain_crs_moment(timeline, rules, episode.worst), episode.missing, 0);
}

}  // namespace crsguard
