// Output of the platelet transfusion response; definitions and sources: analysis/platelets.hpp,
// docs/platelets.md (clinical.md §9.1–9.2; success rule: Pan 2021, J Cell Mol Med 25:1089).
#include "cli/platelets_output.hpp"

#include <fmt/format.h>

#include "cli/text_table.hpp"

namespace crsguard {

using nlohmann::json;

namespace {

constexpr std::string_view kCciDefinition =
    "CCI = (post-transfusion count − pre-transfusion count) [×10^9/L] × 1000 [/µL per ×10^9/L] × BSA [m²] / "
    "platelets transfused [×10^11] (Delaflor-Weiss 2000, Transfus Med Rev 14:180; clinical.md §9.1)";
constexpr std::string_view kPprDefinition =
    "PPR = (post-transfusion count − pre-transfusion count) [×10^9/L] × blood volume [L] / platelets transfused "
    "[×10^9] × 100 % (TRAP, Transfusion 1999; clinical.md §9.2); blood volume = weight [kg] × mL/kg (child or adult "
    "value by age)";

std::string success_definition(const PlateletRules& rules) {
  return fmt::format("success: 24-h CCI ≥ {:g} and 24-h PPR ≥ {:g} % (Pan 2021, J Cell Mol Med 25:1089)",
                     rules.min_cci_24h, rules.min_ppr_24h_percent);
}

std::string hours(std::int64_t seconds) { return fmt::format("{:g}", static_cast<double>(seconds) / 3600.0); }

std::string minutes(std::int64_t seconds) { return fmt::format("{:g}", static_cast<double>(seconds) / 60.0); }

std::string windows_text(const PlateletRules& rules) {
  return fmt::format("pre count: the last within {} h before; 24-h count: nearest to {} h within {}–{} h, before "
                     "the next platelet transfusion; 1-h count: nearest to 60 min within {}–{} min (reported only)",
                     hours(rules.pre_count_window_s), hours(rules.post_24h_target_s), hours(rules.post_24h_from_s),
                     hours(rules.post_24h_to_s), minutes(rules.post_1h_from_s), minutes(rules.post_1h_to_s));
}

std::string optional_text(const std::optional<double>& value, int digits, std::string_view suffix = "") {
  return value ? fmt::format("{:.{}f}{}", *value, digits, suffix) : std::string("-");
}

json optional_json(const std::optional<double>& value) { return value ? json(*value) : json(nullptr); }

std::string count_text(const PlateletCount& count) {
  return fmt::format("{}{:g}", comparator_symbol(count.comparator), count.value_1e9_per_l);
}

// "48 (+22.0 h)"
std::string post_text(const std::optional<PostTransfusionCount>& post) {
  if (!post) return "-";
  return fmt::format("{} (+{:.1f} h)", count_text(post->count), post->hours_after);
}

std::string response_text(TransfusionResponse response) {
  switch (response) {
    case TransfusionResponse::success: return "success";
    case TransfusionResponse::failure: return "failure";
    case TransfusionResponse::not_assessable: return "not assessable";
  }
  return "?";
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& part : parts) out += (out.empty() ? "" : "; ") + part;
  return out;
}

std::string phase_name(bool after, std::string_view drug) {
  return after ? fmt::format("on {}", drug) : fmt::format("before {}", drug);
}

std::vector<std::string> summary_row(std::string label, const PlateletPhaseSummary& summary) {
  return {std::move(label),
          fmt::format("{}", summary.transfusions),
          fmt::format("{}", summary.assessable),
          fmt::format("{}", summary.successes),
          summary.success_rate ? fmt::format("{:.1f} %", *summary.success_rate * 100) : "-",
          optional_text(summary.median_cci, 0),
          optional_text(summary.median_ppr_percent, 1, " %")};
}

std::string summary_table(const PlateletPhaseSummary& before, const PlateletPhaseSummary& after, std::string_view drug) {
  return format_text_table({"phase", "transfusions", "assessable", "successes", "success rate", "median CCI",
                            "median PPR"},
                           {summary_row(phase_name(false, drug), before), summary_row(phase_name(true, drug), after)},
                           0);
}

std::string patient_section(const PatientPlateletResponse& patient) {
  const auto& body = patient.body;
  std::string out = fmt::format("Patient {}: weight {}, height {}, BSA {}{}; blood volume: {}\n", patient.patient_id,
                                optional_text(body.weight_kg, 1, " kg"), optional_text(body.height_cm, 1, " cm"),
                                optional_text(body.bsa_m2, 3, " m²"),
                                body.bsa_m2 ? fmt::format(" ({})", to_name(body.bsa_formula)) : "",
                                body.blood_volume_basis);
  out += patient.drug_start_s
             ? fmt::format("First {} dose: {:.1f} h after infusion.\n", patient.drug,
                           static_cast<double>(*patient.drug_start_s) / 3600.0)
             : fmt::format("{} not given.\n", patient.drug);
  if (patient.transfusions.empty()) return out + "No platelet transfusion recorded.\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& result : patient.transfusions) {
    const auto& day_one = result.day_one;
    rows.push_back({fmt::format("{}", result.study_day),
                    fmt::format("{:.1f}", static_cast<double>(result.seconds_since_infusion) / 3600.0),
                    optional_text(result.dose_1e11, 2),
                    result.pre ? count_text(*result.pre) : "-",
                    post_text(result.one_hour),
                    result.one_hour ? optional_text(result.one_hour->cci, 0) : "-",
                    post_text(day_one),
                    day_one ? optional_text(day_one->increment_1e9_per_l, 1) : "-",
                    day_one ? optional_text(day_one->cci, 0) : "-",
                    day_one ? optional_text(day_one->ppr_percent, 1) : "-",
                    phase_name(result.after_drug_start, patient.drug),
                    response_text(result.response),
                    join(result.reasons)});
  }
  out += format_text_table({"day", "h", "dose ×10^11", "pre ×10^9/L", "1-h count", "1-h CCI", "24-h count",
                            "increment ×10^9/L", "CCI", "PPR %", "phase", "result", "why"},
                           rows, 10);
  return out;
}

std::string header(const PlateletRules& rules) {
  return fmt::format("Platelet transfusion response.\n{}.\n{}.\n{}.\n{}.\n\n", kCciDefinition, kPprDefinition,
                     success_definition(rules), windows_text(rules));
}

json count_json(const PlateletCount& count) {
  return {{"count_1e9_per_l", count.value_1e9_per_l},
          {"comparator", comparator_symbol(count.comparator)},
          {"hours_since_infusion", static_cast<double>(count.seconds_since_infusion) / 3600.0},
          {"event_index", count.event_index}};
}

json post_json(const std::optional<PostTransfusionCount>& post) {
  if (!post) return nullptr;
  json out = count_json(post->count);
  out.update({{"hours_after_transfusion", post->hours_after},
              {"increment_1e9_per_l", optional_json(post->increment_1e9_per_l)},
              {"cci", optional_json(post->cci)},
              {"ppr_percent", optional_json(post->ppr_percent)}});
  return out;
}

json summary_json(const PlateletPhaseSummary& summary) {
  return {{"transfusions", summary.transfusions},
          {"assessable", summary.assessable},
          {"successes", summary.successes},
          {"success_rate", optional_json(summary.success_rate)},
          {"median_cci", optional_json(summary.median_cci)},
          {"median_ppr_percent", optional_json(summary.median_ppr_percent)}};
}

json patient_json(const PatientPlateletResponse& patient) {
  const auto& body = patient.body;
  json transfusions = json::array();
  for (const auto& result : patient.transfusions) {
    transfusions.push_back({{"event_index", result.event_index},
                            {"hours_since_infusion", static_cast<double>(result.seconds_since_infusion) / 3600.0},
                            {"study_day", result.study_day},
                            {"dose_1e11", optional_json(result.dose_1e11)},
                            {"after_drug_start", result.after_drug_start},
                            {"pre", result.pre ? count_json(*result.pre) : json(nullptr)},
                            {"one_hour", post_json(result.one_hour)},
                            {"day_one", post_json(result.day_one)},
                            {"response", to_name(result.response)},
                            {"reasons", result.reasons}});
  }
  return {{"patient", patient.patient_id},
          {"body",
           {{"weight_kg", optional_json(body.weight_kg)},
            {"height_cm", optional_json(body.height_cm)},
            {"bsa_m2", optional_json(body.bsa_m2)},
            {"bsa_formula", body.bsa_m2 ? json(to_name(body.bsa_formula)) : json(nullptr)},
            {"blood_volume_ml_per_kg", optional_json(body.blood_volume_ml_per_kg)},
            {"blood_volume_l", optional_json(body.blood_volume_l)},
            {"blood_volume_basis", body.blood_volume_basis}}},
          {"drug", patient.drug},
          {"drug_start_hours_since_infusion",
           patient.drug_start_s ? json(static_cast<double>(*patient.drug_start_s) / 3600.0) : json(nullptr)},
          {"transfusions", std::move(transfusions)},
          {"before_drug", summary_json(patient.before_drug)},
          {"after_drug", summary_json(patient.after_drug)}};
}

json method_json(const PlateletRules& rules) {
  return {{"definitions",
           {{"cci", kCciDefinition},
            {"ppr", kPprDefinition},
            {"success", success_definition(rules)},
            {"counts", windows_text(rules)},
            {"phases", "after_drug: transfusions at or after the first dose of the drug; before_drug: the others"},
            {"not_assessable", "no dose, pre count, 24-h count, BSA or blood volume, or a count reported as a bound"}}},
          {"thresholds",
           {{"min_cci_24h", rules.min_cci_24h},
            {"min_ppr_24h_percent", rules.min_ppr_24h_percent},
            {"pre_count_window_hours", static_cast<double>(rules.pre_count_window_s) / 3600.0},
            {"post_24h_target_hours", static_cast<double>(rules.post_24h_target_s) / 3600.0},
            {"post_24h_from_hours", static_cast<double>(rules.post_24h_from_s) / 3600.0},
            {"post_24h_to_hours", static_cast<double>(rules.post_24h_to_s) / 3600.0},
            {"post_1h_from_minutes", static_cast<double>(rules.post_1h_from_s) / 60.0},
            {"post_1h_to_minutes", static_cast<double>(rules.post_1h_to_s) / 60.0},
            {"adult_blood_volume_ml_per_kg", rules.adult_blood_volume_ml_per_kg},
            {"child_blood_volume_ml_per_kg", rules.child_blood_volume_ml_per_kg},
            {"child_below_age_years", rules.child_below_age_years},
            {"source", "rules/platelets.json"}}},
          {"units",
           {{"count", "10*9/L"},
            {"dose", "10*11 platelets"},
            {"cci", "(/µL × m²) per 10*11 platelets transfused, conventionally written without a unit"},
            {"ppr", "%"},
            {"time", "h since infusion, h after the transfusion"},
            {"bsa", "m2"},
            {"blood_volume", "L"}}}};
}

}  // namespace

std::string platelets_text(const PatientPlateletResponse& patient, const PlateletRules& rules) {
  std::string out = header(rules) + patient_section(patient);
  out += "\nSummary (medians over the assessable transfusions):\n";
  out += summary_table(patient.before_drug, patient.after_drug, patient.drug);
  return out;
}

std::string platelets_text(const CohortPlateletResponse& cohort, const PlateletRules& rules) {
  std::string out = header(rules);
  for (const auto& patient : cohort.patients) out += patient_section(patient) + "\n";
  out += fmt::format("Cohort: {} patients, {} given {}. Pooled over every transfusion (medians over the assessable "
                     "ones):\n",
                     cohort.patients.size(), cohort.patients_given_drug, cohort.drug);
  out += summary_table(cohort.before_drug, cohort.after_drug, cohort.drug);
  return out;
}

json platelets_json(const PatientPlateletResponse& patient, const PlateletRules& rules) {
  json out = method_json(rules);
  out.update(patient_json(patient));
  return out;
}

json platelets_json(const CohortPlateletResponse& cohort, const PlateletRules& rules) {
  json patients = json::array();
  for (const auto& patient : cohort.patients) patients.push_back(patient_json(patient));
  json out = method_json(rules);
  out.update({{"drug", cohort.drug},
              {"patients", std::move(patients)},
              {"patients_given_drug", cohort.patients_given_drug},
              {"before_drug", summary_json(cohort.before_drug)},
              {"after_drug", summary_json(cohort.after_drug)}});
  return out;
}

}  // namespace crsguard
