// Replays every committed fuzz seed and regression input through the fuzz property
// (fuzz/round_trip_property.hpp), so a fixed crash stays fixed in every test run.
#include <gtest/gtest.h>

#include "round_trip_property.hpp"
#include "rules_property.hpp"
#include "test_files.hpp"

namespace crsguard {
namespace {

void replay(const std::string& folder, fuzz::InputFormat format) {
  for (const std::string root : {"fuzz/corpus/", "fuzz/regressions/"}) {
    const auto base = testing::source_path(root + folder);
    if (!std::filesystem::exists(base)) continue;
    for (const auto& entry : std::filesystem::directory_iterator(base)) {
      if (!entry.is_regular_file()) continue;
      const auto failure = fuzz::round_trip_failure(testing::read_text(entry.path()), format);
      EXPECT_FALSE(failure.has_value()) << entry.path() << ": " << failure.value_or("");
    }
  }
}

TEST(FuzzRegression, TimelineJsonInputs) { replay("timeline_json", fuzz::InputFormat::json); }
TEST(FuzzRegression, TimelineCsvInputs) { replay("timeline_csv", fuzz::InputFormat::csv); }

TEST(FuzzRegression, RulesInputs) {
  int replayed = 0;
  for (const std::string root : {"fuzz/corpus/rules_json", "fuzz/regressions/rules_json"}) {
    const auto base = testing::source_path(root);
    if (!std::filesystem::exists(base)) continue;
    for (const auto& entry : std::filesystem::directory_iterator(base)) {
      const auto failure = fuzz::rules_property_failure(testing::read_text(entry.path()));
      EXPECT_FALSE(failure.has_value()) << entry.path() << ": " << failure.value_or("");
      ++replayed;
    }
  }
  EXPECT_GE(replayed, 3);
}

}  // namespace
}  // namespace crsguard
