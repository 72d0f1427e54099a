// libFuzzer target: arbitrary requests to the REST API (fuzz/api_request_property.hpp), on a store
// seeded with the bundled adult case, through a logged-in clinician's session or none.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "api_request_property.hpp"

namespace {

crsguard::fuzz::ApiBench& bench() {
  static crsguard::fuzz::ApiBench* instance = [] {
    char folder[] = "/tmp/crsguard-api-fuzz-XXXXXX";
    if (mkdtemp(folder) == nullptr) std::abort();
    std::ifstream file(CRSGUARD_SOURCE_DIR "/examples/adult-case-zi2021.timeline.json");
    std::stringstream text;
    text << file.rdbuf();
    return new crsguard::fuzz::ApiBench(folder, text.str());
  }();
  return *instance;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto failure = bench().failure(std::string_view(reinterpret_cast<const char*>(data), size));
  if (failure) {
    std::fprintf(stderr, "api_request: %s\n", failure->c_str());
    std::abort();
  }
  return 0;
}
