// libFuzzer target: the rules-file and rule-overrides readers (fuzz/rules_property.hpp).
#include <cstdint>
#include <cstdio>

#include "rules_property.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (const auto failure = crsguard::fuzz::rules_property_failure(text)) {
    std::fprintf(stderr, "rules property broken: %s\n", failure->c_str());
    __builtin_trap();
  }
  return 0;
}
