#pragma once
// A model's parameter file (models/*.json, format "crsguard.sim-parameters/1"): for every parameter its
// value, unit, inter-individual variability and source, so that no model constant hides in code.
// The format is documented in docs/simulator.md.
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/problem.hpp"
#include "io/embedded_file.hpp"

namespace crsguard {

// How far a value has been checked against its source (../shared/spec/model.md §0).
enum class Confidence : unsigned char {
  confirmed,  // [C] seen in a primary source, a label or a faithful transcription
  secondary,  // [S] seen only in a secondary source
  memory,     // [M] from the literature, not confirmed in a retrieved text
  assumed,    // [A] assumed, derived or calibrated
};
std::string_view confidence_tag(Confidence confidence);  // "C", "S", "M", "A"

struct SimParameter {
  std::string name;
  std::string symbol;      // as model.md writes it ("ρ_max")
  double value = 0;        // typical value, in `unit`
  std::string unit;
  double cv_percent = 0;   // log-normal inter-individual variability; 0: the same in every patient
  std::string source;      // a key of the file's references
  Confidence confidence = Confidence::assumed;
  std::string note;
};

struct ParameterCorrelation {
  std::string first;
  std::string second;
  double r = 0;            // correlation of the two log-normal deviations
  std::string source;
};

struct ParameterFile {
  std::string file;        // where it was read from (for messages)
  std::string model;       // "patient", "invitro"
  std::string version;
  std::string title;
  std::map<std::string, std::string> references;  // key → citation
  std::vector<SimParameter> parameters;           // in file order
  std::vector<ParameterCorrelation> correlations;

  [[nodiscard]] const SimParameter* find(std::string_view name) const;
};

// Throws InputError naming the file, the JSON pointer and the reason: unknown keys, a value without a unit
// or a source, a source missing from the references, a CV below 0, a correlation outside (−1, 1) or
// naming an unknown parameter or one without variability.
ParameterFile read_parameter_file(std::string_view text, const std::string& file);

// The parameter files shipped in models/, compiled into the binary.
std::span<const EmbeddedFile> shipped_model_files();
// A shipped file by name ("models/patient.json"), or a file on disk for any other path.
ParameterFile load_parameter_file(const std::string& name_or_path);

// The parameter file with some values replaced (a virtual twin's fitted values, a scenario's variation);
// throws InputError at `where` when a name is unknown or a value is not finite and positive where the
// original was.
ParameterFile with_values(ParameterFile file, const std::map<std::string, double>& values, const std::string& where);

// What a model expects of its file: each parameter's name and the unit it is kept in.
struct ExpectedParameter {
  std::string_view name;
  std::string_view unit;
};

// Checks `file` against a model (`model`: "patient"; `model_words`: "the patient model"): the file's model
// name, every expected parameter present in its unit and not negative, no other parameter. Logs each problem
// in `log` (which the caller throws, after any checks of its own) and returns the values in expected order.
std::vector<double> expected_values(const ParameterFile& file, std::string_view model, std::string_view model_words,
                                    std::span<const ExpectedParameter> expected, ProblemLog& log);

// The same for a model whose parameters are a struct of doubles listed by slots {name, unit, member}.
template <class Parameters, class Slot>
Parameters bind_slots(const ParameterFile& file, std::string_view model, std::string_view model_words,
                      std::span<const Slot> slots, ProblemLog& log) {
  std::vector<ExpectedParameter> expected;
  expected.reserve(slots.size());
  for (const Slot& slot : slots) expected.push_back({slot.name, slot.unit});
  const std::vector<double> values = expected_values(file, model, model_words, expected, log);
  Parameters out;
  for (std::size_t i = 0; i < slots.size(); ++i) out.*(slots[i].member) = values[i];
  return out;
}

}  // namespace crsguard
