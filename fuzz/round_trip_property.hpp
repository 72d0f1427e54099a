#pragma once
// The property every fuzz input is checked against, shared by the libFuzzer targets and by
// tests/io/fuzz_regression_test.cpp (which replays the corpus and regression inputs):
// a reader either rejects its input with InputError, or accepts it, and then the
// canonical re-write reads back and re-writes to the same bytes.
#include <optional>
#include <string>
#include <string_view>

#include "core/problem.hpp"
#include "io/timeline_csv.hpp"
#include "io/timeline_json.hpp"

namespace crsguard::fuzz {

enum class InputFormat { json, csv };

// nullopt when the property holds; otherwise what broke it.
inline std::optional<std::string> round_trip_failure(std::string_view text, InputFormat format) {
  std::vector<Timeline> timelines;
  try {
    timelines = format == InputFormat::json ? read_timelines_json(text, "fuzz-input")
                                            : read_timelines_csv(text, "fuzz-input");
  } catch (const InputError& error) {
    if (error.problems().empty() && error.dropped() == 0) return "InputError without any problem";
    return std::nullopt;
  }
  for (const Timeline& timeline : timelines) {
    const std::string written = write_timeline_json(timeline);
    std::vector<Timeline> again;
    try {
      again = read_timelines_json(written, "rewrite");
    } catch (const InputError& error) {
      return "the canonical re-write was rejected: " + error.lines().front() + "\n" + written;
    }
    if (again.size() != 1) return "the re-write held " + std::to_string(again.size()) + " timelines";
    const std::string rewritten = write_timeline_json(again.front());
    if (rewritten != written) return "re-writing is not stable:\n" + written + "\n---\n" + rewritten;
    (void)again.front().day_summaries();
  }
  return std::nullopt;
}

}  // namespace crsguard::fuzz
