// CTCAE v5.0 grading of labs and vitals.
// Source: National Cancer Institute. Common Terminology Criteria for Adverse Events (CTCAE) v5.0,
// 27 Nov 2017 (CTCAE5): terms Platelet count decreased, Neutrophil count decreased, Anemia,
// AST / ALT increased, Blood bilirubin increased, Creatinine increased, Fibrinogen decreased,
// Activated partial thromboplastin time prolonged, Fever, Febrile neutropenia; transcribed in
// ../shared/spec/clinical.md §4 with the tag of each row. Conventions for boundaries, for results
// without their LLN/ULN ("not gradable") and for baseline-dependent criteria follow pharmaverse
// admiral's CTCAE v5 grading metadata (derive_var_atoxgr), as clinical.md §4 recommends.
// Every cut-off is a rule parameter (rules/ctcae-v5.json).
#include "clinical/ctcae.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <fmt/format.h>
#include <utility>

#include "core/time.hpp"

namespace crsguard {

std::span<const EnumName<CtcaeTerm>> names(CtcaeTerm) {
  static constexpr std::array<EnumName<CtcaeTerm>, 11> kNames{{
      {CtcaeTerm::platelet_count_decreased, "platelet_count_decreased"},
      {CtcaeTerm::neutrophil_count_decreased, "neutrophil_count_decreased"},
      {CtcaeTerm::anemia, "anemia"},
      {CtcaeTerm::ast_increased, "ast_increased"},
      {CtcaeTerm::alt_increased, "alt_increased"},
      {CtcaeTerm::blood_bilirubin_increased, "blood_bilirubin_increased"},
      {CtcaeTerm::creatinine_increased, "creatinine_increased"},
      {CtcaeTerm::fibrinogen_decreased, "fibrinogen_decreased"},
      {CtcaeTerm::aptt_prolonged, "aptt_prolonged"},
      {CtcaeTerm::fever, "fever"},
      {CtcaeTerm::febrile_neutropenia, "febrile_neutropenia"},
  }};
  return kNames;
}

ObservationCode ctcae_observation(CtcaeTerm term) {
  switch (term) {
    case CtcaeTerm::platelet_count_decreased: return ObservationCode::platelets;
    case CtcaeTerm::neutrophil_count_decreased: return ObservationCode::neutrophils;
    case CtcaeTerm::anemia: return ObservationCode::haemoglobin;
    case CtcaeTerm::ast_increased: return ObservationCode::ast;
    case CtcaeTerm::alt_increased: return ObservationCode::alt;
    case CtcaeTerm::blood_bilirubin_increased: return ObservationCode::bilirubin;
    case CtcaeTerm::creatinine_increased: return ObservationCode::creatinine;
    case CtcaeTerm::fibrinogen_decreased: return ObservationCode::fibrinogen;
    case CtcaeTerm::aptt_prolonged: return ObservationCode::aptt;
    case CtcaeTerm::fever: return ObservationCode::body_temperature;
    case CtcaeTerm::febrile_neutropenia: return ObservationCode::neutrophils;
  }
  return ObservationCode::body_temperature;
}

namespace {

constexpr std::size_t kTermCount = 11;

// ---- rule ids ------------------------------------------------------------------------------

// RuleRef holds views, so the ids live in storage built once ("ctcae5.anemia.grade3").
RuleRef rule_for(CtcaeTerm term, std::optional<int> grade) {
  static const auto kIds = [] {
    std::array<std::array<std::string, 6>, kTermCount> ids;
    for (const auto& entry : names(CtcaeTerm{})) {
      auto& row = ids[static_cast<std::size_t>(entry.value)];
      for (std::size_t g = 0; g < 5; ++g) row[g] = fmt::format("ctcae5.{}.grade{}", entry.name, g);
      row[5] = fmt::format("ctcae5.{}.not_gradable", entry.name);
    }
    return ids;
  }();
  const auto& row = kIds[static_cast<std::size_t>(term)];
  const std::size_t column = grade ? static_cast<std::size_t>(std::clamp(*grade, 0, 4)) : 5;
  return RuleRef{row[column], kCtcaeSource};
}

// ---- cut-offs from the rules ---------------------------------------------------------------

enum class Direction : unsigned char { low_is_worse, high_is_worse };
enum class Basis : unsigned char { absolute, limit_multiple, baseline_multiple, decrease_percent };

struct CutSpec {
  CtcaeTerm term;
  int grade;
  Basis basis;
  std::string_view item;  // key after "ctcae5.<term>."
  bool inclusive;         // "from" in the key: the boundary value itself is in the grade
};

// The table's cells (clinical.md §4). Grade 1 of a limit-multiple column is the LLN/ULN itself.
constexpr std::array<CutSpec, 40> kCutSpecs{{
    {CtcaeTerm::platelet_count_decreased, 2, Basis::absolute, "grade2_below", false},
    {CtcaeTerm::platelet_count_decreased, 3, Basis::absolute, "grade3_below", false},
    {CtcaeTerm::platelet_count_decreased, 4, Basis::absolute, "grade4_below", false},
    {CtcaeTerm::neutrophil_count_decreased, 2, Basis::absolute, "grade2_below", false},
    {CtcaeTerm::neutrophil_count_decreased, 3, Basis::absolute, "grade3_below", false},
    {CtcaeTerm::neutrophil_count_decreased, 4, Basis::absolute, "grade4_below", false},
    {CtcaeTerm::anemia, 2, Basis::absolute, "grade2_below", false},
    {CtcaeTerm::anemia, 3, Basis::absolute, "grade3_below", false},
    {CtcaeTerm::ast_increased, 2, Basis::limit_multiple, "grade2_above_x_uln", false},
    {CtcaeTerm::ast_increased, 3, Basis::limit_multiple, "grade3_above_x_uln", false},
    {CtcaeTerm::ast_increased, 4, Basis::limit_multiple, "grade4_above_x_uln", false},
    {CtcaeTerm::ast_increased, 1, Basis::baseline_multiple, "grade1_from_x_baseline", true},
    {CtcaeTerm::ast_increased, 2, Basis::baseline_multiple, "grade2_above_x_baseline", false},
    {CtcaeTerm::ast_increased, 3, Basis::baseline_multiple, "grade3_above_x_baseline", false},
    {CtcaeTerm::ast_increased, 4, Basis::baseline_multiple, "grade4_above_x_baseline", false},
    {CtcaeTerm::alt_increased, 2, Basis::limit_multiple, "grade2_above_x_uln", false},
    {CtcaeTerm::alt_increased, 3, Basis::limit_multiple, "grade3_above_x_uln", false},
    {CtcaeTerm::alt_increased, 4, Basis::limit_multiple, "grade4_above_x_uln", false},
    {CtcaeTerm::alt_increased, 1, Basis::baseline_multiple, "grade1_from_x_baseline", true},
    {CtcaeTerm::alt_increased, 2, Basis::baseline_multiple, "grade2_above_x_baseline", false},
    {CtcaeTerm::alt_increased, 3, Basis::baseline_multiple, "grade3_above_x_baseline", false},
    {CtcaeTerm::alt_increased, 4, Basis::baseline_multiple, "grade4_above_x_baseline", false},
    {CtcaeTerm::blood_bilirubin_increased, 2, Basis::limit_multiple, "grade2_above_x_uln", false},
    {CtcaeTerm::blood_bilirubin_increased, 3, Basis::limit_multiple, "grade3_above_x_uln", false},
    {CtcaeTerm::blood_bilirubin_increased, 4, Basis::limit_multiple, "grade4_above_x_uln", false},
    {CtcaeTerm::blood_bilirubin_increased, 1, Basis::baseline_multiple, "grade1_above_x_baseline", false},
    {CtcaeTerm::blood_bilirubin_increased, 2, Basis::baseline_multiple, "grade2_above_x_baseline", false},
    {CtcaeTerm::blood_bilirubin_increased, 3, Basis::baseline_multiple, "grade3_above_x_baseline", false},
    {CtcaeTerm::blood_bilirubin_increased, 4, Basis::baseline_multiple, "grade4_above_x_baseline", false},
    {CtcaeTerm::creatinine_increased, 2, Basis::limit_multiple, "grade2_above_x_uln", false},
    {CtcaeTerm::creatinine_increased, 3, Basis::limit_multiple, "grade3_above_x_uln", false},
    {CtcaeTerm::creatinine_increased, 4, Basis::limit_multiple, "grade4_above_x_uln", false},
    {CtcaeTerm::creatinine_increased, 2, Basis::baseline_multiple, "grade2_above_x_baseline", false},
    {CtcaeTerm::creatinine_increased, 3, Basis::baseline_multiple, "grade3_above_x_baseline", false},
    {CtcaeTerm::fibrinogen_decreased, 2, Basis::limit_multiple, "grade2_below_x_lln", false},
    {CtcaeTerm::fibrinogen_decreased, 3, Basis::limit_multiple, "grade3_below_x_lln", false},
    {CtcaeTerm::fibrinogen_decreased, 4, Basis::limit_multiple, "grade4_below_x_lln", false},
    {CtcaeTerm::fibrinogen_decreased, 4, Basis::absolute, "grade4_below", false},
    {CtcaeTerm::aptt_prolonged, 2, Basis::limit_multiple, "grade2_above_x_uln", false},
    {CtcaeTerm::aptt_prolonged, 3, Basis::limit_multiple, "grade3_above_x_uln", false},
}};
// Fibrinogen's "% decrease from baseline" column: percent, inclusive ("25 – < 50 %" is grade 2).
constexpr std::array<std::pair<int, std::string_view>, 3> kFibrinogenDecrease{{
    {2, "grade2_from_decrease_percent"}, {3, "grade3_from_decrease_percent"}, {4, "grade4_from_decrease_percent"}}};

struct Cutoff {
  int grade;
  double value;  // absolute value, multiple, or percent
  bool inclusive;
};

struct LabTerm {
  CtcaeTerm term;
  Direction direction;
  bool upper_limit;  // graded against the ULN (else the LLN)
};

constexpr std::array<LabTerm, 9> kLabTerms{{
    {CtcaeTerm::platelet_count_decreased, Direction::low_is_worse, false},
    {CtcaeTerm::neutrophil_count_decreased, Direction::low_is_worse, false},
    {CtcaeTerm::anemia, Direction::low_is_worse, false},
    {CtcaeTerm::ast_increased, Direction::high_is_worse, true},
    {CtcaeTerm::alt_increased, Direction::high_is_worse, true},
    {CtcaeTerm::blood_bilirubin_increased, Direction::high_is_worse, true},
    {CtcaeTerm::creatinine_increased, Direction::high_is_worse, true},
    {CtcaeTerm::fibrinogen_decreased, Direction::low_is_worse, false},
    {CtcaeTerm::aptt_prolonged, Direction::high_is_worse, true},
}};

const LabTerm* lab_term_for(ObservationCode code) {
  for (const auto& lab : kLabTerms) {
    if (ctcae_observation(lab.term) == code) return &lab;
  }
  return nullptr;
}

std::string default_limit_key(const LabTerm& lab) {
  return fmt::format("ctcae5.default_{}.{}", lab.upper_limit ? "uln" : "lln",
                     observation_info(ctcae_observation(lab.term)).name);
}

struct TermRules {
  std::vector<std::pair<Basis, Cutoff>> cutoffs;
  std::vector<Cutoff> decrease_percent;
  std::optional<double> default_limit;  // set only when defaults may be used
  std::string default_key;
};

struct FeverRules {
  double grade1_from, grade2_above, grade3_above, grade4_min_hours;
};

struct FebrileNeutropeniaRules {
  double anc_below, single_temperature_above, sustained_temperature_from, sustained_min_hours, pairing_window_hours;
};

// Every parameter is read up front, so a missing key fails on any timeline, not only on one
// that happens to hold the result that needs it.
struct CtcaeRules {
  std::array<TermRules, kTermCount> terms;
  FeverRules fever{};
  FebrileNeutropeniaRules febrile_neutropenia{};
  bool before_lymphodepletion = true;
  double baseline_max_days = 0;

  [[nodiscard]] const TermRules& of(CtcaeTerm term) const { return terms[static_cast<std::size_t>(term)]; }
};

std::string term_key(CtcaeTerm term, std::string_view item) {
  return fmt::format("ctcae5.{}.{}", to_name(term), item);
}

CtcaeRules read_ctcae_rules(const RuleSet& rules) {
  CtcaeRules out;
  for (const auto& spec : kCutSpecs) {
    out.terms[static_cast<std::size_t>(spec.term)].cutoffs.emplace_back(
        spec.basis, Cutoff{spec.grade, rules.number(term_key(spec.term, spec.item)), spec.inclusive});
  }
  for (const auto& [grade, item] : kFibrinogenDecrease) {
    out.terms[static_cast<std::size_t>(CtcaeTerm::fibrinogen_decreased)].decrease_percent.push_back(
        Cutoff{grade, rules.number(term_key(CtcaeTerm::fibrinogen_decreased, item)), true});
  }
  const bool use_defaults = rules.enabled("ctcae5.reference_range.use_defaults");
  for (const auto& lab : kLabTerms) {
    auto& term = out.terms[static_cast<std::size_t>(lab.term)];
    term.default_key = default_limit_key(lab);
    const double limit = rules.number(term.default_key);
    if (use_defaults) term.default_limit = limit;
  }
  const auto fever = [&](std::string_view item) { return rules.number(term_key(CtcaeTerm::fever, item)); };
  out.fever = {fever("grade1_from"), fever("grade2_above"), fever("grade3_above"), fever("grade4_min_hours")};
  const auto fn = [&](std::string_view item) { return rules.number(term_key(CtcaeTerm::febrile_neutropenia, item)); };
  out.febrile_neutropenia = {fn("anc_below"), fn("single_temperature_above"), fn("sustained_temperature_from"),
                             fn("sustained_min_hours"), fn("pairing_window_hours")};
  out.before_lymphodepletion = rules.enabled("ctcae5.baseline.before_lymphodepletion");
  out.baseline_max_days = rules.number("ctcae5.baseline.max_days_before");
  return out;
}

// ---- comparing a result with a cut-off -----------------------------------------------------

// Equal within rounding, so that 1.5 × ULN 1.2 meets a result of 1.8 exactly as written
// (admiral rounds both sides to 15 significant digits for the same reason).
int compare(double a, double b) {
  const double tolerance = 1e-12 * std::max(std::fabs(a), std::fabs(b));
  if (std::fabs(a - b) <= tolerance) return 0;
  return a < b ? -1 : 1;
}

// Where the true value may lie: exactly at `value`, or just below / just above it (a result
// reported as "< 10" lies just below 10 at most).
struct Point {
  double value;
  int side = 0;  // -1 just below, +1 just above, 0 exactly
};

struct Cut {
  double threshold;
  bool inclusive;
};

bool beyond(Point point, Cut cut, Direction direction) {
  int order = compare(point.value, cut.threshold);
  if (order == 0) order = point.side;
  if (order == 0) return cut.inclusive;
  return direction == Direction::low_is_worse ? order < 0 : order > 0;
}

// The extreme values a result allows: one point for an exact value, both ends for a bound.
std::vector<Point> possible_values(const Observation& observation, Direction direction) {
  const ObservationInfo& info = observation_info(observation.code);
  const double value = *observation.value;
  Comparator comparator = observation.comparator;
  // A day's best value bounds the day's worst from one side only.
  if (comparator == Comparator::equal) {
    if (observation.statistic == Statistic::max && direction == Direction::low_is_worse) {
      comparator = Comparator::less_or_equal;
    }
    if (observation.statistic == Statistic::min && direction == Direction::high_is_worse) {
      comparator = Comparator::greater_or_equal;
    }
  }
  const double lowest = std::min(info.plausible_min, value);
  const double highest = std::max(info.plausible_max, value);
  switch (comparator) {
    case Comparator::equal: return {Point{value, 0}};
    case Comparator::less: return {Point{value, -1}, Point{lowest, 0}};
    case Comparator::less_or_equal: return {Point{value, 0}, Point{lowest, 0}};
    case Comparator::greater: return {Point{value, 1}, Point{highest, 0}};
    case Comparator::greater_or_equal: return {Point{value, 0}, Point{highest, 0}};
  }
  return {Point{value, 0}};
}

std::string symbol(Direction direction, bool inclusive) {
  if (direction == Direction::low_is_worse) return inclusive ? "≤" : "<";
  return inclusive ? "≥" : ">";
}

// ---- ladders: one column of the table ------------------------------------------------------

struct Step {
  int grade;
  Cut cut;
  std::string criterion;  // "< 50 10*9/L", "> 5 × ULN (40 U/L)"
};

// The cut-offs of one criterion column. When an input the column needs is missing, its grades
// up to `unknown_up_to` may or may not be met.
struct Ladder {
  std::string basis;
  std::vector<Step> steps;
  int unknown_up_to = 0;
  std::string needs;  // "ULN", "LLN", "baseline"
  std::vector<Evidence> evidence;
};

struct Climb {
  int lo = 0;  // grade certainly reached
  int hi = 0;  // grade that could be reached if the missing input were known
  const Step* step = nullptr;
};

Climb climb(const Ladder& ladder, Point point, Direction direction) {
  Climb out;
  for (const Step& step : ladder.steps) {
    if (step.grade > out.lo && beyond(point, step.cut, direction)) {
      out.lo = step.grade;
      out.step = &step;
    }
  }
  out.hi = std::max(out.lo, ladder.unknown_up_to);
  return out;
}

struct Reference {
  std::string name;  // "ULN", "LLN", "baseline"
  double value;
  std::string_view unit;
};

Step absolute_step(int grade, double threshold, bool inclusive, Direction direction, std::string_view unit) {
  return Step{grade, Cut{threshold, inclusive}, fmt::format("{} {:g} {}", symbol(direction, inclusive), threshold, unit)};
}

Step multiple_step(int grade, double factor, bool inclusive, const Reference& reference, Direction direction) {
  const std::string multiple = factor == 1.0 ? reference.name : fmt::format("{:g} × {}", factor, reference.name);
  return Step{grade, Cut{factor * reference.value, inclusive},
              fmt::format("{} {} ({:g} {})", symbol(direction, inclusive), multiple, reference.value, reference.unit)};
}

// What one lab result is graded against.
struct LabContext {
  const Timeline* timeline;
  const LabTerm* lab;
  const TermRules* rules;
  std::int64_t time;
  std::optional<double> limit;  // the result's LLN or ULN
  std::string limit_from;       // "reference range of the result", "default (rule …)"
  std::optional<ObservedValue> baseline;
  std::optional<double> baseline_limit;  // the baseline's own ULN, else the result's
};

std::string_view unit_of(const LabContext& context) {
  return observation_info(ctcae_observation(context.lab->term)).canonical_unit;
}

std::string limit_name(const LabTerm& lab) { return lab.upper_limit ? "ULN" : "LLN"; }

Evidence limit_evidence(const LabContext& context) {
  Evidence evidence;
  evidence.seconds_since_infusion = context.time;
  evidence.item = limit_name(*context.lab);
  evidence.value = context.limit;
  evidence.unit = std::string(unit_of(context));
  evidence.detail = context.limit_from;
  return evidence;
}

Evidence baseline_evidence(const LabContext& context) {
  Evidence evidence = observation_evidence(*context.baseline, ctcae_observation(context.lab->term));
  evidence.detail = evidence.detail.empty() ? "baseline" : "baseline, " + evidence.detail;
  return evidence;
}

// The column graded against the LLN or ULN; grade 1 starts at the limit itself.
Ladder limit_ladder(const LabContext& context) {
  const Direction direction = context.lab->direction;
  Ladder ladder;
  ladder.basis = "x " + limit_name(*context.lab);
  int top = 1;
  for (const auto& [basis, cutoff] : context.rules->cutoffs) {
    if (basis == Basis::limit_multiple) top = std::max(top, cutoff.grade);
  }
  if (!context.limit) {
    ladder.unknown_up_to = top;
    ladder.needs = limit_name(*context.lab);
    return ladder;
  }
  const Reference reference{limit_name(*context.lab), *context.limit, unit_of(context)};
  ladder.steps.push_back(multiple_step(1, 1.0, false, reference, direction));
  for (const auto& [basis, cutoff] : context.rules->cutoffs) {
    if (basis == Basis::limit_multiple) {
      ladder.steps.push_back(multiple_step(cutoff.grade, cutoff.value, cutoff.inclusive, reference, direction));
    }
  }
  ladder.evidence.push_back(limit_evidence(context));
  return ladder;
}

Ladder absolute_ladder(const LabContext& context) {
  Ladder ladder;
  ladder.basis = "absolute";
  for (const auto& [basis, cutoff] : context.rules->cutoffs) {
    if (basis == Basis::absolute) {
      ladder.steps.push_back(
          absolute_step(cutoff.grade, cutoff.value, cutoff.inclusive, context.lab->direction, unit_of(context)));
    }
  }
  return ladder;
}

Ladder baseline_ladder(const LabContext& context) {
  Ladder ladder;
  ladder.basis = "x baseline";
  int top = 0;
  for (const auto& [basis, cutoff] : context.rules->cutoffs) {
    if (basis == Basis::baseline_multiple) top = std::max(top, cutoff.grade);
  }
  if (!context.baseline) {
    ladder.unknown_up_to = top;
    ladder.needs = "baseline";
    return ladder;
  }
  const Reference reference{"baseline", context.baseline->value, unit_of(context)};
  for (const auto& [basis, cutoff] : context.rules->cutoffs) {
    if (basis == Basis::baseline_multiple) {
      ladder.steps.push_back(
          multiple_step(cutoff.grade, cutoff.value, cutoff.inclusive, reference, context.lab->direction));
    }
  }
  ladder.evidence.push_back(baseline_evidence(context));
  return ladder;
}

// Fibrinogen: "% decrease from baseline" counts only while the value is also below the LLN
// (clinical.md §4 note; admiral v5). A decrease of p % is a value at most (1 - p/100) × baseline.
Ladder decrease_ladder(const LabContext& context, Point point) {
  Ladder ladder;
  ladder.basis = "% decrease from baseline";
  if (!context.limit || !beyond(point, Cut{*context.limit, false}, Direction::low_is_worse)) return ladder;
  if (!context.baseline) {
    ladder.unknown_up_to = context.rules->decrease_percent.empty() ? 0 : context.rules->decrease_percent.back().grade;
    ladder.needs = "baseline";
    return ladder;
  }
  for (const auto& cutoff : context.rules->decrease_percent) {
    const double threshold = (1.0 - cutoff.value / 100.0) * context.baseline->value;
    ladder.steps.push_back(Step{cutoff.grade, Cut{threshold, cutoff.inclusive},
                                fmt::format("{} {:g} % decrease from baseline ({:g} {})",
                                            cutoff.inclusive ? "≥" : ">", cutoff.value, context.baseline->value,
                                            unit_of(context))});
  }
  ladder.evidence.push_back(baseline_evidence(context));
  ladder.evidence.push_back(limit_evidence(context));
  return ladder;
}

// AST, ALT, bilirubin: against the ULN if the baseline was normal, against the baseline if it
// was abnormal (CTCAE wording; admiral's BNRIND). An unknown baseline is taken as normal.
std::optional<bool> baseline_abnormal(const LabContext& context) {
  if (!context.baseline) return false;
  if (!context.baseline_limit) return std::nullopt;
  return compare(context.baseline->value, *context.baseline_limit) > 0;
}

std::vector<Ladder> ladders_for(const LabContext& context, Point point) {
  switch (context.lab->term) {
    case CtcaeTerm::platelet_count_decreased:
    case CtcaeTerm::neutrophil_count_decreased:
    case CtcaeTerm::anemia:
      return {limit_ladder(context), absolute_ladder(context)};
    case CtcaeTerm::ast_increased:
    case CtcaeTerm::alt_increased:
    case CtcaeTerm::blood_bilirubin_increased: {
      const auto abnormal = baseline_abnormal(context);
      if (abnormal && *abnormal) return {baseline_ladder(context)};
      return {limit_ladder(context)};  // without any ULN the limit ladder is itself unknown
    }
    case CtcaeTerm::creatinine_increased:
      return {limit_ladder(context), baseline_ladder(context)};
    case CtcaeTerm::fibrinogen_decreased:
      return {limit_ladder(context), absolute_ladder(context), decrease_ladder(context, point)};
    case CtcaeTerm::aptt_prolonged:
      return {limit_ladder(context)};
    case CtcaeTerm::fever:
    case CtcaeTerm::febrile_neutropenia:
      break;
  }
  return {};
}

// The outcome over every ladder and every value the result allows.
struct Verdict {
  int lo = 0;
  int hi = 0;
  std::optional<Ladder> ladder;  // the column that set `lo` (for the least severe possible value)
  std::optional<Step> step;
  std::vector<std::string> missing;
};

void add_missing(std::vector<std::string>& missing, const std::string& item) {
  if (!item.empty() && std::find(missing.begin(), missing.end(), item) == missing.end()) missing.push_back(item);
}

Verdict grade_point(const LabContext& context, Point point) {
  Verdict out;
  const auto ladders = ladders_for(context, point);
  for (const Ladder& ladder : ladders) {
    const Climb result = climb(ladder, point, context.lab->direction);
    if (!out.ladder || result.lo > out.lo) {
      out.lo = result.lo;
      out.step = result.step ? std::optional<Step>(*result.step) : std::nullopt;
      out.ladder = ladder;
    }
    out.hi = std::max(out.hi, result.hi);
  }
  for (const Ladder& ladder : ladders) {
    if (ladder.unknown_up_to > out.lo) add_missing(out.missing, ladder.needs);
  }
  return out;
}

// A bound ("< 80") is graded at both ends of what it allows; the reported grade is the one
// at the less severe end, and the range between the ends stays open.
Verdict grade_values(const LabContext& context, std::span<const Point> points) {
  std::optional<Verdict> least;
  int hi = 0;
  std::vector<std::string> missing;
  for (const Point point : points) {
    Verdict at = grade_point(context, point);
    hi = std::max(hi, at.hi);
    for (const auto& item : at.missing) add_missing(missing, item);
    if (!least || at.lo < least->lo) least = std::move(at);
  }
  if (!least) return {};
  least->hi = hi;
  least->missing = std::move(missing);
  return *least;
}

std::string joined(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

// ---- assembling a grade --------------------------------------------------------------------

std::string value_text(const Observation& observation) {
  const ObservationInfo& info = observation_info(observation.code);
  return fmt::format("{} {}{:g} {}", info.name, comparator_symbol(observation.comparator), *observation.value,
                     info.canonical_unit);
}

Evidence result_evidence(const Timeline& timeline, std::size_t event_index) {
  const Event& event = timeline.events()[event_index];
  const auto& observation = std::get<Observation>(event.detail);
  if (!observation.value) return event_evidence(timeline, event_index);
  const ObservedValue observed{*observation.value, observation.comparator, observation.statistic, event.time,
                               event_index};
  return observation_evidence(observed, observation.code);
}

CtcaeGrade start_grade(CtcaeTerm term, std::int64_t time) {
  CtcaeGrade grade;
  grade.term = term;
  grade.seconds_since_infusion = time;
  return grade;
}

// A result reported only as an interpretation: "normal" is grade 0; anything else cannot be
// placed in a grade without the number.
CtcaeGrade grade_interpretation(const Timeline& timeline, CtcaeTerm term, std::size_t event_index) {
  const Event& event = timeline.events()[event_index];
  const auto& observation = std::get<Observation>(event.detail);
  CtcaeGrade grade = start_grade(term, event.time.seconds_since_infusion);
  const Evidence evidence = event_evidence(timeline, event_index);
  if (observation.interpretation == Interpretation::normal) {
    grade.result.grade = 0;
    grade.result.assessment = Assessment::complete;
    grade.basis = "interpretation";
    grade.result.reasons.push_back(
        Reason{rule_for(term, 0), "reported as normal, without a value: within normal limits", {evidence}});
  } else {
    grade.result.assessment = Assessment::not_assessable;
    grade.result.missing.emplace_back("value");
    grade.result.reasons.push_back(Reason{rule_for(term, std::nullopt),
                                          fmt::format("reported as {} without a value: cannot be graded",
                                                      to_name(observation.interpretation)),
                                          {evidence}});
  }
  return grade;
}

// Turns certain and possible grades into a result: a range that a missing LLN/ULN leaves open
// from grade 0 cannot be graded ("not gradable", not 0); any other open range is a lower bound.
void settle(GradeResult& result, int lo, int hi, const std::vector<std::string>& missing) {
  result.missing = missing;
  if (lo == hi) {
    result.grade = lo;
    result.assessment = Assessment::complete;
    return;
  }
  const bool limit_missing = std::find_if(missing.begin(), missing.end(), [](const std::string& item) {
                               return item == "ULN" || item == "LLN";
                             }) != missing.end();
  if (limit_missing && lo == 0) {
    result.grade.reset();
    result.assessment = Assessment::not_assessable;
    return;
  }
  result.grade = lo;
  result.assessment = Assessment::incomplete;
}

CtcaeGrade grade_lab_value(const LabContext& context, std::size_t event_index) {
  const Timeline& timeline = *context.timeline;
  const auto& observation = std::get<Observation>(timeline.events()[event_index].detail);
  const CtcaeTerm term = context.lab->term;
  CtcaeGrade grade = start_grade(term, context.time);
  const auto points = possible_values(observation, context.lab->direction);
  const Verdict outcome = grade_values(context, points);
  settle(grade.result, outcome.lo, outcome.hi, outcome.missing);

  Reason reason;
  reason.rule = rule_for(term, grade.result.grade);
  reason.evidence.push_back(result_evidence(timeline, event_index));
  const std::string value = value_text(observation);
  if (!grade.result.grade) {
    reason.statement = fmt::format("{}: cannot be graded without {}", value, joined(outcome.missing, " and "));
  } else if (*grade.result.grade == 0) {
    grade.basis = outcome.ladder ? outcome.ladder->basis : "";
    reason.statement = fmt::format("{}: no grade 1–4 criterion met", value);
    if (outcome.ladder) {
      for (const auto& evidence : outcome.ladder->evidence) reason.evidence.push_back(evidence);
    }
  } else {
    grade.basis = outcome.ladder->basis;
    reason.statement = fmt::format("{}: {} (grade {})", value, outcome.step->criterion, *grade.result.grade);
    for (const auto& evidence : outcome.ladder->evidence) reason.evidence.push_back(evidence);
  }
  if (grade.result.assessment == Assessment::incomplete) {
    reason.statement += fmt::format("; could be up to grade {}", outcome.hi);
  }
  grade.result.reasons.push_back(std::move(reason));

  if (points.size() > 1 && outcome.lo != outcome.hi && outcome.missing.empty()) {
    grade.result.review.push_back(
        fmt::format("reported as a bound ({}): the grade is a lower bound", value));
  }
  const bool baseline_route = term == CtcaeTerm::ast_increased || term == CtcaeTerm::alt_increased ||
                              term == CtcaeTerm::blood_bilirubin_increased;
  if (baseline_route && !context.baseline && grade.result.grade.value_or(0) > 0) {
    add_missing(grade.result.missing, "baseline");
    grade.result.review.push_back("no baseline recorded: graded against the ULN as if the baseline was normal");
  }
  if (term == CtcaeTerm::anemia && grade.result.grade == 3) {
    grade.result.review.push_back("grade 4 (life-threatening consequences) is a clinical judgement, not a value");
  }
  return grade;
}

LabContext lab_context(const Timeline& timeline, const CtcaeRules& rules, const LabTerm& lab, std::size_t event_index,
                       const std::optional<ObservedValue>& baseline) {
  const Event& event = timeline.events()[event_index];
  const auto& observation = std::get<Observation>(event.detail);
  const TermRules& term_rules = rules.of(lab.term);
  LabContext context{&timeline, &lab, &term_rules, event.time.seconds_since_infusion, std::nullopt, "", baseline,
                     std::nullopt};
  const auto limit_of = [&](const std::optional<ReferenceRange>& range) -> std::optional<double> {
    if (!range) return std::nullopt;
    return lab.upper_limit ? range->high : range->low;
  };
  context.limit = limit_of(observation.reference_range);
  context.limit_from = "reference range of the result";
  if (!context.limit && term_rules.default_limit) {
    context.limit = term_rules.default_limit;
    context.limit_from = fmt::format("default (rule {})", term_rules.default_key);
  }
  if (baseline) {
    const auto& baseline_observation = std::get<Observation>(timeline.events()[baseline->event_index].detail);
    context.baseline_limit = limit_of(baseline_observation.reference_range);
    if (!context.baseline_limit) context.baseline_limit = context.limit;
  }
  return context;
}

// ---- fever -----------------------------------------------------------------------------------

struct Reading {
  std::size_t event_index;
  std::int64_t time;
  std::vector<Point> points;
};

std::vector<Reading> temperature_readings(const Timeline& timeline) {
  std::vector<Reading> out;
  for (const auto& observed : timeline.values(ObservationCode::body_temperature)) {
    const auto& observation = std::get<Observation>(timeline.events()[observed.event_index].detail);
    out.push_back(Reading{observed.event_index, observed.time.seconds_since_infusion,
                          possible_values(observation, Direction::high_is_worse)});
  }
  return out;
}

bool certainly(const Reading& reading, Cut cut, Direction direction) {
  return std::all_of(reading.points.begin(), reading.points.end(),
                     [&](Point point) { return beyond(point, cut, direction); });
}

bool possibly(const Reading& reading, Cut cut, Direction direction) {
  return std::any_of(reading.points.begin(), reading.points.end(),
                     [&](Point point) { return beyond(point, cut, direction); });
}

Ladder fever_ladder(const FeverRules& rules) {
  Ladder ladder;
  ladder.basis = "temperature";
  ladder.steps.push_back(absolute_step(1, rules.grade1_from, true, Direction::high_is_worse, "Cel"));
  ladder.steps.push_back(absolute_step(2, rules.grade2_above, false, Direction::high_is_worse, "Cel"));
  ladder.steps.push_back(absolute_step(3, rules.grade3_above, false, Direction::high_is_worse, "Cel"));
  return ladder;
}

// Grade 3 and 4 differ by how long the temperature stayed above 40 °C. Consecutive readings
// above it are taken as one continuous fever; it ends at the first reading that is not.
std::vector<CtcaeGrade> fever_grades(const Timeline& timeline, const CtcaeRules& rules) {
  const auto readings = temperature_readings(timeline);
  const Ladder ladder = fever_ladder(rules.fever);
  const Cut above_grade3{rules.fever.grade3_above, false};
  const auto limit_s = static_cast<std::int64_t>(std::llround(rules.fever.grade4_min_hours * kSecondsPerHour));
  std::vector<bool> hot(readings.size());
  for (std::size_t i = 0; i < readings.size(); ++i) hot[i] = certainly(readings[i], above_grade3, Direction::high_is_worse);

  std::vector<CtcaeGrade> out;
  for (std::size_t i = 0; i < readings.size(); ++i) {
    const Reading& reading = readings[i];
    CtcaeGrade grade = start_grade(CtcaeTerm::fever, reading.time);
    const auto& observation = std::get<Observation>(timeline.events()[reading.event_index].detail);
    int lo = 4;
    int hi = 0;
    const Step* step = nullptr;
    for (const Point point : reading.points) {
      const Climb result = climb(ladder, point, Direction::high_is_worse);
      if (result.lo < lo) step = result.step;
      lo = std::min(lo, result.lo);
      hi = std::max(hi, result.hi);
    }
    Reason reason;
    reason.evidence.push_back(result_evidence(timeline, reading.event_index));
    const std::string value = value_text(observation);
    grade.basis = "temperature";
    if (!hot[i]) {
      settle(grade.result, lo, hi, {});
      reason.statement = step ? fmt::format("{}: {} (grade {})", value, step->criterion, lo)
                              : fmt::format("{}: below {:g} Cel, no fever", value, rules.fever.grade1_from);
      if (lo != hi) reason.statement += fmt::format("; could be up to grade {}", hi);
    } else {
      std::size_t first = i;
      while (first > 0 && hot[first - 1]) --first;
      std::size_t last = i;
      while (last + 1 < readings.size() && hot[last + 1]) ++last;
      const std::int64_t start = readings[first].time;
      const bool ended_in_time = last + 1 < readings.size() && readings[last + 1].time - start <= limit_s;
      const bool lasted_beyond = readings[last].time - start > limit_s;
      grade.basis = "temperature and duration";
      if (first != i) reason.evidence.insert(reason.evidence.begin(), result_evidence(timeline, readings[first].event_index));
      if (reading.time - start > limit_s) {
        settle(grade.result, 4, 4, {});
        reason.statement = fmt::format("{}: > {:g} Cel for more than {:g} h since {} (grade 4)", value,
                                       rules.fever.grade3_above, rules.fever.grade4_min_hours,
                                       describe_time(timeline, start, timeline.events()[readings[first].event_index].time.form));
      } else if (ended_in_time || lasted_beyond) {
        settle(grade.result, 3, 3, {});
        reason.statement = fmt::format("{}: > {:g} Cel for at most {:g} h so far (grade 3)", value,
                                       rules.fever.grade3_above, rules.fever.grade4_min_hours);
      } else {
        settle(grade.result, 3, 4, {"duration"});
        reason.statement = fmt::format("{}: > {:g} Cel; not known whether it lasted more than {:g} h (grade ≥ 3)",
                                       value, rules.fever.grade3_above, rules.fever.grade4_min_hours);
      }
    }
    reason.rule = rule_for(CtcaeTerm::fever, grade.result.grade);
    grade.result.reasons.push_back(std::move(reason));
    out.push_back(std::move(grade));
  }
  return out;
}

// ---- febrile neutropenia -------------------------------------------------------------------

struct FeverFinding {
  bool certain = false;
  bool possible = false;
  std::vector<std::size_t> readings;  // the readings that showed it
};

// A single temperature above 38.3 °C, or at least 38 °C sustained for more than an hour, among
// the readings paired with the ANC.
FeverFinding neutropenic_fever(std::span<const Reading> readings, const FebrileNeutropeniaRules& rules) {
  FeverFinding out;
  const Cut single{rules.single_temperature_above, false};
  const Cut sustained{rules.sustained_temperature_from, true};
  const auto sustained_s = static_cast<std::int64_t>(std::llround(rules.sustained_min_hours * kSecondsPerHour));
  for (std::size_t i = 0; i < readings.size(); ++i) {
    if (certainly(readings[i], single, Direction::high_is_worse)) {
      out.certain = true;
      out.readings = {i};
      return out;
    }
    if (possibly(readings[i], sustained, Direction::high_is_worse)) out.possible = true;
  }
  std::size_t run_start = 0;
  for (std::size_t i = 0; i < readings.size(); ++i) {
    if (!certainly(readings[i], sustained, Direction::high_is_worse)) {
      run_start = i + 1;
      continue;
    }
    if (readings[i].time - readings[run_start].time > sustained_s) {
      out.certain = true;
      out.readings = {run_start, i};
      return out;
    }
  }
  return out;
}

CtcaeGrade febrile_neutropenia_grade(const Timeline& timeline, const CtcaeRules& rules, std::size_t event_index,
                                     std::span<const Reading> temperatures) {
  const Event& event = timeline.events()[event_index];
  const auto& observation = std::get<Observation>(event.detail);
  const FebrileNeutropeniaRules& fn = rules.febrile_neutropenia;
  const std::int64_t t = event.time.seconds_since_infusion;
  CtcaeGrade grade = start_grade(CtcaeTerm::febrile_neutropenia, t);
  grade.basis = "ANC and temperature";

  const Reading anc{event_index, t, possible_values(observation, Direction::low_is_worse)};
  const Cut neutropenic{fn.anc_below, false};
  const bool certainly_neutropenic = certainly(anc, neutropenic, Direction::low_is_worse);
  const bool possibly_neutropenic = possibly(anc, neutropenic, Direction::low_is_worse);

  const auto window_s = static_cast<std::int64_t>(std::llround(fn.pairing_window_hours * kSecondsPerHour));
  std::vector<Reading> paired;
  for (const auto& reading : temperatures) {
    if (reading.time >= t - window_s && reading.time <= t + window_s) paired.push_back(reading);
  }
  const FeverFinding fever = neutropenic_fever(paired, fn);

  Reason reason;
  reason.evidence.push_back(result_evidence(timeline, event_index));
  for (const std::size_t i : fever.readings) reason.evidence.push_back(result_evidence(timeline, paired[i].event_index));
  const std::string value = value_text(observation);
  const std::string fever_text = fmt::format("a temperature > {:g} Cel, or ≥ {:g} Cel for more than {:g} h, within {:g} h",
                                             fn.single_temperature_above, fn.sustained_temperature_from,
                                             fn.sustained_min_hours, fn.pairing_window_hours);
  if (!possibly_neutropenic) {
    settle(grade.result, 0, 0, {});
    reason.statement = fmt::format("{}: not < {:g} 10*9/L, no febrile neutropenia", value, fn.anc_below);
  } else if (paired.empty()) {
    grade.result.assessment = Assessment::not_assessable;
    grade.result.missing.emplace_back("body_temperature");
    grade.basis.clear();
    reason.statement = fmt::format("{}: no temperature recorded within {:g} h", value, fn.pairing_window_hours);
  } else if (fever.certain && certainly_neutropenic) {
    settle(grade.result, 3, 3, {});
    reason.statement = fmt::format("{} < {:g} 10*9/L with {} (grade 3)", value, fn.anc_below, fever_text);
    grade.result.review.push_back("grade 4 (life-threatening consequences) is a clinical judgement, not a value");
  } else if (fever.certain) {
    settle(grade.result, 0, 3, {});
    reason.statement = fmt::format("{} may be < {:g} 10*9/L, with {}; could be grade 3", value, fn.anc_below, fever_text);
  } else if (fever.possible && certainly_neutropenic) {
    settle(grade.result, 0, 3, {});
    reason.statement = fmt::format("{} < {:g} 10*9/L; a temperature reported as a bound may meet {}", value,
                                   fn.anc_below, fever_text);
  } else {
    settle(grade.result, 0, 0, {});
    reason.statement = fmt::format("{}: no {}", value, fever_text);
  }
  reason.rule = rule_for(CtcaeTerm::febrile_neutropenia, grade.result.grade);
  grade.result.reasons.push_back(std::move(reason));
  return grade;
}

std::int64_t baseline_reference_time(const Timeline& timeline, bool before_lymphodepletion) {
  if (!before_lymphodepletion) return 0;
  for (const auto& dose : timeline.doses()) {
    if (dose.administration->indication == Indication::lymphodepletion) return dose.seconds_since_infusion;
  }
  return 0;
}

}  // namespace

std::optional<ObservedValue> ctcae_baseline(const Timeline& timeline, ObservationCode code, const RuleSet& rules) {
  const std::int64_t reference =
      baseline_reference_time(timeline, rules.enabled("ctcae5.baseline.before_lymphodepletion"));
  const auto lookback =
      static_cast<std::int64_t>(std::llround(rules.number("ctcae5.baseline.max_days_before") * kSecondsPerDay));
  std::optional<ObservedValue> baseline;
  for (const auto& observed : timeline.values(code)) {
    const std::int64_t t = observed.time.seconds_since_infusion;
    if (t > reference) break;
    if (t >= reference - lookback) baseline = observed;
  }
  return baseline;
}

std::vector<CtcaeGrade> ctcae_grades(const Timeline& timeline, const RuleSet& rules) {
  const CtcaeRules ctcae = read_ctcae_rules(rules);
  std::array<std::optional<ObservedValue>, kObservationCodeCount> baselines;
  for (const auto& lab : kLabTerms) {
    const ObservationCode code = ctcae_observation(lab.term);
    baselines[static_cast<std::size_t>(code)] = ctcae_baseline(timeline, code, rules);
  }
  const auto temperatures = temperature_readings(timeline);
  auto fevers = fever_grades(timeline, ctcae);
  std::size_t next_fever = 0;

  std::vector<CtcaeGrade> out;
  const auto& events = timeline.events();
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto* observation = events[i].as<Observation>();
    if (observation == nullptr) continue;
    if (observation->code == ObservationCode::body_temperature) {
      if (observation->value) {
        out.push_back(std::move(fevers[next_fever++]));
      } else {
        out.push_back(grade_interpretation(timeline, CtcaeTerm::fever, i));
      }
      continue;
    }
    const LabTerm* lab = lab_term_for(observation->code);
    if (lab == nullptr) continue;
    if (!observation->value) {
      out.push_back(grade_interpretation(timeline, lab->term, i));
      continue;
    }
    const auto context = lab_context(timeline, ctcae, *lab, i, baselines[static_cast<std::size_t>(observation->code)]);
    out.push_back(grade_lab_value(context, i));
    if (lab->term == CtcaeTerm::neutrophil_count_decreased) {
      out.push_back(febrile_neutropenia_grade(timeline, ctcae, i, temperatures));
    }
  }
  return out;
}

std::optional<CtcaeGrade> ctcae_worst(std::span<const CtcaeGrade> grades, CtcaeTerm term, TimeWindow window) {
  const CtcaeGrade* worst = nullptr;
  for (const auto& grade : grades) {
    if (grade.term != term || !window.contains(grade.seconds_since_infusion)) continue;
    if (worst == nullptr) {
      worst = &grade;
    } else if (grade.result.grade && (!worst->result.grade || *grade.result.grade > *worst->result.grade)) {
      worst = &grade;
    }
  }
  if (worst == nullptr) return std::nullopt;
  return *worst;
}

}  // namespace crsguard
