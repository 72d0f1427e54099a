// Replays every committed seed and regression input of the API's fuzz target
// (fuzz/api_request_property.hpp) so that a fixed fault stays fixed in every test run.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "../io/test_files.hpp"
#include "../temp_folder.hpp"
#include "api_request_property.hpp"

namespace crsguard {
namespace {

TEST(FuzzRegression, ApiRequests) {
  testing::TempFolder folder("api-fuzz");
  fuzz::ApiBench bench(folder.path(), testing::read_text(testing::source_path("examples/adult-case-zi2021.timeline.json")));
  // In name order: the inputs share one store (as in the fuzzer), so the order is part of the test.
  std::vector<std::filesystem::path> inputs;
  for (const char* root : {"fuzz/corpus/api_request", "fuzz/regressions/api_request"}) {
    const auto base = testing::source_path(root);
    if (!std::filesystem::exists(base)) continue;
    for (const auto& entry : std::filesystem::directory_iterator(base)) inputs.push_back(entry.path());
  }
  std::sort(inputs.begin(), inputs.end());
  for (const auto& input : inputs) {
    const auto failure = bench.failure(testing::read_text(input));
    EXPECT_FALSE(failure.has_value()) << input << ": " << failure.value_or("");
  }
  EXPECT_GE(inputs.size(), 10U);
}

}  // namespace
}  // namespace crsguard
