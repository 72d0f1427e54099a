// Every kind of bad input is rejected, and the problem says where (JSON pointer, or line and
// column), which field, and why: a clinician or data manager must be able to fix the source
// from the message alone. The inputs are the small files in tests/data/bad/, each a valid
// timeline with exactly one thing wrong, so a second problem would be a spurious report.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <ostream>
#include <string>
#include <vector>

#include "core/problem.hpp"
#include "io/timeline_files.hpp"
#include "io/timeline_json.hpp"
#include "test_files.hpp"

namespace crsguard {
namespace {

using testing::source_path;

std::filesystem::path bad_path(const std::string& name) { return source_path("tests/data/bad/" + name); }

// One row per kind of bad input.
struct BadFile {
  const char* file;     // under tests/data/bad/
  const char* pointer;  // expected JSON pointer; "" when the problem is located by line and column
  int line;             // expected line and column (CSV, JSON syntax); 0 = not located by line
  int column;
  const char* field;    // expected field; "" when the problem is about no single field
  const char* reason;   // a substring of the expected reason
};

const BadFile kBadFiles[] = {
    // JSON syntax and the parser's guards.
    {"malformed-json.json", "", 3, 50, "", "malformed JSON: syntax error while parsing object key"},
    {"empty-file.json", "", 1, 1, "", "unexpected end of input"},
    {"duplicate-key.json", "/events/0/value", 0, 0, "value", "key \"value\" appears twice"},
    {"number-overflow.json", "", 20, 16, "", "number 1e400 is too large to represent"},
    // The nesting guard stops the parser with no place at all (no line, no pointer); see the report.
    {"deep-nesting.json", "", 0, 0, "", "nested more than 32 levels deep"},
    // Top level and format.
    {"missing-format.json", "/format", 0, 0, "format", "required field is missing"},
    {"wrong-format-version.json", "/format", 0, 0, "format",
     "unsupported timeline format version \"crsguard.timeline/2\""},
    {"missing-events.json", "/events", 0, 0, "events", "required field is missing"},
    // Patient and infusion.
    {"invalid-patient-id.json", "/patient/id", 0, 0, "id", "patient id \"p 1/x\" must be 1–64 characters"},
    {"unknown-sex.json", "/patient/sex", 0, 0, "sex", "unknown sex \"f\"; expected one of: male, female"},
    {"no-target-antigen.json", "/infusion/targets", 0, 0, "targets", "name at least one target antigen"},
    {"infusion-not-on-day-0.json", "/infusion/time/day", 0, 0, "day", "the infusion defines day 0; found day 2"},
    // Quantities and units.
    {"missing-unit.json", "/events/0/unit", 0, 0, "unit", "a value needs its unit"},
    {"unknown-unit.json", "/events/0/unit", 0, 0, "unit", "unknown unit \"degrees\" for body temperature"},
    {"unit-of-wrong-kind.json", "/events/0/unit", 0, 0, "unit",
     "unit \"mg\" measures mass, but body temperature is a temperature"},
    {"wrong-type.json", "/events/0/value", 0, 0, "value", "expected a number, found a string"},
    {"implausible-temperature.json", "/events/0/value", 0, 0, "value",
     "body temperature 60 Cel is outside the plausible range 30–45 Cel"},
    {"implausible-after-fahrenheit.json", "/events/0/value", 0, 0, "value", "(120 [degF] = 48.8888888889 Cel)"},
    {"anc-in-wrong-unit.json", "/events/0/value", 0, 0, "value",
     "absolute neutrophil count 250 10*9/L is outside the plausible range 0–100 10*9/L"},
    // Field names and enumerations.
    {"unknown-field.json", "/events/0/untis", 0, 0, "untis", "unknown field \"untis\" in an observation event"},
    {"unknown-event-kind.json", "/events/0/kind", 0, 0, "kind", "unknown event kind \"vital\""},
    {"unknown-observation-code.json", "/events/0/code", 0, 0, "code",
     "unknown observation code \"temperature\" (did you mean \"body_temperature\"?)"},
    {"unknown-oxygen-device.json", "/events/0/device", 0, 0, "device", "unknown oxygen device \"mask\""},
    // Times.
    {"time-outside-course.json", "/events/0/time/day", 0, 0, "day", "day 4000 is outside the treatment course"},
    {"calendar-time-without-infusion-date.json", "/events/0/time", 0, 0, "time",
     "a calendar time needs the infusion's calendar time"},
    {"time-zone-offset.json", "/events/0/time", 0, 0, "time", "has a time-zone offset"},
    {"bad-clock.json", "/events/0/time/clock", 0, 0, "clock", "\"25:00\" is not a clock time"},
    // Drugs and supportive care.
    {"dose-in-wrong-unit.json", "/events/0/dose/value", 0, 0, "value",
     "a tocilizumab dose 400000 mg is outside the plausible range 1–1600 mg (400 g = 400000 mg)"},
    {"unsuitable-dose-basis.json", "/events/0/dose/unit", 0, 0, "unit",
     "unsuitable unit \"mg/m2\" for a tocilizumab dose"},
    {"unknown-drug.json", "/events/0/drug", 0, 0, "drug", "unknown drug \"tocilizumub\""},
    {"oxygen-none-with-flow.json", "/events/0/device", 0, 0, "device",
     "device \"none\" cannot have an oxygen flow or FiO2"},
    {"vasopressor-stop-without-start.json", "/events/0/action", 0, 0, "action",
     "stop of norepinephrine, which is not running"},
    {"vasopressin-in-wrong-unit.json", "/events/0/dose/unit", 0, 0, "unit",
     "unsuitable unit \"ug/kg/min\" for vasopressin dose"},
    // Neurological scores.
    {"ice-item-out-of-range.json", "/events/0/ice/orientation", 0, 0, "orientation",
     "5 is outside the accepted range 0–4"},
    {"ice-total-mismatch.json", "/events/0/ice/total", 0, 0, "total",
     "total 10 does not equal the sum of the items (8)"},
    // Outcome and the course as a whole.
    {"event-after-death.json", "/events/0/time", 0, 0, "time", "event on day 12 is after death (day 10)"},
    {"event-after-last-followup.json", "/events/0/time", 0, 0, "time",
     "event on day 40 is after the last follow-up (day 30)"},
    {"death-after-last-followup.json", "/outcome/death/time", 0, 0, "time",
     "death (day 12) is after the last follow-up (day 10)"},
    {"dead-without-death.json", "/outcome/death", 0, 0, "death", "vital_status is \"dead\": give the death's time"},
    // Cohorts.
    {"cohort-duplicate-ids.json", "/timelines/1/patient/id", 0, 0, "id",
     "duplicate patient id \"bad-input\" in the cohort"},
    // CSV: the reader's own checks carry no field; the decoder's carry the JSON field name.
    {"value-without-unit-csv.csv", "", 5, 8, "unit", "patient bad-input: a value needs its unit"},
    {"csv-implausible-temperature.csv", "", 5, 7, "value",
     "patient bad-input: body temperature 60 Cel is outside the plausible range"},
    {"csv-bad-day.csv", "", 5, 2, "", "day \"1.5\" is not a whole number"},
    // A bad clock is reported at the clock cell, not the day cell.
    {"csv-bad-clock.csv", "", 5, 3, "clock", "patient bad-input: \"25:00\" is not a clock time"},
    // A yes/no flag that is neither true nor false is an error, never read as false (as in JSON).
    {"csv-seizure-repetitive-not-boolean.csv", "", 5, 9, "", "\"yes\" is not true or false"},
    {"csv-unknown-column.csv", "", 1, 9, "", "unknown column \"colour\""},
    {"csv-unknown-kind.csv", "", 5, 5, "", "unknown kind \"vital\""},
    {"csv-wrong-field-count.csv", "", 5, 7, "", "row has 7 fields but the header has 10"},
    {"csv-unclosed-quote.csv", "", 5, 10, "", "a quoted field is never closed"},
    {"csv-invalid-utf8.csv", "", 5, 10, "", "the file is not valid UTF-8"},
};

// Names the row by its file in test output instead of dumping the struct's bytes.
void PrintTo(const BadFile& bad, std::ostream* out) { *out << bad.file; }

class BadInputFile : public ::testing::TestWithParam<BadFile> {};

TEST_P(BadInputFile, IsRejectedWithLocationFieldAndReason) {
  const BadFile& bad = GetParam();
  const auto path = bad_path(bad.file);
  ASSERT_TRUE(std::filesystem::exists(path)) << path;
  try {
    load_timelines(path);
    FAIL() << bad.file << " was accepted";
  } catch (const InputError& error) {
    const auto& problems = error.problems();
    // Each file has exactly one thing wrong: more than one problem is a spurious or repeated report.
    EXPECT_EQ(problems.size(), 1u) << ::testing::PrintToString(error.lines());
    EXPECT_EQ(error.dropped(), 0u);
    const auto match = std::find_if(problems.begin(), problems.end(), [&bad](const Problem& problem) {
      return problem.reason.find(bad.reason) != std::string::npos;
    });
    ASSERT_NE(match, problems.end()) << "no problem says \"" << bad.reason
                                     << "\"; got: " << ::testing::PrintToString(error.lines());
    const Problem& problem = *match;
    EXPECT_EQ(problem.where.file, path.string());
    EXPECT_EQ(problem.where.json_pointer, bad.pointer) << problem.to_string();
    EXPECT_EQ(problem.where.field, bad.field) << problem.to_string();
    if (bad.line > 0) {
      EXPECT_EQ(problem.where.line, bad.line) << problem.to_string();
      EXPECT_EQ(problem.where.column, bad.column) << problem.to_string();
    }
    // The one-line form a user sees names the file and every part of the location that is known.
    const std::string line = problem.to_string();
    EXPECT_EQ(line.rfind(path.string() + ":", 0), 0u) << line;
    if (bad.pointer[0] != '\0') {
      EXPECT_NE(line.find(std::string("at ") + bad.pointer), std::string::npos) << line;
    }
    if (bad.field[0] != '\0') {
      EXPECT_NE(line.find("field \"" + std::string(bad.field) + "\""), std::string::npos) << line;
    }
    if (bad.line > 0) {
      EXPECT_NE(line.find("line " + std::to_string(bad.line) + ", column " + std::to_string(bad.column)),
                std::string::npos)
          << line;
    }
  }
}

// "missing-unit.json" -> "missing_unit_json": gtest names allow only letters, digits and '_'.
std::string test_name(const ::testing::TestParamInfo<BadFile>& info) {
  std::string name = info.param.file;
  std::replace_if(name.begin(), name.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(EveryKind, BadInputFile, ::testing::ValuesIn(kBadFiles), test_name);

TEST(BadInput, AtLeastTwentyFiveKindsAndEveryBadFileIsInTheTable) {
  EXPECT_GE(std::size(kBadFiles), 25u);
  // A file added to tests/data/bad/ without a table row would never be checked.
  std::vector<std::string> in_table;
  for (const BadFile& bad : kBadFiles) in_table.emplace_back(bad.file);
  for (const auto& entry : std::filesystem::directory_iterator(source_path("tests/data/bad"))) {
    const std::string name = entry.path().filename().string();
    if (name == "many-problems.json" || name == "duplicate-ids") continue;  // checked by their own tests
    EXPECT_NE(std::find(in_table.begin(), in_table.end(), name), in_table.end()) << name << " has no table row";
  }
}

TEST(BadInput, DuplicatePatientIdsAcrossAFolderNameBothFiles) {
  const auto folder = bad_path("duplicate-ids");
  // Each file alone is valid: the problem is only in putting them together.
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    EXPECT_NO_THROW(load_timelines(entry.path())) << entry.path();
  }
  try {
    load_timelines(folder);
    FAIL() << "a folder with a repeated patient id was accepted";
  } catch (const InputError& error) {
    ASSERT_EQ(error.problems().size(), 1u) << ::testing::PrintToString(error.lines());
    const Problem& problem = error.problems().front();
    EXPECT_EQ(problem.where.file, (folder / "second.timeline.json").string());
    EXPECT_EQ(problem.where.json_pointer, "/patient/id");
    EXPECT_EQ(problem.where.field, "id");
    EXPECT_NE(problem.reason.find("duplicate patient id \"bad-input\""), std::string::npos) << problem.reason;
    EXPECT_NE(problem.reason.find((folder / "first.timeline.json").string()), std::string::npos) << problem.reason;
  }
}

TEST(BadInput, AllFiveProblemsOfAFileAreReportedInOneRun) {
  const auto path = bad_path("many-problems.json");
  try {
    load_timelines(path);
    FAIL() << "accepted";
  } catch (const InputError& error) {
    struct Expected {
      const char* pointer;
      const char* field;
      const char* reason;
    };
    // In the order the reader meets them: infusion, patient, then events.
    const Expected expected[] = {
        {"/infusion/targets", "targets", "name at least one target antigen"},
        {"/patient/sex", "sex", "unknown sex \"f\""},
        {"/events/0/value", "value", "body temperature 60 Cel is outside the plausible range"},
        {"/events/1/device", "device", "unknown oxygen device \"mask\""},
        {"/events/2/dose/value", "value", "a tocilizumab dose 400000 mg is outside the plausible range"},
    };
    const auto& problems = error.problems();
    ASSERT_EQ(problems.size(), std::size(expected)) << ::testing::PrintToString(error.lines());
    EXPECT_EQ(error.dropped(), 0u);
    for (std::size_t i = 0; i < problems.size(); ++i) {
      SCOPED_TRACE(problems[i].to_string());
      EXPECT_EQ(problems[i].where.file, path.string());
      EXPECT_EQ(problems[i].where.json_pointer, expected[i].pointer);
      EXPECT_EQ(problems[i].where.field, expected[i].field);
      EXPECT_NE(problems[i].reason.find(expected[i].reason), std::string::npos);
    }
    EXPECT_EQ(error.lines().size(), problems.size()) << "no 'not shown' line when nothing was dropped";
  }
}

// A timeline whose events are `count` implausible temperatures: one problem each.
std::string timeline_with_bad_events(std::size_t count) {
  std::string events;
  for (std::size_t i = 0; i < count; ++i) {
    if (i > 0) events += ",\n";
    events += R"({"kind": "observation", "time": {"day": 1}, "code": "body_temperature", "value": 99, "unit": "Cel"})";
  }
  return R"({"format": "crsguard.timeline/1", "patient": {"id": "gen", "sex": "male"},
             "infusion": {"product": "CD19 CAR-T", "targets": ["CD19"]}, "events": [)" +
         events + "]}";
}

TEST(BadInput, ProblemsBeyondTheLimitAreCountedNotListed) {
  constexpr std::size_t kBadEvents = 200;
  try {
    read_timelines_json(timeline_with_bad_events(kBadEvents), "gen.json");
    FAIL() << "accepted";
  } catch (const InputError& error) {
    ASSERT_EQ(error.problems().size(), ProblemLog::kDefaultLimit);
    EXPECT_GT(error.dropped(), 0u);
    EXPECT_EQ(error.dropped(), kBadEvents - ProblemLog::kDefaultLimit);
    // The ones kept are the first ones, in file order.
    EXPECT_EQ(error.problems().front().where.json_pointer, "/events/0/value");
    EXPECT_EQ(error.problems().back().where.json_pointer, "/events/49/value");
    const auto lines = error.lines();
    ASSERT_EQ(lines.size(), ProblemLog::kDefaultLimit + 1);
    EXPECT_NE(lines.back().find("150 more problems not shown"), std::string::npos) << lines.back();
    EXPECT_NE(lines.back().find(" 50 "), std::string::npos) << "names the per-file limit: " << lines.back();
  }
}

// A folder's files each keep their own limit; the count of those not shown covers all files
// and the limit it names is the per-file one, not the number listed from all files together.
TEST(BadInput, ProblemLimitIsPerFileInAFolder) {
  const auto folder = std::filesystem::temp_directory_path() /
                      ("crsguard-bad-input-limit-" + std::to_string(::getpid()));
  std::filesystem::remove_all(folder);
  std::filesystem::create_directories(folder);
  for (const char* name : {"a.json", "b.json"}) {
    std::string text = timeline_with_bad_events(200);
    text.replace(text.find("\"gen\""), 5, std::string("\"") + name[0] + "\"");
    std::ofstream(folder / name) << text;
  }
  try {
    load_timelines(folder);
    ADD_FAILURE() << "accepted";
  } catch (const InputError& error) {
    EXPECT_EQ(error.problems().size(), 2 * ProblemLog::kDefaultLimit);
    EXPECT_EQ(error.dropped(), 2 * (200 - ProblemLog::kDefaultLimit));
    const auto lines = error.lines();
    ASSERT_EQ(lines.size(), 2 * ProblemLog::kDefaultLimit + 1);
    EXPECT_NE(lines.back().find("300 more problems not shown"), std::string::npos) << lines.back();
    EXPECT_NE(lines.back().find(" 50 "), std::string::npos) << lines.back();
    EXPECT_EQ(lines.back().find("100"), std::string::npos) << lines.back();
  }
  std::filesystem::remove_all(folder);
}

// The overflow is located at the number itself, not at an earlier string quoting the same
// characters (nlohmann names the literal but not its place; see strict_json.cpp).
TEST(BadInput, NumberOverflowIsLocatedAtTheNumberNotAnEarlierString) {
  const std::string text = "{\"note\": \"1e400\",\n \"value\": 1e400}";
  try {
    read_timelines_json(text, "overflow.json");
    FAIL() << "accepted";
  } catch (const InputError& error) {
    ASSERT_EQ(error.problems().size(), 1u);
    EXPECT_EQ(error.problems().front().where.line, 2) << error.problems().front().to_string();
    EXPECT_EQ(error.problems().front().where.column, 11) << error.problems().front().to_string();
  }
}

// A repeat schedule is expanded into doses, so its doses after death are events after death
// ("No event may come after death or after the last follow-up", docs/timeline-format.md).
TEST(BadInput, RepeatedDosesAfterDeathAreRejected) {
  const std::string text = R"({"format": "crsguard.timeline/1", "patient": {"id": "r", "sex": "male"},
    "infusion": {"product": "CD19 CAR-T", "targets": ["CD19"]},
    "events": [{"kind": "administration", "time": {"day": 5}, "drug": "ruxolitinib",
                "dose": {"value": 10, "unit": "mg"},
                "repeat": {"every": {"value": 12, "unit": "h"}, "count": 100}}],
    "outcome": {"last_followup": {"day": 10}, "vital_status": "dead", "death": {"time": {"day": 10}}}})";
  try {
    read_timelines_json(text, "repeat.json");
    ADD_FAILURE() << "100 doses every 12 h from day 5 (to day 54) were accepted for a patient who died on day 10";
  } catch (const InputError& error) {
    EXPECT_EQ(error.problems().front().where.json_pointer.rfind("/events/0", 0), 0u)
        << error.problems().front().to_string();
  }
}

TEST(BadInput, MissingFileAndFolderWithoutTimelines) {
  try {
    load_timelines(source_path("tests/data/bad/no-such-file.json"));
    FAIL() << "a missing file was accepted";
  } catch (const InputError& error) {
    ASSERT_EQ(error.problems().size(), 1u);
    EXPECT_NE(error.problems().front().reason.find("no such file or folder"), std::string::npos);
  }
  const auto folder = std::filesystem::temp_directory_path() /
                      ("crsguard-bad-input-empty-" + std::to_string(::getpid()));
  std::filesystem::create_directories(folder);
  std::ofstream(folder / "readme.txt") << "not a timeline\n";
  try {
    load_timelines(folder);
    ADD_FAILURE() << "a folder without timeline files was accepted";
  } catch (const InputError& error) {
    EXPECT_NE(error.problems().front().reason.find("holds no timeline files"), std::string::npos);
  }
  std::filesystem::remove_all(folder);
}

TEST(GoodInput, EveryExampleFileLoads) {
  std::vector<std::filesystem::path> files = testing::files_under("examples", ".json");
  const auto csv_files = testing::files_under("examples", ".csv");
  files.insert(files.end(), csv_files.begin(), csv_files.end());
  // 14 paediatric timelines, the adult case as JSON and as CSV.
  EXPECT_GE(files.size(), 16u);
  for (const auto& file : files) {
    try {
      const auto loaded = load_timelines(file);
      EXPECT_EQ(loaded.size(), 1u) << file;
    } catch (const InputError& error) {
      ADD_FAILURE() << file << " was rejected: " << ::testing::PrintToString(error.lines());
    }
  }
}

TEST(GoodInput, PaediatricFolderIsACohortOfFourteen) {
  const auto loaded = load_timelines(source_path("examples/paediatric-cohort-pan2021"));
  EXPECT_EQ(loaded.size(), 14u);
}

}  // namespace
}  // namespace crsguard
