// Vega-Lite v6 specifications of the figures of a CAR-T series (analysis/figures.hpp; what each
// shows: docs/figures.md). Conventions: ASTCT 2019 daily CRS maxima (Lee 2019, clinical/crs_astct.hpp);
// Kaplan–Meier plots with censor marks and a number-at-risk table (Pocock 2002, Lancet 359:1686).
#include "analysis/figures.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>
#include <utility>

#include <fmt/format.h>

#include "analysis/endpoints.hpp"
#include "core/drugs.hpp"

namespace crsguard {
namespace {

using nlohmann::json;

constexpr double kSecondsPerDay = 86400.0;

// The frame every specification shares.
json base_spec(std::string_view title, std::string description) {
  json spec = json::object();
  spec["$schema"] = std::string(kVegaLiteSchemaUrl);
  spec["title"] = std::string(title);
  spec["description"] = std::move(description);
  return spec;
}

// A JSON number for a value that may not be finite (JSON has no NaN): null then.
json number_or_null(std::optional<double> x) {
  if (!x || !std::isfinite(*x)) return nullptr;
  return *x;
}

json filter_layer(std::string_view layer) { return json::array({{{"filter", fmt::format("datum.layer === '{}'", layer)}}}); }

// ---------- swimmer plot ----------

// The colour legend of daily maximum CRS grades: exact grades as an ordinal ramp from pale to dark
// red; lower bounds in a separate purple ramp, so that "≥2" never reads as "2"; not assessable grey.
const std::vector<std::pair<std::string, std::string>>& grade_colours() {
  static const std::vector<std::pair<std::string, std::string>> colours = {
      {"0", "#fee8c8"}, {"1", "#fdbb84"}, {"2", "#fc8d59"}, {"3", "#e34a33"}, {"4", "#b30000"}, {"5", "#000000"},
      {"≥0", "#efedf5"}, {"≥1", "#cbc9e2"}, {"≥2", "#9e9ac8"}, {"≥3", "#756bb1"}, {"≥4", "#54278f"},
      {"not assessable", "#d9d9d9"},
  };
  return colours;
}

std::string day_grade_label(const CrsDayGrade& day) {
  if (day.worst.grade < 0) return "not assessable";
  // A day counts as exact only when no moment had missing inputs that could exceed its maximum
  // (the same rule as the cohort tables, analysis/cohort.cpp).
  return (day.missing != 0 ? "≥" : "") + std::to_string(day.worst.grade);
}

// The swimmer's drug groups: tocilizumab, any corticosteroid, ruxolitinib; nullopt for other drugs.
std::optional<std::string> swimmer_drug_group(const Administration& administration) {
  if (administration.drug == "tocilizumab") return "tocilizumab";
  if (administration.drug == "ruxolitinib") return "ruxolitinib";
  const DrugInfo* info = find_drug(administration.drug);
  if (info != nullptr && info->drug_class == DrugClass::corticosteroid) return "corticosteroid";
  return std::nullopt;
}

const Timeline& timeline_of(const CohortPatient& patient) {
  if (patient.timeline == nullptr) throw std::invalid_argument("figure: a cohort patient has no timeline");
  return *patient.timeline;
}

std::optional<int> first_relapse_day(const Timeline& timeline) {
  for (const Event& event : timeline.events()) {
    const Response* response = event.as<Response>();
    if (response != nullptr && response->status == ResponseStatus::relapse) return timeline.study_day(event.time);
  }
  return std::nullopt;
}

// ---------- kinetics ----------

std::string measure_label(const ObservationInfo& info) {
  return fmt::format("{} ({})", info.display, info.canonical_unit);
}

json kinetics_figure(std::span<const CohortPatient> patients, std::span<const ObservationCode> codes,
                     std::string_view title, std::string_view what) {
  if (codes.empty()) throw std::invalid_argument("figure codes: at least one observation code is needed");
  json rows = json::array();
  std::vector<std::string> measures;  // facet rows in the order of `codes`, only those with data
  std::vector<std::string> patient_ids;
  int dropped = 0;
  for (ObservationCode code : codes) {
    const ObservationInfo& info = observation_info(code);
    const std::string measure = measure_label(info);
    bool any = false;
    for (const CohortPatient& patient : patients) {
      const Timeline& timeline = timeline_of(patient);
      for (const ObservedValue& value : timeline.values(code)) {
        if (!(value.value > 0) || !std::isfinite(value.value)) {
          ++dropped;  // zero, negative: no place on a log axis
          continue;
        }
        any = true;
        if (std::find(patient_ids.begin(), patient_ids.end(), timeline.patient().id) == patient_ids.end()) {
          patient_ids.push_back(timeline.patient().id);
        }
        rows.push_back({{"patient", timeline.patient().id},
                        {"code", std::string(info.name)},
                        {"measure", measure},
                        {"day", static_cast<double>(value.time.seconds_since_infusion) / kSecondsPerDay},
                        {"value", value.value},
                        {"comparator", std::string(comparator_symbol(value.comparator))}});
      }
    }
    if (any) measures.push_back(measure);
  }
  std::string description = fmt::format(
      "{} over days since infusion (log scale), one line per patient; {} values of {} patients.", what,
      rows.size(), patient_ids.size());
  if (dropped > 0) {
    description += fmt::format(" {} value(s) ≤ 0 not shown: a log axis cannot place them.", dropped);
  }
  if (rows.empty()) description += " No value recorded for any of the requested codes.";
  description += " Censored values (< or >) are drawn at their number; the tooltip shows the comparator.";

  json spec = base_spec(title, std::move(description));
  spec["data"] = {{"values", rows}};
  json x = {{"field", "day"}, {"type", "quantitative"}, {"title", "days since infusion"}};
  json y = {{"field", "value"},
            {"type", "quantitative"},
            {"scale", {{"type", "log"}}},
            {"axis", {{"format", "~g"}}},
            {"title", nullptr}};
  json colour = {{"field", "patient"}, {"type", "nominal"}, {"sort", patient_ids}, {"title", "patient"}};
  json tooltip = json::array({{{"field", "patient"}, {"type", "nominal"}},
                              {{"field", "measure"}, {"type", "nominal"}},
                              {{"field", "day"}, {"type", "quantitative"}, {"format", ".2f"}},
                              {{"field", "comparator"}, {"type", "nominal"}},
                              {{"field", "value"}, {"type", "quantitative"}}});
  json inner = {{"width", 520},
                {"height", 160},
                {"layer", json::array({{{"mark", {{"type", "line"}}},
                                        {"encoding", {{"x", x}, {"y", y}, {"color", colour}}}},
                                       {{"mark", {{"type", "point"}, {"filled", true}}},
                                        {"encoding", {{"x", x}, {"y", y}, {"color", colour}, {"tooltip", tooltip}}}}})}};
  spec["facet"] = {{"row", {{"field", "measure"}, {"type", "nominal"}, {"sort", measures}, {"title", nullptr}}}};
  spec["spec"] = std::move(inner);
  spec["resolve"] = {{"scale", {{"y", "independent"}}}};
  return spec;
}

// ---------- Kaplan–Meier ----------

double in_unit(double days, SurvivalTimeUnit unit) { return unit == SurvivalTimeUnit::months ? days / kDaysPerMonth : days; }

}  // namespace

nlohmann::json swimmer_plot(std::span<const CohortPatient> patients) {
  json rows = json::array();
  std::vector<std::string> lanes;
  std::set<std::string> lane_set;
  int relapses = 0;
  int deaths = 0;
  for (const CohortPatient& patient : patients) {
    const Timeline& timeline = timeline_of(patient);
    const std::string& id = timeline.patient().id;
    if (!lane_set.insert(id).second) throw std::invalid_argument("swimmer plot: patient id \"" + id + "\" appears twice");
    lanes.push_back(id);

    // Runs of consecutive days with the same label: one rect each, so that a long follow-up stays small.
    const std::vector<CrsDayGrade>& days = patient.grades.crs.days;
    for (std::size_t i = 0; i < days.size();) {
      const std::string label = day_grade_label(days[i]);
      std::size_t j = i + 1;
      while (j < days.size() && days[j].day == days[j - 1].day + 1 && day_grade_label(days[j]) == label) ++j;
      json grade = days[i].worst.grade >= 0 ? json(days[i].worst.grade) : json(nullptr);
      rows.push_back({{"layer", "grade"},
                      {"patient", id},
                      {"from", days[i].day},
                      {"to", days[j - 1].day + 1},
                      {"days", static_cast<int>(j - i)},
                      {"grade", grade},
                      {"grade_label", label}});
      i = j;
    }

    // One point per patient, day and drug group, naming every drug of the group given that day.
    std::map<std::pair<int, std::string>, std::set<std::string>> drug_days;
    for (const DoseGiven& dose : timeline.doses()) {
      const std::optional<std::string> group = swimmer_drug_group(*dose.administration);
      if (!group) continue;
      drug_days[{timeline.study_day(dose.seconds_since_infusion), *group}].insert(dose.administration->display_name());
    }
    for (const auto& [key, drugs] : drug_days) {
      std::string names;
      for (const std::string& drug : drugs) names += (names.empty() ? "" : ", ") + drug;
      rows.push_back({{"layer", "drug"}, {"patient", id}, {"day", key.first}, {"drug_group", key.second}, {"drugs", names}});
    }

    const int end_day = timeline.study_day(timeline.end_of_record());
    rows.push_back({{"layer", "lane"}, {"patient", id}, {"start_day", 0}, {"end_day", end_day + 1}});
    if (const std::optional<int> relapse = first_relapse_day(timeline)) {
      ++relapses;
      rows.push_back({{"layer", "outcome"}, {"patient", id}, {"day", *relapse + 0.5}, {"outcome", "relapse"}});
    }
    const std::optional<Outcome>& outcome = timeline.outcome();
    if (outcome && outcome->vital_status == VitalStatus::dead) {
      ++deaths;
      // Without a recorded time of death the lane's end (last follow-up) is the best day known.
      const int day = outcome->death_time ? timeline.study_day(*outcome->death_time) : end_day;
      rows.push_back({{"layer", "outcome"}, {"patient", id}, {"day", day + 0.5}, {"outcome", "death"}});
    }
  }

  json spec = base_spec(
      "CRS course per patient (ASTCT 2019 daily maximum grade)",
      fmt::format("Swimmer plot of {} patients: one lane per patient from infusion (day 0) to the end of the record; "
                  "colour = daily maximum ASTCT CRS grade graded from the record (≥N: a lower bound, some inputs "
                  "missing that day; not assessable: no day's grade could be set); points: tocilizumab, "
                  "corticosteroid, ruxolitinib given; markers: first relapse ({}), death ({}).",
                  lanes.size(), relapses, deaths));
  spec["data"] = {{"values", rows}};
  spec["width"] = 640;
  spec["height"] = std::max<std::size_t>(60, 22 * lanes.size());

  json domain = json::array();
  json range = json::array();
  for (const auto& [label, colour] : grade_colours()) {
    domain.push_back(label);
    range.push_back(colour);
  }
  json y = {{"field", "patient"}, {"type", "nominal"}, {"sort", lanes}, {"title", "patient"}};
  json x_title = "study day";

  json lane_layer = {
      {"transform", filter_layer("lane")},
      {"mark", {{"type", "rule"}, {"color", "#636363"}, {"strokeWidth", 1}}},
      {"encoding",
       {{"y", y}, {"x", {{"field", "start_day"}, {"type", "quantitative"}}}, {"x2", {{"field", "end_day"}}},
        {"tooltip", json::array({{{"field", "patient"}}, {{"field", "end_day"}, {"title", "end of record (day)"}}})}}}};
  json grade_layer = {
      {"transform", filter_layer("grade")},
      {"mark", {{"type", "rect"}, {"height", {{"band", 0.7}}}}},
      {"encoding",
       {{"y", y},
        {"x", {{"field", "from"}, {"type", "quantitative"}, {"title", x_title}}},
        {"x2", {{"field", "to"}}},
        {"color",
         {{"field", "grade_label"},
          {"type", "ordinal"},
          {"title", "CRS grade"},
          {"scale", {{"domain", domain}, {"range", range}}}}},
        {"tooltip", json::array({{{"field", "patient"}},
                                 {{"field", "from"}, {"title", "from day"}},
                                 {{"field", "days"}, {"title", "days"}},
                                 {{"field", "grade_label"}, {"title", "CRS grade"}}})}}}};
  json drug_layer = {
      {"transform", filter_layer("drug")},
      {"mark", {{"type", "point"}, {"filled", true}, {"size", 50}, {"yOffset", -7}}},
      {"encoding",
       {{"y", y},
        {"x", {{"field", "day"}, {"type", "quantitative"}}},
        {"shape",
         {{"field", "drug_group"},
          {"type", "nominal"},
          {"title", "given"},
          {"scale",
           {{"domain", json::array({"tocilizumab", "corticosteroid", "ruxolitinib"})},
            {"range", json::array({"circle", "square", "diamond"})}}}}},
        {"tooltip", json::array({{{"field", "patient"}}, {{"field", "day"}}, {{"field", "drugs"}}})}}}};
  json outcome_layer = {
      {"transform", filter_layer("outcome")},
      {"mark", {{"type", "point"}, {"filled", true}, {"size", 90}, {"color", "#000000"}}},
      {"encoding",
       {{"y", y},
        {"x", {{"field", "day"}, {"type", "quantitative"}}},
        {"shape",
         {{"field", "outcome"},
          {"type", "nominal"},
          {"title", "outcome"},
          {"scale", {{"domain", json::array({"relapse", "death"})}, {"range", json::array({"triangle-up", "cross"})}}}}},
        {"tooltip", json::array({{{"field", "patient"}}, {{"field", "outcome"}}, {{"field", "day"}}})}}}};
  spec["layer"] = json::array({lane_layer, grade_layer, drug_layer, outcome_layer});
  // Drugs and outcomes are two different shape legends, not one scale.
  spec["resolve"] = {{"scale", {{"shape", "independent"}}}, {"legend", {{"shape", "independent"}}}};
  return spec;
}

nlohmann::json vitals_panel(const Timeline& timeline) {
  struct Measure {
    const char* name;
    const char* title;
    std::optional<ObservedValue> DaySummary::*value;
  };
  static const Measure measures[] = {
      {"Tmax", "Tmax (°C)", &DaySummary::max_temperature},
      {"HRmax", "HRmax (/min)", &DaySummary::max_heart_rate},
      {"SBPmin", "SBPmin (mmHg)", &DaySummary::min_systolic_bp},
  };
  json rows = json::array();
  std::vector<std::string> drugs;
  std::size_t vital_rows = 0;
  const std::vector<DaySummary> summaries = timeline.day_summaries();
  for (const DaySummary& summary : summaries) {
    for (const Measure& measure : measures) {
      const std::optional<ObservedValue>& value = summary.*measure.value;
      if (!value) continue;
      ++vital_rows;
      rows.push_back({{"measure", measure.name},
                      {"day", summary.day},
                      {"value", number_or_null(value->value)},
                      {"comparator", std::string(comparator_symbol(value->comparator))}});
    }
    for (const DrugsGivenOnDay& drug : summary.drugs) {
      if (std::find(drugs.begin(), drugs.end(), drug.drug) == drugs.end()) drugs.push_back(drug.drug);
      rows.push_back({{"measure", "drug"}, {"day", summary.day}, {"drug", drug.drug}, {"doses", drug.doses}});
    }
  }
  json spec = base_spec(
      fmt::format("Vital signs per study day, patient {}", timeline.patient().id),
      fmt::format("Daily maximum temperature, maximum heart rate and minimum systolic blood pressure of patient {} "
                  "({} daily values over {} study days), and the drugs given per day ({} drugs).",
                  timeline.patient().id, vital_rows, summaries.size(), drugs.size()));
  spec["data"] = {{"values", rows}};
  json x = {{"field", "day"}, {"type", "quantitative"}, {"title", "study day"}};
  json charts = json::array();
  for (const Measure& measure : measures) {
    json y = {{"field", "value"}, {"type", "quantitative"}, {"scale", {{"zero", false}}}, {"title", measure.title}};
    charts.push_back({{"width", 560},
                      {"height", 120},
                      {"transform", json::array({{{"filter", fmt::format("datum.measure === '{}'", measure.name)}}})},
                      {"mark", {{"type", "line"}, {"point", true}}},
                      {"encoding",
                       {{"x", x},
                        {"y", y},
                        {"tooltip", json::array({{{"field", "day"}},
                                                 {{"field", "comparator"}},
                                                 {{"field", "value"}, {"title", measure.title}}})}}}});
  }
  charts.push_back({{"width", 560},
                    {"height", std::max<std::size_t>(20, 16 * drugs.size())},
                    {"transform", json::array({{{"filter", "datum.measure === 'drug'"}}, {{"calculate", "datum.day + 1"}, {"as", "day_end"}}})},
                    {"mark", {{"type", "bar"}, {"color", "#3182bd"}}},
                    {"encoding",
                     {{"x", x},
                      {"x2", {{"field", "day_end"}}},
                      {"y", {{"field", "drug"}, {"type", "nominal"}, {"sort", drugs}, {"title", "drugs given"}}},
                      {"tooltip", json::array({{{"field", "drug"}}, {{"field", "day"}}, {{"field", "doses"}}})}}}});
  spec["vconcat"] = std::move(charts);
  spec["resolve"] = {{"scale", {{"x", "shared"}}}};
  return spec;
}

std::span<const ObservationCode> default_cytokine_codes() {
  static const ObservationCode codes[] = {ObservationCode::il6,   ObservationCode::il10,      ObservationCode::ifn_gamma,
                                          ObservationCode::scd25, ObservationCode::tnf_alpha, ObservationCode::ferritin};
  return codes;
}

std::span<const ObservationCode> car_t_codes() {
  static const ObservationCode codes[] = {ObservationCode::car_t_copies, ObservationCode::car_t_percent_cd3,
                                          ObservationCode::car_t_per_ul};
  return codes;
}

nlohmann::json cytokine_kinetics(std::span<const CohortPatient> patients, std::span<const ObservationCode> codes) {
  return kinetics_figure(patients, codes, "Cytokine kinetics", "Cytokines and ferritin");
}

nlohmann::json car_t_expansion(std::span<const CohortPatient> patients) {
  return kinetics_figure(patients, car_t_codes(), "CAR-T expansion and persistence", "CAR-T copies and cells");
}

nlohmann::json kaplan_meier_plot(const CohortSurvival& survival, const KaplanMeierPlotOptions& options) {
  if (!(options.at_risk_every > 0) || !std::isfinite(options.at_risk_every)) {
    throw std::invalid_argument("kaplan_meier_plot at_risk_every: must be a positive number");
  }
  if (survival.groups.empty()) throw std::invalid_argument("kaplan_meier_plot groups: no group to draw");
  const std::string unit = options.unit == SurvivalTimeUnit::months ? "months" : "days";
  json rows = json::array();
  std::vector<std::string> groups;
  double last_day = 0;
  for (const SurvivalGroup& group : survival.groups) {
    groups.push_back(group.name);
    // The curve starts at S = 1 at time 0; each step holds until the next ("step-after").
    rows.push_back({{"layer", "curve"}, {"group", group.name}, {"time", 0.0}, {"survival", 1.0}, {"lower", 1.0}, {"upper", 1.0}});
    for (const KaplanMeierStep& step : group.curve.steps) {
      last_day = std::max(last_day, step.time);
      rows.push_back({{"layer", "curve"},
                      {"group", group.name},
                      {"time", in_unit(step.time, options.unit)},
                      {"survival", step.survival},
                      {"lower", number_or_null(step.lower)},
                      {"upper", number_or_null(step.upper)}});
      if (step.n_censor > 0) {
        rows.push_back({{"layer", "censor"},
                        {"group", group.name},
                        {"time", in_unit(step.time, options.unit)},
                        {"survival", step.survival},
                        {"n_censor", step.n_censor}});
      }
    }
  }
  const double last = in_unit(last_day, options.unit);
  std::vector<double> ticks;
  for (int k = 0;; ++k) {
    const double t = k * options.at_risk_every;
    if (t > last + 1e-9) break;
    ticks.push_back(t);
  }
  for (const SurvivalGroup& group : survival.groups) {
    std::vector<SurvivalSubject> subjects;
    for (const PatientEndpoint& patient : group.patients) {
      if (patient.subject) subjects.push_back(*patient.subject);
    }
    for (double t : ticks) {
      const double days = options.unit == SurvivalTimeUnit::months ? t * kDaysPerMonth : t;
      rows.push_back({{"layer", "at_risk"}, {"group", group.name}, {"time", t}, {"n_risk", number_at_risk(subjects, days)}});
    }
  }

  const std::string endpoint(endpoint_title(survival.request.endpoint));
  std::string subtitle = survival_method_text(survival.request.conf_type, survival.request.conf_level);
  if (survival.log_rank) subtitle += fmt::format("; log-rank p = {:.3g}", survival.log_rank->p_value);
  json spec = base_spec("", fmt::format("Kaplan–Meier estimate of {} by group ({}), time in {} since infusion; "
                                        "+ marks censored times; number at risk below, every {} {}. {} patients "
                                        "excluded (no endpoint or no group).",
                                        endpoint, groups.size(), unit, options.at_risk_every, unit,
                                        survival.excluded.size()));
  spec["title"] = {{"text", "Kaplan–Meier: " + endpoint}, {"subtitle", subtitle}};
  spec["data"] = {{"values", rows}};

  json x = {{"field", "time"}, {"type", "quantitative"}, {"title", "time since infusion (" + unit + ")"},
            {"scale", {{"domainMin", 0}, {"nice", false}}}};
  json colour = {{"field", "group"}, {"type", "nominal"}, {"sort", groups}, {"title", "group"}};
  json y = {{"field", "survival"}, {"type", "quantitative"}, {"scale", {{"domain", json::array({0, 1})}}},
            {"title", endpoint + " probability"}};
  json band = {{"transform", json::array({{{"filter", "datum.layer === 'curve' && datum.lower != null && datum.upper != null"}}})},
               {"mark", {{"type", "area"}, {"interpolate", "step-after"}, {"opacity", 0.2}}},
               {"encoding", {{"x", x}, {"y", {{"field", "lower"}, {"type", "quantitative"}}}, {"y2", {{"field", "upper"}}}, {"color", colour}}}};
  json curve = {{"transform", filter_layer("curve")},
                {"mark", {{"type", "line"}, {"interpolate", "step-after"}}},
                {"encoding",
                 {{"x", x},
                  {"y", y},
                  {"color", colour},
                  {"tooltip", json::array({{{"field", "group"}},
                                           {{"field", "time"}, {"format", ".1f"}},
                                           {{"field", "survival"}, {"format", ".3f"}},
                                           {{"field", "lower"}, {"format", ".3f"}},
                                           {{"field", "upper"}, {"format", ".3f"}}})}}}};
  json censor = {{"transform", filter_layer("censor")},
                 {"mark", {{"type", "point"}, {"shape", "cross"}, {"size", 60}, {"filled", true}}},
                 {"encoding",
                  {{"x", x}, {"y", y}, {"color", colour},
                   {"tooltip", json::array({{{"field", "group"}}, {{"field", "time"}, {"format", ".1f"}}, {{"field", "n_censor"}, {"title", "censored"}}})}}}};
  json plot = {{"width", 560}, {"height", 300}, {"layer", json::array({band, curve, censor})}};
  json table = {{"width", 560},
                {"height", std::max<std::size_t>(20, 18 * groups.size())},
                {"title", {{"text", "number at risk"}, {"fontSize", 11}, {"anchor", "start"}}},
                {"view", {{"stroke", nullptr}}},
                {"transform", filter_layer("at_risk")},
                {"mark", {{"type", "text"}}},
                {"encoding",
                 {{"x", {{"field", "time"}, {"type", "quantitative"}, {"axis", nullptr}, {"scale", {{"domainMin", 0}, {"nice", false}}}}},
                  {"y", {{"field", "group"}, {"type", "nominal"}, {"sort", groups}, {"title", nullptr},
                         {"axis", {{"ticks", false}, {"domain", false}, {"labelPadding", 16}}}}},
                  {"text", {{"field", "n_risk"}, {"type", "quantitative"}}},
                  {"color", colour}}}};
  spec["vconcat"] = json::array({plot, table});
  spec["resolve"] = {{"scale", {{"x", "shared"}}}};
  return spec;
}

nlohmann::json group_dot_plot(std::string_view title, std::string_view y_unit, std::span<const GroupValue> values) {
  std::vector<std::string> groups;
  std::map<std::string, std::vector<double>> by_group;
  json rows = json::array();
  for (const GroupValue& value : values) {
    if (value.group.empty()) throw std::invalid_argument("group_dot_plot group: empty group name");
    if (!std::isfinite(value.value)) {
      throw std::invalid_argument("group_dot_plot value: not a finite number for patient \"" + value.patient + "\"");
    }
    if (!by_group.count(value.group)) groups.push_back(value.group);
    by_group[value.group].push_back(value.value);
    rows.push_back({{"layer", "value"}, {"group", value.group}, {"patient", value.patient}, {"value", value.value}});
  }
  for (const std::string& group : groups) {
    rows.push_back({{"layer", "median"}, {"group", group}, {"value", median_of(by_group[group])},
                    {"n", by_group[group].size()}});
  }
  const std::string y_title = y_unit.empty() ? std::string(title) : fmt::format("{} ({})", title, y_unit);
  json spec = base_spec(title, fmt::format("{} per patient by group ({} patients in {} groups); the tick marks each "
                                           "group's median.",
                                           title, values.size(), groups.size()));
  spec["data"] = {{"values", rows}};
  spec["width"] = std::max<std::size_t>(160, 90 * groups.size());
  spec["height"] = 260;
  json x = {{"field", "group"}, {"type", "nominal"}, {"sort", groups}, {"title", nullptr}, {"axis", {{"labelAngle", 0}}}};
  json y = {{"field", "value"}, {"type", "quantitative"}, {"title", y_title}};
  spec["layer"] = json::array(
      {{{"transform", filter_layer("value")},
        {"mark", {{"type", "point"}, {"filled", true}, {"size", 60}, {"opacity", 0.8}}},
        {"encoding", {{"x", x}, {"y", y}, {"color", {{"field", "group"}, {"type", "nominal"}, {"sort", groups}, {"legend", nullptr}}},
                      {"tooltip", json::array({{{"field", "patient"}}, {{"field", "group"}}, {{"field", "value"}}})}}}},
       {{"transform", filter_layer("median")},
        {"mark", {{"type", "tick"}, {"color", "#000000"}, {"thickness", 2}, {"size", 40}}},
        {"encoding", {{"x", x}, {"y", y}, {"tooltip", json::array({{{"field", "group"}}, {{"field", "value"}, {"title", "median"}}, {{"field", "n"}}})}}}}});
  return spec;
}

nlohmann::json platelet_before_after(std::span<const PlateletIncrementPoint> points) {
  json rows = json::array();
  std::set<std::string> patients;
  for (const PlateletIncrementPoint& point : points) {
    if (point.phase != "before" && point.phase != "after") {
      throw std::invalid_argument("platelet_before_after phase: \"" + point.phase + "\" is neither \"before\" nor \"after\"");
    }
    const std::string success = point.success ? (*point.success ? "success" : "failure") : "not assessable";
    for (const auto& [measure, value] : {std::pair{"CCI", point.cci}, std::pair{"PPR (%)", point.ppr}}) {
      if (!value) continue;
      if (!std::isfinite(*value)) {
        throw std::invalid_argument(fmt::format("platelet_before_after {}: not a finite number for patient \"{}\"",
                                                measure, point.patient));
      }
      patients.insert(point.patient);
      rows.push_back({{"patient", point.patient}, {"phase", point.phase}, {"measure", measure}, {"value", *value}, {"success", success}});
    }
  }
  json spec = base_spec("Platelet transfusion response before and after",
                        fmt::format("Corrected count increment (CCI) and percentage platelet recovery (PPR) per "
                                    "patient before and after, {} values of {} patients; lines join a patient's "
                                    "phases, colour = transfusion success.",
                                    rows.size(), patients.size()));
  spec["data"] = {{"values", rows}};
  json x = {{"field", "phase"}, {"type", "ordinal"}, {"sort", json::array({"before", "after"})}, {"title", nullptr},
            {"axis", {{"labelAngle", 0}}}};
  json y = {{"field", "value"}, {"type", "quantitative"}, {"title", nullptr}};
  json colour = {{"field", "success"},
                 {"type", "nominal"},
                 {"title", "response"},
                 {"scale", {{"domain", json::array({"success", "failure", "not assessable"})},
                            {"range", json::array({"#1a9850", "#d73027", "#969696"})}}}};
  spec["facet"] = {{"column", {{"field", "measure"}, {"type", "nominal"}, {"sort", json::array({"CCI", "PPR (%)"})}, {"title", nullptr}}}};
  spec["spec"] = {{"width", 200},
                  {"height", 240},
                  {"layer", json::array({{{"mark", {{"type", "line"}, {"color", "#bdbdbd"}}},
                                          {"encoding", {{"x", x}, {"y", y}, {"detail", {{"field", "patient"}, {"type", "nominal"}}}}}},
                                         {{"mark", {{"type", "point"}, {"filled", true}, {"size", 60}}},
                                          {"encoding", {{"x", x}, {"y", y}, {"color", colour},
                                                        {"tooltip", json::array({{{"field", "patient"}}, {{"field", "phase"}}, {{"field", "measure"}}, {{"field", "value"}}, {{"field", "success"}}})}}}}})}};
  spec["resolve"] = {{"scale", {{"y", "independent"}}}};
  return spec;
}

}  // namespace crsguard
