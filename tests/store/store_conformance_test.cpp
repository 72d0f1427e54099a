// The store's conformance suite (issue 5 item 4): every test runs against SQLite and against a real
// PostgreSQL server started for the test run (store/postgres_server.hpp), each test on a fresh database.
// What one back end does, the other must do the same way: round trip, idempotent import, all-or-nothing
// import, versions and as-of reads, appends, filters, the audit trail and its tamper detection,
// migrations, and writers in parallel.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "../io/test_files.hpp"
#include "core/problem.hpp"
#include "io/timeline_files.hpp"
#include "io/timeline_json.hpp"
#include "postgres_server.hpp"
#include "store/store.hpp"

#include "../temp_folder.hpp"

namespace crsguard {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

enum class Backend { sqlite, postgresql };

// One PostgreSQL server for the whole test program (ctest runs the PostgreSQL half as one process).
testing::TemporaryPostgresServer* postgres_server(std::string& why) {
  static std::string start_failure;
  static const std::unique_ptr<testing::TemporaryPostgresServer> server =
      testing::TemporaryPostgresServer::start(start_failure);
  why = start_failure;
  return server.get();
}

class StoreConformance : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    static int databases = 0;
    if (GetParam() == Backend::sqlite) {
      folder_.emplace("store");
      url_ = "sqlite:" + sqlite_path();
      return;
    }
    std::string why;
    auto* server = postgres_server(why);
    if (server == nullptr) {
      if (testing::postgres_required()) FAIL() << "PostgreSQL is required (CRSGUARD_REQUIRE_POSTGRES=1): " << why;
      GTEST_SKIP() << "no PostgreSQL server for these tests: " << why;
    }
    url_ = server->create_database("conformance_" + std::to_string(++databases));
  }

  [[nodiscard]] std::unique_ptr<Store> open() const { return open_store(url_); }

  // SQL straight to the database, behind the store's back (as a tamperer would); "" when it worked,
  // else the database's message.
  std::string raw_sql(const std::string& sql) const {
    if (GetParam() == Backend::sqlite) {
      sqlite3* raw = nullptr;
      sqlite3_open(sqlite_path().c_str(), &raw);
      char* error = nullptr;
      const int rc = sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, &error);
      std::string message = rc == SQLITE_OK ? "" : (error != nullptr ? error : "failed");
      sqlite3_free(error);
      sqlite3_close(raw);
      return message;
    }
    PGconn* connection = PQconnectdb(url_.c_str());
    PGresult* result = PQexec(connection, sql.c_str());
    const ExecStatusType status = PQresultStatus(result);
    std::string message = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK ? "" : PQresultErrorMessage(result);
    PQclear(result);
    PQfinish(connection);
    return message;
  }

  // Lifts the append-only triggers (and, on PostgreSQL, the foreign-key checks, which are triggers
  // there; a raw SQLite connection does not check foreign keys), as only someone tampering would.
  std::string drop_guards(const std::string& table) const {
    if (GetParam() == Backend::sqlite) {
      return raw_sql("DROP TRIGGER " + table + "_no_update; DROP TRIGGER " + table + "_no_delete;");
    }
    return raw_sql("ALTER TABLE " + table + " DISABLE TRIGGER ALL");
  }

  [[nodiscard]] std::string sqlite_path() const { return (folder_->path() / "crsguard.db").string(); }

  std::optional<testing::TempFolder> folder_;  // SQLite only
  std::string url_;
};

std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::sqlite ? "sqlite" : "postgresql";
}

INSTANTIATE_TEST_SUITE_P(SQLite, StoreConformance, ::testing::Values(Backend::sqlite), backend_name);
INSTANTIATE_TEST_SUITE_P(PostgreSQL, StoreConformance, ::testing::Values(Backend::postgresql), backend_name);

std::vector<Timeline> adult_case() {
  return read_timeline_file(testing::source_path("examples/adult-case-zi2021.timeline.json"));
}

std::vector<Timeline> paediatric_cohort() {
  std::vector<Timeline> out;
  for (auto& loaded : load_timelines(testing::source_path("examples/paediatric-cohort-pan2021"))) {
    out.push_back(std::move(loaded.timeline));
  }
  return out;
}

std::size_t adult_events() { return adult_case().front().events().size(); }

// The adult case under another id, infused on a calendar date (for the day filters).
Timeline adult_case_infused_on(const std::string& id, const std::string& infusion, bool died = false) {
  json document = json::parse(write_timeline_json(adult_case().front()));
  document["patient"]["id"] = id;
  document["infusion"]["time"] = infusion;
  if (died) {
    document["outcome"]["vital_status"] = "dead";
    document["outcome"]["death"] = {{"time", {{"day", 28}}}, {"cause", "relapse"}};
  }
  return std::move(read_timelines_json(document.dump(), id).front());
}

const StoredEvent& event_containing(const std::vector<StoredEvent>& events, const std::string& text) {
  const auto found = std::find_if(events.begin(), events.end(),
                                  [&](const StoredEvent& e) { return e.body_json.find(text) != std::string::npos; });
  if (found == events.end()) throw std::logic_error("no stored event contains " + text);
  return *found;
}

// ---- round trip and identity --------------------------------------------------------------------

TEST_P(StoreConformance, ExportReproducesEveryImportedTimelineByteForByte) {
  auto store = open();
  auto timelines = paediatric_cohort();
  timelines.push_back(adult_case().front());
  const ImportSummary summary = store->import_timelines(timelines, "tester", "examples");
  EXPECT_EQ(summary.patients_created, 15);
  EXPECT_EQ(summary.events_already_present, 0);
  for (const Timeline& timeline : timelines) {
    const auto stored = store->read_timeline(timeline.patient().id);
    ASSERT_TRUE(stored.has_value()) << timeline.patient().id;
    EXPECT_EQ(write_timeline_json(*stored), write_timeline_json(timeline)) << timeline.patient().id;
  }
  EXPECT_FALSE(store->read_timeline("nobody").has_value());
  EXPECT_EQ(store->list_patients().size(), 15u);
  // One import, one recording time: a read "as of" any moment sees all of it or none of it.
  const auto history = store->history("zi2021-case");
  ASSERT_FALSE(history.empty());
  for (const AuditEntry& entry : history) EXPECT_EQ(entry.at, history.front().at);
}

TEST_P(StoreConformance, ImportingTheSameFileTwiceAddsNothing) {
  const auto timelines = adult_case();
  open()->import_timelines(timelines, "tester", "first");
  auto reopened = open();
  const ImportSummary again = reopened->import_timelines(timelines, "tester", "second");
  EXPECT_EQ(again.patients_created, 0);
  EXPECT_EQ(again.patients_existing, 1);
  EXPECT_EQ(again.events_added, 0);
  EXPECT_EQ(again.events_already_present, static_cast<int>(adult_events()));
  EXPECT_EQ(reopened->events("zi2021-case").size(), adult_events());
  EXPECT_EQ(write_timeline_json(*reopened->read_timeline("zi2021-case")), write_timeline_json(timelines.front()));
}

TEST_P(StoreConformance, ARecordWithMoreEventsAddsOnlyTheNewOnesAndIdenticalReadingsStayDistinct) {
  auto store = open();
  Timeline first = adult_case().front();
  store->import_timelines({first}, "tester", "day 1-28");
  // The same record with one event recorded twice (two identical readings): one more event, not zero.
  json document = json::parse(write_timeline_json(first));
  document["events"].push_back(document["events"].back());
  const Timeline longer = std::move(read_timelines_json(document.dump(), "longer").front());
  const ImportSummary summary = store->import_timelines({longer}, "tester", "again");
  EXPECT_EQ(summary.events_added, 1);
  EXPECT_EQ(summary.events_already_present, static_cast<int>(adult_events()));
  EXPECT_EQ(store->read_timeline("zi2021-case")->events().size(), adult_events() + 1);
}

TEST_P(StoreConformance, AChangedRecordHeaderIsANewVersionAndTheOldOneStaysReadable) {
  auto store = open();
  store->import_timelines(adult_case(), "tester", "first");
  const std::string before_change = store->history("zi2021-case").back().at;
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  json document = json::parse(write_timeline_json(adult_case().front()));
  document["outcome"]["last_followup"] = {{"day", 60}};
  store->import_timelines({std::move(read_timelines_json(document.dump(), "later").front())}, "tester", "follow-up");
  EXPECT_EQ(store->read_timeline("zi2021-case")->outcome()->last_followup.seconds_since_infusion, 60 * 86400);
  EXPECT_EQ(store->read_timeline("zi2021-case", before_change)->outcome()->last_followup.seconds_since_infusion, 28 * 86400);
  EXPECT_EQ(store->history("zi2021-case").back().action, "amend_header");
  EXPECT_TRUE(store->verify_audit().problems.empty());
}

// ---- all or nothing -----------------------------------------------------------------------------

TEST_P(StoreConformance, AnImportThatFailsHalfWayLeavesTheStoreAsItWas) {
  auto store = open();
  store->import_timelines(adult_case(), "tester", "first");
  const AuditVerification before = store->verify_audit();
  // The progress callback is called inside the transaction: failing at the eighth patient.
  const auto fail_at_eight = [](std::size_t done, std::size_t) {
    if (done == 8) throw std::runtime_error("interrupted");
  };
  EXPECT_THROW(store->import_timelines(paediatric_cohort(), "tester", "cohort", fail_at_eight), std::runtime_error);
  EXPECT_EQ(store->list_patients().size(), 1u);
  const AuditVerification after = store->verify_audit();
  EXPECT_EQ(after.entries, before.entries);
  EXPECT_EQ(after.head_hash, before.head_hash);
  EXPECT_TRUE(after.problems.empty());
  // The store is usable at once: the same import now goes through whole.
  std::size_t calls = 0;
  const ImportSummary summary =
      store->import_timelines(paediatric_cohort(), "tester", "cohort", [&](std::size_t, std::size_t) { ++calls; });
  EXPECT_EQ(summary.patients_created, 14);
  EXPECT_EQ(calls, 14u);
}

// ---- versions -----------------------------------------------------------------------------------

TEST_P(StoreConformance, AmendAndRetractKeepEveryVersionAndReadAsOf) {
  auto store = open();
  store->import_timelines(adult_case(), "tester", "import");
  // The day-5 temperature of 40.8 °C, amended to 40.6 °C.
  const StoredEvent fever = event_containing(store->events("zi2021-case"), "40.8");
  std::string amended = fever.body_json;
  amended.replace(amended.find("40.8"), 4, "40.6");
  const std::string before_amendment = store->history("zi2021-case").back().at;
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  store->amend_event("zi2021-case", fever.event_uid, amended, "nurse", "transcription error");

  const StoredEvent changed = event_containing(store->events("zi2021-case"), "40.6");
  EXPECT_EQ(changed.event_uid, fever.event_uid);
  EXPECT_EQ(changed.version, 2);
  EXPECT_EQ(changed.reason, "transcription error");
  EXPECT_EQ(changed.recorded_by, "nurse");
  EXPECT_NE(write_timeline_json(*store->read_timeline("zi2021-case")).find("40.6"), std::string::npos);
  const std::string then = write_timeline_json(*store->read_timeline("zi2021-case", before_amendment));
  EXPECT_EQ(then, write_timeline_json(adult_case().front()));

  const std::string before_retraction = store->history("zi2021-case").back().at;
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  store->retract_event("zi2021-case", fever.event_uid, "nurse", "wrong patient");
  EXPECT_THROW(store->retract_event("zi2021-case", fever.event_uid, "nurse", "again"), std::invalid_argument);
  EXPECT_EQ(store->read_timeline("zi2021-case")->events().size(), adult_events() - 1);
  EXPECT_EQ(store->list_patients().at(0).events, static_cast<int>(adult_events() - 1));
  EXPECT_NE(write_timeline_json(*store->read_timeline("zi2021-case", before_retraction)).find("40.6"), std::string::npos);
  bool found_retracted = false;
  for (const StoredEvent& e : store->events("zi2021-case")) {
    if (e.event_uid == fever.event_uid) {
      found_retracted = e.retracted && e.version == 3 && e.body_json.empty();
    }
  }
  EXPECT_TRUE(found_retracted);
  // Re-importing the original file does not bring the retracted reading back.
  EXPECT_EQ(store->import_timelines(adult_case(), "tester", "again").events_added, 0);
  EXPECT_EQ(store->read_timeline("zi2021-case")->events().size(), adult_events() - 1);

  const auto history = store->history("zi2021-case");
  EXPECT_EQ(history.back().action, "retract");
  EXPECT_EQ(history.back().actor, "nurse");
  EXPECT_EQ(json::parse(history.back().detail_json).at("reason"), "wrong patient");
  EXPECT_TRUE(store->verify_audit().problems.empty());
}

TEST_P(StoreConformance, BadChangesAreRefusedAndChangeNothing) {
  auto store = open();
  store->import_timelines(adult_case(), "tester", "import");
  const StoredEvent fever = event_containing(store->events("zi2021-case"), "40.8");
  const std::string head = store->verify_audit().head_hash;
  std::string implausible = fever.body_json;
  implausible.replace(implausible.find("40.8"), 4, "60.0");
  EXPECT_THROW(store->amend_event("zi2021-case", fever.event_uid, implausible, "nurse", "typo"), InputError);
  EXPECT_THROW(store->amend_event("zi2021-case", fever.event_uid, "{not json", "nurse", "typo"), std::invalid_argument);
  EXPECT_THROW(store->retract_event("zi2021-case", fever.event_uid, "nurse", " "), std::invalid_argument);
  EXPECT_THROW(store->retract_event("zi2021-case", "no-such-event", "nurse", "x"), std::invalid_argument);
  EXPECT_THROW(store->retract_event("nobody", fever.event_uid, "nurse", "x"), std::invalid_argument);
  EXPECT_THROW(store->append_event("nobody", fever.body_json, "nurse"), std::invalid_argument);
  EXPECT_THROW(store->append_event("zi2021-case", implausible, "nurse"), InputError);
  const AuditVerification after = store->verify_audit();
  EXPECT_EQ(after.head_hash, head);
  EXPECT_TRUE(after.problems.empty());
  EXPECT_EQ(write_timeline_json(*store->read_timeline("zi2021-case")), write_timeline_json(adult_case().front()));
}

TEST_P(StoreConformance, AppendedEventsAreCheckedStoredAndAudited) {
  auto store = open();
  store->import_timelines(adult_case(), "tester", "import");
  const std::string reading = R"({"kind": "observation", "code": "body_temperature", "value": 38.4, "unit": "Cel",
                                  "time": {"day": 9, "clock": "06:00"}})";
  const std::string first = store->append_event("zi2021-case", reading, "nurse");
  const std::string second = store->append_event("zi2021-case", reading, "nurse");  // a second identical reading
  EXPECT_NE(first, second);
  EXPECT_EQ(first.size(), 64u);
  EXPECT_EQ(store->read_timeline("zi2021-case")->events().size(), adult_events() + 2);
  const auto history = store->history("zi2021-case");
  EXPECT_EQ(history.back().action, "append");
  EXPECT_EQ(history.back().record, second);
  EXPECT_TRUE(store->verify_audit().problems.empty());
}

TEST_P(StoreConformance, SeveralEventsAreAppendedAllOrNothing) {
  auto store = open();
  store->import_timelines(adult_case(), "tester", "import");
  const std::string head = store->verify_audit().head_hash;
  const std::string pulse = R"({"kind": "observation", "code": "heart_rate", "value": 120, "unit": "/min", "time": {"day": 9}})";
  const std::string fever = R"({"kind": "observation", "code": "body_temperature", "value": 39.1, "unit": "Cel", "time": {"day": 9}})";
  const std::string implausible = R"({"kind": "observation", "code": "body_temperature", "value": 60, "unit": "Cel", "time": {"day": 9}})";
  try {
    store->append_events("zi2021-case", {pulse, implausible}, "nurse");
    ADD_FAILURE() << "an implausible second event was accepted";
  } catch (const InputError& error) {
    ASSERT_FALSE(error.problems().empty());
    EXPECT_EQ(error.problems().front().where.json_pointer, "/events/1/value");  // at its place in the list
  }
  EXPECT_THROW(store->append_events("zi2021-case", {}, "nurse"), std::invalid_argument);
  EXPECT_EQ(store->verify_audit().head_hash, head);  // the good first event was not recorded either
  const std::vector<std::string> uids = store->append_events("zi2021-case", {pulse, fever}, "nurse");
  ASSERT_EQ(uids.size(), 2u);
  const auto history = store->history("zi2021-case");
  EXPECT_EQ(history.back().record, uids[1]);
  EXPECT_EQ(history[history.size() - 2].record, uids[0]);
  EXPECT_EQ(store->read_timeline("zi2021-case")->events().size(), adult_events() + 2);
  EXPECT_TRUE(store->verify_audit().problems.empty());
}

// ---- listing ------------------------------------------------------------------------------------

TEST_P(StoreConformance, ListingFiltersByDaySinceInfusionAndActiveCourse) {
  auto store = open();
  store->import_timelines({adult_case_infused_on("ward-a", "2026-11-20T10:00"),
                           adult_case_infused_on("ward-b", "2026-11-01T09:00"),
                           adult_case_infused_on("ward-c", "2026-10-01T09:00"),
                           adult_case_infused_on("ward-d", "2026-11-10T09:00", /*died=*/true)},
                          "tester", "ward");
  store->import_timelines(adult_case(), "tester", "no calendar date");

  PatientFilter all;
  all.on_date = "2026-11-23";
  const auto listing = store->list_patients(all);
  ASSERT_EQ(listing.size(), 5u);
  EXPECT_EQ(listing[0].patient_id, "ward-a");  // ordered by id, byte order on both back ends
  EXPECT_EQ(listing[0].infusion_date, "2026-11-20");
  EXPECT_EQ(listing[0].day_since_infusion, 3);
  EXPECT_EQ(listing[0].last_recorded_day, 28);
  EXPECT_EQ(listing[0].events, static_cast<int>(adult_events()));
  EXPECT_TRUE(listing[3].died);
  EXPECT_EQ(listing[4].patient_id, "zi2021-case");
  EXPECT_FALSE(listing[4].day_since_infusion.has_value());

  const auto ids = [&](const PatientFilter& filter) {
    std::vector<std::string> out;
    for (const auto& p : store->list_patients(filter)) out.push_back(p.patient_id);
    return out;
  };
  PatientFilter active = all;
  active.active_only = true;
  EXPECT_EQ(ids(active), (std::vector<std::string>{"ward-a", "ward-b"}));  // c: day 53; d: died; zi: no date
  PatientFilter first_week = all;
  first_week.max_day = 7;
  EXPECT_EQ(ids(first_week), (std::vector<std::string>{"ward-a"}));
  PatientFilter later = all;
  later.min_day = 13;
  later.max_day = 22;
  EXPECT_EQ(ids(later), (std::vector<std::string>{"ward-b", "ward-d"}));
  PatientFilter bad_date = all;
  bad_date.on_date = "2026-13-01";
  EXPECT_THROW(store->list_patients(bad_date), std::invalid_argument);
}

// ---- audit --------------------------------------------------------------------------------------

TEST_P(StoreConformance, TheDatabaseRefusesToUpdateOrDeleteAnyStoredRow) {
  auto store = open();
  store->import_timelines(adult_case(), "tester", "import");
  for (const char* sql : {"UPDATE audit SET actor = 'someone else' WHERE seq = 3", "DELETE FROM audit WHERE seq = 3",
                          "UPDATE event_versions SET body_json = '{}'", "DELETE FROM event_versions",
                          "DELETE FROM events", "UPDATE patients SET patient_id = 'x'", "DELETE FROM patient_versions"}) {
    const std::string refused = raw_sql(sql);
    EXPECT_NE(refused.find("append-only"), std::string::npos) << sql << ": " << refused;
  }
  EXPECT_TRUE(store->verify_audit().problems.empty());
}

TEST_P(StoreConformance, VerificationFindsAnEditedOrDeletedAuditEntry) {
  auto store = open();
  store->import_timelines(adult_case(), "tester", "import");
  const AuditVerification intact = store->verify_audit();
  EXPECT_TRUE(intact.problems.empty());
  EXPECT_EQ(intact.entries, static_cast<std::int64_t>(adult_events()) + 2);  // header, events, the import
  EXPECT_EQ(intact.versions_checked, static_cast<std::int64_t>(adult_events()) + 1);
  ASSERT_EQ(drop_guards("audit"), "");
  ASSERT_EQ(raw_sql("UPDATE audit SET actor = 'someone else' WHERE seq = 3"), "");
  ASSERT_EQ(raw_sql("DELETE FROM audit WHERE seq = 7"), "");
  const AuditVerification tampered = store->verify_audit();
  ASSERT_GE(tampered.problems.size(), 3u);
  EXPECT_EQ(tampered.problems[0], "audit entry 3: its content was changed after it was written");
  EXPECT_EQ(tampered.problems[1], "audit entries 7 to 7 are missing");
  EXPECT_EQ(tampered.problems[2], "audit entry 8: does not follow the entry before it");
  // The event version that entry 7 recorded has lost its audit entry.
  const bool orphan_reported = std::any_of(tampered.problems.begin(), tampered.problems.end(), [](const std::string& p) {
    return p.find("its audit entry 7 is missing") != std::string::npos;
  });
  EXPECT_TRUE(orphan_reported);
}

TEST_P(StoreConformance, VerificationFindsARowChangedBehindTheStoresBack) {
  auto store = open();
  store->import_timelines(adult_case(), "tester", "import");
  const StoredEvent fever = event_containing(store->events("zi2021-case"), "40.8");
  ASSERT_EQ(drop_guards("event_versions"), "");
  std::string edited = fever.body_json;
  edited.replace(edited.find("40.8"), 4, "37.0");
  ASSERT_EQ(raw_sql("UPDATE event_versions SET body_json = '" + edited + "' WHERE body_json LIKE '%40.8%'"), "");
  const AuditVerification tampered = store->verify_audit();
  ASSERT_EQ(tampered.problems.size(), 1u);
  EXPECT_NE(tampered.problems[0].find("event " + fever.event_uid), std::string::npos) << tampered.problems[0];
  EXPECT_NE(tampered.problems[0].find("changed behind the store's back"), std::string::npos) << tampered.problems[0];

  ASSERT_EQ(raw_sql("DELETE FROM event_versions WHERE body_json LIKE '%37.0%'"), "");
  const AuditVerification deleted = store->verify_audit();
  ASSERT_EQ(deleted.problems.size(), 1u);
  EXPECT_EQ(deleted.problems[0], "1 version(s) recorded in the audit are missing from the store");
}

TEST_P(StoreConformance, ACutTailIsFoundAgainstTheNotedHead) {
  auto store = open();
  store->import_timelines(adult_case(), "tester", "import");
  const std::string noted = store->verify_audit().head_hash;
  EXPECT_EQ(noted.size(), 64u);
  EXPECT_TRUE(store->verify_audit(noted).problems.empty());
  store->append_event("zi2021-case", R"({"kind": "observation", "code": "body_temperature", "value": 37.1, "unit": "Cel",
                                         "time": {"day": 9}})",
                      "nurse");
  EXPECT_TRUE(store->verify_audit(noted).problems.empty());  // the chain grew past the noted head
  // Removing the last two entries (and the version they recorded) leaves a valid-looking chain …
  ASSERT_EQ(drop_guards("audit"), "");
  ASSERT_EQ(drop_guards("event_versions"), "");
  const std::int64_t last = store->verify_audit().entries;
  ASSERT_EQ(raw_sql("DELETE FROM event_versions WHERE audit_seq >= " + std::to_string(last - 1)), "");
  ASSERT_EQ(raw_sql("DELETE FROM audit WHERE seq >= " + std::to_string(last - 1)), "");
  // … (the cut removed the import's own last entry too, so it is the noted head that is gone)
  const AuditVerification cut = store->verify_audit(noted);
  ASSERT_FALSE(cut.problems.empty());
  EXPECT_NE(cut.problems.back().find("no longer in the audit chain"), std::string::npos) << cut.problems.back();
}

// ---- accounts -----------------------------------------------------------------------------------

Account nurse_account() {
  Account a;
  a.username = "nurse.jones";
  a.role = "clinician";
  a.password_hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";  // a well-formed stand-in
  return a;
}

TEST_P(StoreConformance, AccountsAreVersionedAuditedAndNeverHoldAPassword) {
  auto store = open();
  store->add_account(nurse_account(), "admin");
  const auto created = store->find_account("nurse.jones");
  ASSERT_TRUE(created);
  EXPECT_EQ(created->version, 1);
  EXPECT_EQ(created->role, "clinician");
  EXPECT_TRUE(created->active);
  EXPECT_EQ(created->recorded_by, "admin");
  Account disabled = *created;
  disabled.active = false;
  store->change_account(disabled, "admin", "left the ward");
  const auto current = store->find_account("nurse.jones");
  ASSERT_TRUE(current);
  EXPECT_EQ(current->version, 2);
  EXPECT_FALSE(current->active);
  ASSERT_EQ(store->accounts().size(), 1U);
  EXPECT_FALSE(store->find_account("nobody"));
  // Both versions are in the audit, with the role and not the hash; verification covers them.
  const AuditVerification verified = store->verify_audit();
  EXPECT_TRUE(verified.problems.empty()) << (verified.problems.empty() ? "" : verified.problems.front());
  EXPECT_EQ(verified.versions_checked, 2);
  const std::vector<AuditEntry> entries = store->history("");  // entries about no one patient
  ASSERT_EQ(entries.size(), 2U);
  EXPECT_EQ(entries[0].action, "account_create");
  EXPECT_EQ(entries[1].action, "account_change");
  EXPECT_EQ(entries[1].record, "account:nurse.jones");
  for (const AuditEntry& e : entries) {
    EXPECT_EQ(e.detail_json.find("argon2id"), std::string::npos) << e.detail_json;
    EXPECT_NE(e.detail_json.find("clinician"), std::string::npos) << e.detail_json;
  }
  EXPECT_NE(raw_sql("UPDATE account_versions SET body_json = '{}'").find("append-only"), std::string::npos);
  EXPECT_NE(raw_sql("DELETE FROM account_versions").find("append-only"), std::string::npos);
}

TEST_P(StoreConformance, BadAccountsAreRefusedAndChangeNothing) {
  auto store = open();
  store->add_account(nurse_account(), "admin");
  Account taken = nurse_account();
  EXPECT_THROW(store->add_account(taken, "admin"), std::invalid_argument);
  Account plain = nurse_account();
  plain.username = "plain";
  plain.password_hash = "secret";  // a password, not a hash: never stored
  EXPECT_THROW(store->add_account(plain, "admin"), std::invalid_argument);
  Account spaced = nurse_account();
  spaced.username = "two words";
  EXPECT_THROW(store->add_account(spaced, "admin"), std::invalid_argument);
  Account no_role = nurse_account();
  no_role.username = "norole";
  no_role.role = "";
  EXPECT_THROW(store->add_account(no_role, "admin"), std::invalid_argument);
  EXPECT_THROW(store->change_account(nurse_account(), "admin", " "), std::invalid_argument);
  Account unknown = nurse_account();
  unknown.username = "unknown";
  EXPECT_THROW(store->change_account(unknown, "admin", "why"), std::invalid_argument);
  EXPECT_EQ(store->accounts().size(), 1U);
  EXPECT_EQ(store->verify_audit().entries, 1);
}

TEST_P(StoreConformance, VerificationFindsAnAccountChangedBehindTheStoresBack) {
  auto store = open();
  store->add_account(nurse_account(), "admin");
  ASSERT_EQ(drop_guards("account_versions"), "");
  ASSERT_EQ(raw_sql("UPDATE account_versions SET body_json = REPLACE(body_json, 'clinician', 'admin')"), "");
  const AuditVerification tampered = store->verify_audit();
  ASSERT_EQ(tampered.problems.size(), 1U);
  EXPECT_NE(tampered.problems[0].find("account \"nurse.jones\", version 1"), std::string::npos) << tampered.problems[0];
  EXPECT_NE(tampered.problems[0].find("changed behind the store's back"), std::string::npos) << tampered.problems[0];
}

TEST_P(StoreConformance, DecisionsAreKeptAuditedAndVerified) {
  auto store = open();
  store->import_timelines(adult_case(), "tester", "import");
  EXPECT_THROW(store->record_decision("nobody", R"({"decision": "accepted"})", "dr"), std::invalid_argument);
  EXPECT_THROW(store->record_decision("zi2021-case", "[1, 2]", "dr"), std::invalid_argument);
  EXPECT_EQ(store->record_decision("zi2021-case", R"({"step": "ruxolitinib", "decision": "accepted"})", "dr.lee"), 1);
  EXPECT_EQ(store->record_decision("zi2021-case", R"({"step": "dexamethasone", "decision": "declined", "reason": "r"})", "dr.lee"), 2);
  const auto kept = store->decisions("zi2021-case");
  ASSERT_EQ(kept.size(), 2U);
  EXPECT_EQ(kept[0].recorded_by, "dr.lee");
  EXPECT_EQ(json::parse(kept[1].body_json)["decision"], "declined");
  EXPECT_EQ(store->history("zi2021-case").back().action, "decision");
  EXPECT_TRUE(store->verify_audit().problems.empty());
  EXPECT_NE(raw_sql("DELETE FROM decisions").find("append-only"), std::string::npos);
  ASSERT_EQ(drop_guards("decisions"), "");
  ASSERT_EQ(raw_sql("UPDATE decisions SET body_json = REPLACE(body_json, 'declined', 'accepted')"), "");
  const AuditVerification tampered = store->verify_audit();
  ASSERT_EQ(tampered.problems.size(), 1U);
  EXPECT_NE(tampered.problems[0].find("decision 2 of patient \"zi2021-case\""), std::string::npos) << tampered.problems[0];
}

// ---- schema and concurrency ---------------------------------------------------------------------

TEST_P(StoreConformance, ReopeningMigratesOnceAndANewerSchemaIsRefused) {
  open()->import_timelines(adult_case(), "tester", "import");
  EXPECT_NE(open(), nullptr);  // a second open applies nothing again
  EXPECT_EQ(raw_sql("INSERT INTO schema_version (version, applied_at) VALUES (99, 'later')"), "");
  try {
    const auto refused = open();
    FAIL() << "a database from a newer crsguard was opened";
  } catch (const StoreError& error) {
    EXPECT_NE(std::string(error.what()).find("schema version 99, newer than this crsguard"), std::string::npos)
        << error.what();
  }
}

// Database roles are PostgreSQL's: the ward's role may read and insert, nothing more (docs/store.md,
// PostgreSQL setup).
class PostgresqlStore : public StoreConformance {};
INSTANTIATE_TEST_SUITE_P(PostgreSQL, PostgresqlStore, ::testing::Values(Backend::postgresql), backend_name);

TEST_P(PostgresqlStore, ARoleThatMayOnlyReadAndInsertCanUseAMigratedStore) {
  ASSERT_NE(open(), nullptr);  // migrated by the owner
  ASSERT_EQ(raw_sql("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ward') THEN "
                    "CREATE ROLE ward LOGIN; END IF; END $$;"
                    "GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO ward;"
                    "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO ward;"
                    "REVOKE CREATE ON SCHEMA public FROM PUBLIC;"),
            "");
  const std::string as_ward = url_.substr(0, url_.find("user=")) + "user=ward";
  auto store = open_store(as_ward);
  store->import_timelines(adult_case(), "nurse", "import");
  EXPECT_EQ(write_timeline_json(*store->read_timeline("zi2021-case")), write_timeline_json(adult_case().front()));
  EXPECT_TRUE(store->verify_audit().problems.empty());
  // The ward's role cannot lift the guards that the owner could.
  PGconn* connection = PQconnectdb(as_ward.c_str());
  PGresult* result = PQexec(connection, "ALTER TABLE audit DISABLE TRIGGER ALL");
  EXPECT_NE(std::string(PQresultErrorMessage(result)).find("must be owner"), std::string::npos)
      << PQresultErrorMessage(result);
  PQclear(result);
  PQfinish(connection);
}

TEST_P(StoreConformance, WritersInParallelKeepOneUnbrokenChain) {
  ASSERT_NE(open(), nullptr);  // create the schema once, before the writers start
  const auto cohort = paediatric_cohort();
  constexpr int kWriters = 4;
  std::atomic<int> failures{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      try {
        auto store = open();  // each writer its own connection, as separate processes would have
        for (std::size_t i = static_cast<std::size_t>(w); i < cohort.size(); i += kWriters) {
          store->import_timelines({cohort[i]}, "writer " + std::to_string(w), cohort[i].patient().id);
          store->append_event(cohort[i].patient().id,
                              R"({"kind": "observation", "code": "body_temperature", "value": 37.2, "unit": "Cel",
                                  "time": {"day": 1}})",
                              "writer " + std::to_string(w));
        }
      } catch (const std::exception& error) {
        ++failures;
        ADD_FAILURE() << "writer " << w << ": " << error.what();
      }
    });
  }
  for (auto& writer : writers) writer.join();
  EXPECT_EQ(failures.load(), 0);
  auto store = open();
  EXPECT_EQ(store->list_patients().size(), cohort.size());
  const AuditVerification audit = store->verify_audit();
  EXPECT_TRUE(audit.problems.empty()) << audit.problems.front();
  std::size_t events = 0;
  for (const auto& timeline : cohort) events += timeline.events().size() + 1;
  // Per patient: its header, its events, the import entry, the appended reading.
  EXPECT_EQ(audit.entries, static_cast<std::int64_t>(events + 2 * cohort.size()));
}

}  // namespace
}  // namespace crsguard
