// libFuzzer target: the simulator's file readers — parameter files (models/*.json) and virtual-twin cases
// (cases/*.json) and trial scenarios (scenarios/*.yaml). Bad input must end in InputError (file, pointer, reason), never in a crash or another
// exception; a parameter file that reads must bind or be refused by bind_patient_parameters the same way.
#include <cstdint>
#include <cstdio>
#include <exception>
#include <string>

#include "core/problem.hpp"
#include "sim/patient_model.hpp"
#include "sim/scenario.hpp"
#include "sim/virtual_twin.hpp"

namespace {

const crsguard::ParameterFile& shipped_model() {
  static const crsguard::ParameterFile file = crsguard::load_parameter_file("models/patient.json");
  return file;
}

template <class Read>
void expect_only_input_errors(const char* what, Read read) {
  try {
    read();
  } catch (const crsguard::InputError&) {
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: unexpected exception: %s\n", what, e.what());
    __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  expect_only_input_errors("parameter file", [&] {
    const crsguard::ParameterFile file = crsguard::read_parameter_file(text, "fuzz.json");
    if (file.model == "patient") crsguard::bind_patient_parameters(file);
  });
  expect_only_input_errors("twin case", [&] { crsguard::read_twin_case(text, "fuzz.json", shipped_model()); });
  expect_only_input_errors("scenario", [&] { crsguard::read_scenario_yaml(text, "fuzz.yaml"); });
  return 0;
}
