#pragma once
// Virtual twins: a reported patient (cases/*.json, format "crsguard.sim-case/1") as a virtual patient
// with chosen or fitted parameters, run in closed loop under the protocol the patient was treated by,
// and its course set beside the reported one day by day. Format: docs/simulator.md.
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "io/embedded_file.hpp"
#include "sim/closed_loop.hpp"

namespace crsguard {

struct TwinCase {
  std::string file;
  std::string name;
  std::string title;
  std::string source;
  std::string protocol;          // a shipped protocol name or a path
  std::string reported;          // the reported timeline: a shipped example or a path
  VirtualPatient patient;        // parameters already with the case's values
  std::map<std::string, double> chosen;  // the parameters the case sets, for the output
  double days = 28;
};

std::span<const EmbeddedFile> shipped_case_files();
std::span<const EmbeddedFile> shipped_example_timelines();     // examples/*.timeline.json
std::span<const EmbeddedFile> shipped_paediatric_timelines();  // examples/paediatric-cohort-pan2021/

// Throws InputError naming the file, the pointer and the reason.
TwinCase read_twin_case(std::string_view text, const std::string& file, const ParameterFile& model);
// A shipped case by name ("zi2021-adult") or a file path.
TwinCase load_twin_case(const std::string& name_or_path, const ParameterFile& model);

struct TwinDay {
  int day = 0;
  std::optional<int> reported_grade, simulated_grade;
  std::optional<double> reported_max_temperature, simulated_max_temperature;
  std::optional<double> reported_min_systolic, simulated_min_systolic;
  std::vector<std::string> reported_drugs, simulated_drugs;  // CRS treatment started or given that day
};

struct TwinComparison {
  TwinCase twin;
  SimulatedCourse course;
  std::vector<TwinDay> days;
  int days_compared = 0;          // days on which both courses have a grade
  int days_grade_agrees = 0;
};

TwinComparison run_twin(const TwinCase& twin, const ProtocolRules& rules, const CourseOptions& options);

}  // namespace crsguard
