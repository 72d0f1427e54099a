// The complete example in docs/timeline-format.md is valid, canonical, and covers every
// event kind, so the documentation cannot drift from the reader.
#include <gtest/gtest.h>

#include <set>

#include "io/timeline_json.hpp"
#include "test_files.hpp"

namespace crsguard {
namespace {

std::string example_from_doc() {
  const std::string doc = testing::read_text(testing::source_path("docs/timeline-format.md"));
  const auto section = doc.find("## Complete example");
  const auto start = doc.find("```json\n", section);
  const auto end = doc.find("\n```", start + 8);
  if (section == std::string::npos || start == std::string::npos || end == std::string::npos) return "";
  return doc.substr(start + 8, end - (start + 8) + 1);
}

TEST(FormatDoc, CompleteExampleIsValidAndCanonical) {
  const std::string example = example_from_doc();
  ASSERT_FALSE(example.empty()) << "docs/timeline-format.md has no ```json block under '## Complete example'";
  const auto timelines = read_timelines_json(example, "docs/timeline-format.md");
  ASSERT_EQ(timelines.size(), 1u);
  EXPECT_EQ(write_timeline_json(timelines.front()), example);
}

TEST(FormatDoc, CompleteExampleShowsEveryEventKind) {
  const auto timelines = read_timelines_json(example_from_doc(), "docs/timeline-format.md");
  std::set<EventKind> kinds;
  for (const Event& event : timelines.front().events()) kinds.insert(event.kind());
  EXPECT_EQ(kinds.size(), names(EventKind{}).size());
  EXPECT_TRUE(timelines.front().outcome().has_value());
}

}  // namespace
}  // namespace crsguard
