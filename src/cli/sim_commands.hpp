#pragma once
// The simulator's commands (docs/simulator.md): `crsguard twin CASE` runs a virtual twin in closed loop and
// prints its course beside the reported one; `crsguard invitro` runs the co-culture of model.md §2.8;
// `crsguard simulate SCENARIO` runs an in-silico trial (docs/simulator-trials.md).
#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace crsguard {

struct TwinCommandOptions {
  std::string case_name;
  std::string model = "models/patient.json";
  std::string solver = "dormand-prince";
  std::string rules_path;
  std::string timeline_out;  // the twin's simulated timeline, as a timeline JSON file
  bool as_json = false;
};

struct InVitroCommandOptions {
  std::vector<std::string> drugs = {"ruxolitinib", "dexamethasone"};  // each at every concentration
  std::vector<double> concentrations_umol_per_l = {1, 10};
  double hours = 48;
  std::string model = "models/invitro.json";
  std::string solver = "dormand-prince";
  bool as_json = false;
};

struct SimulateCommandOptions {
  std::string scenario;
  int patients = 0;               // 0: the scenario's
  std::int64_t seed = -1;         // -1: the scenario's
  unsigned threads = 0;           // 0: std::thread::hardware_concurrency()
  std::string out_dir;            // summary.json, patients.csv, timelines/
  std::size_t timelines = 0;      // the first K patients' timelines per arm, under out_dir/timelines/ARM/
  int bootstrap = 1000;
  std::string rules_path;
  bool as_json = false;
};

struct SimCommands {
  CLI::App* twin = nullptr;
  TwinCommandOptions twin_options;
  CLI::App* invitro = nullptr;
  InVitroCommandOptions invitro_options;
  CLI::App* simulate = nullptr;
  SimulateCommandOptions simulate_options;
};

void add_sim_commands(CLI::App& app, SimCommands& commands);
// Returns the exit status, or -1 when no simulator command was chosen.
int run_sim_command(const SimCommands& commands);

}  // namespace crsguard
