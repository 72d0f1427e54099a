// Risk scores of ../shared/spec/clinical.md §8. Sources, cited once here:
//  * CAR-HEMATOTOX: Rejeski K, et al. Blood 2021;138(24):2499-2513. doi:10.1182/blood.2020010543
//    (clinical.md §8.1). High risk at >= 2 points [C]; the point table and every boundary in it
//    are [M] (clinical.md §13 item 7), hence rules "hematotox.*" with status unconfirmed.
//  * EASIX = LDH x creatinine / platelets, m-EASIX = LDH x CRP (mg/dL) / platelets, simplified
//    EASIX = LDH / platelets: Pennisi M, et al. Blood Adv 2021;5(17):3397-3406.
//    doi:10.1182/bloodadvances.2020003885 (clinical.md §8.2) [C]. No universal cut-off [C]: a
//    cut-off is a site's data ("easix.*", "m_easix.*", "simplified_easix.*"), off as shipped.
//  * Hay 2017 classification tree: Hay KA, et al. Blood 2017;130(21):2295-2306.
//    doi:10.1182/blood-2017-06-793141 (clinical.md §8.3). Every number [M]; a research rule
//    ("hay2017.*"); grade >= 4 CRS there is a Lee 2014 (modified) grade.
#include "clinical/risk_scores.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <string_view>

#include <fmt/format.h>

#include "core/time.hpp"

namespace crsguard {

std::span<const EnumName<RiskScoreKind>> names(RiskScoreKind) {
  static constexpr std::array<EnumName<RiskScoreKind>, 5> kNames{{
      {RiskScoreKind::easix, "easix"},
      {RiskScoreKind::m_easix, "m_easix"},
      {RiskScoreKind::simplified_easix, "simplified_easix"},
      {RiskScoreKind::car_hematotox, "car_hematotox"},
      {RiskScoreKind::hay2017_severe_crs, "hay2017_severe_crs"},
  }};
  return kNames;
}

std::span<const EnumName<ScoreTimePoint>> names(ScoreTimePoint) {
  static constexpr std::array<EnumName<ScoreTimePoint>, 3> kNames{{
      {ScoreTimePoint::before_lymphodepletion, "before_lymphodepletion"},
      {ScoreTimePoint::study_day, "study_day"},
      {ScoreTimePoint::after_infusion, "after_infusion"},
  }};
  return kNames;
}

namespace {

constexpr RuleRef kHematotoxRule{"rejeski2021.car_hematotox",
                                 "Rejeski 2021 (Blood 138:2499) CAR-HEMATOTOX, clinical.md §8.1"};
constexpr RuleRef kEasixRule{"pennisi2021.easix",
                             "Pennisi 2021 (Blood Adv 5:3397): EASIX = LDH x creatinine / platelets, clinical.md §8.2"};
constexpr RuleRef kModifiedEasixRule{
    "pennisi2021.m_easix", "Pennisi 2021 (Blood Adv 5:3397): m-EASIX = LDH x CRP (mg/dL) / platelets, clinical.md §8.2"};
constexpr RuleRef kSimplifiedEasixRule{
    "pennisi2021.simplified_easix", "Pennisi 2021 (Blood Adv 5:3397): simplified EASIX = LDH / platelets, clinical.md §8.2"};
constexpr RuleRef kHayRule{"hay2017.severe_crs",
                           "Hay 2017 (Blood 130:2295) classification tree for grade >= 4 CRS, clinical.md §8.3"};

constexpr std::string_view kCrpUnitNote = "CRP in mg/dL; a CRP reported in mg/L was divided by 10 on input";

// ---- rule parameters ------------------------------------------------------------------

// A weaker status sorts later: a value from memory is the least checked, a site's choice at
// least names its source.
int weakness(SourceStatus status) {
  switch (status) {
    case SourceStatus::confirmed: return 0;
    case SourceStatus::secondary: return 1;
    case SourceStatus::local_choice: return 2;
    case SourceStatus::unconfirmed: return 3;
  }
  return 3;
}

// Reads parameters and remembers the weakest status among them: a result is only as
// confirmed as the least confirmed number it used.
class UsedRules {
 public:
  explicit UsedRules(const RuleSet& rules) : rules_(&rules) {}

  double number(std::string_view key) {
    const RuleParameter& parameter = rules_->get(key);
    if (weakness(parameter.status) > weakness(weakest_)) weakest_ = parameter.status;
    return parameter.value;
  }
  bool enabled(std::string_view key) { return number(key) != 0.0; }
  [[nodiscard]] SourceStatus weakest() const { return weakest_; }

 private:
  const RuleSet* rules_;
  SourceStatus weakest_ = SourceStatus::confirmed;
};

std::int64_t seconds_from_hours(double hours) {
  return static_cast<std::int64_t>(std::llround(hours * static_cast<double>(kSecondsPerHour)));
}

std::int64_t seconds_from_days(double days) {
  return static_cast<std::int64_t>(std::llround(days * static_cast<double>(kSecondsPerDay)));
}

int whole_study_day(double day) {
  const double bounded = std::clamp(day, static_cast<double>(kEarliestStudyDay), static_cast<double>(kLatestStudyDay));
  return static_cast<int>(std::lround(bounded));
}

// ---- observed values ------------------------------------------------------------------

std::string input_name(ObservationCode code) { return std::string(observation_info(code).name); }

std::string describe_value(const ObservedValue& observed, ObservationCode code) {
  const std::string_view symbol = comparator_symbol(observed.comparator);
  return fmt::format("{}{}{:g} {}", symbol, symbol.empty() ? "" : " ", observed.value,
                     observation_info(code).canonical_unit);
}

std::string describe_observed(const Timeline& timeline, const ObservedValue& observed, ObservationCode code) {
  return fmt::format("{} {} ({})", input_name(code), describe_value(observed, code),
                     describe_time(timeline, observed.time.seconds_since_infusion, observed.time.form));
}

// The latest value in a window; several values of one input in one window: the latest wins,
// as the most recent result is the one a clinician acts on.
std::optional<ObservedValue> latest_in(const Timeline& timeline, ObservationCode code, TimeWindow window) {
  auto observed = timeline.value_at(code, window.to - 1);
  if (!observed || !window.contains(observed->time.seconds_since_infusion)) return std::nullopt;
  return observed;
}

std::size_t count_in(const Timeline& timeline, ObservationCode code, TimeWindow window) {
  const auto values = timeline.values(code);
  return static_cast<std::size_t>(std::count_if(values.begin(), values.end(), [&](const ObservedValue& v) {
    return window.contains(v.time.seconds_since_infusion);
  }));
}

// What a value says about a rule that is monotone in it (points, a threshold test). A value
// reported only as a bound ("< 10") decides the rule when every value the bound allows gives
// the same answer; checking the two ends of that range suffices because the rule is monotone.
template <class Rule>
auto decided_by(const ObservedValue& observed, Rule rule) -> std::optional<decltype(rule(0.0))> {
  constexpr double kInfinity = std::numeric_limits<double>::infinity();
  const double reported = observed.value;
  double lowest = reported;
  double highest = reported;
  switch (observed.comparator) {
    case Comparator::equal: break;
    case Comparator::less: lowest = -kInfinity; highest = std::nextafter(reported, -kInfinity); break;
    case Comparator::less_or_equal: lowest = -kInfinity; break;
    case Comparator::greater_or_equal: highest = kInfinity; break;
    case Comparator::greater: lowest = std::nextafter(reported, kInfinity); highest = kInfinity; break;
  }
  const auto at_lowest = rule(lowest);
  if (at_lowest != rule(highest)) return std::nullopt;
  return at_lowest;
}

void note_latest_time(RiskScore& score, const Evidence& evidence) {
  if (!score.at || evidence.seconds_since_infusion > *score.at) score.at = evidence.seconds_since_infusion;
}

// ---- before lymphodepletion -----------------------------------------------------------

// Lymphodepletion starts with its first dose; without one, the infusion stands in for it.
// Values recorded at the same moment as that dose count as before it: labs are drawn before
// the chemotherapy is given, and day-only times put both at the start of the day.
struct PreLymphodepletion {
  TimeWindow window;  // [reference - lookback, reference]
  std::string description;
};

PreLymphodepletion before_lymphodepletion(const Timeline& timeline, double lookback_days) {
  std::optional<std::int64_t> reference;
  std::string reference_name = "the infusion (no lymphodepletion recorded)";
  for (const DoseGiven& dose : timeline.doses()) {
    if (dose.administration->indication == Indication::lymphodepletion) {
      reference = dose.seconds_since_infusion;
      const TimeForm form = timeline.events().at(dose.event_index).time.form;
      reference_name = fmt::format("the first lymphodepletion dose ({}, {})", dose.administration->display_name(),
                                   describe_time(timeline, *reference, form));
      break;
    }
  }
  const std::int64_t at = reference.value_or(0);
  const TimeWindow window{at - seconds_from_days(lookback_days), at + 1};
  return {window, fmt::format("latest values within {:g} days up to {}", lookback_days, reference_name)};
}

// The value an input takes before lymphodepletion, with a note when only an older one exists.
std::optional<ObservedValue> pre_lymphodepletion_value(const Timeline& timeline, ObservationCode code,
                                                       const PreLymphodepletion& pre, RiskScore& score) {
  auto observed = latest_in(timeline, code, pre.window);
  if (observed) return observed;
  score.missing.push_back(input_name(code));
  if (const auto older = timeline.value_at(code, pre.window.from - 1)) {
    score.notes.push_back(fmt::format("{} is older than the lookback", describe_observed(timeline, *older, code)));
  }
  return std::nullopt;
}

// ---- CAR-HEMATOTOX --------------------------------------------------------------------

struct HematotoxTable {
  double platelets_zero_points_above;  // 75-175: 1 point, < 75: 2 points
  double platelets_two_points_below;
  double anc_boundary;                 // below: 1 point
  double haemoglobin_boundary;         // below: 1 point
  double crp_boundary;                 // above: 1 point
  double ferritin_zero_points_below;   // 650-2000: 1 point, > 2000: 2 points
  double ferritin_two_points_above;
  bool boundary_value_scores_point;    // the table leaves 1.2, 9.0 and 3.0 themselves open
};

HematotoxTable read_hematotox_table(UsedRules& rules) {
  return HematotoxTable{
      rules.number("hematotox.platelets_zero_points_above"),
      rules.number("hematotox.platelets_two_points_below"),
      rules.number("hematotox.anc_boundary"),
      rules.number("hematotox.haemoglobin_boundary"),
      rules.number("hematotox.crp_boundary"),
      rules.number("hematotox.ferritin_zero_points_below"),
      rules.number("hematotox.ferritin_two_points_above"),
      rules.enabled("hematotox.boundary_value_scores_point"),
  };
}

// The ranges 75-175 and 650-2000 name their ends, so 75, 175, 650 and 2000 score 1 point.
int platelet_points(const HematotoxTable& table, double platelets) {
  if (platelets > table.platelets_zero_points_above) return 0;
  return platelets < table.platelets_two_points_below ? 2 : 1;
}

int ferritin_points(const HematotoxTable& table, double ferritin) {
  if (ferritin < table.ferritin_zero_points_below) return 0;
  return ferritin > table.ferritin_two_points_above ? 2 : 1;
}

int point_below(double boundary, bool boundary_scores, double value) {
  if (value == boundary) return boundary_scores ? 1 : 0;
  return value < boundary ? 1 : 0;
}

int point_above(double boundary, bool boundary_scores, double value) {
  if (value == boundary) return boundary_scores ? 1 : 0;
  return value > boundary ? 1 : 0;
}

int hematotox_points(const HematotoxTable& table, ObservationCode code, double value) {
  switch (code) {
    case ObservationCode::platelets: return platelet_points(table, value);
    case ObservationCode::neutrophils: return point_below(table.anc_boundary, table.boundary_value_scores_point, value);
    case ObservationCode::haemoglobin:
      return point_below(table.haemoglobin_boundary, table.boundary_value_scores_point, value);
    case ObservationCode::crp: return point_above(table.crp_boundary, table.boundary_value_scores_point, value);
    case ObservationCode::ferritin: return ferritin_points(table, value);
    default: return 0;
  }
}

constexpr std::array kHematotoxInputs{ObservationCode::platelets, ObservationCode::neutrophils,
                                      ObservationCode::haemoglobin, ObservationCode::crp, ObservationCode::ferritin};

RiskScore car_hematotox(const Timeline& timeline, const RuleSet& rules) {
  UsedRules used(rules);
  const double lookback_days = used.number("hematotox.lookback_days");
  const HematotoxTable table = read_hematotox_table(used);
  const double high_risk_min_points = used.number("hematotox.high_risk_min_points");

  RiskScore score;
  score.kind = RiskScoreKind::car_hematotox;
  score.rule = kHematotoxRule;
  score.time_point = ScoreTimePoint::before_lymphodepletion;
  const PreLymphodepletion pre = before_lymphodepletion(timeline, lookback_days);
  score.notes.push_back(pre.description);

  int total = 0;
  for (const ObservationCode code : kHematotoxInputs) {
    const auto observed = pre_lymphodepletion_value(timeline, code, pre, score);
    if (!observed) continue;
    const auto points = decided_by(*observed, [&](double value) { return hematotox_points(table, code, value); });
    if (!points) {
      score.missing.push_back(input_name(code));
      score.notes.push_back(fmt::format("{} is a bound that does not decide its points",
                                        describe_observed(timeline, *observed, code)));
      continue;
    }
    Evidence evidence = observation_evidence(*observed, code);
    evidence.detail = fmt::format("{} point{}{}", *points, *points == 1 ? "" : "s",
                                  observed->comparator == Comparator::equal ? "" : " (the bound decides)");
    note_latest_time(score, evidence);
    score.inputs.push_back(std::move(evidence));
    total += *points;
  }
  if (score.missing.empty()) {
    score.points = total;
    score.value = total;
    score.category = total >= high_risk_min_points ? "high" : "low";
  }
  score.notes.push_back("point boundaries unconfirmed (clinical.md §13 item 7): verify against Rejeski 2021");
  score.notes.push_back(table.boundary_value_scores_point
                            ? "a value exactly at the ANC, haemoglobin or CRP boundary scores the point"
                            : "a value exactly at the ANC, haemoglobin or CRP boundary scores no point");
  score.notes.emplace_back(kCrpUnitNote);
  score.status = used.weakest();
  return score;
}

// ---- EASIX family ---------------------------------------------------------------------

// Every input but the last multiplies; the last, the platelet count, divides.
struct EasixFormula {
  RiskScoreKind kind;
  RuleRef rule;
  std::string_view name;        // as a clinician writes it
  std::string_view rule_prefix; // of its cut-off parameters
  std::span<const ObservationCode> inputs;
};

constexpr std::array kEasixInputs{ObservationCode::ldh, ObservationCode::creatinine, ObservationCode::platelets};
constexpr std::array kModifiedEasixInputs{ObservationCode::ldh, ObservationCode::crp, ObservationCode::platelets};
constexpr std::array kSimplifiedEasixInputs{ObservationCode::ldh, ObservationCode::platelets};

const std::array<EasixFormula, 3>& easix_formulas() {
  static const std::array<EasixFormula, 3> kFormulas{{
      {RiskScoreKind::easix, kEasixRule, "EASIX", "easix", kEasixInputs},
      {RiskScoreKind::m_easix, kModifiedEasixRule, "m-EASIX", "m_easix", kModifiedEasixInputs},
      {RiskScoreKind::simplified_easix, kSimplifiedEasixRule, "simplified EASIX", "simplified_easix",
       kSimplifiedEasixInputs},
  }};
  return kFormulas;
}

bool uses_crp(const EasixFormula& formula) {
  return std::find(formula.inputs.begin(), formula.inputs.end(), ObservationCode::crp) != formula.inputs.end();
}

// Keeps an input the index can use; a bound or a zero platelet count cannot give a value.
void add_easix_input(const Timeline& timeline, ObservationCode code, const std::optional<ObservedValue>& observed,
                     RiskScore& score) {
  if (!observed) return;  // already named as missing
  if (observed->comparator != Comparator::equal) {
    score.missing.push_back(input_name(code));
    score.notes.push_back(fmt::format("{} is a bound; the index needs the value",
                                      describe_observed(timeline, *observed, code)));
    return;
  }
  if (code == ObservationCode::platelets && observed->value <= 0.0) {
    score.missing.push_back(input_name(code));
    score.notes.push_back(fmt::format("{}: the index is undefined", describe_observed(timeline, *observed, code)));
    return;
  }
  Evidence evidence = observation_evidence(*observed, code);
  note_latest_time(score, evidence);
  score.inputs.push_back(std::move(evidence));
}

double easix_index(std::span<const Evidence> inputs) {
  double product = 1.0;
  for (std::size_t i = 0; i + 1 < inputs.size(); ++i) product *= *inputs[i].value;
  return product / *inputs.back().value;
}

// A cut-off is a site's choice: none is shipped, as no universal one is established.
void categorise_easix(const EasixFormula& formula, UsedRules& used, RiskScore& score) {
  const std::string prefix(formula.rule_prefix);
  if (!used.enabled(prefix + ".cutoff_enabled")) {
    score.notes.push_back(fmt::format("no {} cut-off configured: no universal cut-off is established "
                                      "(clinical.md §8.2); read the value (log2) as a continuous risk",
                                      formula.name));
    return;
  }
  const double cutoff = used.number(prefix + ".high_risk_min");
  if (cutoff <= 0.0) {
    score.notes.push_back(fmt::format("{} cut-off enabled but not set (<= 0): no category given", formula.name));
    return;
  }
  if (score.value) score.category = *score.value >= cutoff ? "high" : "low";
  score.notes.push_back(fmt::format("high when {} >= {:g} (on the value, not its log2)", formula.name, cutoff));
}

RiskScore easix_score(const Timeline& timeline, const EasixFormula& formula,
                      std::span<const std::optional<ObservedValue>> chosen, UsedRules used, RiskScore score) {
  score.kind = formula.kind;
  score.rule = formula.rule;
  for (std::size_t i = 0; i < formula.inputs.size(); ++i) add_easix_input(timeline, formula.inputs[i], chosen[i], score);
  if (score.missing.empty()) {
    const double index = easix_index(score.inputs);
    score.value = index;
    if (index > 0.0) {
      score.log2_value = std::log2(index);
    } else {
      score.notes.push_back(fmt::format("{} is 0: no log2", formula.name));
    }
  }
  categorise_easix(formula, used, score);
  if (uses_crp(formula)) score.notes.emplace_back(kCrpUnitNote);
  score.status = used.weakest();
  return score;
}

RiskScore easix_before_lymphodepletion(const Timeline& timeline, const EasixFormula& formula, const RuleSet& rules) {
  UsedRules used(rules);
  const PreLymphodepletion pre = before_lymphodepletion(timeline, used.number("easix.pre_lymphodepletion_lookback_days"));
  RiskScore score;
  score.time_point = ScoreTimePoint::before_lymphodepletion;
  score.notes.push_back(pre.description);
  std::vector<std::optional<ObservedValue>> chosen;
  for (const ObservationCode code : formula.inputs) chosen.push_back(pre_lymphodepletion_value(timeline, code, pre, score));
  return easix_score(timeline, formula, chosen, used, std::move(score));
}

// One result per study day on which at least one input was measured; a day with only some
// inputs names the others as missing rather than borrowing them from another day.
std::vector<RiskScore> easix_by_study_day(const Timeline& timeline, const EasixFormula& formula, const RuleSet& rules) {
  UsedRules used(rules);
  const int first_day = whole_study_day(used.number("easix.first_study_day"));
  const int last_day = whole_study_day(used.number("easix.last_study_day"));
  std::vector<RiskScore> scores;
  for (int day = first_day; day <= last_day; ++day) {
    const TimeWindow window = timeline.day_window(day);
    RiskScore score;
    score.time_point = ScoreTimePoint::study_day;
    score.day = day;
    std::vector<std::optional<ObservedValue>> chosen;
    for (const ObservationCode code : formula.inputs) {
      chosen.push_back(latest_in(timeline, code, window));
      if (!chosen.back()) score.missing.push_back(input_name(code));
      if (const std::size_t count = count_in(timeline, code, window); count > 1) {
        score.notes.push_back(fmt::format("{} values of {} on day {}: the latest used", count, input_name(code), day));
      }
    }
    const bool any_measured = std::any_of(chosen.begin(), chosen.end(), [](const auto& c) { return c.has_value(); });
    if (any_measured) scores.push_back(easix_score(timeline, formula, chosen, used, std::move(score)));
  }
  return scores;
}

// ---- Hay 2017 -------------------------------------------------------------------------

struct HayTree {
  double fever_min_celsius;
  double fever_window_hours;
  double mcp1_min_pg_per_ml;
  double mcp1_window_hours;
};

std::vector<ObservedValue> values_between(const Timeline& timeline, ObservationCode code, std::int64_t from,
                                          std::int64_t to_inclusive) {
  std::vector<ObservedValue> out;
  for (const ObservedValue& value : timeline.values(code)) {
    const std::int64_t t = value.time.seconds_since_infusion;
    if (t >= from && t <= to_inclusive) out.push_back(value);
  }
  return out;
}

const ObservedValue& highest(const std::vector<ObservedValue>& values) {
  return *std::max_element(values.begin(), values.end(),
                           [](const ObservedValue& a, const ObservedValue& b) { return a.value < b.value; });
}

// The first value that meets the threshold for certain; `undecided` tells whether a bound
// left the answer open for some value before it.
struct Crossing {
  std::optional<ObservedValue> first;
  bool undecided = false;
};

Crossing first_at_or_above(const std::vector<ObservedValue>& values, double threshold) {
  Crossing crossing;
  for (const ObservedValue& value : values) {
    const auto meets = decided_by(value, [threshold](double v) { return v >= threshold; });
    if (!meets) crossing.undecided = true;
    if (meets && *meets) {
      crossing.first = value;
      break;
    }
  }
  return crossing;
}

// The tree counts hours; a time recorded by day only stands at the start of its day
// (timeline format), which may place it inside or outside a window it was not in.
void add_input(const Timeline& timeline, const ObservedValue& observed, ObservationCode code, RiskScore& score) {
  Evidence evidence = observation_evidence(observed, code);
  if (observed.time.form == TimeForm::study_day) {
    score.notes.push_back(fmt::format("{} has no clock time: taken at the start of its day",
                                      describe_observed(timeline, observed, code)));
  }
  note_latest_time(score, evidence);
  score.inputs.push_back(std::move(evidence));
}

// Fever >= 38.9 °C within 36 h of infusion, then MCP-1 >= 1343.5 pg/mL (measured at or after
// that fever, within its own window): high risk of grade >= 4 CRS. Windows include their end.
void apply_hay_tree(const Timeline& timeline, const HayTree& tree, RiskScore& score) {
  const auto temperatures =
      values_between(timeline, ObservationCode::body_temperature, 0, seconds_from_hours(tree.fever_window_hours));
  if (temperatures.empty()) {
    score.missing.push_back(input_name(ObservationCode::body_temperature));
    score.notes.push_back(fmt::format("no temperature recorded within {:g} h of infusion", tree.fever_window_hours));
    return;
  }
  const Crossing fever = first_at_or_above(temperatures, tree.fever_min_celsius);
  if (!fever.first) {
    if (fever.undecided) {
      score.missing.push_back(input_name(ObservationCode::body_temperature));
      score.notes.push_back(fmt::format("a temperature bound leaves open whether it reached {:g} °C",
                                        tree.fever_min_celsius));
      return;
    }
    add_input(timeline, highest(temperatures), ObservationCode::body_temperature, score);
    score.category = "not high";
    score.notes.push_back(fmt::format("no fever >= {:g} °C within {:g} h of infusion", tree.fever_min_celsius,
                                      tree.fever_window_hours));
    return;
  }
  add_input(timeline, *fever.first, ObservationCode::body_temperature, score);

  const auto mcp1 = values_between(timeline, ObservationCode::mcp1, fever.first->time.seconds_since_infusion,
                                   seconds_from_hours(tree.mcp1_window_hours));
  if (mcp1.empty()) {
    score.missing.push_back(input_name(ObservationCode::mcp1));
    score.notes.push_back(fmt::format("no MCP-1 measured after the fever and within {:g} h of infusion",
                                      tree.mcp1_window_hours));
    return;
  }
  const Crossing raised = first_at_or_above(mcp1, tree.mcp1_min_pg_per_ml);
  if (raised.first) {
    add_input(timeline, *raised.first, ObservationCode::mcp1, score);
    score.category = "high";
    score.notes.emplace_back("high risk of grade >= 4 CRS (Lee 2014 grade, as in the paper)");
  } else if (raised.undecided) {
    score.missing.push_back(input_name(ObservationCode::mcp1));
    score.notes.push_back(fmt::format("an MCP-1 bound leaves open whether it reached {:g} pg/mL",
                                      tree.mcp1_min_pg_per_ml));
  } else {
    add_input(timeline, highest(mcp1), ObservationCode::mcp1, score);
    score.category = "not high";
    score.notes.push_back(fmt::format("fever >= {:g} °C but MCP-1 below {:g} pg/mL", tree.fever_min_celsius,
                                      tree.mcp1_min_pg_per_ml));
  }
}

std::optional<RiskScore> hay2017_severe_crs(const Timeline& timeline, const RuleSet& rules) {
  UsedRules used(rules);
  if (!used.enabled("hay2017.enabled")) return std::nullopt;
  const HayTree tree{used.number("hay2017.fever_min_celsius"), used.number("hay2017.fever_window_hours"),
                     used.number("hay2017.mcp1_min_pg_per_ml"), used.number("hay2017.mcp1_window_hours")};
  RiskScore score;
  score.kind = RiskScoreKind::hay2017_severe_crs;
  score.rule = kHayRule;
  score.time_point = ScoreTimePoint::after_infusion;
  score.notes.emplace_back("research rule; thresholds unconfirmed (clinical.md §13 item 7); the tree's IL-6 split "
                           "is not applied");
  apply_hay_tree(timeline, tree, score);
  score.status = used.weakest();
  return score;
}

}  // namespace

std::vector<RiskScore> risk_scores(const Timeline& timeline, const RuleSet& rules) {
  std::vector<RiskScore> scores;
  scores.push_back(car_hematotox(timeline, rules));
  for (const EasixFormula& formula : easix_formulas()) {
    scores.push_back(easix_before_lymphodepletion(timeline, formula, rules));
    for (RiskScore& score : easix_by_study_day(timeline, formula, rules)) scores.push_back(std::move(score));
  }
  if (auto hay = hay2017_severe_crs(timeline, rules)) scores.push_back(std::move(*hay));
  return scores;
}

}  // namespace crsguard
