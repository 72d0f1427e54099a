// Virtual patients through the open-loop 28-day treated course (the course of bench/sim_bench.cpp and of
// the treated case of tests/oracles/patient_model_desolve.R), for bench/sim_vs_desolve.sh, which solves
// the same patients with deSolve's lsoda in R.
//   sim_course_driver draws MODEL.json N SEED OUT.csv   writes N parameter sets: every parameter with a
//       cv_percent is its typical value × exp(ω·z), ω² = ln(1 + CV²), z standard normal from splitmix64 and
//       Box–Muller (deterministic on every machine; the file's correlations are not drawn); the others
//       are the typical value. One column per model parameter, %.17g.
//   sim_course_driver solve DRAWS.csv [RUNS]            solves every row with Dormand–Prince at rtol 1e-6
//       (atol 1e-6 × 1e8 cells, 1e-6 × 1e-2 in the other units), the typical covariates; prints the best
//       time of RUNS, patients/s, and the first patient's day-28 states for the script's cross-check.
// Reading the file is not timed (nor is it in R); building each patient's model is.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <numbers>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "sim/dormand_prince.hpp"
#include "sim/dose_schedule.hpp"
#include "sim/ode.hpp"
#include "sim/parameter_file.hpp"
#include "sim/patient_model.hpp"

namespace crsguard {
namespace {

double uniform(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return (static_cast<double>(z >> 11) + 0.5) * 0x1.0p-53;  // in (0, 1)
}

double standard_normal(std::uint64_t& state) {
  const double u1 = uniform(state);
  const double u2 = uniform(state);
  return std::sqrt(-2 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
}

void write_draws(const std::string& model_path, long patients, std::uint64_t seed, const std::string& out_path) {
  const ParameterFile file = load_parameter_file(model_path);
  const PatientParameters typical = bind_patient_parameters(file);  // checks the file is complete
  std::ofstream out(out_path);
  if (!out) throw std::runtime_error("cannot write " + out_path);
  std::string header;
  for (const auto& slot : patient_parameter_slots()) {
    if (!header.empty()) header += ',';
    header += slot.name;
  }
  out << header << '\n';
  std::uint64_t state = seed;
  for (long i = 0; i < patients; ++i) {
    std::string row;
    for (const auto& slot : patient_parameter_slots()) {
      const double cv = file.find(slot.name)->cv_percent / 100;
      double value = typical.*slot.member;
      if (cv > 0) value *= std::exp(std::sqrt(std::log1p(cv * cv)) * standard_normal(state));
      if (!row.empty()) row += ',';
      row += fmt::format("{:.17g}", value);
    }
    out << row << '\n';
  }
}

std::vector<PatientParameters> read_draws(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::string line;
  std::getline(in, line);
  std::vector<double PatientParameters::*> columns;
  std::stringstream header(line);
  for (std::string name; std::getline(header, name, ',');) {
    double PatientParameters::*member = nullptr;
    for (const auto& slot : patient_parameter_slots()) {
      if (slot.name == name) member = slot.member;
    }
    if (member == nullptr) throw std::runtime_error(path + ": the model has no parameter " + name);
    columns.push_back(member);
  }
  if (columns.size() != patient_parameter_slots().size()) throw std::runtime_error(path + ": not every parameter");
  std::vector<PatientParameters> out;
  while (std::getline(in, line)) {
    PatientParameters p;
    std::string_view rest = line;
    for (const auto member : columns) {
      const std::size_t comma = rest.find(',');
      const std::string_view field = rest.substr(0, comma);
      double value = 0;
      const auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), value);
      if (error != std::errc() || end != field.data() + field.size()) {
        throw std::runtime_error(fmt::format("{} line {}: \"{}\" is not a number", path, out.size() + 2, field));
      }
      p.*member = value;
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
    out.push_back(p);
  }
  return out;
}

// The treated course (sim/dose_schedule.hpp reference_treated_schedule), read every day; the state at day 28.
std::array<double, kPatientStates> run_course(const PatientParameters& p, const OdeTolerances& tolerances) {
  static const std::vector<double> days = [] {
    std::vector<double> out;
    for (int day = 1; day <= 28; ++day) out.push_back(day);
    return out;
  }();
  PatientModel model(p, PatientCovariates{});
  std::array<double, kPatientStates> out{};
  solve_schedule<DormandPrinceIntegrator<PatientModel>>(model, reference_treated_schedule(p), days, tolerances,
                                                        [&](double day, std::span<const double> y) {
                                                          if (day == days.back()) std::copy(y.begin(), y.end(), out.begin());
                                                        });
  return out;
}

int solve(const std::string& path, int runs) {
  const std::vector<PatientParameters> patients = read_draws(path);
  if (patients.empty()) throw std::runtime_error(path + ": no patients");
  const OdeTolerances tolerances = tolerances_by_kind(1e-6, 1e2, 1e-8);  // as bench/sim_bench.cpp
  double best = 0;
  std::array<double, kPatientStates> first{};
  double checksum = 0;
  for (int run = 0; run < runs; ++run) {
    const auto start = std::chrono::steady_clock::now();
    checksum = 0;
    for (std::size_t i = 0; i < patients.size(); ++i) {
      const auto end_state = run_course(patients[i], tolerances);
      if (i == 0) first = end_state;
      checksum += end_state[state::il6];
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (run == 0 || seconds < best) best = seconds;
  }
  std::printf("patients %zu\n", patients.size());
  std::printf("seconds %.6f\n", best);
  std::printf("patients_per_second %.1f\n", static_cast<double>(patients.size()) / best);
  std::printf("mean_il6_day28 %.10g\n", checksum / static_cast<double>(patients.size()));
  for (std::size_t i = 0; i < kPatientStates; ++i) {
    std::printf("first_%s %.17g\n", std::string(patient_state_name(i)).c_str(), first[i]);
  }
  return 0;
}

}  // namespace
}  // namespace crsguard

int main(int argc, char** argv) {
  try {
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (args.size() == 5 && args[0] == "draws") {
      crsguard::write_draws(args[1], std::stol(args[2]), std::stoull(args[3]), args[4]);
      return 0;
    }
    if ((args.size() == 2 || args.size() == 3) && args[0] == "solve") {
      return crsguard::solve(args[1], args.size() == 3 ? std::stoi(args[2]) : 3);
    }
    std::fprintf(stderr, "usage: sim_course_driver draws MODEL.json N SEED OUT.csv\n"
                         "       sim_course_driver solve DRAWS.csv [RUNS]\n");
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sim_course_driver: %s\n", e.what());
    return 1;
  }
}
