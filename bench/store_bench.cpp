// Bulk import into the store (issue 5 item 9): 1 000 patients × 28 days of hourly vitals
// (bench/synthetic_course.hpp's 64 distinct courses, each patient with its own id, ≈ 1.35 million
// events) imported in one import_timelines call into a fresh database, SQLite and PostgreSQL, and the
// same rows loaded by PostgreSQL's own bulk path (COPY) as the ceiling. Results and the commands that
// produced them: bench/README.md.
//
//   store_bench [Google Benchmark flags]   the benchmarks; the SQLite file goes under $TMPDIR (or /tmp),
//                                          the PostgreSQL server is a throwaway one with durable settings
//                                          (tests/store/postgres_server.hpp), started once
//   store_bench --write-database FILE [PATIENTS]
//                                          imports the cohort (or its first PATIENTS) into a new SQLite
//                                          file, whose rows bench/sqlite_import_ceiling.sh loads again
//                                          with sqlite3's .import; prints the number of events
//
// Every timed import is one transaction into a fresh, migrated database; the time includes closing the
// store (as the sqlite3 CLI's time includes its exit), not opening it.
#include <benchmark/benchmark.h>
#include <libpq-fe.h>

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "postgres_server.hpp"
#include "store/store.hpp"
#include "synthetic_course.hpp"

namespace crsguard {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int kBenchPatients = 1000;

struct Cohort {
  std::vector<Timeline> timelines;
  std::int64_t events = 0;
};

// `patients` 28-day admissions cycling through the 64 distinct courses, patient ids patient-0001 …
Cohort bench_cohort(std::int64_t patients) {
  const auto& pool = synthetic_courses();
  Cohort out;
  out.timelines.reserve(static_cast<std::size_t>(patients));
  for (std::int64_t i = 0; i < patients; ++i) {
    TimelineRecord record = pool[static_cast<std::size_t>(i % kDistinctCourses)].record();
    record.patient.id = fmt::format("patient-{:04d}", i + 1);
    out.timelines.emplace_back(std::move(record));
    out.events += static_cast<std::int64_t>(out.timelines.back().events().size());
  }
  return out;
}

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// The best time of the PostgreSQL import and of COPY for each cohort size, for the ratio printed at the end.
std::map<std::pair<std::string, std::int64_t>, double>& best_seconds() {
  static std::map<std::pair<std::string, std::int64_t>, double> best;
  return best;
}

void note_time(const std::string& benchmark, std::int64_t patients, double seconds) {
  auto [entry, added] = best_seconds().try_emplace({benchmark, patients}, seconds);
  if (!added) entry->second = std::min(entry->second, seconds);
}

void set_counters(benchmark::State& state, std::int64_t events) {
  state.counters["patients"] = static_cast<double>(state.range(0));
  state.counters["events"] = static_cast<double>(events);
  state.counters["events/s"] =
      benchmark::Counter(static_cast<double>(events * state.iterations()), benchmark::Counter::kIsRate);
}

// ---- SQLite ----------------------------------------------------------------------------------------

void remove_database(const fs::path& path) {
  std::error_code ignored;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(path.string() + suffix, ignored);
}

void BM_SqliteImport(benchmark::State& state) {
  const auto [cohort, events] = bench_cohort(state.range(0));
  const fs::path path = fs::temp_directory_path() / "crsguard-store-bench.db";
  for (auto _ : state) {
    remove_database(path);
    auto store = open_store("sqlite:" + path.string());
    const auto start = Clock::now();
    const ImportSummary summary = store->import_timelines(cohort, "bench", "synthetic");
    store.reset();
    const double seconds = seconds_since(start);
    state.SetIterationTime(seconds);
    if (summary.events_added != events) state.SkipWithError("not every event was added");
    remove_database(path);
  }
  set_counters(state, events);
}
BENCHMARK(BM_SqliteImport)->Arg(kBenchPatients)->Iterations(1)->Repetitions(3)->Unit(benchmark::kSecond)->UseManualTime();
// A tenth of the cohort, for quick runs and profiling.
BENCHMARK(BM_SqliteImport)->Arg(kBenchPatients / 10)->Iterations(3)->Unit(benchmark::kMillisecond)->UseManualTime();

// ---- PostgreSQL ------------------------------------------------------------------------------------

using Connection = std::unique_ptr<PGconn, decltype(&PQfinish)>;
using Result = std::unique_ptr<PGresult, decltype(&PQclear)>;

Connection connect(const std::string& url) {
  Connection connection(PQconnectdb(url.c_str()), &PQfinish);
  if (PQstatus(connection.get()) != CONNECTION_OK) {
    throw std::runtime_error("cannot connect to " + url + ": " + PQerrorMessage(connection.get()));
  }
  return connection;
}

// Runs a statement; its first value (or "" for a command), or throws.
std::string run(PGconn* connection, const std::string& sql) {
  const Result result(PQexec(connection, sql.c_str()), &PQclear);
  const ExecStatusType status = PQresultStatus(result.get());
  if (status == PGRES_COMMAND_OK) return "";
  if (status != PGRES_TUPLES_OK) throw std::runtime_error(sql + ": " + PQerrorMessage(connection));
  return PQntuples(result.get()) > 0 ? PQgetvalue(result.get(), 0, 0) : "";
}

// The throwaway server, started on first use with durable settings and kept for the whole run.
class BenchServer {
 public:
  static BenchServer& get() {
    static BenchServer server;
    return server;
  }

  // False, with the benchmark skipped and the reason given, when no server could be started.
  bool ready(benchmark::State& state) {
    if (!server_) state.SkipWithError(("no PostgreSQL server: " + why_).c_str());
    return server_ != nullptr;
  }

  // A new, empty database migrated to the store's schema, with the server checkpointed so that each timed
  // load starts with no dirty pages from the one before; returns its URL.
  std::string fresh_database(const std::string& name) {
    drop_database(name);
    const std::string url = server_->create_database(name);
    open_store(url).reset();
    run(admin_.get(), "CHECKPOINT");
    return url;
  }

  void drop_database(const std::string& name) { run(admin_.get(), "DROP DATABASE IF EXISTS " + name); }

 private:
  BenchServer() {
    server_ = testing::TemporaryPostgresServer::start(why_, testing::PostgresServerSettings{.durable = true});
    if (!server_) return;
    admin_ = connect(server_->url("postgres"));
    PQsetNoticeProcessor(admin_.get(), [](void*, const char*) {}, nullptr);  // "… does not exist, skipping"
    // What the comparison with SQLite's synchronous=FULL rests on.
    for (const char* setting : {"fsync", "synchronous_commit", "full_page_writes"}) {
      if (run(admin_.get(), fmt::format("SHOW {}", setting)) != "on") {
        why_ = fmt::format("the benchmark server runs with {} off", setting);
        server_.reset();
        return;
      }
    }
  }

  std::string why_;
  std::unique_ptr<testing::TemporaryPostgresServer> server_;
  Connection admin_{nullptr, &PQfinish};
};

// The store's tables in an order that satisfies their foreign keys.
constexpr std::string_view kTables[] = {"audit", "patients", "patient_versions", "events", "event_versions"};

// The rows crsguard wrote, table by table, as COPY's text format (one line per row).
using TableRows = std::vector<std::pair<std::string, std::string>>;

TableRows dump_rows(const std::string& url) {
  const Connection connection = connect(url);
  TableRows out;
  for (const std::string_view table : kTables) {
    const std::string sql = fmt::format("COPY {} TO STDOUT", table);
    const Result started(PQexec(connection.get(), sql.c_str()), &PQclear);
    if (PQresultStatus(started.get()) != PGRES_COPY_OUT) throw std::runtime_error(sql + ": " + PQerrorMessage(connection.get()));
    std::string text;
    char* line = nullptr;
    int length = 0;
    while ((length = PQgetCopyData(connection.get(), &line, 0)) > 0) {
      text.append(line, static_cast<std::size_t>(length));
      PQfreemem(line);
    }
    if (length != -1) throw std::runtime_error(sql + ": " + PQerrorMessage(connection.get()));
    const Result finished(PQgetResult(connection.get()), &PQclear);
    if (PQresultStatus(finished.get()) != PGRES_COMMAND_OK) throw std::runtime_error(sql + ": " + PQerrorMessage(connection.get()));
    out.emplace_back(std::string(table), std::move(text));
  }
  return out;
}

// The rows of the last crsguard import of each cohort size, for the COPY ceiling.
std::map<std::int64_t, TableRows>& imported_rows() {
  static std::map<std::int64_t, TableRows> rows;
  return rows;
}

std::int64_t import_into(const std::string& url, const std::vector<Timeline>& cohort) {
  auto store = open_store(url);
  const ImportSummary summary = store->import_timelines(cohort, "bench", "synthetic");
  return summary.events_added;
}

void BM_PostgresqlImport(benchmark::State& state) {
  BenchServer& bench = BenchServer::get();
  if (!bench.ready(state)) return;
  const auto [cohort, events] = bench_cohort(state.range(0));
  const std::string name = "crsguard_import";
  for (auto _ : state) {
    const std::string url = bench.fresh_database(name);
    const auto start = Clock::now();
    const std::int64_t added = import_into(url, cohort);  // connecting is timed here, a few milliseconds
    const double seconds = seconds_since(start);
    state.SetIterationTime(seconds);
    note_time("postgresql", state.range(0), seconds);
    if (added != events) state.SkipWithError("not every event was added");
    imported_rows()[state.range(0)] = dump_rows(url);
    bench.drop_database(name);
  }
  set_counters(state, events);
}
BENCHMARK(BM_PostgresqlImport)->Arg(kBenchPatients)->Iterations(1)->Repetitions(3)->Unit(benchmark::kSecond)->UseManualTime();
BENCHMARK(BM_PostgresqlImport)->Arg(kBenchPatients / 10)->Iterations(3)->Unit(benchmark::kMillisecond)->UseManualTime();

// Loads one table's rows with COPY … FROM STDIN, sent in pieces of 1 MiB as a client streaming a file would.
void copy_in(PGconn* connection, const std::string& table, std::string_view rows) {
  const std::string sql = fmt::format("COPY {} FROM STDIN", table);
  const Result started(PQexec(connection, sql.c_str()), &PQclear);
  if (PQresultStatus(started.get()) != PGRES_COPY_IN) throw std::runtime_error(sql + ": " + PQerrorMessage(connection));
  constexpr std::size_t kPiece = std::size_t{1} << 20;
  for (std::size_t at = 0; at < rows.size(); at += kPiece) {
    const std::string_view piece = rows.substr(at, kPiece);
    if (PQputCopyData(connection, piece.data(), static_cast<int>(piece.size())) != 1) {
      throw std::runtime_error(sql + ": " + PQerrorMessage(connection));
    }
  }
  if (PQputCopyEnd(connection, nullptr) != 1) throw std::runtime_error(sql + ": " + PQerrorMessage(connection));
  const Result finished(PQgetResult(connection), &PQclear);
  if (PQresultStatus(finished.get()) != PGRES_COMMAND_OK) throw std::runtime_error(sql + ": " + PQerrorMessage(connection));
}

// The ceiling: the very rows crsguard's import wrote (taken from its database after BM_PostgresqlImport,
// or from an untimed import when that did not run), loaded by COPY into the same tables of a fresh
// database with the same schema (keys, indexes, foreign keys, triggers), in one transaction.
void BM_PostgresqlCopy(benchmark::State& state) {
  BenchServer& bench = BenchServer::get();
  if (!bench.ready(state)) return;
  const auto [cohort, events] = bench_cohort(state.range(0));
  const std::string name = "crsguard_copy";
  if (!imported_rows().contains(state.range(0))) {
    const std::string url = bench.fresh_database(name);
    if (import_into(url, cohort) != events) state.SkipWithError("not every event was added");
    imported_rows()[state.range(0)] = dump_rows(url);
  }
  const TableRows& tables = imported_rows().at(state.range(0));
  std::int64_t rows = 0;
  for (const auto& [table, text] : tables) rows += std::count(text.begin(), text.end(), '\n');
  for (auto _ : state) {
    const std::string url = bench.fresh_database(name);
    const auto start = Clock::now();
    Connection connection = connect(url);
    run(connection.get(), "BEGIN");
    for (const auto& [table, text] : tables) copy_in(connection.get(), table, text);
    run(connection.get(), "COMMIT");
    const double seconds = seconds_since(start);
    state.SetIterationTime(seconds);
    note_time("postgresql-copy", state.range(0), seconds);
    if (run(connection.get(), "SELECT COUNT(*) FROM event_versions") != std::to_string(events)) {
      state.SkipWithError("COPY did not load every event");
    }
    connection.reset();
    bench.drop_database(name);
  }
  set_counters(state, events);
  state.counters["rows"] = static_cast<double>(rows);  // in all five tables
}
BENCHMARK(BM_PostgresqlCopy)->Arg(kBenchPatients)->Iterations(1)->Repetitions(3)->Unit(benchmark::kSecond)->UseManualTime();
BENCHMARK(BM_PostgresqlCopy)->Arg(kBenchPatients / 10)->Iterations(3)->Unit(benchmark::kMillisecond)->UseManualTime();

// The best times side by side, after every benchmark has run (on standard error, so that a JSON report
// on standard output stays JSON).
void print_ratios() {
  for (const auto& [key, crsguard] : best_seconds()) {
    const auto& [back_end, patients] = key;
    if (back_end != "postgresql") continue;
    const auto copy = best_seconds().find({"postgresql-copy", patients});
    if (copy == best_seconds().end()) continue;
    std::cerr << fmt::format("PostgreSQL, {} patients: crsguard import {:.2f} s, COPY {:.2f} s (best of each): "
                             "ratio crsguard / COPY (time per event) {:.2f}\n",
                             patients, crsguard, copy->second, crsguard / copy->second);
  }
}

int write_database(const std::string& file, std::int64_t patients) {
  remove_database(file);
  const auto [cohort, events] = bench_cohort(patients);
  if (import_into("sqlite:" + file, cohort) != events) {
    std::cerr << "store_bench: not every event was added to " << file << "\n";
    return 1;
  }
  std::cout << events << "\n";
  return 0;
}

}  // namespace
}  // namespace crsguard

int main(int argc, char** argv) {
  if ((argc == 3 || argc == 4) && std::string_view(argv[1]) == "--write-database") {
    return crsguard::write_database(argv[2], argc == 4 ? std::stoll(argv[3]) : crsguard::kBenchPatients);
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  crsguard::print_ratios();
  benchmark::Shutdown();
  return 0;
}
