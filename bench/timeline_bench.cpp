// Reading, writing and summarising timelines. Results and the command that produced them:
// bench/README.md.
#include <benchmark/benchmark.h>

#include <fstream>
#include <sstream>

#include "io/timeline_json.hpp"
#include "model/timeline.hpp"

namespace crsguard {
namespace {

std::string read_example() {
  std::ifstream stream(std::string(CRSGUARD_SOURCE_DIR) + "/examples/adult-case-zi2021.timeline.json");
  std::ostringstream text;
  text << stream.rdbuf();
  return text.str();
}

// 28 days of hourly vitals and oxygen, as a monitored CRS admission produces.
Timeline synthetic_admission(int days) {
  TimelineRecord record;
  record.patient.id = "bench";
  record.infusion.product = "CD19 CAR-T";
  record.infusion.targets = {"CD19"};
  for (int hour = 0; hour < days * 24; ++hour) {
    const std::int64_t t = std::int64_t{hour} * 3600;
    const EventTime time{t, TimeForm::study_day_clock};
    const double fever = 37.0 + 2.5 * ((hour / 24) % 5 == 2 ? 1.0 : 0.2);
    record.events.push_back(Event{time, Observation{ObservationCode::body_temperature, fever, {}, {}, {}, {}}, ""});
    record.events.push_back(Event{time, Observation{ObservationCode::heart_rate, 90.0 + hour % 40, {}, {}, {}, {}}, ""});
    record.events.push_back(Event{time, Observation{ObservationCode::systolic_bp, 100.0 - hour % 20, {}, {}, {}, {}}, ""});
    if (hour % 6 == 0) {
      record.events.push_back(Event{time, OxygenSupport{OxygenDevice::nasal_cannula, double(hour % 8), {}}, ""});
    }
  }
  return Timeline(std::move(record));
}

void BM_ReadAdultCaseJson(benchmark::State& state) {
  const std::string text = read_example();
  for (auto _ : state) benchmark::DoNotOptimize(read_timelines_json(text, "bench.json"));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_ReadAdultCaseJson);

void BM_WriteAdultCaseJson(benchmark::State& state) {
  const auto timelines = read_timelines_json(read_example(), "bench.json");
  for (auto _ : state) benchmark::DoNotOptimize(write_timeline_json(timelines.front()));
}
BENCHMARK(BM_WriteAdultCaseJson);

void BM_DaySummaries28DaysHourly(benchmark::State& state) {
  const Timeline timeline = synthetic_admission(28);
  for (auto _ : state) benchmark::DoNotOptimize(timeline.day_summaries());
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(timeline.events().size()));
}
BENCHMARK(BM_DaySummaries28DaysHourly);

void BM_ReadSynthetic28DayJson(benchmark::State& state) {
  const std::string text = write_timeline_json(synthetic_admission(28));
  for (auto _ : state) benchmark::DoNotOptimize(read_timelines_json(text, "bench.json"));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_ReadSynthetic28DayJson);

}  // namespace
}  // namespace crsguard

BENCHMARK_MAIN();
