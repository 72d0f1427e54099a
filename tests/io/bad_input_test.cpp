// One case per kind of bad input: each must be rejected with the file, the location
// (JSON pointer, or CSV line and column), the field and a reason that says why.
#include <gtest/gtest.h>

#include <fstream>

#include "core/problem.hpp"
#include "io/timeline_csv.hpp"
#include "io/timeline_files.hpp"
#include "io/timeline_json.hpp"
#include "test_files.hpp"

namespace crsguard {
namespace {

// A valid timeline with `events` spliced in, and optionally other top-level text.
std::string timeline(const std::string& events, const std::string& extra = "",
                     const std::string& infusion = R"({"product": "CD19 CAR-T", "targets": ["CD19"]})",
                     const std::string& patient = R"({"id": "p1", "sex": "female"})") {
  return R"({"format": "crsguard.timeline/1", "patient": )" + patient + R"(, "infusion": )" + infusion +
         R"(, "events": [)" + events + "]" + extra + "}";
}

std::string temperature(const std::string& value_and_unit, const std::string& time = R"({"day": 1})") {
  return R"({"kind": "observation", "time": )" + time + R"(, "code": "body_temperature", )" + value_and_unit + "}";
}

struct BadJsonCase {
  const char* kind;
  std::string text;
  const char* pointer;  // expected JSON pointer ("" when the problem has a line instead)
  const char* field;
  const char* reason;   // a substring of the reason
};

std::vector<BadJsonCase> bad_json_cases() {
  return {
      {"malformed JSON", R"({"format": "crsguard.timeline/1",)", "", "", "malformed JSON"},
      {"empty file", "", "", "", "malformed JSON"},
      {"missing format", R"({"patient": {"id": "p", "sex": "male"}, "infusion": {"product": "x", "targets": ["CD19"]}, "events": []})",
       "/format", "format", "required field is missing"},
      {"wrong format version",
       R"({"format": "crsguard.timeline/9", "patient": {"id": "p", "sex": "male"}, "infusion": {"product": "x", "targets": ["CD19"]}, "events": []})",
       "/format", "format",
       "unsupported timeline format version"},
      {"missing unit", timeline(temperature(R"("value": 38.5)")), "/events/0/unit", "unit", "needs its unit"},
      {"unknown unit", timeline(temperature(R"("value": 38.5, "unit": "degrees")")), "/events/0/unit", "unit",
       "unknown unit \"degrees\""},
      {"unit of the wrong kind", timeline(temperature(R"("value": 38.5, "unit": "mg")")), "/events/0/unit", "unit",
       "measures mass, but body temperature is a temperature"},
      {"implausible value", timeline(temperature(R"("value": 60, "unit": "Cel")")), "/events/0/value", "value",
       "outside the plausible range 30–45 Cel"},
      {"implausible after conversion", timeline(temperature(R"("value": 120, "unit": "[degF]")")), "/events/0/value",
       "value", "(120 [degF] = 48.8888888889 Cel)"},
      {"ANC in the wrong unit (Synthea trap)",
       timeline(R"({"kind": "observation", "time": {"day": 3}, "code": "neutrophils", "value": 250, "unit": "10*3/uL"})"),
       "/events/0/value", "value", "absolute neutrophil count 250 10*9/L is outside the plausible range"},
      {"wrong type", timeline(temperature(R"("value": "38.5", "unit": "Cel")")), "/events/0/value", "value",
       "expected a number, found a string"},
      {"duplicate key", timeline(temperature(R"("value": 38.5, "value": 39, "unit": "Cel")")), "/events/0/value",
       "value", "appears twice"},
      {"unknown field", timeline(temperature(R"("value": 38.5, "untis": "Cel", "unit": "Cel")")), "/events/0/untis",
       "untis", "unknown field \"untis\""},
      {"unknown event kind", timeline(R"({"kind": "vital", "time": {"day": 1}})"), "/events/0/kind", "kind",
       "unknown event kind \"vital\""},
      {"unknown observation code",
       timeline(R"({"kind": "observation", "time": {"day": 1}, "code": "temperature", "value": 38, "unit": "Cel"})"),
       "/events/0/code", "code", "did you mean \"body_temperature\""},
      {"unknown oxygen device", timeline(R"({"kind": "oxygen", "time": {"day": 1}, "device": "mask"})"),
       "/events/0/device", "device", "unknown oxygen device \"mask\""},
      {"oxygen none with a flow",
       timeline(R"({"kind": "oxygen", "time": {"day": 1}, "device": "none", "flow": {"value": 2, "unit": "L/min"}})"),
       "/events/0/device", "device", "cannot have an oxygen flow"},
      {"time far outside the course", timeline(temperature(R"("value": 38.5, "unit": "Cel")", R"({"day": 40000})")),
       "/events/0/time/day", "day", "outside the treatment course"},
      {"bad clock", timeline(temperature(R"("value": 38.5, "unit": "Cel")", R"({"day": 1, "clock": "25:00"})")),
       "/events/0/time/clock", "clock", "not a clock time"},
      {"calendar time without infusion date",
       timeline(temperature(R"("value": 38.5, "unit": "Cel")", R"("2020-06-02T10:00")")), "/events/0/time", "time",
       "needs the infusion's calendar time"},
      {"time-zone offset",
       timeline(temperature(R"("value": 38.5, "unit": "Cel")", R"("2020-06-02T10:00+02:00")"), "",
                R"({"product": "x", "targets": ["CD19"], "time": "2020-06-01T09:00"})"),
       "/events/0/time", "time", "time-zone offset"},
      {"dose in the wrong unit",
       timeline(R"({"kind": "administration", "time": {"day": 5}, "drug": "tocilizumab", "dose": {"value": 400, "unit": "g"}})"),
       "/events/0/dose/value", "value", "400 g = 400000 mg"},
      {"dose basis a drug does not use",
       timeline(R"({"kind": "administration", "time": {"day": 5}, "drug": "tocilizumab", "dose": {"value": 400, "unit": "mg/m2"}})"),
       "/events/0/dose/unit", "unit", "unsuitable unit \"mg/m2\""},
      {"unknown drug",
       timeline(R"({"kind": "administration", "time": {"day": 5}, "drug": "tocilizumub", "dose": {"value": 400, "unit": "mg"}})"),
       "/events/0/drug", "drug", "unknown drug \"tocilizumub\""},
      {"ICE item out of range",
       timeline(R"({"kind": "neuro", "time": {"day": 4}, "ice": {"orientation": 5, "naming": 3, "commands": 1, "writing": 1, "attention": 1}})"),
       "/events/0/ice/orientation", "orientation", "outside the accepted range 0–4"},
      {"ICE total disagrees with items",
       timeline(R"({"kind": "neuro", "time": {"day": 4}, "ice": {"total": 10, "orientation": 2, "naming": 3, "commands": 1, "writing": 1, "attention": 1}})"),
       "/events/0/ice/total", "total", "does not equal the sum of the items (8)"},
      {"vasopressor stopped that never started",
       timeline(R"({"kind": "vasopressor", "time": {"day": 4}, "agent": "norepinephrine", "action": "stop"})"),
       "/events/0/action", "action", "not running"},
      {"vasopressin in µg/kg/min",
       timeline(R"({"kind": "vasopressor", "time": {"day": 4}, "agent": "vasopressin", "action": "start", "dose": {"value": 0.04, "unit": "ug/kg/min"}})"),
       "/events/0/dose/unit", "unit", "vasopressin dose"},
      {"event after death",
       timeline(temperature(R"("value": 38.5, "unit": "Cel")", R"({"day": 20})"),
                R"(, "outcome": {"last_followup": {"day": 10}, "vital_status": "dead", "death": {"time": {"day": 10}}})"),
       "/events/0/time", "time", "after death (day 10)"},
      {"dead without a death", timeline("", R"(, "outcome": {"last_followup": {"day": 10}, "vital_status": "dead"})"),
       "/outcome/death", "death", "give the death's time"},
      {"invalid patient id", timeline("", "", R"({"product": "x", "targets": ["CD19"]})", R"({"id": "p 1/x", "sex": "male"})"),
       "/patient/id", "id", "must be 1–64 characters"},
      {"number too large", timeline(temperature(R"("value": 1e400, "unit": "Cel")")), "", "", "1e400 is too large"},
      {"nesting too deep", std::string(200, '[') + std::string(200, ']'), "", "", "nested more than"},
      {"infusion not on day 0", timeline("", "", R"({"product": "x", "targets": ["CD19"], "time": {"day": 2}})"),
       "/infusion/time/day", "day", "the infusion defines day 0"},
  };
}

TEST(BadInput, EveryKindIsRejectedWithLocationFieldAndReason) {
  const auto cases = bad_json_cases();
  ASSERT_GE(cases.size(), 30u);
  for (const auto& bad : cases) {
    SCOPED_TRACE(bad.kind);
    try {
      read_timelines_json(bad.text, "bad.json");
      ADD_FAILURE() << "accepted: " << bad.text;
    } catch (const InputError& error) {
      bool found = false;
      for (const Problem& problem : error.problems()) {
        EXPECT_EQ(problem.where.file, "bad.json");
        if (problem.reason.find(bad.reason) == std::string::npos) continue;
        found = true;
        EXPECT_EQ(problem.where.json_pointer, bad.pointer) << problem.to_string();
        EXPECT_EQ(problem.where.field, bad.field) << problem.to_string();
        // Syntax problems carry a line; only the nesting guard, which stops the parser, has none.
        if (bad.pointer[0] == '\0' && std::string(bad.reason) != "nested more than") {
          EXPECT_GT(problem.where.line, 0) << problem.to_string();
        }
      }
      EXPECT_TRUE(found) << "no problem says \"" << bad.reason << "\"; got: " << error.lines().front();
    }
  }
}

TEST(BadInput, SyntaxErrorsNameLineAndColumn) {
  try {
    read_timelines_json("{\n  \"format\": \"crsguard.timeline/1\",\n  \"patient\": {\"id\": \"p\",}\n}", "syntax.json");
    FAIL();
  } catch (const InputError& error) {
    ASSERT_EQ(error.problems().size(), 1u);
    EXPECT_EQ(error.problems()[0].where.line, 3);
    EXPECT_EQ(error.problems()[0].where.column, 25);  // the "}" after the trailing comma
    EXPECT_EQ(error.problems()[0].to_string().rfind("syntax.json: line 3, column 25: malformed JSON", 0), 0u)
        << error.problems()[0].to_string();
  }
}

TEST(BadInput, AllProblemsOfAFileAreReportedInOneRun) {
  const std::string text = timeline(temperature(R"("value": 60, "unit": "Cel")") + "," +
                                    R"({"kind": "oxygen", "time": {"day": 1}, "device": "mask"},)" +
                                    R"({"kind": "administration", "time": {"day": 2}, "drug": "tocilizumab", "dose": {"value": 400, "unit": "g"}},)" +
                                    temperature(R"("value": 38)") + "," + R"({"kind": "nonsense", "time": {"day": 1}})",
                                    "", R"({"product": "x", "targets": []})");
  try {
    read_timelines_json(text, "many.json");
    FAIL();
  } catch (const InputError& error) {
    std::vector<std::string> pointers;
    for (const auto& problem : error.problems()) pointers.push_back(problem.where.json_pointer);
    const std::vector<std::string> expected{"/infusion/targets", "/events/0/value", "/events/1/device",
                                            "/events/2/dose/value", "/events/3/unit", "/events/4/kind"};
    EXPECT_EQ(pointers, expected);
  }
}

TEST(BadInput, ProblemsBeyondTheLimitAreCountedNotListed) {
  std::string events;
  for (int i = 0; i < 200; ++i) events += (i ? "," : "") + temperature(R"("value": 99, "unit": "Cel")");
  try {
    read_timelines_json(timeline(events), "flood.json");
    FAIL();
  } catch (const InputError& error) {
    EXPECT_EQ(error.problems().size(), ProblemLog::kDefaultLimit);
    EXPECT_GT(error.dropped(), 0u);
    EXPECT_NE(error.lines().back().find("more problems not shown"), std::string::npos) << error.lines().back();
  }
}

TEST(BadInput, CsvProblemsNameLineAndColumn) {
  const std::string header = "patient_id,day,clock,datetime,kind,item,value,unit,detail,note\n";
  const std::string skeleton = "p,,,,patient,sex,male,,,\np,,,,infusion,product,CAR-T,,,\np,,,,infusion,target,CD19,,,\n";
  struct CsvCase {
    const char* kind;
    std::string text;
    int line;
    int column;
    const char* reason;
  };
  const std::vector<CsvCase> cases{
      {"unknown column", "patient_id,kind,item,colour\n", 1, 4, "unknown column \"colour\""},
      {"missing required column", "patient_id,item\n", 1, 0, "no \"kind\" column"},
      {"wrong field count", header + skeleton + "p,1,,,observation,heart_rate,100\n", 5, 7, "row has 7 fields"},
      {"day not a whole number", header + skeleton + "p,1.5,,,observation,heart_rate,100,/min,,\n", 5, 2,
       "not a whole number"},
      {"value without unit", header + skeleton + "p,1,,,observation,heart_rate,100,,,\n", 5, 8, "needs its unit"},
      {"value not a number", header + skeleton + "p,1,,,observation,heart_rate,fast,/min,,\n", 5, 7, "not a number"},
      {"unclosed quote", header + skeleton + "p,1,,,observation,heart_rate,100,/min,,\"oops\n", 5, 10,
       "never closed"},
      {"detail not key=value", header + skeleton + "p,1,,,observation,heart_rate,100,/min,max,\n", 5, 9,
       "not key=value"},
      {"invalid UTF-8", header + skeleton + "p,1,,,observation,heart_rate,100,/min,,caf\xE9\n", 5, 10, "not valid UTF-8"},
  };
  for (const auto& bad : cases) {
    SCOPED_TRACE(bad.kind);
    try {
      read_timelines_csv(bad.text, "bad.csv");
      ADD_FAILURE() << "accepted";
    } catch (const InputError& error) {
      const Problem& problem = error.problems().front();
      EXPECT_EQ(problem.where.file, "bad.csv");
      EXPECT_EQ(problem.where.line, bad.line) << problem.to_string();
      EXPECT_EQ(problem.where.column, bad.column) << problem.to_string();
      EXPECT_NE(problem.reason.find(bad.reason), std::string::npos) << problem.to_string();
    }
  }
}

TEST(BadInput, DuplicatePatientIdsAcrossACohortFolder) {
  const auto folder = std::filesystem::temp_directory_path() / "crsguard-duplicate-ids";
  std::filesystem::remove_all(folder);
  std::filesystem::create_directories(folder);
  for (const char* name : {"a.json", "b.json"}) std::ofstream(folder / name) << timeline("");
  try {
    load_timelines(folder);
    FAIL();
  } catch (const InputError& error) {
    ASSERT_EQ(error.problems().size(), 1u);
    EXPECT_NE(error.problems()[0].reason.find("duplicate patient id \"p1\""), std::string::npos);
    EXPECT_EQ(error.problems()[0].where.file, (folder / "b.json").string());
  }
  std::filesystem::remove_all(folder);
}

TEST(BadInput, DuplicatePatientIdsInACohortFile) {
  const std::string one = timeline("");
  const std::string cohort = R"({"format": "crsguard.cohort/1", "name": "c", "timelines": [)" + one + "," + one + "]}";
  try {
    read_timelines_json(cohort, "cohort.json");
    FAIL();
  } catch (const InputError& error) {
    EXPECT_EQ(error.problems()[0].where.json_pointer, "/timelines/1/patient/id");
  }
}

TEST(BadInput, MissingFileAndEmptyFolder) {
  EXPECT_THROW(load_timelines("/nonexistent/crsguard.json"), InputError);
  const auto folder = std::filesystem::temp_directory_path() / "crsguard-empty-folder";
  std::filesystem::create_directories(folder);
  EXPECT_THROW(load_timelines(folder), InputError);
  std::filesystem::remove_all(folder);
}

TEST(GoodInput, EveryExampleLoads) {
  for (const char* path : {"examples/adult-case-zi2021.timeline.json", "examples/adult-case-zi2021.csv",
                           "examples/paediatric-cohort-pan2021"}) {
    EXPECT_NO_THROW(load_timelines(testing::source_path(path))) << path;
  }
  EXPECT_EQ(load_timelines(testing::source_path("examples/paediatric-cohort-pan2021")).size(), 14u);
}

}  // namespace
}  // namespace crsguard
