#pragma once
// An in-silico trial (../shared/spec/model.md §6.5): every virtual patient of a scenario runs in every arm
// (paired design with common random numbers: the same patient draw and the same adherence stream in each
// arm), on any number of threads with results stored by patient index, so that the output is the same
// whatever the thread count. Per arm, the outcome metrics with 95 % percentile bootstrap CIs, and paired
// differences against the first arm (patients resampled with their pairs). Definitions:
// docs/simulator-trials.md.
#include <array>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "model/timeline.hpp"
#include "sim/closed_loop.hpp"
#include "sim/scenario.hpp"

namespace crsguard {

enum class TrialMetric : unsigned char {
  grade_3_incidence,            // fraction with a maximum CRS grade ≥ 3
  days_at_grade_2,              // mean study days whose maximum grade was ≥ 2
  time_to_resolution,           // median days from onset to resolution of the first episode (episodes that resolved)
  steroid_dose,                 // mean cumulative dexamethasone-equivalent mg
  car_t_peak,                   // median CAR-T peak, cells/µL
  car_t_auc,                    // median CAR-T AUC(0–days), cells/µL·d
  leukaemia_reduction,          // mean log10 leukaemia reduction at the last day
  ruxolitinib_fraction,         // fraction given at least one ruxolitinib dose
  count
};
inline constexpr std::size_t kTrialMetrics = static_cast<std::size_t>(TrialMetric::count);
std::string_view metric_name(TrialMetric metric);   // "grade_3_incidence"
std::string_view metric_label(TrialMetric metric);  // "CRS grade ≥ 3 (fraction)"
bool metric_is_median(TrialMetric metric);

// One patient's value of a metric (NaN where it does not apply, e.g. no CRS episode that resolved).
double metric_value(TrialMetric metric, const CourseSummary& summary);

struct Estimate {
  double value = std::numeric_limits<double>::quiet_NaN();  // NaN: no patient to which it applies
  double low = std::numeric_limits<double>::quiet_NaN();    // 95 % percentile bootstrap interval
  double high = std::numeric_limits<double>::quiet_NaN();
  std::size_t patients = 0;                                 // patients the estimate is over
};

struct ArmOutcome {
  bool solved = true;
  std::string error;             // why the model could not be solved
  CourseSummary summary;
};

struct TrialPatient {
  VirtualPatient patient;
  double car_t_cells_per_kg = 0;
  std::vector<ArmOutcome> arms;  // in the scenario's arm order
};

struct ArmResult {
  std::string name;
  std::array<Estimate, kTrialMetrics> metrics;
  std::array<Estimate, kTrialMetrics> difference_from_first;  // this arm − the first arm; NaN for the first arm
};

struct TrialOptions {
  unsigned threads = 1;
  std::size_t timelines = 0;              // keep the records of the first K patients in each arm
  int bootstrap_replicates = 1000;
  std::function<void(std::size_t done, std::size_t total)> progress;  // called from one thread at a time
};

struct TrialResult {
  std::vector<TrialPatient> patients;     // by index
  std::vector<ArmResult> arms;
  std::vector<std::vector<TimelineRecord>> timelines;  // [arm][patient], the first `timelines` patients
  std::size_t patients_analysed = 0;      // solved in every arm (the others leave the pairs incomplete)
  int bootstrap_replicates = 0;
  std::uint64_t bootstrap_seed = 0;
};

// Percentile interval (linear interpolation between order statistics) of `replicates`, NaNs left out.
std::pair<double, double> percentile_interval(std::vector<double> replicates, double level = 0.95);

// Throws what a course throws other than SolverError (a SolverError marks that patient and arm unsolved).
TrialResult run_trial(const Scenario& scenario, const ProtocolRules& rules, const TrialOptions& options);

}  // namespace crsguard
