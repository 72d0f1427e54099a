#include "sim/trial.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>

#include "clinical/protocol_engine.hpp"
#include "sim/ode.hpp"
#include "sim/population.hpp"

namespace crsguard {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct MetricInfo {
  std::string_view name;
  std::string_view label;
  bool median;
};
constexpr std::array<MetricInfo, kTrialMetrics> kMetrics = {{
    {"grade_3_incidence", "CRS grade ≥ 3 (fraction)", false},
    {"days_at_grade_2", "days at grade ≥ 2 (mean)", false},
    {"time_to_resolution", "time to resolution, d (median)", true},
    {"steroid_dose", "steroid, dex-equivalent mg (mean)", false},
    {"car_t_peak", "CAR-T peak, cells/µL (median)", true},
    {"car_t_auc", "CAR-T AUC(0–end), cells/µL·d (median)", true},
    {"leukaemia_reduction", "leukaemia log10 reduction (mean)", false},
    {"ruxolitinib_fraction", "given ruxolitinib (fraction)", false},
}};

// Mean or median of the values at `indices`, NaNs left out; NaN when nothing is left.
double aggregate(bool median, const std::vector<double>& values, const std::vector<std::size_t>& indices,
                 std::vector<double>& scratch) {
  scratch.clear();
  for (const std::size_t i : indices) {
    if (!std::isnan(values[i])) scratch.push_back(values[i]);
  }
  if (scratch.empty()) return kNaN;
  if (!median) {
    double sum = 0;
    for (const double v : scratch) sum += v;
    return sum / static_cast<double>(scratch.size());
  }
  const std::size_t mid = scratch.size() / 2;
  std::nth_element(scratch.begin(), scratch.begin() + static_cast<std::ptrdiff_t>(mid), scratch.end());
  const double upper = scratch[mid];
  if (scratch.size() % 2 == 1) return upper;
  const double lower = *std::max_element(scratch.begin(), scratch.begin() + static_cast<std::ptrdiff_t>(mid));
  return (lower + upper) / 2;
}

// Runs body(index) for index in [0, count) on `threads` threads; each index once, on any thread. The first
// exception stops the others and is rethrown here.
template <class MakeWorker>
void parallel_for(std::size_t count, unsigned threads, MakeWorker make_worker) {
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex error_mutex;
  const auto run = [&] {
    try {
      auto body = make_worker();
      for (std::size_t i = next++; i < count && !failed; i = next++) body(i);
    } catch (...) {
      const std::lock_guard lock(error_mutex);
      if (!error) error = std::current_exception();
      failed = true;
    }
  };
  const unsigned workers = std::max(1u, std::min<unsigned>(threads, static_cast<unsigned>(std::min<std::size_t>(count, 4096))));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < workers; ++t) pool.emplace_back(run);
  run();
  for (auto& thread : pool) thread.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace

std::string_view metric_name(TrialMetric metric) { return kMetrics[static_cast<std::size_t>(metric)].name; }
std::string_view metric_label(TrialMetric metric) { return kMetrics[static_cast<std::size_t>(metric)].label; }
bool metric_is_median(TrialMetric metric) { return kMetrics[static_cast<std::size_t>(metric)].median; }

double metric_value(TrialMetric metric, const CourseSummary& s) {
  switch (metric) {
    case TrialMetric::grade_3_incidence: return s.max_crs_grade.value_or(0) >= 3 ? 1 : 0;
    case TrialMetric::days_at_grade_2: return s.days_at_grade_2_or_more;
    case TrialMetric::time_to_resolution: return s.time_to_resolution_days.value_or(kNaN);
    case TrialMetric::steroid_dose: return s.steroid_dexamethasone_equivalent_mg;
    case TrialMetric::car_t_peak: return s.car_t_peak_per_ul;
    case TrialMetric::car_t_auc: return s.car_t_auc_per_ul_days;
    case TrialMetric::leukaemia_reduction: return s.leukaemia_log10_reduction;
    case TrialMetric::ruxolitinib_fraction: return s.first_ruxolitinib_day ? 1 : 0;
    case TrialMetric::count: break;
  }
  return kNaN;
}

std::pair<double, double> percentile_interval(std::vector<double> replicates, double level) {
  std::erase_if(replicates, [](double v) { return std::isnan(v); });
  if (replicates.empty()) return {kNaN, kNaN};
  std::sort(replicates.begin(), replicates.end());
  const auto quantile = [&](double p) {
    const double position = p * static_cast<double>(replicates.size() - 1);
    const auto below = static_cast<std::size_t>(std::floor(position));
    const std::size_t above = std::min(below + 1, replicates.size() - 1);
    const double f = position - static_cast<double>(below);
    return replicates[below] + f * (replicates[above] - replicates[below]);
  };
  const double tail = (1 - level) / 2;
  return {quantile(tail), quantile(1 - tail)};
}

TrialResult run_trial(const Scenario& scenario, const ProtocolRules& rules, const TrialOptions& options) {
  const VirtualPopulation population(scenario.model, scenario.population, scenario.seed, scenario.file);
  const std::size_t n = static_cast<std::size_t>(scenario.patients);
  const std::size_t arms = scenario.arms.size();
  std::vector<Overrides> overrides;
  for (const auto& arm : scenario.arms) overrides.push_back(virtual_patient_overrides(arm.protocol));

  TrialResult result;
  result.patients.resize(n);
  const std::size_t kept = std::min(options.timelines, n);
  result.timelines.assign(arms, std::vector<TimelineRecord>(kept));
  std::atomic<std::size_t> done{0};
  std::mutex progress_mutex;

  parallel_for(n, options.threads, [&] {
    // Each thread its own engines: advise() is const, but an engine may keep caches between calls.
    auto engines = std::make_shared<std::vector<ProtocolEngine>>();
    for (const auto& arm : scenario.arms) engines->emplace_back(arm.protocol, rules);
    return [&, engines](std::size_t i) {
      const DrawnPatient drawn = population.draw(i);
      TrialPatient& row = result.patients[i];
      row.patient = drawn.patient;
      row.car_t_cells_per_kg = drawn.car_t_cells_per_kg;
      row.arms.resize(arms);
      for (std::size_t a = 0; a < arms; ++a) {
        CourseOptions course;
        course.days = scenario.days;
        course.clock = scenario.clock;
        course.clinician = scenario.clinician;
        // Common random numbers: the same adherence stream for this patient in every arm.
        course.seed = stream_seed(scenario.seed, i, StreamPurpose::adherence);
        course.overrides = overrides[a];
        try {
          SimulatedCourse simulated =
              simulate_course(drawn.patient, &(*engines)[a], &scenario.arms[a].protocol, rules, course);
          row.arms[a].summary = simulated.summary;
          if (i < kept) result.timelines[a][i] = std::move(simulated.record);
        } catch (const SolverError& error) {
          row.arms[a].solved = false;
          row.arms[a].error = error.what();
        }
      }
      const std::size_t finished = ++done;
      if (options.progress) {
        const std::lock_guard lock(progress_mutex);
        options.progress(finished, n);
      }
    };
  });

  // Metric values by [arm][metric][patient], for the patients solved in every arm (pairs kept whole).
  std::vector<std::size_t> analysed;
  for (std::size_t i = 0; i < n; ++i) {
    const auto& row = result.patients[i];
    if (std::all_of(row.arms.begin(), row.arms.end(), [](const ArmOutcome& o) { return o.solved; })) analysed.push_back(i);
  }
  result.patients_analysed = analysed.size();
  std::vector<std::array<std::vector<double>, kTrialMetrics>> values(arms);
  for (std::size_t a = 0; a < arms; ++a) {
    for (std::size_t m = 0; m < kTrialMetrics; ++m) {
      auto& column = values[a][m];
      for (const std::size_t i : analysed) column.push_back(metric_value(static_cast<TrialMetric>(m), result.patients[i].arms[a].summary));
    }
  }
  const std::size_t sample = analysed.size();
  std::vector<std::size_t> everyone(sample);
  for (std::size_t k = 0; k < sample; ++k) everyone[k] = k;

  const auto estimates_of = [&](const std::vector<std::size_t>& indices, std::vector<double>& scratch) {
    std::vector<double> out(arms * kTrialMetrics);
    for (std::size_t a = 0; a < arms; ++a) {
      for (std::size_t m = 0; m < kTrialMetrics; ++m) {
        out[a * kTrialMetrics + m] = aggregate(metric_is_median(static_cast<TrialMetric>(m)), values[a][m], indices, scratch);
      }
    }
    return out;
  };

  result.bootstrap_replicates = sample > 0 ? std::max(0, options.bootstrap_replicates) : 0;
  result.bootstrap_seed = stream_seed(scenario.seed, 0, StreamPurpose::bootstrap);
  const auto replicates_count = static_cast<std::size_t>(result.bootstrap_replicates);
  std::vector<std::vector<double>> replicates(replicates_count);
  parallel_for(replicates_count, options.threads, [&] {
    return [&, scratch = std::vector<double>(), indices = std::vector<std::size_t>(sample)](std::size_t b) mutable {
      RandomStream stream(stream_seed(result.bootstrap_seed, b, StreamPurpose::bootstrap));
      for (auto& index : indices) {
        index = std::min(sample - 1, static_cast<std::size_t>(stream.uniform() * static_cast<double>(sample)));
      }
      replicates[b] = estimates_of(indices, scratch);
    };
  });

  std::vector<double> scratch;
  const std::vector<double> point = estimates_of(everyone, scratch);
  for (std::size_t a = 0; a < arms; ++a) {
    ArmResult arm;
    arm.name = scenario.arms[a].name;
    for (std::size_t m = 0; m < kTrialMetrics; ++m) {
      const std::size_t k = a * kTrialMetrics + m;
      std::vector<double> own, difference;
      for (const auto& r : replicates) {
        own.push_back(r[k]);
        difference.push_back(r[k] - r[m]);
      }
      Estimate& e = arm.metrics[m];
      e.value = point[k];
      e.patients = static_cast<std::size_t>(std::count_if(values[a][m].begin(), values[a][m].end(), [](double v) { return !std::isnan(v); }));
      std::tie(e.low, e.high) = percentile_interval(own);
      if (a > 0) {
        Estimate& d = arm.difference_from_first[m];
        d.value = point[k] - point[m];
        d.patients = sample;
        std::tie(d.low, d.high) = percentile_interval(difference);
      }
    }
    result.arms.push_back(std::move(arm));
  }
  return result;
}

}  // namespace crsguard
