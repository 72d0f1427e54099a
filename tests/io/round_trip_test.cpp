#include <gtest/gtest.h>

#include "core/problem.hpp"
#include "io/timeline_json.hpp"
#include "test_files.hpp"

namespace crsguard {
namespace {

using testing::files_under;
using testing::read_text;

Timeline read_one(const std::string& text) {
  auto timelines = read_timelines_json(text, "test.json");
  EXPECT_EQ(timelines.size(), 1u);
  return std::move(timelines.front());
}

TEST(RoundTrip, EveryExampleIsCanonicalAndRewritesToTheSameBytes) {
  const auto files = files_under("examples", ".json");
  ASSERT_GE(files.size(), 15u) << "the adult case and the 14 children";
  for (const auto& file : files) {
    const std::string text = read_text(file);
    const Timeline timeline = read_one(text);
    EXPECT_EQ(write_timeline_json(timeline), text) << file;
  }
}

// A valid file that is not canonical: keys out of order, other units, calendar times.
constexpr const char* kNonCanonical = R"({
  "events": [
    {"time": "2020-06-03T08:15", "kind": "observation", "code": "body_temperature", "value": 102.2, "unit": "[degF]"},
    {"kind": "observation", "time": {"day": 1, "clock": "06:00"}, "code": "creatinine", "value": 88.4, "unit": "umol/L"},
    {"kind": "observation", "time": {"day": 1}, "code": "crp", "value": 120, "unit": "mg/L",
     "reference_range": {"high": 5}},
    {"kind": "observation", "time": "2020-06-02T07:00", "code": "neutrophils", "value": 800, "unit": "cells/uL"},
    {"kind": "administration", "time": {"day": 2, "clock": "09:00"}, "drug": "tocilizumab",
     "dose": {"value": 0.56, "unit": "g"}, "route": "iv", "duration": {"value": 1, "unit": "h"}},
    {"kind": "oxygen", "time": {"day": 2, "clock": "10:00"}, "device": "nasal_cannula", "flow": {"value": 6, "unit": "L/min"}}
  ],
  "infusion": {"targets": ["CD19"], "product": "axicabtagene ciloleucel", "time": "2020-06-01T10:30"},
  "patient": {"weight": {"value": 154, "unit": "lb"}, "sex": "female", "id": "nc-1", "birth_date": "1971-08-20",
              "height": {"value": 65, "unit": "[in_i]"}},
  "format": "crsguard.timeline/1"
})";

TEST(RoundTrip, NonCanonicalInputBecomesCanonicalAndThenStable) {
  const Timeline timeline = read_one(kNonCanonical);
  const std::string first = write_timeline_json(timeline);
  EXPECT_NE(first, kNonCanonical);
  const std::string second = write_timeline_json(read_one(first));
  EXPECT_EQ(second, first);
}

TEST(RoundTrip, UnitsAreConvertedToCanonicalOnReading) {
  const Timeline timeline = read_one(kNonCanonical);
  const auto json = encode_timeline(timeline);
  EXPECT_EQ(json["patient"]["weight"]["unit"], "kg");
  EXPECT_DOUBLE_EQ(json["patient"]["weight"]["value"].get<double>(), 69.85322498);
  EXPECT_DOUBLE_EQ(json["patient"]["height"]["value"].get<double>(), 165.1);
  EXPECT_EQ(timeline.patient().age_years, 48);
  const auto& events = json["events"];
  // Sorted by time: creatinine (day 1 06:00) ... temperature (day 2 08:15).
  EXPECT_EQ(events[0]["code"], "crp");  // day 1, clock unknown: start of day 1
  EXPECT_EQ(events[0]["unit"], "mg/dL");
  EXPECT_EQ(events[0]["value"], 12);
  EXPECT_EQ(events[0]["reference_range"]["high"], 0.5);
  EXPECT_EQ(events[1]["code"], "creatinine");
  EXPECT_EQ(events[1]["value"], 1);
  EXPECT_EQ(events[2]["code"], "neutrophils");
  EXPECT_EQ(events[2]["value"], 0.8);
  EXPECT_EQ(events[3]["value"], 39);
  EXPECT_EQ(events[3]["time"], "2020-06-03T08:15") << "calendar times are written back as calendar times";
  EXPECT_EQ(events[4]["dose"]["value"], 560);
  EXPECT_EQ(events[4]["dose"]["unit"], "mg");
  EXPECT_EQ(events[4]["duration"]["value"], 60);
  EXPECT_EQ(events[4]["time"]["clock"], "09:00");
}

TEST(RoundTrip, CalendarAndStudyDayTimesAgree) {
  const Timeline timeline = read_one(kNonCanonical);
  for (const Event& event : timeline.events()) {
    if (const auto* observation = event.as<Observation>(); observation && observation->code == ObservationCode::body_temperature) {
      EXPECT_EQ(timeline.study_day(event.time), 2);
      // 2020-06-01T10:30 to 2020-06-03T08:15 is 45 h 45 min.
      EXPECT_EQ(event.time.seconds_since_infusion, 45 * 3600 + 45 * 60);
    }
    if (const auto* observation = event.as<Observation>(); observation && observation->code == ObservationCode::creatinine) {
      // Day 1 06:00 is 19 h 30 min after a 10:30 infusion.
      EXPECT_EQ(event.time.seconds_since_infusion, 19 * 3600 + 30 * 60);
    }
  }
}

TEST(RoundTrip, NumbersAreWrittenInTheirShortestForm) {
  EXPECT_EQ(canonical_number(40.0).dump(), "40");
  EXPECT_EQ(canonical_number(40.8).dump(), "40.8");
  EXPECT_EQ(canonical_number(6e6).dump(), "6000000");
  EXPECT_EQ(canonical_number(0.04).dump(), "0.04");
  EXPECT_EQ(canonical_number(-4.0).dump(), "-4");
  EXPECT_EQ(canonical_number(1e20).dump(), "1e+20");
}

}  // namespace
}  // namespace crsguard
