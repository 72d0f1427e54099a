// Kaplan–Meier and the log-rank test on a cohort of 1 million subjects in 4 groups (analysis/survival.hpp):
// one curve per group plus the 4-group test, the work of `crsguard survival --by` on a registry-sized
// cohort. Target: well under 0.4 s, ≥ 10× faster than R's survfit + survdiff on the same data
// (bench/survival_vs_r.sh measures that ratio). Results and the command: bench/README.md.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "analysis/survival.hpp"

namespace crsguard {
namespace {

constexpr std::size_t kSubjects = 1'000'000;
constexpr std::array<const char*, 4> kGroups = {"axi-cel", "brexu-cel", "liso-cel", "tisa-cel"};

// A deterministic cohort (splitmix64, no library distribution, so every machine gets the same data):
// exponential event times with a hazard per group, uniform censoring, follow-up capped at two years;
// times in days with full double precision (the radix sort's worst case: no shared digits).
struct Cohort {
  std::vector<SurvivalSubject> subjects;
  std::vector<std::string> group_of;
  std::array<std::vector<SurvivalSubject>, kGroups.size()> by_group;
};

double uniform(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return (static_cast<double>(z >> 11) + 0.5) * 0x1.0p-53;  // in (0, 1)
}

const Cohort& cohort() {
  static const Cohort data = [] {
    Cohort out;
    std::uint64_t state = 20261123;
    constexpr std::array<double, kGroups.size()> median_days = {300, 240, 420, 360};
    for (std::size_t i = 0; i < kSubjects; ++i) {
      const std::size_t group = static_cast<std::size_t>(uniform(state) * kGroups.size());
      const double event = -std::log(uniform(state)) * median_days[group] / std::log(2.0);
      const double censor = 730 * uniform(state);
      const SurvivalSubject subject{std::min(event, censor), event <= censor};
      out.subjects.push_back(subject);
      out.group_of.emplace_back(kGroups[group]);
      out.by_group[group].push_back(subject);
    }
    return out;
  }();
  return data;
}

// What the CLI does for `survival --by product`: a curve per group, then the test across them.
void BM_KaplanMeierPerGroupAndLogRank1MSubjects4Groups(benchmark::State& state) {
  const Cohort& data = cohort();
  double chi_square = 0;
  for (auto _ : state) {
    for (const auto& group : data.by_group) benchmark::DoNotOptimize(kaplan_meier(group));
    chi_square = log_rank_test(data.subjects, data.group_of).chi_square;
    benchmark::DoNotOptimize(chi_square);
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kSubjects));
  state.counters["chi_square"] = chi_square;
}
BENCHMARK(BM_KaplanMeierPerGroupAndLogRank1MSubjects4Groups)->Unit(benchmark::kMillisecond);

void BM_KaplanMeier1MSubjects(benchmark::State& state) {
  const Cohort& data = cohort();
  for (auto _ : state) benchmark::DoNotOptimize(kaplan_meier(data.subjects));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kSubjects));
}
BENCHMARK(BM_KaplanMeier1MSubjects)->Unit(benchmark::kMillisecond);

void BM_LogRank1MSubjects4Groups(benchmark::State& state) {
  const Cohort& data = cohort();
  for (auto _ : state) benchmark::DoNotOptimize(log_rank_test(data.subjects, data.group_of));
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(kSubjects));
}
BENCHMARK(BM_LogRank1MSubjects4Groups)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace crsguard

BENCHMARK_MAIN();
