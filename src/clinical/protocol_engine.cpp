// The protocol engine: state at t, then each step of the protocol in order. What each condition
// means is in docs/protocols.md ("How the engine applies a protocol"); this file keeps to it.
#include "clinical/protocol_engine.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "clinical/renal.hpp"
#include "core/drugs.hpp"
#include "core/time.hpp"

namespace crsguard {

CRSGUARD_NAMES(Verdict, {Verdict::no, "no"}, {Verdict::yes, "yes"}, {Verdict::unknown, "unknown"},
               {Verdict::not_defined, "not_defined"})
CRSGUARD_NAMES(FindingStatus, {FindingStatus::passed, "passed"}, {FindingStatus::triggered, "triggered"},
               {FindingStatus::unknown, "unknown"}, {FindingStatus::overridden, "overridden"})
CRSGUARD_NAMES(RecommendationStatus, {RecommendationStatus::actionable, "actionable"},
               {RecommendationStatus::blocked, "blocked"}, {RecommendationStatus::overridden, "overridden"})

namespace {

// Doses within 5 % are the same dose: a dose rounded to a tablet or vial, or computed from a weight
// recorded since, is not an increase, a reduction or a different regimen (a local choice, docs/protocols.md).
constexpr double kDoseTolerance = 0.05;

double hours_between(std::int64_t from, std::int64_t to) {
  return static_cast<double>(to - from) / static_cast<double>(kSecondsPerHour);
}

// Lines of these classes are escalations: the response is measured from the latest one begun.
bool escalates(const std::string& drug) {
  const DrugInfo* info = find_drug(drug);
  if (info == nullptr) return false;
  switch (info->drug_class) {
    case DrugClass::anti_il6:
    case DrugClass::il1_blocker:
    case DrugClass::corticosteroid:
    case DrugClass::jak_inhibitor:
    case DrugClass::anti_ifn_gamma: return true;
    default: return false;
  }
}

std::string grade_text(const CurrentGrade& grade) {
  if (!grade.grade) return "not assessable";
  return fmt::format("{}{}", grade.complete() ? "" : "≥", *grade.grade);
}

// The latest observation behind a moment (a moment at a dose time carries earlier readings forward).
std::optional<std::size_t> observed_event(const Timeline& known, const CrsMoment& m) {
  std::optional<std::size_t> latest;
  const auto consider = [&](std::size_t index) {
    if (index == kNoEvent || index >= known.events().size()) return;
    if (!latest || known.events()[index].time.seconds_since_infusion > known.events()[*latest].time.seconds_since_infusion) {
      latest = index;
    }
  };
  consider(m.fever_event);
  consider(m.pressure_event);
  consider(m.oxygen_event);
  for (const std::size_t index : m.vasopressor_events) consider(index);
  return latest;
}

// The latest assessable CRS moment at or before t whose latest observation is not older than `stale_s`.
CurrentGrade crs_grade_before(const Timeline& known, const CrsCourse& course, std::int64_t t, std::int64_t stale_s) {
  // Moments are in time order: start from the last one at or before t (the response to a line begun
  // days ago asks for a moment far back in a long course).
  const auto after_t = std::upper_bound(course.moments.begin(), course.moments.end(), t,
                                        [](std::int64_t at, const CrsMoment& m) { return at < m.t; });
  for (auto it = std::make_reverse_iterator(after_t); it != course.moments.rend(); ++it) {
    if (t - it->t > stale_s) break;
    if (it->grade < 0) continue;
    const auto seen = observed_event(known, *it);
    const EventTime* seen_time = seen ? &known.events()[*seen].time : nullptr;
    const std::int64_t when = seen_time != nullptr ? seen_time->seconds_since_infusion : it->t;
    if (t - when > stale_s) continue;
    return {it->grade, std::max(it->grade, highest_possible_grade(*it)), when,
            seen_time != nullptr && seen_time->form == TimeForm::study_day, seen};
  }
  return {};
}

CurrentGrade icans_grade_before(const std::vector<IcansAssessmentGrade>& grades, std::int64_t t, std::int64_t stale_s) {
  for (auto it = grades.rbegin(); it != grades.rend(); ++it) {
    if (it->t > t) continue;
    if (t - it->t > stale_s) break;
    if (!it->result.grade) continue;
    const int grade = *it->result.grade;
    const int possible = it->result.assessment == Assessment::complete ? grade : 4;  // what is missing could be anything
    return {grade, std::max(grade, possible), it->t, false, it->event_index};
  }
  return {};
}

// The states a change from `then` to `now` allows: a lower bound leaves its upper end open.
std::vector<ResponseState> possible_responses(const CurrentGrade& then, const CurrentGrade& now) {
  if (!then.grade || !now.grade) return {};
  std::vector<ResponseState> states;
  if (*now.grade < then.highest_possible) states.push_back(ResponseState::improving);
  if (*now.grade <= then.highest_possible && now.highest_possible >= *then.grade) {
    states.push_back(ResponseState::unchanged);
  }
  if (now.highest_possible > *then.grade) states.push_back(ResponseState::worse);
  return states;
}

std::string describe_states(const std::vector<ResponseState>& states) {
  if (states.empty()) return "unknown";
  std::string out;
  for (const ResponseState state : states) out += (out.empty() ? "" : " or ") + std::string(to_name(state));
  return out;
}

bool all_in(const std::vector<ResponseState>& states, const std::vector<ResponseState>& allowed) {
  return !states.empty() && std::all_of(states.begin(), states.end(), [&](ResponseState s) {
    return std::find(allowed.begin(), allowed.end(), s) != allowed.end();
  });
}

bool none_in(const std::vector<ResponseState>& states, const std::vector<ResponseState>& allowed) {
  return !states.empty() && std::none_of(states.begin(), states.end(), [&](ResponseState s) {
    return std::find(allowed.begin(), allowed.end(), s) != allowed.end();
  });
}

// The body weight a dose uses: the latest recorded at or before t, else the record's weight.
std::optional<double> weight_at(const Timeline& known, std::int64_t t) {
  if (const auto weight = known.value_at(ObservationCode::body_weight, t)) return weight->value;
  return known.patient().weight_kg;
}

// Everything a condition or check reads at t.
struct View {
  const Protocol& protocol;
  const ProtocolRules& rules;
  const Timeline& known;
  const CourseGrades& grades;
  const PatientState& state;
  std::int64_t t;
  bool explain = true;  // write the reasons and statements (AdviceText::full)

  [[nodiscard]] std::string when(std::int64_t at) const { return describe_time(known, at, TimeForm::study_day_clock); }
  [[nodiscard]] std::int64_t stale_s() const { return seconds_from_hours(protocol.stale_after_hours); }

  // The first line begun of a drug or class in this course.
  [[nodiscard]] const TherapyLine* first_line(const std::string& ref) const {
    const TherapyLine* first = nullptr;
    for (const TherapyLine& line : state.therapies) {
      if (names_drug(ref, line.drug) && (first == nullptr || line.first_dose < first->first_dose)) first = &line;
    }
    return first;
  }
  [[nodiscard]] const TherapyLine* latest_dosed(const std::string& ref) const {
    const TherapyLine* latest = nullptr;
    for (const TherapyLine& line : state.therapies) {
      if (names_drug(ref, line.drug) && (latest == nullptr || line.last_dose > latest->last_dose)) latest = &line;
    }
    return latest;
  }

  // The response needs a CRS assessment after the therapy began. Recorded by study day only, an
  // observation of the therapy's own day counts: the order within the day is not in the record.
  [[nodiscard]] TherapyResponse response_since(const std::string& therapy, std::int64_t since, bool since_day_only) const {
    TherapyResponse response;
    response.therapy = therapy;
    response.since = since;
    const CurrentGrade then = crs_grade_before(known, grades.crs, since, stale_s());
    response.grade_then = then.grade;
    response.grade_now = state.crs.grade;
    const bool reassessed = state.crs.assessed_at &&
                            (*state.crs.assessed_at > since ||
                             (state.crs.day_only && since_day_only &&
                              known.study_day(*state.crs.assessed_at) == known.study_day(since)));
    if (!reassessed) {
      if (explain) response.statement = fmt::format("no CRS reassessment since {} at {}: response unknown", therapy, when(since));
      return response;
    }
    response.possible = possible_responses(then, state.crs);
    if (explain) response.statement = fmt::format("CRS grade {} at {} → {} now: {} (since {})", grade_text(then), when(since),
                                     grade_text(state.crs), describe_states(response.possible), therapy);
    return response;
  }
};

// ---- state ---------------------------------------------------------------------------------------

std::optional<std::int64_t> first_icans_after(const std::vector<IcansAssessmentGrade>& grades, std::int64_t from,
                                              std::int64_t t) {
  for (const auto& grade : grades) {
    if (grade.t >= from && grade.t <= t && grade.result.grade && *grade.result.grade >= 1) return grade.t;
  }
  return std::nullopt;
}

// Lines of anti-cytokine, corticosteroid and JAK-inhibitor therapy and of any drug the protocol names
// (antipyretics, antibiotics and the like are not lines of this ladder).
bool is_line_drug(const Protocol& protocol, const std::string& drug) {
  return escalates(drug) || std::any_of(protocol.steps.begin(), protocol.steps.end(),
                                        [&](const ProtocolStep& step) { return step.drug == drug; });
}

std::vector<TherapyLine> therapy_lines(const Timeline& known, const Protocol& protocol, std::int64_t from,
                                       std::int64_t t, bool explain) {
  std::vector<TherapyLine> lines;
  std::vector<const DoseGiven*> first_and_last;  // two per line: its evidence, made once the lines are known
  const auto& doses = known.doses();
  auto dose = std::lower_bound(doses.begin(), doses.end(), from,
                               [](const DoseGiven& d, std::int64_t at) { return d.seconds_since_infusion < at; });
  for (; dose != doses.end() && dose->seconds_since_infusion < t; ++dose) {
    const Administration& administration = *dose->administration;
    if (!treats_toxicity(administration)) continue;
    const std::string_view name = administration.drug == "other" ? administration.drug_name : administration.drug;
    auto line = std::find_if(lines.begin(), lines.end(), [&](const TherapyLine& l) { return l.drug == name; });
    if (line == lines.end()) {
      if (!is_line_drug(protocol, std::string(name))) continue;
      const DrugInfo* info = find_drug(administration.drug);
      lines.push_back({std::string(name), info != nullptr ? std::string(to_name(info->drug_class)) : "other",
                       dose->seconds_since_infusion, dose->seconds_since_infusion, 1, false,
                       known.events()[dose->event_index].time.form == TimeForm::study_day, {}});
      first_and_last.insert(first_and_last.end(), {&*dose, &*dose});
      continue;
    }
    line->last_dose = dose->seconds_since_infusion;
    ++line->doses;
    first_and_last[2 * static_cast<std::size_t>(line - lines.begin()) + 1] = &*dose;
  }
  for (std::size_t i = 0; i < lines.size(); ++i) {
    TherapyLine& line = lines[i];
    line.on = hours_between(line.last_dose, t) <= protocol.on_therapy_hours;
    if (!explain) continue;
    for (std::size_t end = 0; end < (line.doses > 1 ? 2U : 1U); ++end) {
      const DoseGiven& given = *first_and_last[2 * i + end];
      Evidence evidence = event_evidence(known, given.event_index);
      evidence.seconds_since_infusion = given.seconds_since_infusion;
      line.evidence.push_back(std::move(evidence));
    }
  }
  return lines;
}

// Methylprednisolone-equivalent mg of a dexamethasone-equivalent amount.
double methylprednisolone_mg(double dexamethasone_mg, const DosingRules& rules) {
  const auto mp = dexamethasone_equivalent_mg("methylprednisolone", 1.0, rules);
  return mp && *mp > 0 ? dexamethasone_mg / *mp : 0.0;
}

SteroidRefractoriness steroid_refractoriness(const View& v) {
  SteroidRefractoriness out;
  if (!v.protocol.steroid_refractory) return out;
  const SteroidRefractoryDefinition& def = *v.protocol.steroid_refractory;
  for (const std::string& required : def.requires_given) {
    if (v.first_line(required) == nullptr) {
      out.verdict = Verdict::no;
      if (v.explain) out.statement = fmt::format("not steroid-refractory: {} not given in this course", required);
      return out;
    }
  }
  // Only the corticosteroid course still running counts: doses since the last gap longer than the
  // on-therapy window. Its high-dose part begins at the first dose from which the next 24 h (as given
  // so far) reach the threshold, within 5 % (a dose rounded to a tablet or vial is still that dose).
  // Per kg, each dose is divided by the weight recorded at its time.
  const auto& all = v.state.steroids.doses;
  const std::int64_t gap_s = seconds_from_hours(v.protocol.on_therapy_hours);
  std::size_t run_start = 0;
  for (std::size_t i = 1; i < all.size(); ++i) {
    if (all[i].seconds_since_infusion - all[i - 1].seconds_since_infusion > gap_s) run_start = i;
  }
  const bool running = !all.empty() && v.t - all.back().seconds_since_infusion <= gap_s;
  const std::vector<SteroidDose> doses = running ? std::vector<SteroidDose>(all.begin() + static_cast<std::ptrdiff_t>(run_start), all.end())
                                                 : std::vector<SteroidDose>{};
  const bool per_kg = def.methylprednisolone_mg_per_kg_per_day.has_value();
  std::string threshold_text = "any dose";
  if (v.explain && per_kg) threshold_text = fmt::format("methylprednisolone-equivalent ≥ {:g} mg/kg/day", *def.methylprednisolone_mg_per_kg_per_day);
  if (v.explain && def.dexamethasone_mg_per_day) threshold_text = fmt::format("dexamethasone-equivalent ≥ {:g} mg/day", *def.dexamethasone_mg_per_day);
  for (std::size_t i = 0; i < doses.size() && !out.high_dose_since; ++i) {
    double dexamethasone = 0;
    double methylprednisolone_per_kg = 0;
    for (std::size_t j = i; j < doses.size() && doses[j].seconds_since_infusion < doses[i].seconds_since_infusion + kSecondsPerDay; ++j) {
      dexamethasone += doses[j].dexamethasone_equivalent_mg;
      if (per_kg) {
        const auto weight = weight_at(v.known, doses[j].seconds_since_infusion);
        if (!weight) {
          out.verdict = Verdict::unknown;
          out.missing.emplace_back("body_weight");
          if (v.explain) out.statement = "steroid-refractoriness unknown: the high-dose threshold is per kg and no weight is recorded";
          return out;
        }
        methylprednisolone_per_kg += methylprednisolone_mg(doses[j].dexamethasone_equivalent_mg, v.rules.dosing) / *weight;
      }
    }
    bool high = true;
    if (per_kg) high = methylprednisolone_per_kg >= *def.methylprednisolone_mg_per_kg_per_day * (1 - kDoseTolerance);
    if (def.dexamethasone_mg_per_day) high = high && dexamethasone >= *def.dexamethasone_mg_per_day * (1 - kDoseTolerance);
    if (high) out.high_dose_since = doses[i].seconds_since_infusion;
  }
  if (!out.high_dose_since) {
    const bool uncounted = v.state.steroids.doses_not_counted > 0;
    out.verdict = uncounted ? Verdict::unknown : Verdict::no;
    out.missing = v.state.steroids.missing;
    if (v.explain) out.statement = fmt::format("{}: no running corticosteroid course at {}{}",
                                uncounted ? "steroid-refractoriness unknown" : "not steroid-refractory", threshold_text,
                                uncounted ? " among the doses that could be counted" : "");
    return out;
  }
  bool since_day_only = false;
  for (const SteroidDose& dose : doses) {
    if (dose.seconds_since_infusion == *out.high_dose_since && dose.event_index < v.known.events().size()) {
      since_day_only = v.known.events()[dose.event_index].time.form == TimeForm::study_day;
    }
  }
  const double hours = hours_between(*out.high_dose_since, v.t);
  if (hours < def.after_hours) {
    out.verdict = Verdict::no;
    if (v.explain) out.statement = fmt::format("not (yet) steroid-refractory: corticosteroids at {} since {}, {:.1f} h (refractory only after {:g} h)",
                                threshold_text, v.when(*out.high_dose_since), hours, def.after_hours);
    return out;
  }
  const TherapyResponse response = v.response_since("corticosteroid", *out.high_dose_since, since_day_only);
  if (all_in(response.possible, def.is)) out.verdict = Verdict::yes;
  else if (none_in(response.possible, def.is)) out.verdict = Verdict::no;
  else out.verdict = Verdict::unknown;
  if (v.explain) out.statement = fmt::format("{}steroid-refractory: corticosteroids at {} since {} ({:.1f} h, at least {:g}); {}",
                              out.verdict == Verdict::yes ? "" : out.verdict == Verdict::no ? "not " : "possibly ",
                              threshold_text, v.when(*out.high_dose_since), hours, def.after_hours, response.statement);
  return out;
}

// ---- conditions ----------------------------------------------------------------------------------

struct Met {
  std::vector<std::string> because;
  std::vector<Evidence> evidence;
};

bool holds(const Condition& c, const View& v, Met& met);

bool grade_holds(const char* what, const CurrentGrade& grade, std::optional<int> min, std::optional<int> max,
                 const View& v, Met& met) {
  if (!min && !max) return true;
  if (!grade.grade) return false;
  if (min && *grade.grade < *min) return false;
  if (max && grade.highest_possible > *max) return false;
  if (!v.explain) return true;
  std::string bound = min && max ? fmt::format("{}–{}", *min, *max) : min ? fmt::format("≥ {}", *min) : fmt::format("≤ {}", *max);
  met.because.push_back(fmt::format("{} grade {} at {} ({})", what, grade_text(grade), v.when(*grade.assessed_at), bound));
  if (grade.event) met.evidence.push_back(event_evidence(v.known, *grade.event));
  return true;
}

bool drugs_hold(const Condition& c, const View& v, Met& met) {
  for (const std::string& ref : c.given) {
    const TherapyLine* line = v.first_line(ref);
    if (line == nullptr) return false;
    if (!v.explain) continue;
    met.because.push_back(fmt::format("{} given ({}, first at {})", ref, line->drug, v.when(line->first_dose)));
    met.evidence.push_back(line->evidence.front());
  }
  for (const std::string& ref : c.not_given) {
    if (v.first_line(ref) != nullptr) return false;
    if (v.explain) met.because.push_back(fmt::format("no {} given in this course", ref));
  }
  for (const std::string& ref : c.on) {
    const TherapyLine* line = v.latest_dosed(ref);
    if (line == nullptr || !line->on) return false;
    if (v.explain) met.because.push_back(fmt::format("on {} (last dose {})", line->drug, v.when(line->last_dose)));
  }
  for (const std::string& ref : c.off) {
    const TherapyLine* line = v.latest_dosed(ref);
    if (line == nullptr || line->on) return false;
    if (v.explain) met.because.push_back(fmt::format("{} stopped (last dose {}, more than {:g} h ago)", line->drug,
                                      v.when(line->last_dose), v.protocol.on_therapy_hours));
  }
  return true;
}

bool response_holds(const ResponseCondition& r, const View& v, Met& met) {
  const TherapyLine* line = v.first_line(r.therapy);
  if (line == nullptr) return false;
  if (hours_between(line->first_dose, v.t) < r.after_hours) return false;
  const TherapyResponse response = v.response_since(r.therapy, line->first_dose, line->first_dose_day_only);
  if (!all_in(response.possible, r.is)) return false;
  if (v.explain) met.because.push_back(fmt::format("{:.0f} h after {}: {}", hours_between(line->first_dose, v.t), line->drug,
                                    response.statement));
  return true;
}

bool held_at_most(const GradeHeld& held, const View& v, Met& met) {
  const std::int64_t from = v.t - seconds_from_hours(held.hours);
  const auto& moments = v.grades.crs.moments;
  bool covered = false;  // an assessable moment in effect at the start of the window
  bool any = false;
  for (const CrsMoment& m : moments) {
    if (m.t > v.t) break;
    if (m.grade < 0) continue;
    const int possible = std::max(m.grade, highest_possible_grade(m));
    if (m.t <= from) {
      covered = possible <= held.grade;  // the latest before the window decides its start
      continue;
    }
    if (possible > held.grade) return false;
    any = true;
  }
  if (!covered || !any) return false;
  if (v.explain) met.because.push_back(fmt::format("CRS at most grade {} for the last {:g} h (since {})", held.grade, held.hours, v.when(from)));
  return true;
}

bool fever_held(double hours_min, const View& v, Met& met) {
  const PatientState& s = v.state;
  if (!s.episode_onset || (s.episode_resolution && *s.episode_resolution <= v.t)) return false;
  if (!s.crs.grade || *s.crs.grade < 1) return false;
  const double hours = hours_between(*s.episode_onset, v.t);
  if (hours <= hours_min) return false;
  if (v.explain) met.because.push_back(fmt::format("CRS fever since {} ({:.0f} h, more than {:g} h)", v.when(*s.episode_onset), hours, hours_min));
  return true;
}

bool holds(const Condition& c, const View& v, Met& met) {
  Met local;
  if (!grade_holds("CRS", v.state.crs, c.crs_grade_min, c.crs_grade_max, v, local)) return false;
  if (!grade_holds("ICANS", v.state.icans, c.icans_grade_min, c.icans_grade_max, v, local)) return false;
  if (c.fever_hours_min && !fever_held(*c.fever_hours_min, v, local)) return false;
  if (!drugs_hold(c, v, local)) return false;
  if (c.response && !response_holds(*c.response, v, local)) return false;
  if (c.steroid_refractory) {
    const bool refractory = v.state.steroid_refractory.verdict == Verdict::yes;
    const bool not_refractory = v.state.steroid_refractory.verdict == Verdict::no;
    if (*c.steroid_refractory ? !refractory : !not_refractory) return false;
    if (v.explain) local.because.push_back(v.state.steroid_refractory.statement);
  }
  if (c.crs_at_most_for && !held_at_most(*c.crs_at_most_for, v, local)) return false;
  if (c.crs_resolved) {
    const bool resolved = v.state.episode_resolution && *v.state.episode_resolution <= v.t;
    if (resolved != *c.crs_resolved) return false;
    if (v.explain) {
      local.because.push_back(resolved ? fmt::format("CRS resolved at {}", v.when(*v.state.episode_resolution)) : "CRS not resolved");
    }
  }
  if (c.age_min_years || c.age_max_years) {
    const auto age = v.known.patient().age_years;
    if (!age || (c.age_min_years && *age < *c.age_min_years) || (c.age_max_years && *age > *c.age_max_years)) return false;
    if (v.explain) local.because.push_back(fmt::format("age {:g} years", *age));
  }
  if (!c.any_of.empty()) {
    bool one = false;
    for (const Condition& option : c.any_of) {
      if (holds(option, v, local)) {
        one = true;
        break;
      }
    }
    if (!one) return false;
  }
  met.because.insert(met.because.end(), local.because.begin(), local.because.end());
  met.evidence.insert(met.evidence.end(), local.evidence.begin(), local.evidence.end());
  return true;
}

// ---- doses ---------------------------------------------------------------------------------------

std::string dose_unit(DoseRule::Basis basis) {
  switch (basis) {
    case DoseRule::Basis::mg: return "mg";
    case DoseRule::Basis::mg_per_kg: return "mg/kg";
    case DoseRule::Basis::mg_per_m2: return "mg/m²";
    case DoseRule::Basis::tocilizumab_label: return "label dose";
  }
  return "?";
}

void round_dose(ComputedDose& dose, const DoseRule& rule) {
  if (!dose.mg || !rule.round_to_mg || *rule.round_to_mg <= 0) return;
  double rounded = std::round(*dose.mg / *rule.round_to_mg) * *rule.round_to_mg;
  if (rounded <= 0) rounded = *rule.round_to_mg;
  if (rule.max_mg && rounded > *rule.max_mg) rounded = std::floor(*rule.max_mg / *rule.round_to_mg) * *rule.round_to_mg;
  if (rounded <= 0) {  // no whole step fits under the maximum: leave it unrounded, and say so
    dose.steps.push_back(fmt::format("not rounded: a {:g} mg step does not fit under the maximum", *rule.round_to_mg));
    return;
  }
  if (rounded == *dose.mg) return;
  dose.steps.push_back(fmt::format("rounded to a multiple of {:g} mg: {:g} mg", *rule.round_to_mg, rounded));
  dose.mg = rounded;
}

ComputedDose compute_dose(const DoseRule& rule, double every_hours, const View& v, const RuleRef& ref) {
  Patient patient = v.known.patient();
  patient.weight_kg = weight_at(v.known, v.t);
  if (rule.basis == DoseRule::Basis::tocilizumab_label) return tocilizumab_dose(patient, v.rules.dosing);
  const double doses_per_day = 24.0 / every_hours;
  const double per_dose = rule.per_day ? rule.amount / doses_per_day : rule.amount;
  std::string range = rule.amount_up_to ? fmt::format(" (range up to {:g})", *rule.amount_up_to) : "";
  std::string day_step;
  if (rule.per_day) {
    day_step = fmt::format("{:g} {}/day{} ÷ {:g} doses a day = {:g} {} per dose", rule.amount, dose_unit(rule.basis), range,
                           doses_per_day, per_dose, dose_unit(rule.basis));
  }
  ComputedDose dose;
  switch (rule.basis) {
    case DoseRule::Basis::mg:
      dose.rule = ref;
      dose.mg = per_dose;
      if (!rule.per_day) dose.steps.push_back(fmt::format("{:g} mg{}", per_dose, range));
      if (rule.max_mg && per_dose > *rule.max_mg) {
        dose.steps.push_back(fmt::format("capped at the maximum of {:g} mg per dose", *rule.max_mg));
        dose.mg = *rule.max_mg;
      }
      break;
    case DoseRule::Basis::mg_per_kg: dose = dose_by_weight(per_dose, patient.weight_kg, rule.max_mg, ref); break;
    case DoseRule::Basis::mg_per_m2: dose = dose_by_body_surface(per_dose, patient, rule.max_mg, ref); break;
    case DoseRule::Basis::tocilizumab_label: break;
  }
  if (!day_step.empty()) dose.steps.insert(dose.steps.begin(), day_step);
  else if (rule.amount_up_to && rule.basis != DoseRule::Basis::mg) dose.steps.insert(dose.steps.begin(), range.substr(1));
  round_dose(dose, rule);
  return dose;
}

std::string phase_summary(const DosePhase& phase, const ComputedDose& dose, std::optional<Route> route) {
  std::string amount = dose.mg ? fmt::format("{:g} mg", *dose.mg)
                               : fmt::format("{:g} {} (not computable: {})", phase.dose.amount, dose_unit(phase.dose.basis),
                                             fmt::join(dose.missing, ", "));
  if (phase.dose.basis == DoseRule::Basis::tocilizumab_label && !dose.mg) {
    amount = fmt::format("label dose (not computable: {})", fmt::join(dose.missing, ", "));
  }
  std::string out = amount;
  if (route) out += fmt::format(" {}", to_name(*route));
  if (phase.every_hours == 24) out += " once daily";
  else out += fmt::format(" every {:g} h", phase.every_hours);
  if (phase.for_days) out += fmt::format(" for {:g} day{}", *phase.for_days, *phase.for_days == 1 ? "" : "s");
  if (!phase.until.empty()) out += fmt::format(" until {}", phase.until);
  return out;
}

// mg of one dose as given (nullopt when it cannot be put in mg: no dose, or no weight or BSA).
std::optional<double> dose_mg(const View& v, const DoseGiven& dose) {
  const auto& given = dose.administration->dose;
  if (!given) return std::nullopt;
  switch (given->basis) {
    case DoseBasis::mg: return given->value;
    case DoseBasis::mg_per_kg: {
      const auto weight = weight_at(v.known, dose.seconds_since_infusion);
      if (!weight) return std::nullopt;
      return given->value * *weight;
    }
    case DoseBasis::mg_per_m2: {
      const auto bsa = v.known.patient().body_surface_area_m2();
      if (!bsa) return std::nullopt;
      return given->value * *bsa;
    }
  }
  return std::nullopt;
}

// The daily dose of the regimen running at the dose `index` of `drug` (mg a day): its amount times
// the doses a day of its schedule, or of the interval since the dose before it. nullopt when the
// interval or the amount cannot be told. Not a 24-hour sum, which reads a schedule's first hours,
// or the day after a reduction, as the wrong dose.
std::optional<double> regimen_daily_mg(const View& v, const std::string& drug, std::size_t index) {
  const auto& doses = v.known.doses();
  const DoseGiven& dose = doses[index];
  const auto mg = dose_mg(v, dose);
  if (!mg) return std::nullopt;
  double every_hours = 0;
  if (dose.administration->repeat) {  // the schedule as ordered, even if cut at t after its first dose
    every_hours = dose.administration->repeat->every_hours;
  } else {
    for (std::size_t k = index; k-- > 0;) {
      if (doses[k].administration->drug != drug) continue;
      every_hours = hours_between(doses[k].seconds_since_infusion, dose.seconds_since_infusion);
      break;
    }
  }
  if (every_hours <= 0 || every_hours > 48) return std::nullopt;
  return *mg * 24.0 / every_hours;
}

// The regimen of `drug` running now (its latest dose before t), and the highest since `from`.
struct Regimens {
  std::optional<double> now_mg_per_day;
  std::optional<double> peak_mg_per_day;
};

Regimens regimens(const View& v, const std::string& drug, std::int64_t from) {
  Regimens out;
  const auto& doses = v.known.doses();
  for (std::size_t i = 0; i < doses.size(); ++i) {
    if (doses[i].administration->drug != drug || doses[i].seconds_since_infusion >= v.t) continue;
    const auto daily = regimen_daily_mg(v, drug, i);
    out.now_mg_per_day = daily;
    if (doses[i].seconds_since_infusion >= from && daily && (!out.peak_mg_per_day || *daily > *out.peak_mg_per_day)) {
      out.peak_mg_per_day = daily;
    }
  }
  return out;
}

// ---- safety checks -------------------------------------------------------------------------------

struct LabCheck {
  ObservationCode code;
  const char* name;
  const char* unit;
  bool below;  // the check fires on low values (platelets) rather than high ones (bilirubin)
};

LabCheck lab_check(SafetyCheckKind kind) {
  switch (kind) {
    case SafetyCheckKind::platelets_below: return {ObservationCode::platelets, "platelets", "×10^9/L", true};
    case SafetyCheckKind::neutrophils_below: return {ObservationCode::neutrophils, "neutrophils", "×10^9/L", true};
    case SafetyCheckKind::bilirubin_above: return {ObservationCode::bilirubin, "bilirubin", "mg/dL", false};
    default: return {ObservationCode::creatinine, "creatinine", "mg/dL", true};
  }
}

std::optional<ObservedValue> recent(const View& v, ObservationCode code, double within_hours) {
  auto value = v.known.value_at(code, v.t);
  if (!value || hours_between(value->time.seconds_since_infusion, v.t) > within_hours) return std::nullopt;
  return value;
}

// Whether a value (possibly a bound such as "<20") is past the threshold: yes, no, or cannot tell.
// A check fires when the true value is below the threshold (`below`) or above it. A bound proves it
// only when every value it allows is on one side: "<20" is below 50, "≤50" is not certainly below 50.
FindingStatus past_threshold(double value, Comparator comparator, double threshold, bool below) {
  // The values the reading allows: (lo, hi) with open or closed ends.
  const bool at_most = comparator == Comparator::less || comparator == Comparator::less_or_equal;
  const bool at_least = comparator == Comparator::greater || comparator == Comparator::greater_or_equal;
  const bool strict = comparator == Comparator::less || comparator == Comparator::greater;
  if (comparator == Comparator::equal) {
    return (below ? value < threshold : value > threshold) ? FindingStatus::triggered : FindingStatus::passed;
  }
  if (below) {
    if (at_most) return (strict ? value <= threshold : value < threshold) ? FindingStatus::triggered : FindingStatus::unknown;
    if (at_least) return value >= threshold ? FindingStatus::passed : FindingStatus::unknown;
  } else {
    if (at_least) return (strict ? value >= threshold : value > threshold) ? FindingStatus::triggered : FindingStatus::unknown;
    if (at_most) return value <= threshold ? FindingStatus::passed : FindingStatus::unknown;
  }
  return FindingStatus::unknown;
}

void check_lab(const SafetyCheck& check, const View& v, SafetyFinding& f) {
  const LabCheck lab = lab_check(check.kind);
  const auto value = recent(v, lab.code, check.within_hours);
  const char* relation = lab.below ? "<" : ">";
  if (!value) {
    f.status = FindingStatus::unknown;
    f.statement = fmt::format("no {} in the last {:g} h: check before dosing", lab.name, check.within_hours);
    return;
  }
  f.evidence.push_back(observation_evidence(*value, lab.code));
  f.status = past_threshold(value->value, value->comparator, *check.threshold, lab.below);
  f.statement = fmt::format("{} {}{:g} {} at {} (threshold {} {:g})", lab.name, comparator_symbol(value->comparator),
                            value->value, lab.unit, v.when(value->time.seconds_since_infusion), relation, *check.threshold);
}

void check_renal(const SafetyCheck& check, const View& v, SafetyFinding& f) {
  const auto creatinine = recent(v, ObservationCode::creatinine, check.within_hours);
  if (!creatinine) {
    f.status = FindingStatus::unknown;
    f.statement = fmt::format("no creatinine in the last {:g} h: check renal function before dosing", check.within_hours);
    return;
  }
  f.evidence.push_back(observation_evidence(*creatinine, ObservationCode::creatinine));
  Patient patient = v.known.patient();
  patient.weight_kg = weight_at(v.known, v.t);
  const CreatinineClearance clearance = creatinine_clearance(patient, creatinine->value);
  if (!clearance.ml_per_min) {
    f.status = FindingStatus::unknown;
    f.statement = fmt::format("creatinine {:g} mg/dL at {}; clearance not computable ({} not recorded)", creatinine->value,
                              v.when(creatinine->time.seconds_since_infusion), fmt::join(clearance.missing, ", "));
    return;
  }
  f.status = *clearance.ml_per_min < *check.threshold ? FindingStatus::triggered : FindingStatus::passed;
  f.statement = fmt::format("creatinine clearance {:.0f} mL/min by {} ({}; threshold < {:g})", *clearance.ml_per_min,
                            clearance.formula, fmt::join(clearance.steps, "; "), *check.threshold);
}

void check_cyp3a4(const SafetyCheck& check, const View& v, SafetyFinding& f) {
  const std::int64_t from = v.t - seconds_from_hours(check.within_hours);
  for (const DoseGiven& dose : v.known.doses()) {
    if (dose.seconds_since_infusion < from || dose.seconds_since_infusion >= v.t) continue;
    const DrugInfo* info = find_drug(dose.administration->drug);
    if (info == nullptr || !info->strong_cyp3a4_inhibitor) continue;
    f.status = FindingStatus::triggered;
    f.statement = fmt::format("{} (a strong CYP3A4 inhibitor) given at {}", info->name, v.when(dose.seconds_since_infusion));
    f.evidence.push_back(event_evidence(v.known, dose.event_index));
    return;
  }
  f.status = FindingStatus::passed;
  f.statement = fmt::format("no strong CYP3A4 inhibitor among the drugs recorded in the last {:g} h", check.within_hours);
}

void check_haemorrhage(const SafetyCheck& check, const View& v, SafetyFinding& f) {
  const std::int64_t from = v.t - seconds_from_hours(check.within_hours);
  const auto& events = v.known.events();
  for (std::size_t i = events.size(); i-- > 0;) {
    if (events[i].time.seconds_since_infusion < from) break;
    const auto* neuro = events[i].as<NeuroAssessment>();
    if (neuro == nullptr || !neuro->intracranial_haemorrhage) continue;
    if (*neuro->intracranial_haemorrhage) {
      f.status = FindingStatus::triggered;
      f.statement = fmt::format("intracranial haemorrhage recorded at {}", v.when(events[i].time.seconds_since_infusion));
      f.evidence.push_back(event_evidence(v.known, i));
      return;
    }
    break;
  }
  // The record format holds intracranial haemorrhage only; other bleeding must be confirmed at the bedside.
  f.status = FindingStatus::unknown;
  f.statement = "no intracranial haemorrhage recorded; other active bleeding is not in the record: confirm there is none";
}

void check_isolated_icans(const View& v, SafetyFinding& f) {
  const PatientState& s = v.state;
  if (!s.icans.grade || *s.icans.grade < 1) {
    f.status = FindingStatus::passed;
    f.statement = "no ICANS";
    return;
  }
  if (s.crs.grade && s.crs.complete() && *s.crs.grade == 0) {
    f.status = FindingStatus::triggered;
    f.statement = fmt::format("ICANS grade {} without CRS (CRS grade 0 at {})", grade_text(s.icans), v.when(*s.crs.assessed_at));
  } else if (!s.crs.grade) {
    f.status = FindingStatus::unknown;
    f.statement = fmt::format("ICANS grade {}; CRS not assessable", grade_text(s.icans));
  } else {
    f.status = FindingStatus::passed;
    f.statement = fmt::format("ICANS grade {} with CRS grade {}", grade_text(s.icans), grade_text(s.crs));
  }
}

void check_dose_limits(const SafetyCheck& check, const std::string& drug, const View& v, SafetyFinding& f) {
  DoseLimitRules limits;
  if (check.min_interval_hours) limits.min_interval_s = seconds_from_hours(*check.min_interval_hours);
  limits.max_per_24h = check.max_per_24h;
  limits.max_per_episode = check.max_per_episode;
  const std::int64_t from = v.state.course_start.value_or(0);
  std::vector<std::string> statements;
  f.status = FindingStatus::passed;
  // dose_limits counts doses at or before t; at t nothing has been given yet (Timeline::known_at).
  for (const LimitCheck& limit : dose_limits(v.known, drug, v.t, from, limits)) {
    statements.push_back(limit.statement);
    if (limit.verdict == LimitVerdict::blocked) {
      f.status = FindingStatus::triggered;
      f.evidence.insert(f.evidence.end(), limit.evidence.begin(), limit.evidence.end());
    }
  }
  f.statement = fmt::format("{}", fmt::join(statements, "; "));
}

SafetyFinding run_check(const SafetyCheck& check, const std::string& drug, const View& v) {
  SafetyFinding f;
  f.check_id = check.id;
  f.line = check.line;
  f.kind = check.kind;
  f.severity = check.severity;
  f.advice = check.advice;
  f.source = check.source;
  switch (check.kind) {
    case SafetyCheckKind::platelets_below:
    case SafetyCheckKind::neutrophils_below:
    case SafetyCheckKind::bilirubin_above: check_lab(check, v, f); break;
    case SafetyCheckKind::creatinine_clearance_below: check_renal(check, v, f); break;
    case SafetyCheckKind::strong_cyp3a4_inhibitor: check_cyp3a4(check, v, f); break;
    case SafetyCheckKind::haemorrhage: check_haemorrhage(check, v, f); break;
    case SafetyCheckKind::icans_without_crs: check_isolated_icans(v, f); break;
    case SafetyCheckKind::dose_limits: check_dose_limits(check, drug, v, f); break;
  }
  return f;
}

void apply_findings(Recommendation& rec, const View& v, const Overrides& overrides) {
  for (const SafetyCheck& check : v.protocol.checks) {
    if (!names_drug(check.drug, rec.drug)) continue;
    SafetyFinding finding = run_check(check, rec.drug, v);
    if (finding.status == FindingStatus::triggered && finding.severity == Severity::block) {
      if (const auto it = overrides.find(check.id); it != overrides.end()) {
        finding.status = FindingStatus::overridden;
        finding.override_reason = it->second;
      }
    }
    rec.findings.push_back(std::move(finding));
  }
  bool blocked = false;
  bool overridden = false;
  for (const SafetyFinding& f : rec.findings) {
    blocked = blocked || (f.status == FindingStatus::triggered && f.severity == Severity::block);
    overridden = overridden || f.status == FindingStatus::overridden;
  }
  rec.status = blocked ? RecommendationStatus::blocked
               : overridden ? RecommendationStatus::overridden
                            : RecommendationStatus::actionable;
}

// ---- steps ---------------------------------------------------------------------------------------

// When another drug of the step's class is running (dexamethasone for a methylprednisolone step), the
// step applies only as an escalation: a corticosteroid whose dexamethasone-equivalent daily dose is
// above the running one. Any other class runs one agent at a time.
bool class_running_below(const ProtocolStep& step, const View& v, Recommendation& rec) {
  const DrugInfo* info = find_drug(step.drug);
  if (info == nullptr) return true;
  const TherapyLine* running = v.latest_dosed(std::string(to_name(info->drug_class)));
  if (running == nullptr || !running->on) return true;
  if (info->drug_class != DrugClass::corticosteroid || step.schedule.empty()) return false;
  const auto now = regimens(v, running->drug, 0).now_mg_per_day;
  const DosePhase& phase = step.schedule.front();
  const ComputedDose dose = compute_dose(phase.dose, phase.every_hours, v, {});
  if (!now || !dose.mg) return false;
  const auto now_dex = dexamethasone_equivalent_mg(running->drug, *now, v.rules.dosing);
  const auto step_dex = dexamethasone_equivalent_mg(step.drug, *dose.mg * 24.0 / phase.every_hours, v.rules.dosing);
  if (!now_dex || !step_dex || *step_dex <= *now_dex * (1 + kDoseTolerance)) return false;
  if (v.explain) rec.because.push_back(fmt::format("{} running at {:g} mg a day ({:.1f} mg dexamethasone-equivalent), below this step's "
                                    "{:.1f} mg dexamethasone-equivalent a day: escalate",
                                    running->drug, *now, *now_dex, *step_dex));
  return true;
}

// Whether a step whose condition holds still has something to say, given the lines already begun.
bool step_applies(const ProtocolStep& step, const View& v, Recommendation& rec) {
  const TherapyLine* line = v.latest_dosed(step.drug);
  switch (step.action) {
    case ActionKind::supportive: return true;
    case ActionKind::give:
    case ActionKind::consider: {
      if (line == nullptr) return class_running_below(step, v, rec);
      if (step.repeat) {
        if (hours_between(line->last_dose, v.t) < step.repeat->after_hours) return false;
        const TherapyResponse response = v.response_since(step.drug, line->first_dose, line->first_dose_day_only);
        if (!all_in(response.possible, step.repeat->while_response)) return false;
        rec.repeat_dose = true;
        if (v.explain) rec.because.push_back(fmt::format("repeat dose: last {} {:.1f} h ago (at least {:g} h); {}", step.drug,
                                          hours_between(line->last_dose, v.t), step.repeat->after_hours, response.statement));
        return true;
      }
      if (!line->on) {
        // Stopped in this course: restart only when CRS is now certainly worse than at the last dose.
        const CurrentGrade then = crs_grade_before(v.known, v.grades.crs, line->last_dose, v.stale_s());
        if (!then.grade || !v.state.crs.grade || *v.state.crs.grade <= then.highest_possible) return false;
        if (v.explain) rec.because.push_back(fmt::format("{} stopped after {}; CRS grade {} then, {} now: restart", step.drug,
                                          v.when(line->last_dose), grade_text(then), grade_text(v.state.crs)));
        return true;
      }
      // A running line at a lower daily dose than this step's is an escalation ("increase to ...");
      // otherwise the running schedule continues it.
      if (step.schedule.empty()) return false;
      const DosePhase& phase = step.schedule.front();
      const ComputedDose dose = compute_dose(phase.dose, phase.every_hours, v, {});
      const auto now = regimens(v, step.drug, 0).now_mg_per_day;
      if (!dose.mg || !now) return false;
      const double step_daily = *dose.mg * 24.0 / phase.every_hours;
      if (*now >= step_daily * (1 - kDoseTolerance)) return false;
      if (v.explain) rec.because.push_back(fmt::format("{} running at {:g} mg a day, below this step's {:g} mg a day: increase", step.drug,
                                        *now, step_daily));
      return true;
    }
    case ActionKind::stop: return line != nullptr && line->on;
    case ActionKind::reduce: {
      if (line == nullptr || !line->on) return false;
      const Regimens running = regimens(v, step.drug, v.state.course_start.value_or(0));
      if (!running.now_mg_per_day) return true;  // cannot tell whether it was reduced: say it
      if (!step.schedule.empty()) {
        const DosePhase& target = step.schedule.front();
        const ComputedDose dose = compute_dose(target.dose, target.every_hours, v, {});
        if (!dose.mg) return true;
        return *running.now_mg_per_day > *dose.mg * 24.0 / target.every_hours * (1 + kDoseTolerance);
      }
      return !running.peak_mg_per_day || *running.now_mg_per_day >= *running.peak_mg_per_day * (1 - kDoseTolerance);  // not yet below its peak
    }
  }
  return false;
}

// Whether a recommendation already speaks for a step: the same drug, or (for give / consider) a drug
// of the same class.
bool same_line(const Recommendation& rec, const ProtocolStep& step) {
  if (rec.drug == step.drug) return true;
  return recommends_dose(step.action) && recommends_dose(rec.action) && same_drug_class(rec.drug, step.drug);
}

// A sentence when the protocol's population does not fit the patient (empty when it does).
std::string population_mismatch(const Protocol& protocol, const Patient& patient) {
  if (protocol.population == Population::any) return {};
  if (!patient.age_years) return fmt::format("a {} protocol, and the patient's age is not recorded", to_name(protocol.population));
  const bool paediatric = protocol.population == Population::paediatric;
  if (paediatric ? *patient.age_years <= 18 : *patient.age_years >= 18) return {};
  return fmt::format("a {} protocol applied to a patient of {:g} years: its doses may not fit", to_name(protocol.population),
                     *patient.age_years);
}

}  // namespace

std::int64_t last_recorded_time(const Timeline& timeline) {
  std::int64_t last = 0;
  if (!timeline.events().empty()) last = std::max(last, timeline.events().back().time.seconds_since_infusion);
  if (!timeline.doses().empty()) last = std::max(last, timeline.doses().back().seconds_since_infusion);
  return last;
}

bool names_drug(const std::string& ref, const std::string& drug) {
  if (ref == drug) return true;
  const auto drug_class = from_name<DrugClass>(ref);
  if (!drug_class) return false;
  const DrugInfo* info = find_drug(drug);
  return info != nullptr && info->drug_class == *drug_class;
}

bool treats_toxicity(const Administration& administration) {
  return !administration.indication || (*administration.indication != Indication::lymphodepletion &&
                                        *administration.indication != Indication::prophylaxis);
}

ProtocolEngine::ProtocolEngine(const Protocol& protocol, const ProtocolRules& rules)
    : protocol_(protocol), rules_(rules) {}

PatientState ProtocolEngine::state_of(const Timeline& known, const CourseGrades& grades, std::int64_t t,
                                      AdviceText text) const {
  const bool explain = text == AdviceText::full;
  PatientState state;
  state.t = t;
  const std::int64_t stale_s = seconds_from_hours(protocol_.stale_after_hours);
  state.crs = crs_grade_before(known, grades.crs, t, stale_s);
  state.icans = icans_grade_before(grades.icans, t, stale_s);
  const CrsEpisode* episode = nullptr;
  for (const CrsEpisode& e : grades.crs.episodes) {
    if (e.onset <= t) episode = &e;
  }
  if (episode != nullptr) {
    state.crs_episode = episode->number;
    state.episode_onset = episode->onset;
    if (episode->resolution && *episode->resolution <= t) state.episode_resolution = episode->resolution;
    state.course_start = episode->onset;
    if (state.episode_resolution) {
      if (const auto icans = first_icans_after(grades.icans, *state.episode_resolution, t)) state.course_start = icans;
    }
  } else if (const auto icans = first_icans_after(grades.icans, 0, t)) {
    state.course_start = icans;
  }
  if (state.course_start) {
    state.therapies = therapy_lines(known, protocol_, *state.course_start, t, explain);
    state.steroids = cumulative_steroid_exposure(known, {*state.course_start, t}, rules_.dosing);
  }
  const View v{protocol_, rules_, known, grades, state, t, explain};
  const TherapyLine* last_escalation = nullptr;
  for (const TherapyLine& line : state.therapies) {
    if (escalates(line.drug) && (last_escalation == nullptr || line.first_dose > last_escalation->first_dose)) {
      last_escalation = &line;
    }
  }
  if (last_escalation != nullptr) {
    state.response = v.response_since(last_escalation->drug, last_escalation->first_dose, last_escalation->first_dose_day_only);
  }
  state.steroid_refractory = steroid_refractoriness(v);
  return state;
}

void ProtocolEngine::check_overrides(const Overrides& overrides) const {
  for (const auto& override_entry : overrides) {
    const std::string& id = override_entry.first;
    const std::string& reason = override_entry.second;
    const bool known_check = std::any_of(protocol_.checks.begin(), protocol_.checks.end(),
                                         [&](const SafetyCheck& c) { return c.id == id; });
    if (!known_check) throw std::invalid_argument(fmt::format("override \"{}\": no check of protocol {} has that id", id, protocol_.name));
    if (reason.find_first_not_of(" \t") == std::string::npos) {
      throw std::invalid_argument(fmt::format("override \"{}\": a reason is required to lift a block", id));
    }
  }
}

Advice ProtocolEngine::advise(const Timeline& timeline, std::int64_t t, const Overrides& overrides) const {
  check_overrides(overrides);
  // A record that holds nothing a decision at t may not see is read as it is, without a copy.
  std::optional<Timeline> cut;
  if (!timeline.complete_at(t)) cut.emplace(timeline.known_at(t));
  const Timeline& known = cut ? *cut : timeline;
  return recommend(known, grade_course(known, rules_.grading), t, overrides, AdviceText::full);
}

Advice ProtocolEngine::advise(const Timeline& known, const CourseGrades& grades, std::int64_t t,
                              const Overrides& overrides, AdviceText text) const {
  if (!known.complete_at(t)) {
    throw std::invalid_argument("ProtocolEngine::advise: the record holds more than a decision at this time may see");
  }
  check_overrides(overrides);
  return recommend(known, grades, t, overrides, text);
}

Advice ProtocolEngine::recommend(const Timeline& known, const CourseGrades& grades, std::int64_t t,
                                 const Overrides& overrides, AdviceText text) const {
  Advice advice;
  advice.protocol = protocol_.name;
  advice.t = t;
  advice.state = state_of(known, grades, t, text);
  const View v{protocol_, rules_, known, grades, advice.state, t, text == AdviceText::full};
  if (const auto& outcome = known.outcome(); outcome && outcome->death_time) {
    if (v.explain) {
      advice.notes.push_back(fmt::format("the patient died at {}: no recommendations",
                                         describe_time(known, outcome->death_time->seconds_since_infusion, outcome->death_time->form)));
    }
    return advice;
  }
  const std::string population = population_mismatch(protocol_, known.patient());
  if (!population.empty() && v.explain) advice.notes.push_back(population);
  if (!advice.state.crs.grade && v.explain) {
    advice.notes.push_back(fmt::format("no assessable CRS grade in the last {:g} h: steps that need one do not apply",
                                       protocol_.stale_after_hours));
  }
  for (const ProtocolStep& step : protocol_.steps) {
    // The earlier step of the ladder speaks for its drug, and a drug given speaks for its class
    // (one corticosteroid, one anti-IL-6 agent at a time).
    const bool spoken_for = std::any_of(advice.recommendations.begin(), advice.recommendations.end(),
                                        [&](const Recommendation& r) { return !step.drug.empty() && same_line(r, step); });
    if (spoken_for) continue;
    Met met;
    if (!holds(step.when, v, met)) continue;
    Recommendation rec;
    rec.because = std::move(met.because);
    rec.evidence = std::move(met.evidence);
    if (!step_applies(step, v, rec)) continue;
    rec.step_id = step.id;
    rec.line = step.line;
    rec.title = step.title;
    rec.action = step.action;
    rec.drug = step.drug;
    rec.route = step.route;
    rec.instruction = step.instruction;
    rec.note = step.note;
    rec.off_label = step.off_label;
    rec.source = step.source;
    const RuleRef ref{};  // the step is cited by the recommendation itself (step id, line, source)
    for (const DosePhase& phase : step.schedule) {
      PhaseDose dose{compute_dose(phase.dose, phase.every_hours, v, ref), phase.every_hours, phase.for_days, phase.until, {}};
      if (v.explain) dose.summary = phase_summary(phase, dose.dose, step.route);
      rec.schedule.push_back(std::move(dose));
    }
    if (recommends_dose(step.action)) {
      apply_findings(rec, v, overrides);
      if (!population.empty()) {
        SafetyFinding finding;
        finding.check_id = "population";
        finding.status = FindingStatus::triggered;
        finding.statement = population;
        finding.advice = "check each dose against the patient's age and size";
        finding.source = "protocol population: " + std::string(to_name(protocol_.population));
        rec.findings.insert(rec.findings.begin(), std::move(finding));
      }
    }
    advice.recommendations.push_back(std::move(rec));
  }
  return advice;
}

}  // namespace crsguard
