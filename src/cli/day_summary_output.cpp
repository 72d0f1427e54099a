#include "cli/day_summary_output.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "cli/text_table.hpp"
#include "io/timeline_json.hpp"

namespace crsguard {
namespace {

using nlohmann::json;

// Shortest form that reads back to the same value: 40, 40.8, 0.05 (no invented decimals).
std::string number_text(double value) { return fmt::format("{}", value); }

std::string observed_text(const std::optional<ObservedValue>& observed) {
  if (!observed) return "";
  return std::string(comparator_symbol(observed->comparator)) + number_text(observed->value);
}

std::string device_text(OxygenDevice device) {
  std::string name(to_name(device));
  std::replace(name.begin(), name.end(), '_', ' ');
  return name;
}

std::string oxygen_text(const std::optional<OxygenSupport>& support) {
  if (!support) return "";
  std::string text = device_text(support->device);
  if (support->flow_l_per_min) text += fmt::format(" {} L/min", number_text(*support->flow_l_per_min));
  if (support->fio2_percent) text += fmt::format(" FiO2 {}%", number_text(*support->fio2_percent));
  return text;
}

std::string dose_text(const DrugDose& dose) {
  return fmt::format("{} {}", number_text(dose.value), dose_unit_code(dose.basis));
}

std::string drugs_text(const std::vector<DrugsGivenOnDay>& drugs) {
  std::string text;
  for (const auto& drug : drugs) {
    if (!text.empty()) text += "; ";
    text += drug.drug;
    if (drug.dose) text += " " + dose_text(*drug.dose);
    if (drug.doses > 1) text += fmt::format(" ×{}", drug.doses);
  }
  return text;
}

std::string vasopressors_text(const std::vector<VasopressorAgent>& agents) {
  std::string text;
  for (const auto agent : agents) {
    if (!text.empty()) text += ", ";
    text += to_name(agent);
  }
  return text;
}

json observed_json(const std::optional<ObservedValue>& observed, std::string_view unit) {
  if (!observed) return nullptr;
  json out{{"value", canonical_number(observed->value)}, {"unit", unit},
           {"hours_since_infusion", canonical_number(observed->time.hours())}};
  if (observed->comparator != Comparator::equal) out["comparator"] = to_name(observed->comparator);
  if (observed->statistic != Statistic::single) out["statistic"] = to_name(observed->statistic);
  out["clock_known"] = observed->time.form != TimeForm::study_day;
  return out;
}

}  // namespace

std::string timeline_headline(const Timeline& timeline) {
  const Patient& patient = timeline.patient();
  std::string who = std::string(to_name(patient.sex));
  if (patient.age_years) who += fmt::format(", {} y", number_text(*patient.age_years));
  std::string targets;
  for (const auto& target : timeline.infusion().targets) targets += (targets.empty() ? "" : ", ") + target;
  std::string span = "no events";
  if (!timeline.events().empty()) {
    span = fmt::format("{} event{}, days {} to {}", timeline.events().size(), timeline.events().size() == 1 ? "" : "s",
                       timeline.study_day(timeline.events().front().time),
                       timeline.study_day(timeline.events().back().time));
  }
  return fmt::format("{} ({}): {} [{}], {}", patient.id, who, timeline.infusion().product, targets, span);
}

std::string day_summary_table(const Timeline& timeline) {
  const std::vector<std::string> headers{"day", "Tmax °C", "HRmax /min", "SBPmin mmHg", "oxygen (highest)",
                                         "vasopressors", "drugs given"};
  std::vector<std::vector<std::string>> rows;
  for (const auto& day : timeline.day_summaries()) {
    rows.push_back({std::to_string(day.day), observed_text(day.max_temperature), observed_text(day.max_heart_rate),
                    observed_text(day.min_systolic_bp), oxygen_text(day.highest_oxygen),
                    vasopressors_text(day.vasopressors), drugs_text(day.drugs)});
  }
  std::string out = timeline_headline(timeline) + "\n";
  out += "Day 0 is the infusion day. ≥/> mark values reported as bounds; blank: not recorded.\n\n";
  out += format_text_table(headers, rows, 4);
  return out;
}

json day_summary_json(const Timeline& timeline) {
  json days = json::array();
  for (const auto& day : timeline.day_summaries()) {
    json row{{"day", day.day},
             {"max_temperature", observed_json(day.max_temperature, "Cel")},
             {"max_heart_rate", observed_json(day.max_heart_rate, "/min")},
             {"min_systolic_bp", observed_json(day.min_systolic_bp, "mm[Hg]")}};
    if (day.highest_oxygen) {
      json oxygen{{"device", to_name(day.highest_oxygen->device)}};
      if (day.highest_oxygen->flow_l_per_min) {
        oxygen["flow"] = json{{"value", canonical_number(*day.highest_oxygen->flow_l_per_min)}, {"unit", "L/min"}};
      }
      if (day.highest_oxygen->fio2_percent) {
        oxygen["fio2"] = json{{"value", canonical_number(*day.highest_oxygen->fio2_percent)}, {"unit", "%"}};
      }
      row["highest_oxygen"] = oxygen;
    } else {
      row["highest_oxygen"] = nullptr;
    }
    row["vasopressors"] = json::array();
    for (const auto agent : day.vasopressors) row["vasopressors"].push_back(to_name(agent));
    row["drugs"] = json::array();
    for (const auto& drug : day.drugs) {
      json entry{{"drug", drug.drug}, {"doses", drug.doses}};
      if (drug.dose) {
        entry["dose"] = json{{"value", canonical_number(drug.dose->value)}, {"unit", dose_unit_code(drug.dose->basis)}};
      }
      if (drug.doses_differ) entry["doses_differ"] = true;
      row["drugs"].push_back(entry);
    }
    days.push_back(std::move(row));
  }
  return json{{"patient", timeline.patient().id}, {"days", days}};
}

}  // namespace crsguard
