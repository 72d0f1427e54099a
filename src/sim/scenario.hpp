#pragma once
// An in-silico trial scenario (scenarios/*.yaml, format "crsguard.sim-scenario/1"; every key in
// docs/simulator-trials.md): the virtual population, the clinical clock and team, and the arms, each a
// protocol with optional variations (steps removed, a step's dose or duration changed). Read whole or not
// at all: every problem names the file, line, key and reason.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "io/embedded_file.hpp"
#include "model/protocol.hpp"
#include "sim/closed_loop.hpp"
#include "sim/parameter_file.hpp"
#include "sim/population.hpp"

namespace crsguard {

struct TrialArm {
  std::string name;                     // lower-case letters, digits and '-': also a folder name
  std::string title;
  std::string protocol_ref;             // as the scenario names it
  Protocol protocol;                    // loaded, with the variations applied
  std::vector<std::string> variations;  // in words, for the output ("removed step ruxolitinib")
};

struct Scenario {
  std::string file;
  std::string name;
  std::string title;
  std::string note;
  std::string model_ref;
  ParameterFile model;
  double days = 28;
  int patients = 100;
  std::uint64_t seed = 1;
  ClinicalClock clock;
  ClinicianBehaviour clinician;
  PopulationSpec population;
  std::vector<TrialArm> arms;
};

// Throws InputError listing every problem, each with file, line, column, key and reason.
Scenario read_scenario_yaml(std::string_view text, const std::string& file);

// Shipped scenarios (scenarios/*.yaml) and the protocol variants they use (scenarios/protocols/*.yaml).
std::span<const EmbeddedFile> shipped_scenario_files();
std::span<const EmbeddedFile> shipped_scenario_protocol_files();

// A file on disk, or else a shipped scenario by name ("rux-timing") or by its path in the source tree.
Scenario load_scenario(const std::string& name_or_path);

}  // namespace crsguard
