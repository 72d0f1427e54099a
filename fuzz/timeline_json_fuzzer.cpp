// libFuzzer target: the timeline/cohort JSON reader and the canonical writer.
#include <cstdint>
#include <cstdio>

#include "round_trip_property.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (const auto failure = crsguard::fuzz::round_trip_failure(text, crsguard::fuzz::InputFormat::json)) {
    std::fprintf(stderr, "round-trip property broken: %s\n", failure->c_str());
    __builtin_trap();
  }
  return 0;
}
