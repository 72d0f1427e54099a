// Replays every committed fuzz seed and regression input through its target's fuzz property
// (fuzz/round_trip_property.hpp, rules_property.hpp, protocol_property.hpp), so a fixed crash
// stays fixed in every test run.
#include <gtest/gtest.h>

#include "fhir_property.hpp"
#include "protocol_property.hpp"
#include "round_trip_property.hpp"
#include "rules_property.hpp"
#include "test_files.hpp"

namespace crsguard {
namespace {

// Checks `property` on every file of fuzz/corpus/<target>/ and fuzz/regressions/<target>/;
// returns how many files there were.
template <class Property>
int replay(const std::string& target, Property property) {
  int replayed = 0;
  for (const std::string root : {"fuzz/corpus/", "fuzz/regressions/"}) {
    const auto base = testing::source_path(root + target);
    if (!std::filesystem::exists(base)) continue;
    for (const auto& entry : std::filesystem::directory_iterator(base)) {
      if (!entry.is_regular_file()) continue;
      const auto failure = property(testing::read_text(entry.path()));
      EXPECT_FALSE(failure.has_value()) << entry.path() << ": " << failure.value_or("");
      ++replayed;
    }
  }
  return replayed;
}

TEST(FuzzRegression, TimelineJsonInputs) {
  replay("timeline_json", [](std::string_view text) { return fuzz::round_trip_failure(text, fuzz::InputFormat::json); });
}

TEST(FuzzRegression, TimelineCsvInputs) {
  replay("timeline_csv", [](std::string_view text) { return fuzz::round_trip_failure(text, fuzz::InputFormat::csv); });
}

TEST(FuzzRegression, RulesInputs) { EXPECT_GE(replay("rules_json", fuzz::rules_property_failure), 3); }

TEST(FuzzRegression, FhirBundleInputs) { EXPECT_GE(replay("fhir_bundle", fuzz::fhir_property_failure), 4); }

TEST(FuzzRegression, ProtocolInputs) { EXPECT_GE(replay("protocol_yaml", fuzz::protocol_property_failure), 3); }

}  // namespace
}  // namespace crsguard
