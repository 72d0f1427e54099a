// Protocol engine speed: advice for 500 patients, each on a 28-day hourly record (the engine is meant
// to run after every new observation for every active patient), and a whole-record replay.
// Results and the command: bench/README.md.
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "clinical/protocol_engine.hpp"
#include "clinical/protocol_replay.hpp"
#include "io/protocol_yaml.hpp"
#include "io/rules_json.hpp"
#include "synthetic_course.hpp"

namespace crsguard {
namespace {

constexpr int kPatients = 500;

const std::vector<Timeline>& courses() { return synthetic_courses(); }

// One advice per patient at a moment of its course (range(0): the hour after infusion), as a ward
// board refreshing every active patient would ask.
void advise_all(benchmark::State& state, const char* protocol_name) {
  const ProtocolEngine engine(load_protocol(protocol_name), ProtocolRules::from(load_rules()));
  const std::int64_t t = state.range(0) * 3600;
  int recommendations = 0;
  for (auto _ : state) {
    for (int p = 0; p < kPatients; ++p) {
      const Advice advice = engine.advise(courses()[static_cast<std::size_t>(p % kDistinctCourses)], t);
      recommendations += static_cast<int>(advice.recommendations.size());
      benchmark::DoNotOptimize(advice);
    }
  }
  state.SetItemsProcessed(state.iterations() * kPatients);  // items = advise calls
  state.counters["recommendations_per_patient"] =
      static_cast<double>(recommendations) / static_cast<double>(state.iterations() * kPatients);
}

void BM_Advise500PatientsAstctAsco(benchmark::State& state) { advise_all(state, "astct-asco-2021"); }
void BM_Advise500PatientsPan2021(benchmark::State& state) { advise_all(state, "pan2021-paediatric"); }
// Day 5 (mid-episode for most courses) and day 28 (the whole record).
BENCHMARK(BM_Advise500PatientsAstctAsco)->Arg(5 * 24)->Arg(28 * 24)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Advise500PatientsPan2021)->Arg(5 * 24)->Arg(28 * 24)->Unit(benchmark::kMillisecond);

// The quality-review replay of one 28-day record (every event and every hour: ~680 advice calls).
void BM_ReplayOne28DayRecord(benchmark::State& state) {
  const Protocol protocol = load_protocol("astct-asco-2021");
  const ProtocolRules rules = ProtocolRules::from(load_rules());
  for (auto _ : state) benchmark::DoNotOptimize(replay_protocol(courses().front(), protocol, rules));
}
BENCHMARK(BM_ReplayOne28DayRecord)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace crsguard

BENCHMARK_MAIN();
