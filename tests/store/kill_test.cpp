// No data loss (issue 5 item 7): a child process imports a large synthetic cohort in one
// import_timelines call and is killed with SIGKILL at random points (fixed seed, many trials); after
// each kill the database must open cleanly, pass PRAGMA integrity_check, and hold either the whole
// import (every patient, every event, an audit chain that verifies) or none of it — never a part.
//
// The child is tests/store/import_driver.cpp. One uninterrupted run first measures how long the
// import takes on this machine (and under this build: Debug, ASan), and the kill delays are spread
// over that duration, counted from the moment the child says it starts importing. Trials: 25, or
// CRSGUARD_KILL_TRIALS from the environment for a longer run.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "io/timeline_json.hpp"
#include "kill_cohort.hpp"
#include "store/store.hpp"

#include "../temp_folder.hpp"

namespace crsguard {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using Seconds = std::chrono::duration<double>;

using testing::TempFolder;

// What one run of the driver did, as far as the parent can tell.
struct DriverRun {
  bool started_import = false;   // printed "importing"
  bool committed_line = false;   // printed "committed": import_timelines had returned
  bool killed = false;           // ended by our SIGKILL (not by exiting first)
  int exit_code = -1;            // when it exited by itself
  double import_seconds = 0;     // from "importing" to "committed" (runs seen getting there; else 0)
  std::string output;
};

// Reads the child's stdout into `output`, until `wanted` appears (true), end of file or timeout (false).
bool read_until(int fd, std::string& output, const std::string& wanted, Clock::time_point deadline) {
  char buffer[4096];
  while (wanted.empty() || output.find(wanted) == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return false;
    pollfd watch{fd, POLLIN, 0};
    const int ready = ::poll(&watch, 1, static_cast<int>(std::min<long long>(left, 1000)));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return false;  // end of file: the child is gone
    output.append(buffer, static_cast<std::size_t>(got));
  }
  return true;
}

// Runs the driver on `url`; with `kill_after`, sends SIGKILL that long after it printed "importing".
DriverRun run_driver(const std::string& url, std::optional<Seconds> kill_after) {
  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2");
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork");
  if (pid == 0) {
    ::dup2(pipe_fds[1], STDOUT_FILENO);
    const char* driver = CRSGUARD_IMPORT_DRIVER_PATH;
    ::execl(driver, driver, url.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(pipe_fds[1]);
  DriverRun run;
  // Generous: the cohort is built and the store opened before "importing", under ASan too.
  const auto deadline = Clock::now() + std::chrono::minutes(5);
  run.started_import = read_until(pipe_fds[0], run.output, "importing", deadline);
  const auto import_started = Clock::now();
  if (run.started_import && kill_after) {
    // Wait for the kill time while watching the output: a run that gets to "committed" first tells
    // how long the import takes now.
    const auto kill_at = import_started + std::chrono::duration_cast<Clock::duration>(*kill_after);
    if (read_until(pipe_fds[0], run.output, "committed", kill_at)) {
      run.import_seconds = Seconds(Clock::now() - import_started).count();
    }
    std::this_thread::sleep_until(kill_at);
    ::kill(pid, SIGKILL);
  } else if (!run.started_import) {
    ::kill(pid, SIGKILL);
  }
  if (run.started_import && !kill_after) {
    run.committed_line = read_until(pipe_fds[0], run.output, "committed", deadline);
    run.import_seconds = Seconds(Clock::now() - import_started).count();
  }
  read_until(pipe_fds[0], run.output, "", deadline);  // the rest, up to end of file
  ::close(pipe_fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  run.killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
  if (WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  run.committed_line = run.output.find("committed") != std::string::npos;
  return run;
}

struct TableCounts {
  std::string integrity;
  int foreign_key_problems = 0;
  std::map<std::string, std::int64_t> rows;
};

// Straight from SQLite, before crsguard opens the database: integrity, foreign keys, row counts.
TableCounts inspect_raw(const std::string& path) {
  TableCounts out;
  sqlite3* raw = nullptr;
  if (sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    out.integrity = std::string("cannot open: ") + sqlite3_errmsg(raw);
    sqlite3_close(raw);
    return out;
  }
  const auto each_row = [&](const std::string& sql, const auto& row) {
    sqlite3_stmt* statement = nullptr;
    if (sqlite3_prepare_v2(raw, sql.c_str(), -1, &statement, nullptr) != SQLITE_OK) {
      out.integrity += std::string(" [") + sql + ": " + sqlite3_errmsg(raw) + "]";
      return;
    }
    while (sqlite3_step(statement) == SQLITE_ROW) row(statement);
    sqlite3_finalize(statement);
  };
  std::string integrity;
  each_row("PRAGMA integrity_check", [&](sqlite3_stmt* s) {
    if (!integrity.empty()) integrity += "; ";
    integrity += reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
  });
  out.integrity = integrity + out.integrity;
  each_row("PRAGMA foreign_key_check", [&](sqlite3_stmt*) { ++out.foreign_key_problems; });
  for (const char* table : {"patients", "patient_versions", "events", "event_versions", "audit"}) {
    each_row(std::string("SELECT COUNT(*) FROM ") + table,
             [&](sqlite3_stmt* s) { out.rows[table] = sqlite3_column_int64(s, 0); });
  }
  sqlite3_close(raw);
  return out;
}

enum class Outcome { none, whole, part };

struct Expected {
  std::map<std::string, int> events_per_patient;
  std::int64_t patients = 0;
  std::int64_t events = 0;
  std::string first_patient_json;
  std::string first_patient_id;
};

// Opens the database as crsguard does and decides: the whole import, none of it, or (a failure) a part.
Outcome check_database(const std::string& path, const Expected& expected, std::string& why) {
  const TableCounts raw = inspect_raw(path);
  std::ostringstream problems;
  if (raw.integrity != "ok") problems << "integrity_check: " << raw.integrity << "\n";
  if (raw.foreign_key_problems != 0) problems << raw.foreign_key_problems << " foreign key violations\n";

  std::unique_ptr<Store> store;
  try {
    store = open_store("sqlite:" + path);
  } catch (const std::exception& error) {
    why = problems.str() + "open_store failed: " + error.what();
    return Outcome::part;
  }
  const auto listing = store->list_patients();
  const AuditVerification audit = store->verify_audit();
  for (const auto& problem : audit.problems) problems << "audit: " << problem << "\n";

  std::int64_t all_rows = 0;
  for (const auto& [table, count] : raw.rows) all_rows += count;
  const bool nothing = listing.empty() && all_rows == 0 && audit.entries == 0;

  bool everything = static_cast<std::int64_t>(listing.size()) == expected.patients &&
                    raw.rows.at("patients") == expected.patients &&
                    raw.rows.at("patient_versions") == expected.patients &&
                    raw.rows.at("events") == expected.events && raw.rows.at("event_versions") == expected.events &&
                    // one "create" per patient (its header's first version), one per event, one "import"
                    audit.entries == expected.events + expected.patients + 1 && audit.versions_checked ==
                    expected.events + expected.patients &&
                    raw.rows.at("audit") == audit.entries;
  if (everything) {
    for (const auto& patient : listing) {
      const auto found = expected.events_per_patient.find(patient.patient_id);
      if (found == expected.events_per_patient.end() || found->second != patient.events) everything = false;
    }
  }
  if (everything) {
    const auto stored = store->read_timeline(expected.first_patient_id);
    if (!stored || write_timeline_json(*stored) != expected.first_patient_json) {
      problems << "the export of " << expected.first_patient_id << " differs from what was imported\n";
    }
  }
  std::ostringstream counts;
  for (const auto& [table, count] : raw.rows) counts << table << "=" << count << " ";
  counts << "listed_patients=" << listing.size() << " audit_entries=" << audit.entries;
  why = problems.str() + counts.str();
  if (!problems.str().empty()) return Outcome::part;
  if (everything) return Outcome::whole;
  if (nothing) return Outcome::none;
  return Outcome::part;
}

TEST(SqliteStoreKill, AnImportKilledAtRandomPointsLeavesAllOrNothing) {
  const auto test_started = Clock::now();
  const auto cohort = testing::kill_test_cohort();
  Expected expected;
  for (const auto& timeline : cohort) {
    expected.events_per_patient[timeline.patient().id] = static_cast<int>(timeline.events().size());
    expected.events += static_cast<std::int64_t>(timeline.events().size());
  }
  expected.patients = static_cast<std::int64_t>(cohort.size());
  expected.first_patient_id = cohort.front().patient().id;
  expected.first_patient_json = write_timeline_json(cohort.front());

  const TempFolder folder("kill");
  // One uninterrupted run: it must hold everything, and it tells how long the import takes here.
  // Trials that finish before their kill add their own duration: the kill points follow the median,
  // so that a calibration run slowed by other load (ctest -j) does not push every kill past the end.
  std::vector<double> durations;
  const auto median_duration = [&durations] {
    std::vector<double> sorted = durations;
    std::sort(sorted.begin(), sorted.end());
    return sorted[sorted.size() / 2];
  };
  {
    const std::string path = (folder.path() / "calibration.db").string();
    const DriverRun run = run_driver("sqlite:" + path, std::nullopt);
    ASSERT_TRUE(run.started_import && run.committed_line && run.exit_code == 0)
        << "the driver did not complete an uninterrupted import; its output:\n"
        << run.output;
    EXPECT_NE(run.output.find("committed " + std::to_string(expected.events)), std::string::npos) << run.output;
    std::string why;
    EXPECT_EQ(check_database(path, expected, why), Outcome::whole) << why;
    durations.push_back(run.import_seconds);
  }

  int trials = 25;
  if (const char* env = std::getenv("CRSGUARD_KILL_TRIALS")) trials = std::max(1, std::atoi(env));
  std::mt19937 random(20261124);
  // Two thirds of the kills anywhere in the import; one third around its end, where the commit is.
  std::uniform_real_distribution<double> anywhere(0.0, 1.0);
  std::uniform_real_distribution<double> near_end(0.93, 1.07);
  int none = 0;
  int whole_without_line = 0;  // killed after the commit, before "committed" was printed
  int whole_after_line = 0;    // killed after "committed"
  int exited = 0;              // finished before the kill
  int part = 0;
  for (int trial = 0; trial < trials; ++trial) {
    const double fraction = trial % 3 == 2 ? near_end(random) : anywhere(random);
    const Seconds delay(fraction * median_duration());
    const std::string path = (folder.path() / ("trial-" + std::to_string(trial) + ".db")).string();
    const DriverRun run = run_driver("sqlite:" + path, delay);
    if (run.import_seconds > 0) durations.push_back(run.import_seconds);
    ASSERT_TRUE(run.started_import) << "trial " << trial << ": the driver never started importing:\n" << run.output;
    std::string why;
    const Outcome outcome = check_database(path, expected, why);
    SCOPED_TRACE(::testing::Message() << "trial " << trial << ", killed " << delay.count() << " s (" << fraction
                                      << " of the import) into the import");
    if (run.committed_line || !run.killed) {
      // It had returned from import_timelines: every event must be there.
      EXPECT_EQ(outcome, Outcome::whole) << why;
      if (!run.killed) {
        EXPECT_EQ(run.exit_code, 0) << run.output;
        ++exited;
      } else {
        ++whole_after_line;
      }
    } else if (outcome == Outcome::whole) {
      ++whole_without_line;
    } else if (outcome == Outcome::none) {
      ++none;
    }
    if (outcome == Outcome::part) {
      ++part;
      ADD_FAILURE() << "a part of the import survived the kill: " << why;
    }
    std::error_code ignored;
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path + suffix, ignored);
  }
  const double total = Seconds(Clock::now() - test_started).count();
  std::cout << "[ kill test ] " << expected.patients << " patients, " << expected.events << " events in one import of "
            << median_duration() << " s (median of " << durations.size() << " complete runs); " << trials << " trials: " << none << " none, " << whole_without_line
            << " whole (killed between the commit and \"committed\"), " << whole_after_line
            << " whole (killed after \"committed\"), " << exited << " finished before the kill, " << part
            << " part; " << total << " s in all\n";
  RecordProperty("trials_none", none);
  RecordProperty("trials_whole", whole_without_line + whole_after_line + exited);
  RecordProperty("trials_part", part);
  // The trials must have hit the import itself, not only its ends.
  EXPECT_GE(none, trials / 4) << "too few kills landed inside the import";
}

}  // namespace
}  // namespace crsguard
