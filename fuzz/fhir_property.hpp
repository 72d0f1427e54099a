#pragma once
// The property the FHIR importer must keep for any input (fuzz/fhir_bundle_fuzzer.cpp and
// tests/io/fuzz_regression_test.cpp): imported, with every unmapped code naming its resource; or refused
// with an InputError whose every problem names the file and a reason. Any other exception is a fault.
#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include "core/problem.hpp"
#include "io/fhir/fhir_import.hpp"

namespace crsguard::fuzz {

inline std::optional<std::string> fhir_property_failure(std::string_view text) {
  for (const bool strict : {false, true}) {
    try {
      FhirImportOptions options;
      options.strict = strict;
      const FhirImport imported = import_fhir_bundle(text, "fuzz.json", options);
      for (const UnmappedCode& code : imported.unmapped) {
        if (code.resource.empty() || code.path.empty()) return "an unmapped code without its resource or path";
      }
      if (strict && !imported.unmapped.empty()) return "strict import left codes unmapped";
    } catch (const InputError& error) {
      if (error.problems().empty()) return "an InputError without problems";
      for (const Problem& p : error.problems()) {
        if (p.where.file != "fuzz.json" || p.reason.empty()) return "a problem without the file or a reason: " + p.to_string();
      }
    } catch (const std::exception& error) {
      return std::string("an exception other than InputError: ") + error.what();
    }
  }
  return std::nullopt;
}

}  // namespace crsguard::fuzz
