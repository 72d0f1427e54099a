// `crsguard db …` as a user runs it, on SQLite stores in a temporary folder: what it prints, where, and
// its exit status (0 ok, 1 the database failed, 2 bad input, 3 the audit trail is not intact). docs/store.md.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "../temp_folder.hpp"
#include "io/timeline_files.hpp"
#include "io/timeline_json.hpp"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kSource = CRSGUARD_SOURCE_DIR;
const std::string kAdult = (kSource / "examples/adult-case-zi2021.timeline.json").string();
const std::string kCohort = (kSource / "examples/paediatric-cohort-pan2021").string();
const std::string kImplausible = (kSource / "tests/data/bad/implausible-temperature.json").string();

struct Result {
  int status = -1;  // -1: the process did not exit normally
  std::string out;
  std::string err;
};

std::string slurp(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Three patients with calendar infusion dates (the examples have study days only), for the list filters.
// On 2026-11-20: ward-a is on day 19 with fever and hypotension at the end of its record (CRS grade 2 or
// more), ward-b on day 50 with fever only (≥1), ward-c on day 10 without fever (0), ward-d died on day 9.
constexpr const char* kWardCohort = R"({"format": "crsguard.cohort/1", "name": "ward", "timelines": [
 {"format": "crsguard.timeline/1", "patient": {"id": "ward-a", "sex": "female", "age": {"value": 50, "unit": "a"}},
  "infusion": {"product": "CD19 CAR-T", "targets": ["CD19"], "time": "2026-11-01T10:00"},
  "events": [
   {"kind": "observation", "code": "body_temperature", "value": 39.2, "unit": "Cel", "time": "2026-11-04T08:00"},
   {"kind": "observation", "code": "systolic_bp", "value": 80, "unit": "mm[Hg]", "time": "2026-11-04T08:00"}]},
 {"format": "crsguard.timeline/1", "patient": {"id": "ward-b", "sex": "male", "age": {"value": 40, "unit": "a"}},
  "infusion": {"product": "CD19 CAR-T", "targets": ["CD19"], "time": "2026-10-01T09:00"},
  "events": [
   {"kind": "observation", "code": "body_temperature", "value": 38.6, "unit": "Cel", "time": "2026-10-03T07:00"}]},
 {"format": "crsguard.timeline/1", "patient": {"id": "ward-c", "sex": "male", "age": {"value": 61, "unit": "a"}},
  "infusion": {"product": "CD19 CAR-T", "targets": ["CD19"], "time": "2026-11-10T09:00"},
  "events": [
   {"kind": "observation", "code": "body_temperature", "value": 36.8, "unit": "Cel", "time": "2026-11-11T07:00"}]},
 {"format": "crsguard.timeline/1", "patient": {"id": "ward-d", "sex": "female", "age": {"value": 70, "unit": "a"}},
  "infusion": {"product": "CD19 CAR-T", "targets": ["CD19"], "time": "2026-11-05T09:00"},
  "events": [],
  "outcome": {"vital_status": "dead", "last_followup": "2026-11-14T12:00",
              "death": {"time": "2026-11-14T12:00", "cause": "infection"}}}]})";

constexpr const char* kFever = R"({"kind": "observation", "code": "body_temperature", "value": 38.4, "unit": "Cel", "time": {"day": 2, "clock": "06:00"}})";

// Each test gets a folder of its own, with the store `db_` in it.
class DbCli : public ::testing::Test {
 protected:
  void SetUp() override { db_ = (folder_ / "store.db").string(); }

  // crsguard with `arguments`, run directly (no shell); its output is captured in files of the folder.
  Result crsguard(const std::vector<std::string>& arguments) {
    const std::string out = (folder_ / "stdout").string();
    const std::string err = (folder_ / "stderr").string();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    std::vector<std::string> words{CRSGUARD_CLI_PATH};
    words.insert(words.end(), arguments.begin(), arguments.end());
    std::vector<char*> argv;
    for (std::string& word : words) argv.push_back(word.data());
    argv.push_back(nullptr);
    pid_t child = 0;
    Result result;
    const int spawned = posix_spawn(&child, CRSGUARD_CLI_PATH, &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
      ADD_FAILURE() << "cannot start " << CRSGUARD_CLI_PATH;
      return result;
    }
    int raw = 0;
    if (waitpid(child, &raw, 0) == child && WIFEXITED(raw)) result.status = WEXITSTATUS(raw);
    result.out = slurp(out);
    result.err = slurp(err);
    return result;
  }

  // `crsguard db ACTION … --db STORE`.
  Result db(const std::string& action, std::vector<std::string> arguments = {}) {
    arguments.insert(arguments.begin(), {"db", action});
    arguments.insert(arguments.end(), {"--db", db_, "--actor", "test-nurse"});
    return crsguard(arguments);
  }

  fs::path write(const std::string& name, const std::string& text) {
    const fs::path file = folder_ / name;
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }

  json db_json(const std::string& action, std::vector<std::string> arguments = {}) {
    arguments.emplace_back("--json");
    const Result result = db(action, std::move(arguments));
    EXPECT_EQ(result.status, 0) << result.err;
    return json::parse(result.out, nullptr, false);
  }

  // Runs SQL on the store behind crsguard's back, as someone with the file might.
  void tamper(const std::string& sql) {
    sqlite3* connection = nullptr;
    ASSERT_EQ(sqlite3_open(db_.c_str(), &connection), SQLITE_OK);
    char* error = nullptr;
    const int rc = sqlite3_exec(connection, sql.c_str(), nullptr, nullptr, &error);
    const std::string message = error != nullptr ? error : "";
    sqlite3_free(error);
    sqlite3_close(connection);
    ASSERT_EQ(rc, SQLITE_OK) << message;
  }

  const crsguard::testing::TempFolder temp_{"db-cli"};
  const fs::path& folder_ = temp_.path();
  std::string db_;
};

std::vector<std::string> patient_ids(const json& listing) {
  std::vector<std::string> ids;
  for (const json& item : listing) ids.push_back(item.at("patient").get<std::string>());
  return ids;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST_F(DbCli, ImportCountsAndImportingAgainAddsNothing) {
  Result run = db("import", {kAdult});
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out, "imported 1 patient (1 new), 43 new events, 0 already present\n");
  EXPECT_EQ(run.err, "") << "no progress line when standard error is not a terminal";

  run = db("import", {kCohort});
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out, "imported 14 patients (14 new), 20 new events, 0 already present\n");

  const json again = db_json("import", {kAdult, kCohort});
  EXPECT_EQ(again, json::parse(R"({"patients": 15, "patients_new": 0, "patients_existing": 15, "events_added": 0,
                                   "events_already_present": 63})"));
  EXPECT_EQ(db_json("list").size(), 15U);
}

TEST_F(DbCli, ExportRecreatesTheImportedFile) {
  ASSERT_EQ(db("import", {kAdult}).status, 0);
  const Result run = db("export", {"zi2021-case"});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out, slurp(kAdult)) << "the example is in canonical form, so the export is the file itself";
  EXPECT_EQ(run.out, crsguard::write_timeline_json(crsguard::load_timelines(kAdult).front().timeline));
}

TEST_F(DbCli, ABadFileRejectsTheWholeImportAndLeavesTheStoreUnchanged) {
  ASSERT_EQ(db("import", {kAdult}).status, 0);
  const Result list_before = db("list");
  const Result verify_before = db("verify");
  ASSERT_EQ(verify_before.status, 0) << verify_before.err;

  const Result run = db("import", {kCohort, kImplausible});
  EXPECT_EQ(run.status, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_TRUE(has(run.err, kImplausible + ": at /events/0/value, field \"value\": body temperature 60 Cel is outside "
                                          "the plausible range"))
      << run.err;

  EXPECT_EQ(db("list").out, list_before.out);
  EXPECT_EQ(db("verify").out, verify_before.out) << "no audit entry was added";
}

TEST_F(DbCli, ImportsFhirBundlesOnceAndRefusesABadOneWithItsPlace) {
  const std::string traps = (kSource / "fuzz/corpus/fhir_bundle/traps.json").string();
  Result run = db("import-fhir", {traps});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_TRUE(has(run.out, "imported 1 patient (1 new), 10 new events, 0 already present; 0 codes not mapped")) << run.out;
  run = db("import-fhir", {traps});  // the same Bundle again: nothing new
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_TRUE(has(run.out, "imported 1 patient (0 new), 0 new events, 10 already present")) << run.out;
  const Result verify_before = db("verify");
  const std::string implausible = (kSource / "fuzz/corpus/fhir_bundle/implausible.json").string();
  run = db("import-fhir", {implausible});
  EXPECT_EQ(run.status, 2);
  EXPECT_TRUE(has(run.err, "at /entry/2/resource/valueQuantity/value, field \"value\": Observation/hot (Observation.valueQuantity.value)")) << run.err;
  EXPECT_EQ(db("verify").out, verify_before.out) << "nothing was written";
  const std::string unmapped = (kSource / "fuzz/corpus/fhir_bundle/unmapped-and-entered-in-error.json").string();
  run = db("import-fhir", {unmapped});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_TRUE(has(run.err, "not imported: Observation/odd Observation.code: no mapping for http://loinc.org|99999-9")) << run.err;
  EXPECT_TRUE(has(run.err, "Observation/w: status entered-in-error")) << run.err;
  EXPECT_EQ(db("import-fhir", {unmapped, "--strict"}).status, 2);
}

TEST_F(DbCli, APatientInTwoArgumentsIsRefused) {
  const Result run = db("import", {kAdult, kAdult});
  EXPECT_EQ(run.status, 2);
  EXPECT_TRUE(has(run.err, "patient \"zi2021-case\" is in both")) << run.err;
  EXPECT_FALSE(fs::exists(db_)) << "the files are checked before the store is opened";
}

TEST_F(DbCli, AmendAndRetractKeepEveryVersionInTheHistory) {
  ASSERT_EQ(db("import", {kAdult}).status, 0);
  const json events = db_json("show", {"zi2021-case"});
  ASSERT_EQ(events.size(), 43U);
  const std::string first = events.at(0).at("event");
  const std::string second = events.at(1).at("event");
  std::string imported_at;
  for (const json& entry : db_json("history", {"zi2021-case"})) imported_at = std::max(imported_at, entry.at("at").get<std::string>());

  Result run = db("amend", {"zi2021-case", first.substr(0, 12), "--event", kFever, "--reason", "transcription error"});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out, "amended\n");
  run = db("retract", {"zi2021-case", second, "--reason", "entered for the wrong patient"});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out, "retracted\n");

  const json now = db_json("show", {"zi2021-case"});
  ASSERT_EQ(now.size(), 43U) << "a retracted event keeps its identity";
  EXPECT_EQ(now.at(0).at("version"), 2);
  EXPECT_EQ(now.at(0).at("body").at("value"), 38.4);
  EXPECT_EQ(now.at(0).at("reason"), "transcription error");
  EXPECT_EQ(now.at(0).at("recorded_by"), "test-nurse");
  EXPECT_EQ(now.at(1).at("retracted"), true);

  const json history = db_json("history", {"zi2021-case"});
  ASSERT_GE(history.size(), 3U);
  const json& retraction = history.at(history.size() - 1);
  const json& amendment = history.at(history.size() - 2);
  EXPECT_EQ(amendment.at("action"), "amend");
  EXPECT_EQ(amendment.at("record"), first);
  EXPECT_EQ(amendment.at("detail").at("reason"), "transcription error");
  EXPECT_EQ(retraction.at("action"), "retract");
  EXPECT_EQ(retraction.at("actor"), "test-nurse");

  // The current record has 42 events; as the store held it before the changes, the file as imported.
  const json current = json::parse(db("export", {"zi2021-case"}).out);
  EXPECT_EQ(current.at("events").size(), 42U);
  run = db("export", {"zi2021-case", "--as-of", imported_at});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out, slurp(kAdult));

  run = db("amend", {"zi2021-case", first, "--event", kFever, "--reason", " "});
  EXPECT_EQ(run.status, 2);
  EXPECT_TRUE(has(run.err, "a reason is required")) << run.err;
  run = db("amend", {"zi2021-case", "ffffffffffff", "--event", kFever, "--reason", "x"});
  EXPECT_EQ(run.status, 2);
  EXPECT_TRUE(has(run.err, "no event \"ffffffffffff\" for patient \"zi2021-case\"")) << run.err;
}

TEST_F(DbCli, AppendAddsAnEventAndPrintsItsIdentity) {
  ASSERT_EQ(db("import", {kAdult}).status, 0);
  Result run = db("append", {"zi2021-case", "--event", kFever});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_TRUE(std::regex_match(run.out, std::regex("[0-9a-f]{64}\n"))) << run.out;
  const std::string uid = run.out.substr(0, 64);

  run = db("append", {"zi2021-case", "--event", kFever});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.substr(0, 64), uid) << "a second identical reading is a second event";
  const json events = db_json("show", {"zi2021-case"});
  EXPECT_EQ(events.size(), 45U);
  EXPECT_EQ(events.at(43).at("event"), uid);

  run = db("append", {"zi2021-case", "--event",
                      R"({"kind": "observation", "code": "body_temperature", "value": 60, "unit": "Cel", "time": {"day": 3}})"});
  EXPECT_EQ(run.status, 2);
  EXPECT_TRUE(has(run.err, "new event: at /events/0/value, field \"value\"")) << run.err;
  run = db("append", {"zi2021-case", "--event", "{not json"});
  EXPECT_EQ(run.status, 2);
  EXPECT_TRUE(has(run.err, "not JSON")) << run.err;
  run = db("append", {"nobody", "--event", kFever});
  EXPECT_EQ(run.status, 2);
  EXPECT_TRUE(has(run.err, "crsguard db append: no patient \"nobody\" in the store")) << run.err;
}

TEST_F(DbCli, VerifyFindsAnEditedAuditEntry) {
  ASSERT_EQ(db("import", {kAdult}).status, 0);
  Result run = db("verify");
  ASSERT_EQ(run.status, 0) << run.err;
  // 1 patient header + 43 events, each with its entry, and the import's own entry.
  EXPECT_TRUE(std::regex_match(run.out, std::regex("audit trail intact \\(45 entries, 44 versions checked\\); "
                                                   "head [0-9a-f]{64}\n")))
      << run.out;
  const std::string head = run.out.substr(run.out.size() - 65, 64);
  EXPECT_EQ(db("verify", {"--head", head}).status, 0);

  tamper("DROP TRIGGER audit_no_update; UPDATE audit SET actor = 'mallory' WHERE seq = 3;");
  run = db("verify");
  EXPECT_EQ(run.status, 3);
  EXPECT_EQ(run.out, "");
  EXPECT_TRUE(has(run.err, "crsguard db verify: audit entry 3: its content was changed after it was written")) << run.err;
  EXPECT_TRUE(has(run.err, "NOT intact")) << run.err;
}

TEST_F(DbCli, VerifyFindsAnEventChangedBehindTheStoresBack) {
  ASSERT_EQ(db("import", {kAdult}).status, 0);
  tamper("DROP TRIGGER event_versions_no_update; UPDATE event_versions SET body_json = "
         "replace(body_json, '\"value\":40', '\"value\":37') WHERE rowid = "
         "(SELECT MIN(rowid) FROM event_versions WHERE body_json LIKE '%\"value\":40%');");
  const Result run = db("verify");
  EXPECT_EQ(run.status, 3);
  EXPECT_TRUE(has(run.err, "of patient \"zi2021-case\", version 1: differs from what audit entry")) << run.err;
}

TEST_F(DbCli, VerifyWithTheNotedHeadFindsACutTail) {
  ASSERT_EQ(db("import", {kAdult}).status, 0);
  const json noted = db_json("verify");
  EXPECT_EQ(noted.at("intact"), true);
  EXPECT_EQ(noted.at("entries"), 45);

  // The import's own entry is the last: without it every version still has its entry, and the chain is valid.
  tamper("DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE seq = 45;");
  EXPECT_EQ(db("verify").status, 0) << "a cut tail alone leaves a valid chain";
  Result run = db("verify", {"--head", noted.at("head").get<std::string>()});
  EXPECT_EQ(run.status, 3);
  EXPECT_TRUE(has(run.err, "(" + noted.at("head").get<std::string>() + ") is no longer in the audit chain")) << run.err;

  run = db("verify", {"--head", std::string(64, 'a')});
  EXPECT_EQ(run.status, 3) << "a hash of another store";
  run = db("verify", {"--head", "abc"});
  EXPECT_EQ(run.status, 2);
  EXPECT_TRUE(has(run.err, "--head \"abc\": expected the 64 hexadecimal digits")) << run.err;
}

TEST_F(DbCli, ListFiltersByDaySinceInfusionAndCurrentCrsGrade) {
  ASSERT_EQ(db("import", {write("ward.json", kWardCohort).string(), kCohort}).status, 0);
  const std::vector<std::string> on{"--on", "2026-11-20"};
  const auto listed = [&](std::vector<std::string> arguments) {
    arguments.insert(arguments.end(), on.begin(), on.end());
    return patient_ids(db_json("list", arguments));
  };

  const json all = db_json("list", on);
  ASSERT_EQ(all.size(), 18U);
  const json& ward_a = all.at(14);
  EXPECT_EQ(ward_a.at("patient"), "ward-a");
  EXPECT_EQ(ward_a.at("infusion_date"), "2026-11-01");
  EXPECT_EQ(ward_a.at("day_since_infusion"), 19);
  EXPECT_EQ(ward_a.at("last_recorded_day"), 3);
  EXPECT_EQ(ward_a.at("died"), false);
  EXPECT_EQ(ward_a.at("events"), 2);
  EXPECT_EQ(all.at(0).at("day_since_infusion"), nullptr) << "the paediatric series has study days only";
  EXPECT_EQ(all.at(17).at("died"), true);

  EXPECT_EQ(listed({"--active"}), (std::vector<std::string>{"ward-a", "ward-c"}));
  EXPECT_EQ(listed({"--day", "15..20"}), (std::vector<std::string>{"ward-a", "ward-d"}));
  EXPECT_EQ(listed({"--day", "..12"}), (std::vector<std::string>{"ward-c"}));
  EXPECT_EQ(listed({"--day", "50"}), (std::vector<std::string>{"ward-b"}));
  EXPECT_EQ(listed({"--day", "15.."}), (std::vector<std::string>{"ward-a", "ward-b", "ward-d"}));

  EXPECT_EQ(listed({"--crs-grade-min", "2"}), (std::vector<std::string>{"ward-a"}));
  EXPECT_EQ(listed({"--crs-grade-min", "1"}), (std::vector<std::string>{"ward-a", "ward-b"}))
      << "a lower bound ≥1 counts as 1";
  EXPECT_EQ(listed({"--crs-grade-min", "0", "--day", "0..28"}), (std::vector<std::string>{"ward-a", "ward-c"}))
      << "n/a (ward-d: nothing recorded) never matches";
  const json graded = db_json("list", {"--crs-grade-min", "1", "--on", "2026-11-20"});
  EXPECT_EQ(graded.at(1).at("crs_now").at("assessment"), "incomplete");

  const Result table = db("list", {"--crs-grade-min", "1", "--on", "2026-11-20"});
  ASSERT_EQ(table.status, 0) << table.err;
  const std::string expected_header = "patient  day  last day  CRS now  events  created";
  EXPECT_EQ(table.out.substr(0, expected_header.size()), expected_header) << table.out;
  EXPECT_TRUE(has(table.out, "\nward-b   50   2         ≥1       1")) << table.out;
  const Result plain = db("list", on);
  EXPECT_TRUE(has(plain.out, "\npan2021-p01  —  ")) << plain.out;
  EXPECT_TRUE(has(plain.out, "\nward-d       15 (died)  —  ")) << plain.out;

  Result run = db("list", {"--day", "20..10"});
  EXPECT_EQ(run.status, 2);
  EXPECT_TRUE(has(run.err, "--day \"20..10\": the first day is after the last")) << run.err;
  run = db("list", {"--on", "2026-02-30"});
  EXPECT_EQ(run.status, 2);
  EXPECT_TRUE(has(run.err, "--on \"2026-02-30\": expected a date YYYY-MM-DD")) << run.err;
  EXPECT_EQ(db("list", {"--crs-grade-min", "6"}).status, 2);
}

TEST_F(DbCli, AsOfIsCheckedAndNormalised) {
  ASSERT_EQ(db("import", {kAdult}).status, 0);
  for (const std::string good : {"2999-01-01", "2999-01-01T08:00Z", "2999-01-01T08:00:30Z", "2999-01-01T08:00:30.5Z",
                                 "2999-01-01T08:00:30.123456Z"}) {
    const Result run = db("export", {"zi2021-case", "--as-of", good});
    EXPECT_EQ(run.status, 0) << good << ": " << run.err;
    EXPECT_EQ(run.out, slurp(kAdult)) << good;
  }
  for (const std::string bad : {"2026-11-23T08:00", "2026-11-23T08:00+01:00", "2026-02-30", "2026-11-23T25:00Z",
                                "2026-11-23T08:00:00.Z", "yesterday", "2026-11-23 08:00Z"}) {
    const Result run = db("export", {"zi2021-case", "--as-of", bad});
    EXPECT_EQ(run.status, 2) << bad;
    EXPECT_TRUE(has(run.err, "--as-of \"" + bad + "\": expected a UTC time YYYY-MM-DDTHH:MM[:SS[.mmm]]Z")) << run.err;
    EXPECT_EQ(run.out, "") << bad;
  }
  const Result before = db("export", {"zi2021-case", "--as-of", "2000-01-01"});
  EXPECT_EQ(before.status, 2);
  EXPECT_TRUE(has(before.err, "patient \"zi2021-case\" was not yet in the store at 2000-01-01T00:00:00.000Z"))
      << before.err;
}

TEST_F(DbCli, AnUnknownPatientIsBadInput) {
  ASSERT_EQ(db("import", {kAdult}).status, 0);
  for (const std::string action : {"export", "show", "history"}) {
    const Result run = db(action, {"nobody"});
    EXPECT_EQ(run.status, 2) << action;
    EXPECT_EQ(run.err, "crsguard db " + action + ": no patient \"nobody\" in the store\n");
  }
}

TEST_F(DbCli, ADatabaseFailureIsExitStatusOne) {
  Result run = crsguard({"db", "init", "--db", "/nonexistent/dir/x.db"});
  EXPECT_EQ(run.status, 1);
  EXPECT_TRUE(has(run.err, "crsguard db init: /nonexistent/dir/x.db: cannot open the database")) << run.err;

  run = db("list");
  EXPECT_EQ(run.status, 1);
  EXPECT_TRUE(has(run.err, "crsguard db list: " + db_ + ": no such store")) << run.err;
  EXPECT_FALSE(fs::exists(db_)) << "a command that only reads creates no store";

  write("store.db", "this is not a database, but a file of text long enough to look like a header of one.....");
  run = db("list");
  EXPECT_EQ(run.status, 1);
  EXPECT_TRUE(has(run.err, db_)) << run.err;
}

TEST_F(DbCli, HelpNamesBothKindsOfStore) {
  const Result run = crsguard({"db", "list", "--help"});
  EXPECT_EQ(run.status, 0);
  EXPECT_TRUE(has(run.out, "sqlite:PATH")) << run.out;
  EXPECT_TRUE(has(run.out, "postgresql://")) << run.out;
}

}  // namespace
