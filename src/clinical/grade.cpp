#include "clinical/grade.hpp"

#include <algorithm>
#include <array>
#include <fmt/format.h>

#include "core/time.hpp"

namespace crsguard {

std::span<const EnumName<Assessment>> names(Assessment) {
  static constexpr std::array<EnumName<Assessment>, 3> kNames{{
      {Assessment::complete, "complete"},
      {Assessment::incomplete, "incomplete"},
      {Assessment::not_assessable, "not_assessable"},
  }};
  return kNames;
}

namespace {

void add_unique(std::vector<std::string>& list, const std::string& item) {
  if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

}  // namespace

GradeResult most_severe(std::span<const GradeResult* const> results, int (*possible_grade)(const GradeResult&),
                        std::string_view nothing_missing_name) {
  GradeResult day;
  if (results.empty()) {
    day.missing.emplace_back(nothing_missing_name);
    return day;
  }
  const GradeResult* chosen = results.front();
  for (const GradeResult* candidate : results) {
    const int grade = candidate->grade.value_or(-1);
    const int best = chosen->grade.value_or(-1);
    if (grade > best || (grade == best && candidate->missing.size() < chosen->missing.size())) chosen = candidate;
  }
  day = *chosen;
  for (const GradeResult* other : results) {
    for (const auto& flag : other->review) add_unique(day.review, flag);
    if (!day.grade || !other->grade || possible_grade(*other) <= *day.grade) continue;
    for (const auto& item : other->missing) add_unique(day.missing, item);
    day.assessment = Assessment::incomplete;
  }
  return day;
}

Evidence observation_evidence(const ObservedValue& observed, ObservationCode code) {
  const ObservationInfo& info = observation_info(code);
  Evidence evidence;
  evidence.seconds_since_infusion = observed.time.seconds_since_infusion;
  evidence.form = observed.time.form;
  evidence.event_index = observed.event_index;
  evidence.item = std::string(info.name);
  evidence.value = observed.value;
  evidence.comparator = observed.comparator;
  evidence.unit = std::string(info.canonical_unit);
  if (observed.statistic == Statistic::max) evidence.detail = "maximum";
  if (observed.statistic == Statistic::min) evidence.detail = "minimum";
  return evidence;
}

namespace {

std::string oxygen_detail(const OxygenSupport& oxygen) {
  std::string detail(to_name(oxygen.device));
  if (oxygen.fio2_percent) detail += fmt::format(", FiO2 {:g} %", *oxygen.fio2_percent);
  return detail;
}

std::string_view vasopressor_dose_unit(VasopressorDoseUnit unit) {
  switch (unit) {
    case VasopressorDoseUnit::ug_per_kg_per_min: return "ug/kg/min";
    case VasopressorDoseUnit::ug_per_min: return "ug/min";
    case VasopressorDoseUnit::units_per_min: return "U/min";
  }
  return "";
}

}  // namespace

Evidence event_evidence(const Timeline& timeline, std::size_t event_index) {
  const Event& event = timeline.events().at(event_index);
  Evidence evidence;
  evidence.seconds_since_infusion = event.time.seconds_since_infusion;
  evidence.form = event.time.form;
  evidence.event_index = event_index;
  if (const auto* observation = event.as<Observation>()) {
    evidence.item = std::string(observation_info(observation->code).name);
    evidence.value = observation->value;
    evidence.comparator = observation->comparator;
    if (observation->value) evidence.unit = std::string(observation_info(observation->code).canonical_unit);
    if (observation->interpretation != Interpretation::none) evidence.detail = std::string(to_name(observation->interpretation));
  } else if (const auto* oxygen = event.as<OxygenSupport>()) {
    evidence.item = "oxygen";
    evidence.detail = oxygen_detail(*oxygen);
    if (oxygen->flow_l_per_min) {
      evidence.value = oxygen->flow_l_per_min;
      evidence.unit = "L/min";
    }
  } else if (const auto* change = event.as<VasopressorChange>()) {
    evidence.item = std::string(to_name(change->agent));
    evidence.detail = std::string(to_name(change->action));
    if (change->dose) {
      evidence.value = change->dose->value;
      evidence.unit = std::string(vasopressor_dose_unit(change->dose->unit));
    }
  } else if (event.as<NeuroAssessment>() != nullptr) {
    evidence.item = "neuro_assessment";
  } else if (const auto* administration = event.as<Administration>()) {
    evidence.item = administration->display_name();
    if (administration->dose) {
      evidence.value = administration->dose->value;
      evidence.unit = std::string(dose_unit_code(administration->dose->basis));
    }
  } else if (const auto* transfusion = event.as<Transfusion>()) {
    evidence.item = std::string(to_name(transfusion->product));
  } else if (const auto* response = event.as<Response>()) {
    evidence.item = "response";
    evidence.detail = std::string(to_name(response->status));
  }
  return evidence;
}

std::string describe_time(const Timeline& timeline, std::int64_t seconds_since_infusion, TimeForm form) {
  const int day = timeline.study_day(seconds_since_infusion);
  std::string text = "day " + std::to_string(day);
  if (form == TimeForm::study_day) return text;
  const auto clock = static_cast<std::int32_t>(seconds_since_infusion - timeline.day_start(day));
  return text + " " + format_clock(clock);
}

}  // namespace crsguard
