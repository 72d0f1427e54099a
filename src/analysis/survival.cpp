// Kaplan–Meier, Greenwood variance, confidence bands, median and log-rank test, each written to give
// the numbers of R's survival package (Therneau, version 3.x; checked against 3.5.3):
//   curve:        survfitKM and its C routine survfitkm.c (km *= (n − d)/n, v += d/(n(n − d)))
//   bands:        survfit_confint (plain, log, log-log; the same NA rules)
//   survival at:  summary.survfit(fit, times =) on survfit0(fit) (a time-0 row with S = 1, CI [1, 1])
//   median:       survmean's minmin (print.survfit and summary(fit)$table)
//   log-rank:     survdiff (rho = 0) and its C routine survdiff2.c
// The tests compare every number with R at 1e-10 relative (tests/oracles/survival.R).
#include "analysis/survival.hpp"

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string_view>

namespace crsguard {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// R's minmin compares with sqrt(.Machine$double.eps) so that a curve computed as 0.49999999999999994
// still counts as "exactly 0.5" for the median's averaging rule.
const double kMedianTolerance = std::sqrt(std::numeric_limits<double>::epsilon());

void check_subjects(std::span<const SurvivalSubject> subjects, std::string_view function) {
  if (subjects.empty()) throw std::invalid_argument(fmt::format("{}: subjects: no subjects", function));
  for (std::size_t i = 0; i < subjects.size(); ++i) {
    const double time = subjects[i].time;
    if (!std::isfinite(time) || time < 0) {
      throw std::invalid_argument(
          fmt::format("{}: subjects[{}].time: {} is not a finite time ≥ 0", function, i, time));
    }
  }
}

// The normal quantile R calls zval: qnorm(1 − (1 − conf.int)/2).
double z_for_level(double conf_level) {
  if (!(conf_level > 0 && conf_level < 1)) {
    throw std::invalid_argument(fmt::format("kaplan_meier: conf_level: {} is not inside (0, 1)", conf_level));
  }
  return boost::math::quantile(boost::math::normal_distribution<double>(), 1 - (1 - conf_level) / 2);
}

// A subject as one sortable integer: the bits of its time shifted left once, with the event flag in the
// freed lowest bit. Times are finite and ≥ 0 (−0 made +0), so the sign bit is 0 and the bits of a
// double order as unsigned integers do: the keys sort by time, and a radix sort can replace comparisons.
using SubjectKey = std::uint64_t;

SubjectKey subject_key(const SurvivalSubject& subject) {
  const double time = subject.time == 0 ? 0.0 : subject.time;
  return (std::bit_cast<std::uint64_t>(time) << 1) | (subject.event ? 1u : 0u);
}
double key_time(SubjectKey key) { return std::bit_cast<double>(key >> 1); }
bool key_event(SubjectKey key) { return (key & 1u) != 0; }
bool same_time(SubjectKey a, SubjectKey b) { return (a >> 1) == (b >> 1); }

// LSD radix sort on 11-bit digits, skipping any digit that every key shares (integer-valued day
// counts leave most mantissa digits at zero). O(n) per pass; small inputs use std::sort.
void sort_keys(std::vector<SubjectKey>& keys) {
  constexpr unsigned kDigitBits = 11;
  constexpr std::size_t kBuckets = std::size_t{1} << kDigitBits;
  constexpr unsigned kPasses = (64 + kDigitBits - 1) / kDigitBits;
  if (keys.size() < 2048) {
    std::sort(keys.begin(), keys.end());
    return;
  }
  std::vector<std::array<std::size_t, kBuckets>> counts(kPasses);
  for (auto& count : counts) count.fill(0);
  for (const SubjectKey key : keys) {
    for (unsigned pass = 0; pass < kPasses; ++pass) ++counts[pass][(key >> (pass * kDigitBits)) & (kBuckets - 1)];
  }
  std::vector<SubjectKey> scratch(keys.size());
  for (unsigned pass = 0; pass < kPasses; ++pass) {
    auto& count = counts[pass];
    const unsigned shift = pass * kDigitBits;
    if (count[(keys.front() >> shift) & (kBuckets - 1)] == keys.size()) continue;  // a digit all keys share
    std::size_t offset = 0;
    for (auto& bucket : count) {
      const std::size_t size = bucket;
      bucket = offset;
      offset += size;
    }
    for (const SubjectKey key : keys) scratch[count[(key >> shift) & (kBuckets - 1)]++] = key;
    keys.swap(scratch);
  }
}

std::vector<SubjectKey> sorted_keys(std::span<const SurvivalSubject> subjects) {
  std::vector<SubjectKey> keys(subjects.size());
  std::transform(subjects.begin(), subjects.end(), keys.begin(), subject_key);
  sort_keys(keys);
  return keys;
}

// survfit_confint for one row; `se` is the standard error of log S. R's NA becomes nullopt: the log
// band where S = 0, the log-log band where S is 0 or 1, the plain band where S·se is NaN (S = 0 with
// an infinite Greenwood sum).
void set_band(KaplanMeierStep& step, ConfidenceType type, double z) {
  const double p = step.survival;
  const double se = step.std_err_log;
  // R scales the lower limit by selow/se with selow = se, which is 1 unless se is infinite (NaN).
  const double scale = se == 0 ? 1.0 : se / se;
  const auto value = [](double x) -> std::optional<double> {
    if (std::isnan(x)) return std::nullopt;
    return x;
  };
  switch (type) {
    case ConfidenceType::plain: {
      const double half_width = se * p * z;
      const double lower = p - half_width * scale;
      const double upper = p + half_width;
      // pmax / pmin pass NA through.
      step.lower = value(std::isnan(lower) ? lower : std::max(lower, 0.0));
      step.upper = value(std::isnan(upper) ? upper : std::min(upper, 1.0));
      return;
    }
    case ConfidenceType::log: {
      if (p == 0) {
        step.lower.reset();
        step.upper.reset();
        return;
      }
      const double half_width = z * se;
      const double upper = std::exp(std::log(p) + half_width);
      step.lower = value(std::exp(std::log(p) - half_width * scale));
      step.upper = value(std::isnan(upper) ? upper : std::min(upper, 1.0));
      return;
    }
    case ConfidenceType::log_log: {
      if (p == 0 || p == 1) {
        step.lower.reset();
        step.upper.reset();
        return;
      }
      const double half_width = z * se / std::log(p);
      step.lower = value(std::exp(-std::exp(std::log(-std::log(p)) - half_width * scale)));
      step.upper = value(std::exp(-std::exp(std::log(-std::log(p)) + half_width)));
      return;
    }
  }
}

// survmean's minmin: the first time the curve is below 0.5 (within R's tolerance), averaged with the
// first later time it is lower still when it sits at 0.5 there. Rows where the curve is NA are skipped.
template <typename ValueOf>
std::optional<double> first_at_or_below_half(const std::vector<KaplanMeierStep>& steps, ValueOf value_of) {
  std::optional<double> first_value;
  double first_time = 0;
  for (const KaplanMeierStep& step : steps) {
    const std::optional<double> y = value_of(step);
    if (!y || !(*y < 0.5 + kMedianTolerance)) continue;
    if (!first_value) {
      first_value = *y;
      first_time = step.time;
      if (!(std::abs(*y - 0.5) < kMedianTolerance)) return first_time;
      continue;
    }
    if (*y < *first_value) return (first_time + step.time) / 2;
  }
  if (first_value) return first_time;
  return std::nullopt;
}

}  // namespace

std::string_view confidence_type_name(ConfidenceType type) {
  switch (type) {
    case ConfidenceType::plain: return "plain";
    case ConfidenceType::log: return "log";
    case ConfidenceType::log_log: return "log-log";
  }
  return "log";
}

std::optional<ConfidenceType> parse_confidence_type(std::string_view name) {
  if (name == "plain") return ConfidenceType::plain;
  if (name == "log") return ConfidenceType::log;
  if (name == "log-log" || name == "log_log") return ConfidenceType::log_log;
  return std::nullopt;
}

KaplanMeierCurve kaplan_meier(std::span<const SurvivalSubject> subjects, ConfidenceType conf_type, double conf_level) {
  check_subjects(subjects, "kaplan_meier");
  const double z = z_for_level(conf_level);
  const std::vector<SubjectKey> keys = sorted_keys(subjects);

  KaplanMeierCurve curve;
  curve.n = static_cast<int>(subjects.size());
  curve.conf_type = conf_type;
  curve.conf_level = conf_level;
  std::size_t distinct_times = 1;
  for (std::size_t i = 1; i < keys.size(); ++i) {
    if (!same_time(keys[i - 1], keys[i])) ++distinct_times;
  }
  curve.steps.reserve(distinct_times);

  int at_risk = curve.n;
  double survival = 1;
  double greenwood = 0;  // Σ d / (n (n − d)), the variance of log S
  for (std::size_t i = 0; i < keys.size();) {
    KaplanMeierStep step;
    step.time = key_time(keys[i]);
    step.n_risk = at_risk;
    const SubjectKey first = keys[i];
    for (; i < keys.size() && same_time(keys[i], first); ++i) {
      if (key_event(keys[i])) {
        ++step.n_event;
      } else {
        ++step.n_censor;
      }
    }
    if (step.n_event > 0) {
      const double n = step.n_risk;
      const double d = step.n_event;
      survival *= (n - d) / n;
      greenwood += d / (n * (n - d));  // +∞ when every subject at risk has the event (S = 0)
    }
    step.survival = survival;
    step.std_err_log = std::sqrt(greenwood);
    step.std_err = step.std_err_log * survival;  // NaN where S = 0 (∞ · 0), as R's summary gives
    if (step.n_event == 0 && !curve.steps.empty()) {
      // A censoring-only row has the previous row's S and variance, hence the same band.
      step.lower = curve.steps.back().lower;
      step.upper = curve.steps.back().upper;
    } else {
      set_band(step, conf_type, z);
    }
    curve.events += step.n_event;
    at_risk -= step.n_event + step.n_censor;
    curve.steps.push_back(step);
  }
  return curve;
}

std::optional<SurvivalAt> survival_at(const KaplanMeierCurve& curve, double time) {
  if (std::isnan(time) || time < 0) {
    throw std::invalid_argument(fmt::format("survival_at: time: {} is not a time ≥ 0", time));
  }
  if (curve.steps.empty() || time > curve.steps.back().time) return std::nullopt;
  // The last step at or before `time`; the number at risk is that of the first step at or after it.
  const auto after = std::upper_bound(curve.steps.begin(), curve.steps.end(), time,
                                      [](double t, const KaplanMeierStep& step) { return t < step.time; });
  const auto at_or_after = std::lower_bound(curve.steps.begin(), curve.steps.end(), time,
                                            [](const KaplanMeierStep& step, double t) { return step.time < t; });
  SurvivalAt out;
  out.time = time;
  out.n_risk = at_or_after->n_risk;
  if (after == curve.steps.begin()) {
    // Before the first observed time: survfit0's added row at time 0, S = 1 with the band [1, 1].
    out.survival = 1;
    out.std_err = 0;
    out.lower = 1.0;
    out.upper = 1.0;
    return out;
  }
  const KaplanMeierStep& step = *(after - 1);
  out.survival = step.survival;
  out.std_err = step.std_err;
  out.lower = step.lower;
  out.upper = step.upper;
  return out;
}

MedianSurvival median_survival(const KaplanMeierCurve& curve) {
  MedianSurvival out;
  out.median = first_at_or_below_half(curve.steps, [](const KaplanMeierStep& step) -> std::optional<double> {
    return step.survival;
  });
  out.lower = first_at_or_below_half(curve.steps, [](const KaplanMeierStep& step) { return step.lower; });
  out.upper = first_at_or_below_half(curve.steps, [](const KaplanMeierStep& step) { return step.upper; });
  return out;
}

int number_at_risk(std::span<const SurvivalSubject> subjects, double time) {
  return static_cast<int>(
      std::count_if(subjects.begin(), subjects.end(), [time](const SurvivalSubject& s) { return s.time >= time; }));
}

LogRankTest log_rank_test(std::span<const SurvivalSubject> subjects, std::span<const std::string> group_of) {
  if (subjects.size() != group_of.size()) {
    throw std::invalid_argument(fmt::format("log_rank_test: group_of: {} names for {} subjects", group_of.size(),
                                            subjects.size()));
  }
  check_subjects(subjects, "log_rank_test");

  // Groups in name order (R's factor levels). A cohort has a handful of groups, so a short list of the
  // names seen so far (the last one found tried first) beats a map; indices are put in name order after.
  std::vector<std::string_view> names;
  std::vector<std::uint32_t> seen_index(subjects.size());
  std::uint32_t last = 0;
  for (std::size_t i = 0; i < subjects.size(); ++i) {
    const std::string_view name = group_of[i];
    if (names.empty() || names[last] != name) {
      const auto found = std::find(names.begin(), names.end(), name);
      last = static_cast<std::uint32_t>(found - names.begin());
      if (found == names.end()) names.push_back(name);
    }
    seen_index[i] = last;
  }
  if (names.size() < 2) {
    throw std::invalid_argument(
        fmt::format("log_rank_test: group_of: {} group; the test needs at least two", names.size()));
  }
  const std::size_t k = names.size();
  std::vector<std::uint32_t> order(k);
  for (std::uint32_t j = 0; j < k; ++j) order[j] = j;
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) { return names[a] < names[b]; });
  std::vector<std::uint32_t> rank(k);
  LogRankTest test;
  for (std::uint32_t r = 0; r < k; ++r) {
    rank[order[r]] = r;
    test.groups.push_back({std::string(names[order[r]]), 0, 0, 0, 0});
  }

  // Each group's keys sorted on their own, then merged time by time.
  for (std::size_t i = 0; i < subjects.size(); ++i) ++test.groups[rank[seen_index[i]]].n;
  std::vector<std::vector<SubjectKey>> keys(k);
  for (std::size_t j = 0; j < k; ++j) keys[j].reserve(static_cast<std::size_t>(test.groups[j].n));
  for (std::size_t i = 0; i < subjects.size(); ++i) keys[rank[seen_index[i]]].push_back(subject_key(subjects[i]));
  seen_index = {};
  for (auto& group_keys : keys) sort_keys(group_keys);

  // survdiff2 with rho = 0: at each event time, expected d·n_j/n, and the hypergeometric covariance
  // d(n − d)/(n(n − 1)) · n_j (δ_jl − n_l/n), with the numbers at risk just before the time.
  std::vector<std::size_t> next(k, 0);
  std::vector<double> at_risk(k), deaths(k), removed(k);
  std::vector<double> variance(k * k, 0.0);
  for (std::size_t j = 0; j < k; ++j) at_risk[j] = test.groups[j].n;
  double total_at_risk = static_cast<double>(subjects.size());
  constexpr SubjectKey kExhausted = ~SubjectKey{0};
  for (;;) {
    SubjectKey earliest = kExhausted;
    for (std::size_t j = 0; j < k; ++j) {
      if (next[j] < keys[j].size()) earliest = std::min(earliest, keys[j][next[j]]);
    }
    if (earliest == kExhausted) break;
    double total_deaths = 0;
    double total_removed = 0;
    for (std::size_t j = 0; j < k; ++j) {
      deaths[j] = 0;
      removed[j] = 0;
      for (; next[j] < keys[j].size() && same_time(keys[j][next[j]], earliest); ++next[j]) {
        removed[j] += 1;
        if (key_event(keys[j][next[j]])) deaths[j] += 1;
      }
      total_deaths += deaths[j];
      total_removed += removed[j];
    }
    if (total_deaths > 0) {
      const double n = total_at_risk;
      for (std::size_t j = 0; j < k; ++j) {
        test.groups[j].observed += deaths[j];
        test.groups[j].expected += total_deaths * at_risk[j] / n;
      }
      if (n > 1) {
        const double factor = total_deaths * (n - total_deaths) / (n * (n - 1));
        for (std::size_t j = 0; j < k; ++j) {
          const double term = factor * at_risk[j];
          variance[j * k + j] += term;
          for (std::size_t l = 0; l < k; ++l) variance[j * k + l] -= term * at_risk[l] / n;
        }
      }
    }
    for (std::size_t j = 0; j < k; ++j) at_risk[j] -= removed[j];
    total_at_risk -= total_removed;
  }
  for (std::size_t j = 0; j < k; ++j) test.groups[j].variance = variance[j * k + j];

  // R keeps the groups with expected > 0, drops the first of them (the variance matrix has rank
  // k − 1) and solves V c = (O − E) for the rest: χ² = Σ c·(O − E).
  std::vector<std::size_t> kept;
  for (std::size_t j = 0; j < k; ++j) {
    if (test.groups[j].expected > 0) kept.push_back(j);
  }
  test.degrees_of_freedom = static_cast<int>(kept.size()) - 1;
  if (kept.size() < 2) {
    // No test: R returns χ² = 0 and p = 1 (one comparable group) or NaN (no events at all).
    test.chi_square = 0;
    test.p_value = kept.empty() ? kNaN : 1.0;
    test.degrees_of_freedom = std::max(test.degrees_of_freedom, 0);
    return test;
  }
  const std::size_t m = kept.size() - 1;
  std::vector<double> a(m * m), difference(m), solution(m);
  for (std::size_t r = 0; r < m; ++r) {
    const std::size_t jr = kept[r + 1];
    difference[r] = test.groups[jr].observed - test.groups[jr].expected;
    for (std::size_t c = 0; c < m; ++c) a[r * m + c] = variance[jr * k + kept[c + 1]];
  }
  // Gaussian elimination with partial pivoting (R's solve is LAPACK's LU, dgesv).
  solution = difference;
  for (std::size_t col = 0; col < m; ++col) {
    std::size_t pivot = col;
    for (std::size_t r = col + 1; r < m; ++r) {
      if (std::abs(a[r * m + col]) > std::abs(a[pivot * m + col])) pivot = r;
    }
    if (a[pivot * m + col] == 0) {
      throw std::invalid_argument("log_rank_test: the variance matrix is singular (groups without subjects at risk)");
    }
    if (pivot != col) {
      for (std::size_t c = 0; c < m; ++c) std::swap(a[col * m + c], a[pivot * m + c]);
      std::swap(solution[col], solution[pivot]);
    }
    for (std::size_t r = col + 1; r < m; ++r) {
      const double factor = a[r * m + col] / a[col * m + col];
      for (std::size_t c = col; c < m; ++c) a[r * m + c] -= factor * a[col * m + c];
      solution[r] -= factor * solution[col];
    }
  }
  for (std::size_t r = m; r-- > 0;) {
    double sum = solution[r];
    for (std::size_t c = r + 1; c < m; ++c) sum -= a[r * m + c] * solution[c];
    solution[r] = sum / a[r * m + r];
  }
  double chi_square = 0;
  for (std::size_t r = 0; r < m; ++r) chi_square += solution[r] * difference[r];
  test.chi_square = chi_square;
  test.p_value = boost::math::cdf(
      boost::math::complement(boost::math::chi_squared_distribution<double>(test.degrees_of_freedom), chi_square));
  return test;
}

}  // namespace crsguard
