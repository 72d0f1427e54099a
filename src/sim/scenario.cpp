#include "sim/scenario.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>

#include "core/problem.hpp"
#include "io/protocol_yaml.hpp"
#include "io/timeline_files.hpp"
#include "io/yaml_document.hpp"
#include "io/yaml_fields.hpp"

namespace crsguard {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kFormat = "crsguard.sim-scenario/1";
constexpr int kMaxPatients = 10'000'000;
constexpr double kMaxSeed = 9007199254740992.0;  // 2^53: every integer below is exact in YAML's numbers

bool is_arm_name(const std::string& name) {
  return !name.empty() && name.size() <= 40 &&
         std::all_of(name.begin(), name.end(), [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

std::string shipped_text(std::span<const EmbeddedFile> files, const std::string& name) {
  for (const auto& f : files) {
    if (f.name == name) return std::string(f.text);
  }
  return {};
}

class ScenarioReader {
 public:
  ScenarioReader(const std::string& file, ProblemLog& log) : file_(file), log_(log) {}

  Scenario read(const YamlNode& root) {
    Scenario s;
    s.file = file_;
    MappingReader map(root, "", log_, "scenario");
    if (!map.ok()) return s;
    if (const auto format = map.text("format", Presence::required); format && *format != kFormat) {
      map.report("format", fmt::format("unknown format \"{}\"; expected \"{}\"", *format, kFormat));
    }
    s.name = map.text("name", Presence::required).value_or("");
    s.title = map.text("title", Presence::required).value_or("");
    s.note = map.text("note").value_or("");
    s.model_ref = map.text("model").value_or("models/patient.json");
    s.days = map.number("days", {0, 365, true}).value_or(28);
    s.patients = map.integer("patients", 1, kMaxPatients, Presence::required).value_or(1);
    if (const auto seed = map.get("seed", Presence::required)) {
      const auto value = seed->number({0, kMaxSeed});
      if (value && std::floor(*value) != *value) {
        seed->report("the seed is a whole number");
      } else if (value) {
        s.seed = static_cast<std::uint64_t>(*value);
      }
    }
    if (const auto clock = map.get("clock")) read_clock(*clock, s.clock);
    if (const auto clinician = map.get("clinician")) read_clinician(*clinician, s.clinician);
    if (const auto population = map.get("population", Presence::required)) read_population(*population, s.population);
    std::set<std::string> names;
    map.for_each_item("arms", Presence::required, [&](const YamlValue& item) {
      TrialArm arm = read_arm(item);
      if (!arm.name.empty() && !names.insert(arm.name).second) {
        item.report(fmt::format("arm name \"{}\" is used twice", arm.name));
      }
      s.arms.push_back(std::move(arm));
    });
    map.finish();
    try {
      s.model = load_parameter_file(s.model_ref);
    } catch (const InputError& error) {
      if (auto value = map.get("model")) {
        for (const auto& p : error.problems()) value->report("cannot use the model: " + p.to_string());
      } else {
        for (const auto& p : error.problems()) log_.add_at_pointer("/model", "cannot use the model: " + p.to_string());
      }
    }
    return s;
  }

 private:
  static void read_clock(const YamlValue& value, ClinicalClock& clock) {
    MappingReader m(value, "clock");
    if (!m.ok()) return;
    clock.vitals_every_hours = m.number("vitals_every_hours", {0, 168, true}).value_or(clock.vitals_every_hours);
    clock.labs_every_hours = m.number("labs_every_hours", {0, 168, true}).value_or(clock.labs_every_hours);
    clock.first_labs_hour = m.number("first_labs_hour", {0, 168}).value_or(clock.first_labs_hour);
    m.finish();
  }

  static void read_clinician(const YamlValue& value, ClinicianBehaviour& c) {
    MappingReader m(value, "clinician");
    if (!m.ok()) return;
    c.dose_delay_hours = m.number("dose_delay_hours", {0, 168}).value_or(c.dose_delay_hours);
    c.adherence = m.number("adherence", {0, 1}).value_or(c.adherence);
    c.act_on_consider = m.boolean("act_on_consider").value_or(c.act_on_consider);
    m.finish();
  }

  static void read_distribution(const YamlValue& value, CovariateDistribution& d) {
    using Kind = CovariateDistribution::Kind;
    if (value.node.kind == YamlNode::Kind::scalar) {  // a plain number: the same in every patient
      if (const auto number = value.number({-1e12, 1e12})) {
        d = CovariateDistribution();
        d.value = *number;
      }
      return;
    }
    MappingReader m(value, "distribution");
    if (!m.ok()) return;
    const auto kind = m.text("distribution", Presence::required);
    const Bounds any{-1e12, 1e12};
    const Bounds positive{0, 1e12, true};
    if (kind == "fixed") {
      d.kind = Kind::fixed;
      d.value = m.number("value", any, Presence::required).value_or(0);
    } else if (kind == "uniform" || kind == "log_uniform") {
      d.kind = kind == "uniform" ? Kind::uniform : Kind::log_uniform;
      const Bounds range = d.kind == Kind::uniform ? any : positive;
      d.low = m.number("min", range, Presence::required).value_or(0);
      d.high = m.number("max", range, Presence::required).value_or(1);
      d.min = d.low;
      d.max = d.high;
      if (d.low >= d.high && m.has("min") && m.has("max")) m.report("max", "a uniform distribution needs min below max");
    } else if (kind == "normal") {
      d.kind = Kind::normal;
      d.mean = m.number("mean", any, Presence::required).value_or(0);
      d.sd = m.number("sd", positive, Presence::required).value_or(1);
    } else if (kind == "log_normal") {
      d.kind = Kind::log_normal;
      d.median = m.number("median", positive, Presence::required).value_or(1);
      d.cv_percent = m.number("cv_percent", {0, 1000}, Presence::required).value_or(0);
    } else if (kind == "by_age") {
      d.kind = Kind::by_age;
      d.cv_percent = m.number("cv_percent", {0, 1000}, Presence::required).value_or(0);
    } else if (kind) {
      m.report("distribution", unknown_name_reason("distribution", *kind, "fixed, uniform, log_uniform, normal, log_normal, by_age"));
    }
    if (d.kind != Kind::uniform && d.kind != Kind::log_uniform) {
      d.min = m.number("min", any);
      d.max = m.number("max", any);
      if (d.min && d.max && *d.min >= *d.max) m.report("max", "max must be above min");
    }
    m.finish();
  }

  static void read_population(const YamlValue& value, PopulationSpec& p) {
    MappingReader m(value, "population");
    if (!m.ok()) return;
    for (std::size_t i = 0; i < kCovariates; ++i) {
      if (const auto d = m.get(covariate_name(static_cast<Covariate>(i)), Presence::required)) read_distribution(*d, p.covariates[i]);
    }
    p.female_fraction = m.number("female_fraction", {0, 1}, Presence::required).value_or(0.5);
    std::set<std::pair<Covariate, Covariate>> pairs;
    m.for_each_item("correlations", Presence::optional, [&](const YamlValue& item) {
      MappingReader c(item, "correlation");
      if (!c.ok()) return;
      CovariateCorrelation correlation;
      bool named = false;
      if (const auto between = c.text_list("between", Presence::required)) {
        const auto where = *c.get("between");
        std::vector<Covariate> found;
        for (const auto& name : *between) {
          if (const auto k = covariate_named(name)) {
            found.push_back(*k);
          } else {
            where.report(unknown_name_reason("covariate", name, "age_years, weight_kg, height_cm, marrow_blasts_percent, car_t_cells_per_kg"));
          }
        }
        if (between->size() != 2) {
          where.report("a correlation is between two covariates");
        } else if (found.size() == 2 && found[0] == found[1]) {
          where.report("a covariate is not correlated with itself");
        } else if (found.size() == 2) {
          correlation.first = std::min(found[0], found[1]);
          correlation.second = std::max(found[0], found[1]);
          named = true;
          if (!pairs.insert({correlation.first, correlation.second}).second) where.report("this pair is correlated twice");
        }
      }
      const auto r = c.number("r", {-1, 1}, Presence::required);
      if (r && std::abs(*r) >= 1) c.report("r", "a correlation is strictly between -1 and 1");
      c.text("source");
      c.finish();
      if (named && r) {
        correlation.r = *r;
        p.correlations.push_back(correlation);
      }
    });
    if (const auto parameters = m.get("parameters")) {
      MappingReader pm(*parameters, "parameter variability");
      if (pm.ok()) {
        p.variability_scale = pm.number("variability_scale", {0, 10}).value_or(1);
        pm.finish();
      }
    }
    m.finish();
  }

  [[nodiscard]] Protocol load_arm_protocol(const std::string& ref, const YamlValue& where) const {
    try {
      if (!(ref.ends_with(".yaml") || ref.ends_with(".yml"))) return load_protocol(ref);
      // A path is relative to the scenario's folder, so a scenario and its protocol variants travel together.
      const std::string beside = (fs::path(file_).parent_path() / ref).lexically_normal().generic_string();
      if (fs::exists(beside)) return read_protocol_yaml(read_input_file(beside), beside);
      const std::string shipped = shipped_text(shipped_scenario_protocol_files(), beside);
      if (!shipped.empty()) return read_protocol_yaml(shipped, beside);
      return read_protocol_yaml(read_input_file(ref), ref);
    } catch (const InputError& error) {
      for (const auto& p : error.problems()) where.report("cannot use the protocol: " + p.to_string());
      return {};
    }
  }

  static ProtocolStep* find_step(Protocol& protocol, const std::string& id) {
    for (auto& step : protocol.steps) {
      if (step.id == id) return &step;
    }
    return nullptr;
  }

  static std::string step_ids(const Protocol& protocol) {
    std::string out;
    for (const auto& step : protocol.steps) out += (out.empty() ? "" : ", ") + step.id;
    return out;
  }

  // The step a variation names, or a problem at `where`; a step without a dose schedule when one is needed.
  static ProtocolStep* step_for(Protocol& protocol, const std::string& id, const YamlValue& where, bool needs_schedule) {
    if (protocol.steps.empty()) return nullptr;  // the protocol did not load: its problems are already logged
    ProtocolStep* step = find_step(protocol, id);
    if (step == nullptr) {
      where.report(fmt::format("protocol {} has no step \"{}\"; its steps are: {}", protocol.name, id, step_ids(protocol)));
    } else if (needs_schedule && step->schedule.empty()) {
      where.report(fmt::format("step \"{}\" has no dose schedule to change", id));
      return nullptr;
    }
    return step;
  }

  TrialArm read_arm(const YamlValue& value) const {
    TrialArm arm;
    MappingReader m(value, "arm");
    if (!m.ok()) return arm;
    if (auto name = m.get("name", Presence::required)) {
      const auto text = name->text();
      if (text && !is_arm_name(*text)) {
        name->report(fmt::format("\"{}\" is not a valid arm name: use 1–40 lower-case letters, digits and '-'", *text));
      } else if (text) {
        arm.name = *text;
      }
    }
    arm.title = m.text("title").value_or(arm.name);
    if (const auto ref = m.get("protocol", Presence::required)) {
      if (const auto text = ref->text()) {
        arm.protocol_ref = *text;
        arm.protocol = load_arm_protocol(*text, *ref);
      }
    }
    Protocol& protocol = arm.protocol;
    std::vector<std::string> removed;
    m.for_each_item("remove_steps", Presence::optional, [&](const YamlValue& item) {
      const auto id = item.text();
      if (!id) return;
      if (step_for(protocol, *id, item, false) != nullptr) removed.push_back(*id);
    });
    if (const auto doses = m.get("step_dose")) {
      MappingReader dm(*doses, "step_dose mapping (step id → dose)");
      for (const auto& entry : dm.ok() ? dm.node().entries : std::vector<YamlEntry>{}) {
        const auto where = *dm.get(entry.key);
        MappingReader dose(where, "dose");
        if (!dose.ok()) continue;
        const auto mg = dose.number("mg", {0, 10000, true});
        const auto per_kg = dose.number("mg_per_kg", {0, 1000, true});
        dose.finish();
        if (mg.has_value() == per_kg.has_value()) {
          where.report("give the dose as exactly one of mg or mg_per_kg");
          continue;
        }
        ProtocolStep* step = step_for(protocol, entry.key, where, true);
        if (step == nullptr) continue;
        DoseRule rule;
        rule.basis = mg ? DoseRule::Basis::mg : DoseRule::Basis::mg_per_kg;
        rule.amount = mg ? *mg : *per_kg;
        for (auto& phase : step->schedule) phase.dose = rule;
        arm.variations.push_back(fmt::format("step {}: {:g} {} per dose", entry.key, rule.amount, mg ? "mg" : "mg/kg"));
      }
    }
    if (const auto durations = m.get("step_for_days")) {
      MappingReader dm(*durations, "step_for_days mapping (step id → days)");
      for (const auto& entry : dm.ok() ? dm.node().entries : std::vector<YamlEntry>{}) {
        const auto where = *dm.get(entry.key);
        const auto days = where.number({0, 365, true});
        if (!days) continue;
        ProtocolStep* step = step_for(protocol, entry.key, where, true);
        if (step == nullptr) continue;
        step->schedule.front().for_days = *days;
        arm.variations.push_back(fmt::format("step {}: first phase for {:g} days", entry.key, *days));
      }
    }
    // Removed last, so that a variation of a removed step is still checked against the protocol as written.
    for (const auto& id : removed) {
      std::erase_if(protocol.steps, [&](const ProtocolStep& step) { return step.id == id; });
      arm.variations.push_back("removed step " + id);
    }
    m.finish();
    return arm;
  }

  const std::string& file_;
  ProblemLog& log_;
};

}  // namespace

Scenario read_scenario_yaml(std::string_view text, const std::string& file) {
  ProblemLog log(file);
  const auto root = parse_yaml_document(text, log);
  Scenario scenario;
  if (root) scenario = ScenarioReader(file, log).read(*root);
  log.throw_if_any();
  return scenario;
}

Scenario load_scenario(const std::string& name_or_path) {
  if (fs::exists(name_or_path)) return read_scenario_yaml(read_input_file(name_or_path), name_or_path);
  for (const std::string& name : {name_or_path, "scenarios/" + name_or_path + ".yaml"}) {
    const std::string text = shipped_text(shipped_scenario_files(), name);
    if (!text.empty()) return read_scenario_yaml(text, name);
  }
  std::string names;
  for (const auto& f : shipped_scenario_files()) names += (names.empty() ? "" : ", ") + std::string(f.name);
  InputLocation where;
  where.file = name_or_path;
  throw InputError(Problem{where, fmt::format("no such scenario file, and no shipped scenario of that name (shipped: {})",
                                              names.empty() ? "none" : names)});
}

}  // namespace crsguard
