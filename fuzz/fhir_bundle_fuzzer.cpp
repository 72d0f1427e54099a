// libFuzzer target: FHIR R4 Bundles in (io/fhir/fhir_import.hpp). Property (fuzz/fhir_property.hpp): a
// Bundle is imported or refused with an InputError whose every problem names the file and says why;
// nothing else escapes.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "fhir_property.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto failure = crsguard::fuzz::fhir_property_failure(std::string_view(reinterpret_cast<const char*>(data), size));
  if (failure) {
    std::fprintf(stderr, "fhir_bundle: %s\n", failure->c_str());
    std::abort();
  }
  return 0;
}
