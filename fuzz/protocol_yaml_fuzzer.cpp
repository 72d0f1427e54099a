// libFuzzer target: the protocol reader (fuzz/protocol_property.hpp), through yaml-cpp's parser.
#include <cstdint>
#include <cstdio>

#include "protocol_property.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (const auto failure = crsguard::fuzz::protocol_property_failure(text)) {
    std::fprintf(stderr, "protocol property broken: %s\n", failure->c_str());
    __builtin_trap();
  }
  return 0;
}
