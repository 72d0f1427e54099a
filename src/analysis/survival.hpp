#pragma once
// Kaplan–Meier survival with Greenwood variance and the log-rank test, defined as R's
// `survival` package defines them (Therneau, survfit.formula / survdiff, rho = 0), so that
// every number can be checked against R to the last printed digit (tests/oracles/survival.R).
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace crsguard {

// One subject: follow-up time (any unit, the same for all) and whether it ended in the event.
struct SurvivalSubject {
  double time = 0;
  bool event = false;
};

// How the confidence interval of S(t) is formed from the Greenwood variance (R's conf.type).
//   plain:   S ± z·se(S)                        clipped to [0, 1]
//   log:     exp(log S ± z·se(log S))           upper clipped at 1 (R's default)
//   log_log: S^exp(∓ z·se(log S)/log S)         i.e. exp(-exp(log(-log S) ± z·se/|log S|))
enum class ConfidenceType : unsigned char { plain, log, log_log };
std::string_view confidence_type_name(ConfidenceType type);  // "plain", "log", "log-log" (R's names)
std::optional<ConfidenceType> parse_confidence_type(std::string_view name);

// One distinct time in the data (R's survfit rows: every time with an event or a censoring).
struct KaplanMeierStep {
  double time = 0;
  int n_risk = 0;
  int n_event = 0;
  int n_censor = 0;
  double survival = 1;      // S(t), right-continuous
  double std_err = 0;       // Greenwood standard error of S(t) (R's summary()$std.err); NaN where S = 0
  double std_err_log = 0;   // standard error of log S(t) (R's fit$std.err); +inf where S = 0
  // nullopt where R gives NA or NaN: every type where S = 0, and log-log where S = 1 (before the
  // first event, or with no events at all). Rows after the last event keep the last event's band.
  std::optional<double> lower;
  std::optional<double> upper;
};

struct KaplanMeierCurve {
  std::vector<KaplanMeierStep> steps;  // ascending time
  int n = 0;
  int events = 0;
  ConfidenceType conf_type = ConfidenceType::log;
  double conf_level = 0.95;
};

// Throws std::invalid_argument for no subjects, a negative or non-finite time, or conf_level outside (0, 1).
// O(n) after one radix sort of the times.
KaplanMeierCurve kaplan_meier(std::span<const SurvivalSubject> subjects,
                              ConfidenceType conf_type = ConfidenceType::log, double conf_level = 0.95);

// S(t) at a chosen time (R's summary(fit, times = t)): the step at or before t; before the first
// step S = 1, std_err 0 and the band [1, 1] (R's survfit0 row at time 0, for every conf_type), with
// n_risk = n. n_risk is the number with time ≥ t (R's n.risk at the next row). After the last observed
// time: nullopt (R drops such times unless extend). Throws std::invalid_argument for a NaN or negative time.
struct SurvivalAt {
  double time = 0;
  int n_risk = 0;
  double survival = 1;
  double std_err = 0;
  std::optional<double> lower;
  std::optional<double> upper;
};
std::optional<SurvivalAt> survival_at(const KaplanMeierCurve& curve, double time);

// Median survival and its CI as R's print.survfit computes them: the first time the curve
// (and the lower / upper CI curves) falls to 0.5 or below (within sqrt(machine epsilon)), averaging
// with the first later time the curve is lower still where it sits at exactly 0.5. Rows where a band
// is NA are skipped. nullopt where the curve never reaches 0.5.
struct MedianSurvival {
  std::optional<double> median;
  std::optional<double> lower;
  std::optional<double> upper;
};
MedianSurvival median_survival(const KaplanMeierCurve& curve);

// Number at risk at given times (for a figure's at-risk table): subjects with time ≥ t.
int number_at_risk(std::span<const SurvivalSubject> subjects, double time);

// Log-rank test over k ≥ 2 groups (R's survdiff, rho = 0): observed and expected events per group,
// chi-square on k − 1 degrees of freedom from the hypergeometric variance matrix.
struct LogRankGroup {
  std::string name;
  int n = 0;
  double observed = 0;
  double expected = 0;
  double variance = 0;  // diagonal of the variance matrix, (O − E)²/V is R's per-group column
};
struct LogRankTest {
  std::vector<LogRankGroup> groups;  // sorted by name, as R sorts a factor's levels
  double chi_square = 0;
  int degrees_of_freedom = 0;
  double p_value = 1;
};
// `group_of[i]` names subject i's group. As R does, groups with no expected events are left out of
// the chi-square and the degrees of freedom; with fewer than two left there is no test: chi-square 0,
// df 0, p 1 (or p NaN when there are no events at all, as R gives). Throws std::invalid_argument for
// fewer than two groups, mismatched sizes, the subjects' errors of kaplan_meier, or a singular variance
// matrix (R's solve() fails there too). O(n) after one radix sort of all times, plus O(T·k²).
LogRankTest log_rank_test(std::span<const SurvivalSubject> subjects, std::span<const std::string> group_of);

}  // namespace crsguard
