// Bulk import into the SQLite store (issue 5 item 9): 1 000 patients × 28 days of hourly vitals
// (bench/synthetic_course.hpp's 64 distinct courses, each patient with its own id, ≈ 1.35 million
// events) imported in one import_timelines call into a fresh SQLite file. Results and the command
// that produced them: bench/README.md.
//
//   store_bench [Google Benchmark flags]   the benchmark; the database goes under $TMPDIR (or /tmp)
//   store_bench --write-csv FILE           writes the same events as CSV rows, one per event, for
//                                          bench/sqlite_import_ceiling.sh (sqlite3's own .import)
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "io/timeline_json.hpp"
#include "store/store.hpp"
#include "synthetic_course.hpp"

namespace crsguard {
namespace {

namespace fs = std::filesystem;

constexpr int kBenchPatients = 1000;

// `patients` 28-day admissions cycling through the 64 distinct courses, patient ids patient-0001 …
std::vector<Timeline> bench_cohort(int patients) {
  const auto& pool = synthetic_courses();
  std::vector<Timeline> out;
  out.reserve(static_cast<std::size_t>(patients));
  for (int i = 0; i < patients; ++i) {
    TimelineRecord record = pool[static_cast<std::size_t>(i % kDistinctCourses)].record();
    record.patient.id = fmt::format("patient-{:04d}", i + 1);
    out.emplace_back(std::move(record));
  }
  return out;
}

std::int64_t count_events(const std::vector<Timeline>& cohort) {
  std::int64_t events = 0;
  for (const auto& timeline : cohort) events += static_cast<std::int64_t>(timeline.events().size());
  return events;
}

void remove_database(const fs::path& path) {
  std::error_code ignored;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(path.string() + suffix, ignored);
}

// One import_timelines call (one transaction) of the whole cohort into a fresh file; the time
// includes closing the store (as the sqlite3 CLI's time includes its exit), not creating it.
void BM_SqliteImport(benchmark::State& state) {
  const auto cohort = bench_cohort(static_cast<int>(state.range(0)));
  const std::int64_t events = count_events(cohort);
  const fs::path path = fs::temp_directory_path() / "crsguard-store-bench.db";
  for (auto _ : state) {
    state.PauseTiming();
    remove_database(path);
    auto store = open_store("sqlite:" + path.string());
    state.ResumeTiming();
    const ImportSummary summary = store->import_timelines(cohort, "bench", "synthetic");
    store.reset();
    state.PauseTiming();
    if (summary.events_added != events) state.SkipWithError("not every event was added");
    remove_database(path);
    state.ResumeTiming();
  }
  state.counters["patients"] = static_cast<double>(state.range(0));
  state.counters["events"] = static_cast<double>(events);
  state.SetItemsProcessed(state.iterations() * events);
}
BENCHMARK(BM_SqliteImport)->Arg(kBenchPatients)->Iterations(1)->Repetitions(3)->Unit(benchmark::kSecond)->UseRealTime();
// A tenth of the cohort, for quick runs and profiling.
BENCHMARK(BM_SqliteImport)->Arg(kBenchPatients / 10)->Iterations(3)->Unit(benchmark::kMillisecond)->UseRealTime();

std::string sha256_hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

std::string csv_field(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

// The same events as the benchmark imports, one CSV row each, with the columns the store keeps per
// event version: patient id, event uid (as the store computes it), version, canonical event JSON,
// seconds since infusion, recorded at, recorded by, reason. No header row.
int write_csv(const std::string& file) {
  std::ofstream out(file, std::ios::binary);
  if (!out) {
    std::cerr << "store_bench: cannot write " << file << "\n";
    return 1;
  }
  const std::string recorded_at = "2026-11-24T12:00:00.000Z";
  std::int64_t rows = 0;
  for (const auto& timeline : bench_cohort(kBenchPatients)) {
    const nlohmann::json document = encode_timeline(timeline);
    const auto& events = document.at("events");
    std::map<std::string, int> ordinal;
    for (std::size_t i = 0; i < events.size(); ++i) {
      const std::string body = events[i].dump();
      const int k = ordinal[body]++;
      const std::string uid = sha256_hex(fmt::format("{}\n{}\n{}", timeline.patient().id, body, k));
      out << timeline.patient().id << ',' << uid << ",1," << csv_field(body) << ','
          << timeline.events()[i].time.seconds_since_infusion << ',' << recorded_at << ",bench,import synthetic\n";
      ++rows;
    }
  }
  out.close();
  if (!out) {
    std::cerr << "store_bench: writing " << file << " failed\n";
    return 1;
  }
  std::cout << rows << "\n";
  return 0;
}

}  // namespace
}  // namespace crsguard

int main(int argc, char** argv) {
  if (argc == 3 && std::string_view(argv[1]) == "--write-csv") return crsguard::write_csv(argv[2]);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
