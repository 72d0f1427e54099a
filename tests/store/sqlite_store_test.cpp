// The SQLite store: round trip, idempotent import, audit chain and tamper detection, all-or-nothing import.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>
#include <filesystem>
#include <string>

#include "../io/test_files.hpp"
#include "io/timeline_files.hpp"
#include "core/problem.hpp"
#include "io/timeline_json.hpp"
#include "store/store.hpp"

namespace crsguard {
namespace {

namespace fs = std::filesystem;

class TempDatabase {
 public:
  TempDatabase() {
    std::string pattern = (fs::temp_directory_path() / "crsguard-store-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp");
    folder_ = pattern;
  }
  ~TempDatabase() {
    std::error_code ignored;
    fs::remove_all(folder_, ignored);
  }
  [[nodiscard]] std::string path() const { return (folder_ / "crsguard.db").string(); }

 private:
  fs::path folder_;
};

std::vector<Timeline> adult_case() {
  return read_timeline_file(testing::source_path("examples/adult-case-zi2021.timeline.json"));
}

TEST(SqliteStore, ExportReproducesTheImportedTimeline) {
  TempDatabase database;
  auto store = open_store("sqlite:" + database.path());
  const auto timelines = adult_case();
  const ImportSummary summary = store->import_timelines(timelines, "tester", "adult-case-zi2021.timeline.json");
  EXPECT_EQ(summary.patients_created, 1);
  EXPECT_EQ(summary.events_added, static_cast<int>(timelines.front().events().size()));
  const auto stored = store->read_timeline("zi2021-case");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(write_timeline_json(*stored), write_timeline_json(timelines.front()));
  EXPECT_FALSE(store->read_timeline("nobody").has_value());
}

TEST(SqliteStore, ImportingTheSameFileTwiceAddsNothing) {
  TempDatabase database;
  const auto timelines = adult_case();
  {
    auto store = open_store(database.path());
    store->import_timelines(timelines, "tester", "first");
  }
  auto reopened = open_store(database.path());
  const ImportSummary again = reopened->import_timelines(timelines, "tester", "second");
  EXPECT_EQ(again.patients_existing, 1);
  EXPECT_EQ(again.events_added, 0);
  EXPECT_EQ(again.events_already_present, static_cast<int>(timelines.front().events().size()));
  const auto listing = reopened->list_patients();
  ASSERT_EQ(listing.size(), 1u);
  EXPECT_EQ(listing[0].events, static_cast<int>(timelines.front().events().size()));
}

TEST(SqliteStore, TheAuditChainDetectsAnEditedOrDeletedEntry) {
  TempDatabase database;
  {
    auto store = open_store(database.path());
    store->import_timelines(adult_case(), "tester", "import");
    const AuditVerification intact = store->verify_audit();
    EXPECT_TRUE(intact.problems.empty());
    EXPECT_GT(intact.entries, 40);
    EXPECT_FALSE(store->history("zi2021-case").empty());
  }
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(database.path().c_str(), &raw), SQLITE_OK);
  // The triggers refuse edits through SQL ...
  EXPECT_NE(sqlite3_exec(raw, "UPDATE audit SET actor = 'someone else' WHERE seq = 3", nullptr, nullptr, nullptr), SQLITE_OK);
  // ... so a tamperer drops them first; verification still finds the edit and the deletion.
  ASSERT_EQ(sqlite3_exec(raw, "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;"
                              "UPDATE audit SET actor = 'someone else' WHERE seq = 3; DELETE FROM audit WHERE seq = 7;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);
  const AuditVerification tampered = open_store(database.path())->verify_audit();
  ASSERT_GE(tampered.problems.size(), 2u);
  EXPECT_NE(tampered.problems[0].find("audit entry 3: its content was changed"), std::string::npos) << tampered.problems[0];
  EXPECT_NE(tampered.problems[1].find("audit entries 7 to 7 are missing"), std::string::npos) << tampered.problems[1];
}

}  // namespace
}  // namespace crsguard

namespace crsguard {
namespace {

TEST(SqliteStoreVersions, AmendAndRetractKeepEveryVersionAndReadAsOf) {
  TempDatabase database;
  auto store = open_store(database.path());
  store->import_timelines(adult_case(), "tester", "import");
  const auto before = store->events("zi2021-case");
  // The day-5 temperature of 40.8 °C, amended to 40.6 °C.
  const auto fever = std::find_if(before.begin(), before.end(), [](const StoredEvent& e) {
    return e.body_json.find("40.8") != std::string::npos;
  });
  ASSERT_NE(fever, before.end());
  const std::string original = fever->body_json;
  std::string amended = original;
  amended.replace(amended.find("40.8"), 4, "40.6");
  const std::string before_amendment = store->history("zi2021-case").back().at;
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  store->amend_event("zi2021-case", fever->event_uid, amended, "nurse", "transcription error");
  const auto after = store->events("zi2021-case");
  const auto changed = std::find_if(after.begin(), after.end(), [&](const StoredEvent& e) { return e.event_uid == fever->event_uid; });
  EXPECT_EQ(changed->version, 2);
  EXPECT_EQ(changed->reason, "transcription error");
  EXPECT_NE(write_timeline_json(*store->read_timeline("zi2021-case")).find("40.6"), std::string::npos);
  // As the store held it before the amendment: the original value.
  EXPECT_NE(write_timeline_json(*store->read_timeline("zi2021-case", before_amendment)).find("40.8"), std::string::npos);

  store->retract_event("zi2021-case", fever->event_uid, "nurse", "wrong patient");
  EXPECT_EQ(store->read_timeline("zi2021-case")->events().size(), adult_case().front().events().size() - 1);
  EXPECT_EQ(store->list_patients().at(0).events, static_cast<int>(adult_case().front().events().size() - 1));
  EXPECT_THROW(store->retract_event("zi2021-case", fever->event_uid, "nurse", " "), std::invalid_argument);
  EXPECT_THROW(store->retract_event("zi2021-case", "no-such-event", "nurse", "x"), std::invalid_argument);
  // An implausible amendment is refused by the reader, and nothing changes.
  std::string implausible = original;
  implausible.replace(implausible.find("40.8"), 4, "60.0");
  EXPECT_THROW(store->amend_event("zi2021-case", fever->event_uid, implausible, "nurse", "typo"), InputError);
  EXPECT_TRUE(store->verify_audit().problems.empty());
  const auto history = store->history("zi2021-case");
  EXPECT_EQ(history.back().action, "retract");
  EXPECT_EQ(history.back().actor, "nurse");
}

}  // namespace
}  // namespace crsguard
