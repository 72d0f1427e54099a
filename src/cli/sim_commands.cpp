#include "cli/sim_commands.hpp"

#include <fmt/format.h>

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/text_table.hpp"
#include "cli/command_guard.hpp"
#include "core/problem.hpp"
#include "io/rules_json.hpp"
#include "io/timeline_json.hpp"
#include "sim/invitro_model.hpp"
#include "sim/trial.hpp"
#include "sim/virtual_twin.hpp"

namespace crsguard {
namespace {

// A model that cannot be solved comes from the user's parameter, case or scenario file: bad input (exit 2).
template <class Run>
int solving(Run run) {
  try {
    return run();
  } catch (const SolverError& error) {
    throw std::invalid_argument(std::string("the model could not be solved with these parameters: ") + error.what());
  }
}

SolverKind solver_named(const std::string& name) {
  if (name == "dormand-prince") return SolverKind::dormand_prince;
  if (name == "cvode") return SolverKind::cvode_bdf;
  throw std::invalid_argument(fmt::format("--solver {}: expected dormand-prince or cvode", name));
}

std::string or_dash(const std::optional<int>& v) { return v ? std::to_string(*v) : "–"; }
std::string or_dash(const std::optional<double>& v, const char* format) {
  return v ? fmt::format(fmt::runtime(format), *v) : "–";
}
std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

nlohmann::json optional_json(const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(); }
nlohmann::json optional_json(const std::optional<int>& v) { return v ? nlohmann::json(*v) : nlohmann::json(); }

nlohmann::json summary_json(const CourseSummary& s) {
  return {
      {"max_crs_grade", optional_json(s.max_crs_grade)},
      {"days_at_grade_2_or_more", s.days_at_grade_2_or_more},
      {"crs_onset_day", optional_json(s.crs_onset_day)},
      {"time_to_resolution_days", optional_json(s.time_to_resolution_days)},
      {"steroid_dexamethasone_equivalent_mg", s.steroid_dexamethasone_equivalent_mg},
      {"car_t_peak_per_ul", s.car_t_peak_per_ul},
      {"car_t_peak_day", s.car_t_peak_day},
      {"car_t_auc_per_ul_days", s.car_t_auc_per_ul_days},
      {"il6_peak_pg_per_ml", s.il6_peak_pg_per_ml},
      {"il6_peak_day", s.il6_peak_day},
      {"leukaemia_log10_reduction", s.leukaemia_log10_reduction},
      {"first_tocilizumab_day", optional_json(s.first_tocilizumab_day)},
      {"first_steroid_day", optional_json(s.first_steroid_day)},
      {"first_ruxolitinib_day", optional_json(s.first_ruxolitinib_day)},
      {"doses_given", s.doses_given},
      {"decisions", s.decisions},
  };
}

int run_twin_command(const TwinCommandOptions& o) {
  const ParameterFile model = load_parameter_file(o.model);
  const TwinCase twin = load_twin_case(o.case_name, model);
  const ProtocolRules rules = ProtocolRules::from(load_rules(o.rules_path));
  CourseOptions options;
  options.solver = solver_named(o.solver);
  const TwinComparison result = run_twin(twin, rules, options);
  if (!o.timeline_out.empty()) {
    std::ofstream out(o.timeline_out, std::ios::binary | std::ios::trunc);
    out << write_timeline_json(Timeline(result.course.record));
    if (!out) throw std::invalid_argument(fmt::format("--timeline-out {}: cannot write the file", o.timeline_out));
  }
  if (o.as_json) {
    nlohmann::json days = nlohmann::json::array();
    for (const auto& d : result.days) {
      days.push_back({{"day", d.day},
                      {"reported", {{"crs_grade", optional_json(d.reported_grade)},
                                    {"max_temperature_celsius", optional_json(d.reported_max_temperature)},
                                    {"min_systolic_mmhg", optional_json(d.reported_min_systolic)},
                                    {"drugs", d.reported_drugs}}},
                      {"simulated", {{"crs_grade", optional_json(d.simulated_grade)},
                                     {"max_temperature_celsius", optional_json(d.simulated_max_temperature)},
                                     {"min_systolic_mmhg", optional_json(d.simulated_min_systolic)},
                                     {"drugs", d.simulated_drugs}}}});
    }
    nlohmann::json chosen = nlohmann::json::object();
    for (const auto& [name, value] : twin.chosen) chosen[name] = value;
    const nlohmann::json document = {
        {"case", twin.name}, {"title", twin.title}, {"source", twin.source}, {"protocol", twin.protocol},
        {"model", model.file + " version " + model.version}, {"chosen_parameters", chosen},
        {"days", days}, {"days_compared", result.days_compared}, {"days_grade_agrees", result.days_grade_agrees},
        {"summary", summary_json(result.course.summary)},
        {"solver", {{"rhs_evaluations", result.course.solver.rhs_evaluations},
                    {"accepted_steps", result.course.solver.accepted_steps},
                    {"restarts", result.course.solver.restarts}}},
    };
    std::cout << document.dump(2) << '\n';
    return kExitOk;
  }
  std::cout << twin.title << '\n' << "source: " << twin.source << '\n'
            << fmt::format("protocol {} in closed loop; model {} version {}; {} parameters chosen for the twin\n\n",
                           twin.protocol, model.file, model.version, twin.chosen.size());
  std::vector<std::vector<std::string>> rows;
  for (const auto& d : result.days) {
    rows.push_back({std::to_string(d.day), or_dash(d.reported_grade), or_dash(d.simulated_grade),
                    or_dash(d.reported_max_temperature, "{:.1f}"), or_dash(d.simulated_max_temperature, "{:.1f}"),
                    or_dash(d.reported_min_systolic, "{:.0f}"), or_dash(d.simulated_min_systolic, "{:.0f}"),
                    joined(d.reported_drugs), joined(d.simulated_drugs)});
  }
  std::cout << format_text_table({"day", "CRS rep", "CRS sim", "Tmax rep", "Tmax sim", "SBP rep", "SBP sim", "drugs reported",
                                  "drugs simulated"},
                                 rows, 7);
  const CourseSummary& s = result.course.summary;
  std::cout << fmt::format("\nCRS grade agrees on {} of {} days graded in both. Simulated: maximum grade {}, onset day {}, "
                           "resolution after {} days; CAR-T peak {:.0f} cells/µL on day {:.1f}; IL-6 peak {:.0f} pg/mL on "
                           "day {:.1f}; leukaemia reduced {:.1f} log10 by day {:.0f}.\n",
                           result.days_grade_agrees, result.days_compared, or_dash(s.max_crs_grade),
                           or_dash(s.crs_onset_day, "{:.1f}"), or_dash(s.time_to_resolution_days, "{:.1f}"),
                           s.car_t_peak_per_ul, s.car_t_peak_day, s.il6_peak_pg_per_ml, s.il6_peak_day,
                           s.leukaemia_log10_reduction, twin.days);
  return kExitOk;
}

nlohmann::json invitro_json(const InVitroResult& r) {
  return {{"drug", r.condition.drug}, {"concentration_umol_per_l", r.condition.concentration_umol_per_l},
          {"hours", r.hours}, {"car_t_fold_expansion", r.car_t_fold_expansion},
          {"nalm6_remaining_fraction", r.nalm6_remaining_fraction}, {"ifn_gamma_pg_per_ml", r.ifn_gamma},
          {"granzyme_b_pg_per_ml", r.granzyme_b}, {"il6_pg_per_ml", r.il6}, {"il10_pg_per_ml", r.il10},
          {"tnf_alpha_pg_per_ml", r.tnf_alpha}};
}

int run_invitro_command(const InVitroCommandOptions& o) {
  const ParameterFile file = load_parameter_file(o.model);
  const InVitroParameters parameters = bind_invitro_parameters(file);
  const SolverKind solver = solver_named(o.solver);
  std::vector<InVitroResult> results;
  results.push_back(simulate_invitro(parameters, {"none", 0}, o.hours, solver));
  for (const auto& drug : o.drugs) {
    for (const double c : o.concentrations_umol_per_l) results.push_back(simulate_invitro(parameters, {drug, c}, o.hours, solver));
  }
  if (o.as_json) {
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& r : results) rows.push_back(invitro_json(r));
    std::cout << nlohmann::json{{"model", file.file + " version " + file.version}, {"conditions", rows}}.dump(2) << '\n';
    return kExitOk;
  }
  const InVitroResult& control = results.front();
  const auto relative = [](double value, double reference) {
    return reference > 0 ? fmt::format("{:.0f}%", 100 * value / reference) : std::string("–");
  };
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : results) {
    rows.push_back({r.condition.drug == "none" ? "control" : r.condition.drug, fmt::format("{:g}", r.condition.concentration_umol_per_l),
                    fmt::format("{:.2f}", r.car_t_fold_expansion), fmt::format("{:.2f}", r.nalm6_remaining_fraction),
                    relative(r.ifn_gamma, control.ifn_gamma), relative(r.granzyme_b, control.granzyme_b),
                    relative(r.il6, control.il6), relative(r.il10, control.il10), relative(r.tnf_alpha, control.tnf_alpha)});
  }
  std::cout << fmt::format("Co-culture of CAR-T, Nalm6 and monocytes for {:g} h ({} version {}); cytokines as % of control\n\n",
                           o.hours, file.file, file.version)
            << format_text_table({"condition", "µmol/L", "CAR-T fold", "Nalm6 left", "IFN-γ", "granzyme B", "IL-6", "IL-10", "TNF-α"},
                                 rows, 0)
            << "\nThe report (Pan 2021) gives directions of effect only; absolute levels here are the model's, not measured.\n";
  return kExitOk;
}


// ---- simulate ----

namespace fs = std::filesystem;

// Writes through a temporary name and renames, so that a reader never finds a half-written file.
void write_file_atomically(const fs::path& path, const std::string& text) {
  const fs::path partial = path.string() + ".partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) throw std::invalid_argument(fmt::format("--out: cannot write {}", path.string()));
  }
  fs::rename(partial, path);
}

std::string number_text(double v) { return std::isnan(v) ? std::string("–") : fmt::format("{:.3g}", v); }
std::string estimate_text(const Estimate& e) {
  if (std::isnan(e.value)) return "–";
  return fmt::format("{} [{}, {}]", number_text(e.value), number_text(e.low), number_text(e.high));
}
nlohmann::json number_json(double v) { return std::isnan(v) ? nlohmann::json() : nlohmann::json(v); }
nlohmann::json estimate_json(const Estimate& e) {
  return {{"value", number_json(e.value)}, {"ci95", {number_json(e.low), number_json(e.high)}}, {"patients", e.patients}};
}

nlohmann::json trial_json(const Scenario& scenario, const TrialResult& r) {
  nlohmann::json arms = nlohmann::json::array();
  for (std::size_t a = 0; a < r.arms.size(); ++a) {
    const auto& arm = r.arms[a];
    nlohmann::json metrics = nlohmann::json::object(), differences = nlohmann::json::object();
    for (std::size_t m = 0; m < kTrialMetrics; ++m) {
      const auto metric = static_cast<TrialMetric>(m);
      metrics[std::string(metric_name(metric))] = estimate_json(arm.metrics[m]);
      if (a > 0) differences[std::string(metric_name(metric))] = estimate_json(arm.difference_from_first[m]);
    }
    const auto& spec = scenario.arms[a];
    arms.push_back({{"name", arm.name}, {"title", spec.title}, {"protocol", spec.protocol_ref},
                    {"protocol_name", spec.protocol.name}, {"variations", spec.variations}, {"metrics", metrics},
                    {"difference_from_first", a > 0 ? differences : nlohmann::json()}});
  }
  nlohmann::json unsolved = nlohmann::json::array();
  for (const auto& p : r.patients) {
    for (std::size_t a = 0; a < p.arms.size(); ++a) {
      if (!p.arms[a].solved) unsolved.push_back({{"patient", p.patient.id}, {"arm", r.arms[a].name}, {"error", p.arms[a].error}});
    }
  }
  return {{"format", "crsguard.sim-trial-summary/1"}, {"scenario", scenario.name}, {"title", scenario.title},
          {"file", scenario.file}, {"model", scenario.model.file + " version " + scenario.model.version},
          {"days", scenario.days}, {"patients", r.patients.size()}, {"patients_analysed", r.patients_analysed},
          {"seed", scenario.seed}, {"bootstrap", {{"replicates", r.bootstrap_replicates}, {"seed", r.bootstrap_seed},
                                                 {"interval", "95% percentile"}}},
          {"arms", arms}, {"unsolved", unsolved}};
}

std::string csv_number(double v) { return fmt::format("{}", v); }
std::string csv_optional(const std::optional<double>& v) { return v ? csv_number(*v) : std::string(); }

std::string patients_csv(const TrialResult& r) {
  std::string out =
      "patient,arm,sex,age_years,weight_kg,height_cm,bsa_m2,marrow_blasts_percent,car_t_cells_per_kg,car_t_dose_cells,"
      "solved,max_crs_grade,days_at_grade_2_or_more,crs_onset_day,crs_resolution_day,time_to_resolution_days,"
      "steroid_dexamethasone_equivalent_mg,car_t_peak_per_ul,car_t_peak_day,car_t_auc_per_ul_days,il6_peak_pg_per_ml,"
      "il6_peak_day,leukaemia_log10_reduction,first_tocilizumab_day,first_steroid_day,first_ruxolitinib_day,doses_given,"
      "decisions\n";
  for (const auto& p : r.patients) {
    const VirtualPatient& v = p.patient;
    for (std::size_t a = 0; a < p.arms.size(); ++a) {
      const ArmOutcome& o = p.arms[a];
      const CourseSummary& s = o.summary;
      out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},", v.id, r.arms[a].name, v.sex == Sex::female ? "female" : "male",
                         csv_number(v.age_years), csv_number(v.covariates.weight_kg), csv_number(v.height_cm),
                         csv_number(v.covariates.bsa_m2), csv_number(v.covariates.marrow_blasts_percent),
                         csv_number(p.car_t_cells_per_kg), csv_number(v.covariates.car_t_dose_cells), o.solved ? "yes" : "no");
      if (!o.solved) {
        out += std::string(16, ',') + "\n";
        continue;
      }
      out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n",
                         s.max_crs_grade ? std::to_string(*s.max_crs_grade) : std::string(), csv_number(s.days_at_grade_2_or_more),
                         csv_optional(s.crs_onset_day), csv_optional(s.crs_resolution_day), csv_optional(s.time_to_resolution_days),
                         csv_number(s.steroid_dexamethasone_equivalent_mg), csv_number(s.car_t_peak_per_ul),
                         csv_number(s.car_t_peak_day), csv_number(s.car_t_auc_per_ul_days), csv_number(s.il6_peak_pg_per_ml),
                         csv_number(s.il6_peak_day), csv_number(s.leukaemia_log10_reduction), csv_optional(s.first_tocilizumab_day),
                         csv_optional(s.first_steroid_day), csv_optional(s.first_ruxolitinib_day), s.doses_given, s.decisions);
    }
  }
  return out;
}

void write_trial_outputs(const fs::path& dir, const Scenario& scenario, const TrialResult& r) {
  fs::create_directories(dir);
  if (!r.timelines.empty() && !r.timelines.front().empty()) {
    // The folder is built beside its final place and swapped in whole.
    const fs::path partial = dir / "timelines.partial";
    fs::remove_all(partial);
    for (std::size_t a = 0; a < r.timelines.size(); ++a) {
      const fs::path arm_dir = partial / r.arms[a].name;
      fs::create_directories(arm_dir);
      for (const auto& record : r.timelines[a]) {
        std::ofstream out(arm_dir / (record.patient.id + ".timeline.json"), std::ios::binary | std::ios::trunc);
        out << write_timeline_json(Timeline(record));
        out.close();
        if (!out) throw std::invalid_argument(fmt::format("--out: cannot write under {}", arm_dir.string()));
      }
    }
    fs::remove_all(dir / "timelines");
    fs::rename(partial, dir / "timelines");
  }
  write_file_atomically(dir / "patients.csv", patients_csv(r));
  write_file_atomically(dir / "summary.json", trial_json(scenario, r).dump(2) + "\n");
}

// A one-line bar, redrawn in place; only on a terminal (a log file would fill with carriage returns).
class ProgressBar {
 public:
  void operator()(std::size_t done, std::size_t total) {
    const std::size_t percent = total > 0 ? done * 100 / total : 100;
    if (percent == last_percent_ && done != total) return;
    last_percent_ = percent;
    constexpr std::size_t kWidth = 40;
    const std::size_t filled = percent * kWidth / 100;
    std::cerr << '\r' << '[' << std::string(filled, '#') << std::string(kWidth - filled, '.') << "] "
              << fmt::format("{}/{} patients", done, total) << (done == total ? "\n" : "") << std::flush;
  }

 private:
  std::size_t last_percent_ = 1000;
};

int run_simulate_command(const SimulateCommandOptions& o) {
  Scenario scenario = load_scenario(o.scenario);
  if (o.patients > 0) scenario.patients = o.patients;
  if (o.seed >= 0) scenario.seed = static_cast<std::uint64_t>(o.seed);
  const ProtocolRules rules = ProtocolRules::from(load_rules(o.rules_path));
  TrialOptions options;
  options.threads = o.threads > 0 ? o.threads : std::max(1u, std::thread::hardware_concurrency());
  options.timelines = o.out_dir.empty() ? 0 : o.timelines;
  options.bootstrap_replicates = o.bootstrap;
  if (isatty(fileno(stderr)) != 0) options.progress = ProgressBar();
  const TrialResult result = run_trial(scenario, rules, options);
  if (!o.out_dir.empty()) write_trial_outputs(o.out_dir, scenario, result);
  if (o.as_json) {
    std::cout << trial_json(scenario, result).dump(2) << '\n';
    return kExitOk;
  }
  std::cout << scenario.title << '\n'
            << fmt::format("scenario {} ({}); model {} version {}; {} virtual patients in each of {} arms, {} days, seed {}\n",
                           scenario.name, scenario.file, scenario.model.file, scenario.model.version, scenario.patients,
                           scenario.arms.size(), scenario.days, scenario.seed);
  for (const auto& arm : scenario.arms) {
    std::cout << fmt::format("  {}: {} — protocol {}{}{}\n", arm.name, arm.title, arm.protocol_ref,
                             arm.variations.empty() ? "" : "; ", joined(arm.variations));
  }
  if (result.patients_analysed < result.patients.size()) {
    std::cout << fmt::format("{} patients could not be solved in every arm and are left out of the estimates (see summary.json)\n",
                             result.patients.size() - result.patients_analysed);
  }
  std::vector<std::string> headers = {"metric"};
  for (const auto& arm : result.arms) headers.push_back(arm.name);
  std::vector<std::vector<std::string>> rows, differences;
  for (std::size_t m = 0; m < kTrialMetrics; ++m) {
    std::vector<std::string> row = {std::string(metric_label(static_cast<TrialMetric>(m)))};
    std::vector<std::string> difference = row;
    for (std::size_t a = 0; a < result.arms.size(); ++a) {
      row.push_back(estimate_text(result.arms[a].metrics[m]));
      if (a > 0) difference.push_back(estimate_text(result.arms[a].difference_from_first[m]));
    }
    rows.push_back(std::move(row));
    differences.push_back(std::move(difference));
  }
  std::cout << fmt::format("\nPer arm, estimate [95% percentile bootstrap CI, {} replicates] over {} patients:\n",
                           result.bootstrap_replicates, result.patients_analysed)
            << format_text_table(headers, rows, 0);
  if (result.arms.size() > 1) {
    std::vector<std::string> difference_headers = {"difference from " + result.arms.front().name};
    for (std::size_t a = 1; a < result.arms.size(); ++a) difference_headers.push_back(result.arms[a].name);
    std::cout << "\nPaired differences (arm − " << result.arms.front().name << ", the same virtual patients):\n"
              << format_text_table(difference_headers, differences, 0);
  }
  if (!o.out_dir.empty()) std::cout << fmt::format("\nwritten: {}\n", (fs::path(o.out_dir) / "summary.json").string());
  return kExitOk;
}

}  // namespace

void add_sim_commands(CLI::App& app, SimCommands& commands) {
  commands.twin = app.add_subcommand("twin", "Run a virtual twin of a reported patient in closed loop and compare it day by day");
  auto& o = commands.twin_options;
  commands.twin->add_option("case", o.case_name, "a shipped case (zi2021-adult) or a case file (docs/simulator.md)")->required();
  commands.twin->add_option("--model", o.model, "the patient-model parameter file");
  commands.twin->add_option("--solver", o.solver, "dormand-prince (default) or cvode");
  commands.twin->add_option("--rules", o.rules_path, "site rule overrides (docs/grading.md)");
  commands.twin->add_option("--timeline-out", o.timeline_out, "write the twin's simulated timeline to this file");
  commands.twin->add_flag("--json", o.as_json, "JSON output");

  commands.invitro = app.add_subcommand("invitro", "Simulate the CAR-T / Nalm6 / monocyte co-culture with ruxolitinib or dexamethasone");
  auto& v = commands.invitro_options;
  commands.invitro->add_option("--drug", v.drugs, "ruxolitinib (rux) and/or dexamethasone (dex); default both")
      ->transform(CLI::Transformer(std::map<std::string, std::string>{{"rux", "ruxolitinib"}, {"dex", "dexamethasone"}}));
  commands.invitro->add_option("--conc", v.concentrations_umol_per_l, "concentrations in µmol/L (default 1 10)");
  commands.invitro->add_option("--hours", v.hours, "culture time in hours (default 48)");
  commands.invitro->add_option("--model", v.model, "the in-vitro parameter file");
  commands.invitro->add_option("--solver", v.solver, "dormand-prince (default) or cvode");
  commands.invitro->add_flag("--json", v.as_json, "JSON output");

  commands.simulate = app.add_subcommand("simulate", "Run an in-silico trial: every virtual patient of a scenario in every arm");
  auto& t = commands.simulate_options;
  commands.simulate->add_option("scenario", t.scenario, "a shipped scenario (rux-timing) or a scenario file (docs/simulator-trials.md)")
      ->required();
  commands.simulate->add_option("--patients", t.patients, "number of virtual patients (default: the scenario's)")
      ->check(CLI::PositiveNumber);
  commands.simulate->add_option("--seed", t.seed, "random seed (default: the scenario's)")->check(CLI::NonNegativeNumber);
  commands.simulate->add_option("--threads", t.threads, "worker threads (default: the hardware's); results do not depend on it")
      ->check(CLI::PositiveNumber);
  commands.simulate->add_option("--out", t.out_dir, "write summary.json, patients.csv and timelines/ to this folder");
  commands.simulate->add_option("--timelines", t.timelines, "with --out: the first K patients' timelines per arm");
  commands.simulate->add_option("--bootstrap", t.bootstrap, "bootstrap replicates (default 1000)")->check(CLI::NonNegativeNumber);
  commands.simulate->add_option("--rules", t.rules_path, "site rule overrides (docs/grading.md)");
  commands.simulate->add_flag("--json", t.as_json, "print summary.json instead of the tables");
}

int run_sim_command(const SimCommands& commands) {
  if (commands.twin != nullptr && commands.twin->parsed()) {
    return guarded("twin", [&] { return solving([&] { return run_twin_command(commands.twin_options); }); });
  }
  if (commands.invitro != nullptr && commands.invitro->parsed()) {
    return guarded("invitro", [&] { return solving([&] { return run_invitro_command(commands.invitro_options); }); });
  }
  if (commands.simulate != nullptr && commands.simulate->parsed()) {
    return guarded("simulate", [&] { return solving([&] { return run_simulate_command(commands.simulate_options); }); });
  }
  return -1;
}

}  // namespace crsguard
