#include "sim/virtual_twin.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "clinical/course_grades.hpp"
#include "core/problem.hpp"
#include "io/json_fields.hpp"
#include "io/protocol_yaml.hpp"
#include "io/strict_json.hpp"
#include "io/timeline_files.hpp"
#include "io/timeline_json.hpp"

namespace crsguard {
namespace {

constexpr std::string_view kFormat = "crsguard.sim-case/1";

void read_patient(ObjectReader& root, TwinCase& out) {
  const auto* value = root.get("patient", Presence::required);
  if (value == nullptr) return;
  ObjectReader p(*value, "/patient", root.log());
  if (!p.ok()) return;
  VirtualPatient& vp = out.patient;
  vp.age_years = p.number("age_years", 0, 120, Presence::required).value_or(30);
  const auto sex = p.enumeration<Sex>("sex", "sex", Presence::required);
  vp.sex = sex.value_or(Sex::unknown);
  vp.covariates.weight_kg = p.number("weight_kg", 2, 300, Presence::required).value_or(70);
  vp.height_cm = p.number("height_cm", 40, 250, Presence::required).value_or(170);
  vp.covariates.marrow_blasts_percent = p.number("marrow_blasts_percent", 0, 100, Presence::required).value_or(50);
  const double per_kg = p.number("car_t_cells_per_kg", 1e4, 1e9, Presence::required).value_or(3e6);
  p.finish("twin patient");
  vp.covariates.car_t_dose_cells = per_kg * vp.covariates.weight_kg;
  vp.covariates.female = vp.sex == Sex::female;
  vp.covariates.bsa_m2 = body_surface_area_m2(vp.covariates.weight_kg, vp.height_cm, BsaFormula::mosteller);
}

std::string find_shipped(std::span<const EmbeddedFile> files, const std::string& name) {
  for (const auto& f : files) {
    if (f.name == name) return std::string(f.text);
  }
  return {};
}

}  // namespace

TwinCase read_twin_case(std::string_view text, const std::string& file, const ParameterFile& model) {
  ProblemLog log(file);
  TwinCase out;
  out.file = file;
  const auto document = parse_strict_json(text, log);
  if (!document || !log.empty()) {
    log.throw_if_any();
    return out;
  }
  ObjectReader root(*document, "", log);
  root.expect_format(kFormat);
  out.name = root.string("name", Presence::required).value_or("");
  out.title = root.string("title", Presence::required).value_or("");
  out.source = root.string("source", Presence::required).value_or("");
  out.protocol = root.string("protocol", Presence::required).value_or("");
  out.reported = root.string("reported", Presence::required).value_or("");
  out.days = root.number("days", 1, 365).value_or(28);
  root.string("note");
  root.get("patient_notes");
  read_patient(root, out);
  out.patient.id = "twin-" + out.name;
  const auto* parameters = root.get("parameters", Presence::required);
  if (parameters != nullptr && parameters->is_object()) {
    for (const auto& [name, entry] : parameters->items()) {
      ObjectReader e(entry, "/parameters/" + pointer_escape(name), log);
      if (!e.ok()) continue;
      const auto value = e.number("value", 0, 1e15, Presence::required);
      const auto why = e.string("why", Presence::required);
      e.finish("twin parameter");
      if (why && why->empty()) log.add_at_pointer(e.child("why"), "say why this value was chosen");
      if (value && model.find(name) == nullptr) {
        log.add_at_pointer(e.pointer(), fmt::format("the patient model has no parameter \"{}\"", name));
      } else if (value) {
        out.chosen[name] = *value;
      }
    }
  } else if (parameters != nullptr) {
    log.add_at_pointer("/parameters", "expected an object of parameter → {value, why}");
  }
  root.finish("twin case");
  log.throw_if_any();
  out.patient.parameters = bind_patient_parameters(with_values(model, out.chosen, file));
  return out;
}

TwinCase load_twin_case(const std::string& name_or_path, const ParameterFile& model) {
  const std::string shipped_name = "cases/" + name_or_path + ".json";
  const std::string text = find_shipped(shipped_case_files(), shipped_name);
  if (!text.empty()) return read_twin_case(text, shipped_name, model);
  return read_twin_case(read_input_file(name_or_path), name_or_path, model);
}

TwinComparison run_twin(const TwinCase& twin, const ProtocolRules& rules, const CourseOptions& base_options) {
  const Protocol protocol = load_protocol(twin.protocol);
  const ProtocolEngine engine(protocol, rules);
  CourseOptions options = base_options;
  options.days = twin.days;
  for (auto& [check, reason] : virtual_patient_overrides(protocol)) options.overrides.try_emplace(check, reason);
  TwinComparison out;
  out.twin = twin;
  out.course = simulate_course(twin.patient, &engine, &protocol, rules, options);

  std::string reported_text = find_shipped(shipped_example_timelines(), twin.reported);
  if (reported_text.empty()) reported_text = find_shipped(shipped_paediatric_timelines(), twin.reported);
  if (reported_text.empty()) reported_text = read_input_file(twin.reported);
  const std::vector<Timeline> reported = read_timelines_json(reported_text, twin.reported);
  if (reported.size() != 1) {
    ProblemLog log(twin.reported);
    log.add_at_pointer("", "a twin's reported course is one timeline, found " + std::to_string(reported.size()));
    log.throw_if_any();
  }
  const Timeline simulated(out.course.record);
  const CourseGrades reported_grades = grade_course(reported.front(), rules.grading);
  const CourseGrades simulated_grades = grade_course(simulated, rules.grading);
  const auto summaries = [](const Timeline& t) {
    std::map<int, DaySummary> by_day;
    for (auto& s : t.day_summaries()) by_day[s.day] = s;
    return by_day;
  };
  const auto reported_days = summaries(reported.front());
  const auto simulated_days = summaries(simulated);
  const auto grade_on = [](const CourseGrades& g, int day) -> std::optional<int> {
    for (const auto& d : g.crs.days) {
      if (d.day == day && d.worst.grade >= 0) return d.worst.grade;
    }
    return std::nullopt;
  };
  const auto fill = [](const std::map<int, DaySummary>& days, int day, std::optional<double>& tmax,
                       std::optional<double>& sbp, std::vector<std::string>& drugs) {
    const auto it = days.find(day);
    if (it == days.end()) return;
    if (it->second.max_temperature) tmax = it->second.max_temperature->value;
    if (it->second.min_systolic_bp) sbp = it->second.min_systolic_bp->value;
    for (const auto& d : it->second.drugs) drugs.push_back(d.drug);
  };
  for (int day = 0; day <= static_cast<int>(std::ceil(twin.days)); ++day) {
    TwinDay d;
    d.day = day;
    d.reported_grade = grade_on(reported_grades, day);
    d.simulated_grade = grade_on(simulated_grades, day);
    fill(reported_days, day, d.reported_max_temperature, d.reported_min_systolic, d.reported_drugs);
    fill(simulated_days, day, d.simulated_max_temperature, d.simulated_min_systolic, d.simulated_drugs);
    if (d.reported_grade && d.simulated_grade) {
      ++out.days_compared;
      if (*d.reported_grade == *d.simulated_grade) ++out.days_grade_agrees;
    }
    out.days.push_back(std::move(d));
  }
  return out;
}

}  // namespace crsguard
