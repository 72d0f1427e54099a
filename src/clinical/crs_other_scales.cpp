// CRS grading by the scales that preceded ASTCT 2019. Sources, cited once
// (../shared/spec/clinical.md §3, which reproduces the tables from PMC7006459 Table 2 and
// J Hematol Oncol 10.1186/s13045-018-0653-x Table 1):
//   Lee 2014:  Lee DW, Gardner R, Porter DL, et al. Current concepts in the diagnosis and management
//              of cytokine release syndrome. Blood 2014;124(2):188-195. Table 2 (grades) and Table 1
//              (high-dose vasopressors, norepinephrine-equivalent by the VASST equation).
//   Penn 2018: Porter D, Frey N, Wood PA, Weng Y, Grupp SA. Grading of cytokine release syndrome
//              associated with the CAR T cell therapy tisagenlecleucel. J Hematol Oncol 2018;11:35. Table 1.
//   MSKCC 2018: Park JH, Rivière I, Gonen M, et al. Long-term follow-up of CD19 CAR therapy in acute
//              lymphoblastic leukemia. N Engl J Med 2018;378:449-459, supplementary CRS grading.
//   CARTOX 2018: Neelapu SS, Tummala S, Kebriaei P, et al. Chimeric antigen receptor T-cell therapy -
//              assessment and management of toxicities. Nat Rev Clin Oncol 2018;15(1):47-62. Table 2.
//
// What a Timeline cannot hold, and what is assumed instead (each assumption is restated in the
// Reason it produces):
//   * Whether the patient has CRS at all. The older scales presuppose the diagnosis; crsguard takes
//     it from the ASTCT engine: a fever ≥ 38 °C (or fever masked by antipyretic/anti-cytokine
//     therapy) within its look-back, or an ASTCT episode not yet resolved (clinical.md §1.5).
//     Without fever and outside an episode the grade is 0, as in ASTCT grading.
//   * Constitutional symptoms (nausea, fatigue, headache, myalgia, malaise) are not recorded; fever
//     is the CRS symptom that makes grade 1, and is assumed to need symptomatic treatment only
//     unless oxygen, a vasopressor or organ toxicity shows more.
//   * FiO2 is never estimated from device and flow: oxygen without FiO2 is "< 40 %" only as a lower
//     bound (Lee, MSKCC, CARTOX), with fio2 missing.
//   * Hypotension without a vasopressor is taken as fluid-responsive (Lee, CARTOX grade 2; MSKCC and
//     Penn grade 1, "supportive care"); Penn's "multiple fluid boluses" (grade 3) cannot be seen.
//   * Penn "hospitalised for CRS": an IV drug for CRS, fever or infection (or an anti-IL-6 agent) on
//     the day shows hospital management (grade 2); otherwise the reason for admission is missing.
//   * Penn coagulopathy: plasma, cryoprecipitate or fibrinogen concentrate given on a CRS day is
//     taken as given for coagulopathy.
//   * Organ toxicity is read from CTCAE v5.0 lab grades (clinical/ctcae.hpp): transaminases, bilirubin,
//     creatinine, fibrinogen and aPTT. Cardiac, pulmonary and other organ toxicities are not in a
//     Timeline and cannot raise these grades; creatinine and transaminases are required inputs.
//   * CARTOX grade 4 "life-threatening hypotension" is a judgement: flagged for review, never derived.
#include "clinical/crs_other_scales.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <utility>

#include "clinical/crs_astct.hpp"
#include "clinical/ctcae.hpp"
#include "core/drugs.hpp"
#include "core/time.hpp"

namespace crsguard {

std::span<const EnumName<CrsScale>> names(CrsScale) {
  static constexpr std::array<EnumName<CrsScale>, 4> kNames{{
      {CrsScale::lee2014, "lee2014"},
      {CrsScale::penn2018, "penn2018"},
      {CrsScale::mskcc2018, "mskcc2018"},
      {CrsScale::cartox2018, "cartox2018"},
  }};
  return kNames;
}

std::string_view crs_scale_title(CrsScale scale) {
  switch (scale) {
    case CrsScale::lee2014: return "Lee 2014 (Blood 124:188)";
    case CrsScale::penn2018: return "Penn, Porter 2018 (J Hematol Oncol 11:35)";
    case CrsScale::mskcc2018: return "MSKCC, Park 2018 (N Engl J Med 378:449)";
    case CrsScale::cartox2018: return "CARTOX, Neelapu 2018 (Nat Rev Clin Oncol 15:47)";
  }
  return "";
}

namespace {

std::string_view scale_source(CrsScale scale) {
  switch (scale) {
    case CrsScale::lee2014: return "Lee 2014 (Blood 124:188) Table 2";
    case CrsScale::penn2018: return "Porter 2018 (J Hematol Oncol 11:35) Table 1";
    case CrsScale::mskcc2018: return "Park 2018 (N Engl J Med 378:449) supplement, via PMC7006459 Table 2";
    case CrsScale::cartox2018: return "Neelapu 2018 (Nat Rev Clin Oncol 15:47) Table 2";
  }
  return "";
}


}  // namespace

HighDoseRules HighDoseRules::from(const RuleSet& rules) {
  HighDoseRules out;
  out.norepinephrine_min_ug_per_min = rules.number("lee2014.high_dose.norepinephrine_min_ug_per_min");
  out.dopamine_min_ug_per_kg_per_min = rules.number("lee2014.high_dose.dopamine_min_ug_per_kg_per_min");
  out.phenylephrine_min_ug_per_min = rules.number("lee2014.high_dose.phenylephrine_min_ug_per_min");
  out.epinephrine_min_ug_per_min = rules.number("lee2014.high_dose.epinephrine_min_ug_per_min");
  out.with_vasopressin_ne_equivalent_min = rules.number("lee2014.high_dose.with_vasopressin_ne_equivalent_min_ug_per_min");
  out.combination_ne_equivalent_min = rules.number("lee2014.high_dose.combination_ne_equivalent_min_ug_per_min");
  out.min_hours = rules.number("lee2014.high_dose.min_hours");
  out.norepinephrine_factor = rules.number("lee2014.ne_equivalent.norepinephrine_factor");
  out.dopamine_factor = rules.number("lee2014.ne_equivalent.dopamine_factor");
  out.epinephrine_factor = rules.number("lee2014.ne_equivalent.epinephrine_factor");
  out.phenylephrine_factor = rules.number("lee2014.ne_equivalent.phenylephrine_factor");
  return out;
}

namespace {

// A dose in µg/min or µg/kg/min; converting between them needs the patient's weight.
struct Converted {
  std::optional<double> value;
  bool dose_missing = false;
  bool weight_missing = false;
};

Converted in_unit(const std::optional<VasopressorDose>& dose, VasopressorDoseUnit wanted, std::optional<double> weight_kg) {
  if (!dose || dose->unit == VasopressorDoseUnit::units_per_min) return {std::nullopt, true, false};
  if (dose->unit == wanted) return {dose->value, false, false};
  if (!weight_kg || *weight_kg <= 0) return {std::nullopt, false, true};
  if (wanted == VasopressorDoseUnit::ug_per_min) return {dose->value * *weight_kg, false, false};
  return {dose->value / *weight_kg, false, false};
}

bool is_catecholamine(VasopressorAgent agent) {
  const VasopressorInfo& info = vasopressor_info(agent);
  return !info.is_vasopressin && !info.is_inotrope_only;
}

}  // namespace

HighDoseVerdict lee2014_high_dose(std::span<const VasopressorRate> running, std::optional<double> weight_kg,
                                  const HighDoseRules& rules) {
  HighDoseVerdict out;
  bool vasopressin = false;
  int catecholamines = 0;
  double known = 0;
  bool unknown = false;
  // Monotherapy: the one catecholamine's dose against its own threshold.
  std::optional<double> mono_dose;
  double mono_threshold = 0;
  for (const VasopressorRate& rate : running) {
    const VasopressorInfo& info = vasopressor_info(rate.agent);
    if (info.is_vasopressin) vasopressin = true;
    if (!is_catecholamine(rate.agent)) continue;
    ++catecholamines;
    double factor = 0;
    double threshold = 0;
    VasopressorDoseUnit unit = VasopressorDoseUnit::ug_per_min;
    switch (rate.agent) {
      case VasopressorAgent::norepinephrine:
        factor = rules.norepinephrine_factor;
        threshold = rules.norepinephrine_min_ug_per_min;
        break;
      case VasopressorAgent::epinephrine:
        factor = rules.epinephrine_factor;
        threshold = rules.epinephrine_min_ug_per_min;
        break;
      case VasopressorAgent::phenylephrine:
        factor = rules.phenylephrine_factor;
        threshold = rules.phenylephrine_min_ug_per_min;
        break;
      case VasopressorAgent::dopamine:
        factor = rules.dopamine_factor;
        threshold = rules.dopamine_min_ug_per_kg_per_min;
        unit = VasopressorDoseUnit::ug_per_kg_per_min;
        break;
      default:
        // Angiotensin II is not in the Lee 2014 table: no threshold, no equivalence.
        out.angiotensin_ii = true;
        unknown = true;
        continue;
    }
    const Converted dose = in_unit(rate.dose, unit, weight_kg);
    out.dose_missing = out.dose_missing || dose.dose_missing;
    out.weight_missing = out.weight_missing || dose.weight_missing;
    if (!dose.value) {
      unknown = true;
      continue;
    }
    known += factor * *dose.value;
    mono_dose = dose.value;
    mono_threshold = threshold;
  }
  if (catecholamines == 0) {
    out.criterion = vasopressin ? "vasopressin without a catecholamine" : "no catecholamine";
    return out;
  }
  out.ne_equivalent_ug_per_min = known;
  const auto settle = [&](double value, double threshold, bool open) {
    if (value >= threshold) return HighDose::yes;
    return open ? HighDose::unknown : HighDose::no;
  };
  if (vasopressin) {
    out.criterion = "with vasopressin: norepinephrine-equivalent";
    out.verdict = settle(known, rules.with_vasopressin_ne_equivalent_min, unknown);
  } else if (catecholamines == 1) {
    out.criterion = "monotherapy";
    out.verdict = mono_dose && !unknown ? settle(*mono_dose, mono_threshold, false) : HighDose::unknown;
  } else {
    out.criterion = "combination: norepinephrine-equivalent";
    out.verdict = settle(known, rules.combination_ne_equivalent_min, unknown);
  }
  return out;
}

namespace {

constexpr std::size_t kAgentCount = 8;  // VasopressorAgent values
constexpr std::int64_t kNoTime = INT64_MIN;

// ---- the state during one stretch of time ----------------------------------------------------

// What shows that the patient has CRS at a moment (see the header comment).
enum class CrsSign : unsigned char { not_recorded, afebrile, episode_open, fever, masked };

enum class PressureProof : unsigned char { none, normal, hypotensive };

enum class HighDoseState : unsigned char { no, possible, established };

// One stretch [from, to) within one study day during which no input changes; `to == from` for
// the instant at the end of the record. Compact: rationale text is built only for the day's worst.
struct Segment {
  std::int64_t from = 0;
  std::int64_t to = 0;
  CrsSign sign = CrsSign::not_recorded;
  std::size_t sign_event = kNoEvent;  // fever, masking dose, afebrile reading or the episode's first fever
  std::size_t oxygen_event = kNoEvent;
  std::array<std::size_t, kAgentCount> agent_event{};  // latest start/adjust of each running agent
  PressureProof pressure = PressureProof::none;  // latest systolic reading within the look-back
  std::size_t pressure_event = kNoEvent;
  std::int64_t pressure_time = 0;
  std::int64_t support_since = kNoTime;      // continuous vasopressor support began
  std::int64_t high_dose_since = kNoTime;    // high-dose (certain) since
  std::int64_t high_dose_maybe_since = kNoTime;  // high-dose certain or possible since
  HighDoseVerdict high_dose;
  bool running_at_record_end = false;  // vasopressors run on where the record stops
  bool death_from_crs = false;
};

struct Context {
  const Timeline& timeline;
  CrsRules astct;
  HighDoseRules high_dose;
  double lee_fio2 = 0, mskcc_fio2 = 0, cartox_fio2 = 0;
  bool lee_niv_is_ventilator = false, cartox_niv_is_ventilator = false;
  std::int64_t mskcc_long_s = 0;
  std::int64_t high_dose_min_s = 0;
  int penn_creatinine2 = 0, penn_lft2 = 0, penn_creatinine3 = 0, penn_lft3 = 0;

  Context(const Timeline& t, const RuleSet& rules)
      : timeline(t), astct(CrsRules::from(rules)), high_dose(HighDoseRules::from(rules)) {
    lee_fio2 = rules.number("lee2014.crs.fio2_high_min_percent");
    mskcc_fio2 = rules.number("mskcc2018.crs.fio2_high_min_percent");
    cartox_fio2 = rules.number("cartox2018.crs.fio2_high_min_percent");
    lee_niv_is_ventilator = rules.enabled("lee2014.crs.noninvasive_ventilation_is_ventilator_support");
    cartox_niv_is_ventilator = rules.enabled("cartox2018.crs.noninvasive_ventilation_is_ventilator_support");
    mskcc_long_s = seconds_from_hours(rules.number("mskcc2018.crs.vasopressor_long_min_hours"));
    high_dose_min_s = seconds_from_hours(high_dose.min_hours);
    penn_creatinine2 = static_cast<int>(rules.number("penn2018.crs.grade2_creatinine_min_ctcae_grade"));
    penn_lft2 = static_cast<int>(rules.number("penn2018.crs.grade2_lft_min_ctcae_grade"));
    penn_creatinine3 = static_cast<int>(rules.number("penn2018.crs.grade3_creatinine_min_ctcae_grade"));
    penn_lft3 = static_cast<int>(rules.number("penn2018.crs.grade3_lft_min_ctcae_grade"));
  }
};

// Where the record ends: the last event, dose, follow-up or death (as in ASTCT grading).
bool died(const Timeline& timeline) {
  return timeline.outcome() && timeline.outcome()->vital_status == VitalStatus::dead;
}

// What a systolic reading proves (as in ASTCT grading): a daily maximum below the threshold
// proves hypotension, a normal daily maximum proves nothing.
PressureProof pressure_proof(const Observation& reading, double threshold) {
  const double value = *reading.value;
  switch (reading.comparator) {
    case Comparator::equal:
      if (value < threshold) return PressureProof::hypotensive;
      return reading.statistic == Statistic::max ? PressureProof::none : PressureProof::normal;
    case Comparator::less: return value <= threshold ? PressureProof::hypotensive : PressureProof::none;
    case Comparator::less_or_equal: return value < threshold ? PressureProof::hypotensive : PressureProof::none;
    case Comparator::greater:
    case Comparator::greater_or_equal:
      return value >= threshold && reading.statistic != Statistic::max ? PressureProof::normal : PressureProof::none;
  }
  return PressureProof::none;
}

bool counts_as_vasopressor(VasopressorAgent agent) { return !vasopressor_info(agent).is_inotrope_only; }

CrsSign sign_of(const CrsMoment& moment) {
  switch (moment.fever) {
    case FeverBasis::recorded: return CrsSign::fever;
    case FeverBasis::masked: return CrsSign::masked;
    case FeverBasis::absent: return moment.episode > 0 ? CrsSign::episode_open : CrsSign::afebrile;
    case FeverBasis::not_recorded: return moment.episode > 0 ? CrsSign::episode_open : CrsSign::not_recorded;
  }
  return CrsSign::not_recorded;
}

// Splits the course at every change of oxygen, vasopressors, blood pressure or ASTCT state, and at
// every midnight, so that each stretch lies within one study day.
std::vector<Segment> segments_of(const Context& c) {
  const Timeline& timeline = c.timeline;
  const auto& events = timeline.events();
  const CrsCourse course = grade_crs_course(timeline, c.astct);
  const std::int64_t end = timeline.end_of_record();

  std::vector<std::int64_t> times{0, end};
  for (int day = timeline.study_day(0); day <= timeline.study_day(end); ++day) times.push_back(timeline.day_start(day));
  for (const Event& event : events) times.push_back(event.time.seconds_since_infusion);
  for (const CrsMoment& moment : course.moments) times.push_back(moment.t);
  std::sort(times.begin(), times.end());
  times.erase(std::unique(times.begin(), times.end()), times.end());
  times.erase(std::remove_if(times.begin(), times.end(), [end](std::int64_t t) { return t < 0 || t > end; }),
              times.end());

  bool open_at_end = false;
  for (const VasopressorRun& run : timeline.vasopressor_runs()) {
    if (!run.to && counts_as_vasopressor(run.agent)) open_at_end = true;
  }
  open_at_end = open_at_end && !died(timeline);  // death ends a run; it does not leave it open
  const double threshold = hypotension_threshold_mmhg(c.astct, timeline.patient().age_years);

  std::vector<Segment> out;
  out.reserve(times.size());
  Segment state;
  state.agent_event.fill(kNoEvent);
  std::size_t e = 0;
  std::size_t m = 0;
  for (std::size_t i = 0; i < times.size(); ++i) {
    const std::int64_t t = times[i];
    for (; e < events.size() && events[e].time.seconds_since_infusion <= t; ++e) {
      const Event& event = events[e];
      if (event.as<OxygenSupport>() != nullptr) {
        state.oxygen_event = e;
      } else if (const auto* change = event.as<VasopressorChange>()) {
        state.agent_event.at(static_cast<std::size_t>(change->agent)) =
            change->action == VasopressorAction::stop ? kNoEvent : e;
      } else if (const auto* reading = event.as<Observation>()) {
        if (reading->code != ObservationCode::systolic_bp || !reading->value) continue;
        const PressureProof proof = pressure_proof(*reading, threshold);
        const std::int64_t at = event.time.seconds_since_infusion;
        // Readings at one time (a day's minimum and maximum) combine: any hypotension wins.
        if (proof == PressureProof::none) continue;
        if (state.pressure_event != kNoEvent && state.pressure_time == at && state.pressure == PressureProof::hypotensive) continue;
        state.pressure = proof;
        state.pressure_event = e;
        state.pressure_time = at;
      }
    }
    while (m < course.moments.size() && course.moments[m].t <= t) ++m;

    Segment s = state;
    s.from = t;
    s.to = i + 1 < times.size() ? times[i + 1] : t;
    if (s.pressure_event != kNoEvent && s.pressure_time <= t - c.astct.bp_lookback_s) s.pressure = PressureProof::none;
    if (m > 0) {
      const CrsMoment& moment = course.moments[m - 1];
      s.sign = sign_of(moment);
      s.death_from_crs = moment.death_from_crs && moment.t == t;
      switch (s.sign) {
        case CrsSign::fever:
        case CrsSign::afebrile: s.sign_event = moment.fever_event; break;
        case CrsSign::masked: s.sign_event = moment.masking_event; break;
        case CrsSign::episode_open:
          s.sign_event = course.episodes.at(static_cast<std::size_t>(moment.episode - 1)).onset_event;
          break;
        case CrsSign::not_recorded: break;
      }
    }

    std::array<VasopressorRate, kAgentCount> rates{};
    std::size_t running = 0;
    bool any_vasopressor = false;
    for (std::size_t a = 0; a < kAgentCount; ++a) {
      if (s.agent_event[a] == kNoEvent) continue;
      const auto* change = events[s.agent_event[a]].as<VasopressorChange>();
      rates.at(running++) = {change->agent, change->dose};
      any_vasopressor = any_vasopressor || counts_as_vasopressor(change->agent);
    }
    s.high_dose = lee2014_high_dose(std::span(rates.data(), running), timeline.patient().weight_kg, c.high_dose);
    // Since-times live in `state` so that they carry from one stretch to the next.
    state.support_since = any_vasopressor ? (state.support_since == kNoTime ? t : state.support_since) : kNoTime;
    const bool high = s.high_dose.verdict == HighDose::yes;
    const bool maybe = high || s.high_dose.verdict == HighDose::unknown;
    state.high_dose_since = high ? (state.high_dose_since == kNoTime ? t : state.high_dose_since) : kNoTime;
    state.high_dose_maybe_since = maybe ? (state.high_dose_maybe_since == kNoTime ? t : state.high_dose_maybe_since)
                                        : kNoTime;
    s.support_since = state.support_since;
    s.high_dose_since = state.high_dose_since;
    s.high_dose_maybe_since = state.high_dose_maybe_since;
    s.running_at_record_end = open_at_end && any_vasopressor && s.to == end;
    out.push_back(s);
  }
  return out;
}

// Whether the Lee 2014 high-dose definition holds at the end of the stretch, counting how long
// the dose has been required.
HighDoseState high_dose_state(const Segment& s, const Context& c) {
  if (s.high_dose_since != kNoTime && s.to - s.high_dose_since >= c.high_dose_min_s) return HighDoseState::established;
  if (s.high_dose_maybe_since != kNoTime &&
      (s.to - s.high_dose_maybe_since >= c.high_dose_min_s || s.running_at_record_end)) {
    return HighDoseState::possible;
  }
  return HighDoseState::no;
}

// ---- criteria and verdicts -------------------------------------------------------------------

enum class Criterion : unsigned char {
  no_fever, episode_open, fever, fever_masked, no_oxygen, fio2, oxygen_fio2_not_recorded, oxygen, ventilator,
  mechanical_ventilation, no_hypotension, hypotension_fluids, hypotension_no_vasopressor, low_dose_vasopressor,
  multiple_vasopressors, high_dose_vasopressor, vasopressor, vasopressor_24h, refractory_hypotension,
  organ_toxicity, transaminitis_grade4, organ_dysfunction, coagulopathy, iv_therapy, death,
};
constexpr std::size_t kCriterionCount = static_cast<std::size_t>(Criterion::death) + 1;

std::string_view criterion_name(Criterion criterion) {
  static constexpr std::array<std::string_view, kCriterionCount> kNames{
      "no_fever", "episode_open", "fever", "fever_masked", "no_oxygen", "fio2", "oxygen_fio2_not_recorded",
      "oxygen", "ventilator", "mechanical_ventilation", "no_hypotension", "hypotension_fluids",
      "hypotension_no_vasopressor", "low_dose_vasopressor", "multiple_vasopressors", "high_dose_vasopressor",
      "vasopressor", "vasopressor_24h", "refractory_hypotension", "organ_toxicity", "transaminitis_grade4",
      "organ_dysfunction", "coagulopathy", "iv_therapy", "death"};
  return kNames.at(static_cast<std::size_t>(criterion));
}

// "lee2014.crs.grade3.fio2"; findings that add nothing (level 0) read "lee2014.crs.no_oxygen".
// RuleRef holds views, so the ids live in storage built once.
RuleRef rule_for(CrsScale scale, Criterion criterion, int level) {
  static const auto kIds = [] {
    std::array<std::array<std::array<std::string, 6>, kCriterionCount>, 4> ids;
    for (const auto& entry : names(CrsScale{})) {
      for (std::size_t k = 0; k < kCriterionCount; ++k) {
        const auto name = criterion_name(static_cast<Criterion>(k));
        auto& row = ids.at(static_cast<std::size_t>(entry.value)).at(k);
        row[0] = fmt::format("{}.crs.{}", entry.name, name);
        for (std::size_t g = 1; g < 6; ++g) row.at(g) = fmt::format("{}.crs.grade{}.{}", entry.name, g, name);
      }
    }
    return ids;
  }();
  const auto& id = kIds.at(static_cast<std::size_t>(scale))
                       .at(static_cast<std::size_t>(criterion))
                       .at(static_cast<std::size_t>(std::clamp(level, 0, 5)));
  return RuleRef{id, scale_source(scale)};
}

enum class Input : unsigned char {
  body_temperature, oxygen, fio2, systolic_bp, vasopressor_dose, weight, vasopressor_duration, fluid_boluses,
};
constexpr std::size_t kInputCount = 8;

std::string_view input_name(Input input) {
  static constexpr std::array<std::string_view, kInputCount> kNames{
      "body_temperature", "oxygen", "fio2", "systolic_bp", "vasopressor_dose", "weight", "vasopressor_duration",
      "fluid_boluses"};
  return kNames.at(static_cast<std::size_t>(input));
}

enum Review : unsigned {
  kReviewInotrope = 1U << 0,
  kReviewAngiotensin = 1U << 1,
  kReviewNoninvasive = 1U << 2,
  kReviewLifeThreateningHypotension = 1U << 3,
  kReviewSupportWithoutFever = 1U << 4,
};

struct Finding {
  Criterion criterion{};
  int level = 0;
  std::int64_t at = 0;  // when it began to hold within the stretch
};

// One stretch graded by one scale: no allocation, so every stretch of a long course is cheap.
struct Verdict {
  int grade = -1;  // -1: not assessable
  std::array<Finding, 6> findings{};
  std::size_t count = 0;
  std::array<int, kInputCount> missing_up_to{};  // a missing input and the grade it could reach
  unsigned review = 0;

  void find(Criterion criterion, int level, std::int64_t at) {
    if (count < findings.size()) findings.at(count++) = {criterion, level, at};
  }
  void need(Input input, int could_reach) {
    int& slot = missing_up_to.at(static_cast<std::size_t>(input));
    slot = std::max(slot, could_reach);
  }
  [[nodiscard]] int missing_count() const {
    return static_cast<int>(std::count_if(missing_up_to.begin(), missing_up_to.end(), [](int v) { return v > 0; }));
  }
};

int counted_agents(const Segment& s, const Timeline& timeline, unsigned& review) {
  int n = 0;
  for (const std::size_t event : s.agent_event) {
    if (event == kNoEvent) continue;
    const VasopressorAgent agent = timeline.events()[event].as<VasopressorChange>()->agent;
    if (counts_as_vasopressor(agent)) {
      ++n;
    } else {
      review |= kReviewInotrope;
    }
  }
  if (s.high_dose.angiotensin_ii) review |= kReviewAngiotensin;
  return n;
}

// The inputs a possible (not certain) high dose lacks.
void need_high_dose_inputs(Verdict& v, const Segment& s, int could_reach) {
  if (s.high_dose.dose_missing) v.need(Input::vasopressor_dose, could_reach);
  if (s.high_dose.weight_missing) v.need(Input::weight, could_reach);
  if (s.running_at_record_end) v.need(Input::vasopressor_duration, could_reach);
}

void grade_oxygen(CrsScale scale, const Segment& s, const Context& c, Verdict& v) {
  if (s.oxygen_event == kNoEvent) {
    v.need(Input::oxygen, 4);
    return;
  }
  const auto& oxygen = *c.timeline.events()[s.oxygen_event].as<OxygenSupport>();
  const OxygenDevice device = oxygen.device;
  if (device == OxygenDevice::none) {
    v.find(Criterion::no_oxygen, 0, s.from);
    return;
  }
  if (device == OxygenDevice::mechanical_ventilation) {
    v.find(scale == CrsScale::penn2018 || scale == CrsScale::mskcc2018 ? Criterion::mechanical_ventilation
                                                                      : Criterion::ventilator,
           4, s.from);
    return;
  }
  if (scale == CrsScale::penn2018) {
    v.find(Criterion::oxygen, 3, s.from);  // any supplemental oxygen, CPAP/BiPAP included
    return;
  }
  const bool noninvasive = device == OxygenDevice::cpap || device == OxygenDevice::bipap;
  if (noninvasive && scale != CrsScale::mskcc2018) {
    const bool counts = scale == CrsScale::lee2014 ? c.lee_niv_is_ventilator : c.cartox_niv_is_ventilator;
    if (counts) {
      v.find(Criterion::ventilator, 4, s.from);
      return;
    }
    v.review |= kReviewNoninvasive;
  }
  const double high = scale == CrsScale::lee2014 ? c.lee_fio2 : scale == CrsScale::mskcc2018 ? c.mskcc_fio2 : c.cartox_fio2;
  if (!oxygen.fio2_percent) {
    v.find(Criterion::oxygen_fio2_not_recorded, 2, s.from);
    v.need(Input::fio2, 3);
    return;
  }
  v.find(Criterion::fio2, *oxygen.fio2_percent >= high ? 3 : 2, s.from);
}

void grade_pressure_without_vasopressor(CrsScale scale, const Segment& s, Verdict& v) {
  const bool lee_like = scale == CrsScale::lee2014 || scale == CrsScale::cartox2018;
  switch (s.pressure) {
    case PressureProof::normal: v.find(Criterion::no_hypotension, 0, s.from); return;
    case PressureProof::hypotensive:
      if (lee_like) {
        v.find(Criterion::hypotension_fluids, 2, s.from);
      } else {
        v.find(Criterion::hypotension_no_vasopressor, 1, s.from);
        if (scale == CrsScale::penn2018) v.need(Input::fluid_boluses, 3);
      }
      return;
    case PressureProof::none:
      v.need(Input::systolic_bp, lee_like ? 2 : scale == CrsScale::penn2018 ? 3 : 1);
      return;
  }
}

void grade_circulation(CrsScale scale, const Segment& s, const Context& c, Verdict& v) {
  const int agents = counted_agents(s, c.timeline, v.review);
  if (agents == 0) {
    grade_pressure_without_vasopressor(scale, s, v);
    return;
  }
  const HighDoseState high = high_dose_state(s, c);
  const std::int64_t high_at = s.high_dose_since == kNoTime ? s.from : std::max(s.from, s.high_dose_since + c.high_dose_min_s);
  switch (scale) {
    case CrsScale::lee2014:
    case CrsScale::cartox2018:
      if (high == HighDoseState::established) {
        v.find(Criterion::high_dose_vasopressor, 3, high_at);
      } else if (agents >= 2) {
        v.find(Criterion::multiple_vasopressors, 3, s.from);
      } else {
        v.find(Criterion::low_dose_vasopressor, 2, s.from);
        if (high == HighDoseState::possible) need_high_dose_inputs(v, s, 3);
      }
      if (scale == CrsScale::cartox2018 && (high == HighDoseState::established || agents >= 2)) {
        v.review |= kReviewLifeThreateningHypotension;
      }
      return;
    case CrsScale::penn2018:
      if (high == HighDoseState::established) {
        v.find(Criterion::high_dose_vasopressor, 4, high_at);
      } else {
        v.find(Criterion::vasopressor, 3, s.from);
        if (high == HighDoseState::possible) need_high_dose_inputs(v, s, 4);
      }
      return;
    case CrsScale::mskcc2018: {
      // Hypotension refractory to high-dose vasopressors: a low reading while on them.
      const std::int64_t on_high_from = s.high_dose_maybe_since;
      const bool reading_on_high = s.pressure != PressureProof::none && on_high_from != kNoTime &&
                                   s.pressure_time >= on_high_from;
      const bool low_on_high = reading_on_high && s.pressure == PressureProof::hypotensive;
      if (high == HighDoseState::established && low_on_high && s.pressure_time >= s.high_dose_since) {
        v.find(Criterion::refractory_hypotension, 4, std::max(high_at, s.pressure_time));
        return;
      }
      const std::int64_t ran = s.to - s.support_since;
      if (ran >= c.mskcc_long_s) {
        v.find(Criterion::vasopressor_24h, 3, std::max(s.from, s.support_since + c.mskcc_long_s));
      } else {
        v.find(Criterion::vasopressor, 2, s.from);
        if (s.running_at_record_end) v.need(Input::vasopressor_duration, 3);
      }
      if (high == HighDoseState::established && !reading_on_high) v.need(Input::systolic_bp, 4);
      if (high == HighDoseState::possible && (low_on_high || !reading_on_high)) {
        need_high_dose_inputs(v, s, 4);
        if (!reading_on_high) v.need(Input::systolic_bp, 4);
      }
      return;
    }
  }
}

void settle(Verdict& v) {
  int grade = 0;
  for (std::size_t i = 0; i < v.count; ++i) grade = std::max(grade, v.findings.at(i).level);
  v.grade = grade;
  for (int& could_reach : v.missing_up_to) {
    if (could_reach <= grade) could_reach = 0;
  }
}

Verdict grade_segment(CrsScale scale, const Segment& s, const Context& c) {
  Verdict v;
  if (s.death_from_crs) {
    v.find(Criterion::death, 5, s.from);
    v.grade = 5;
    return v;
  }
  switch (s.sign) {
    case CrsSign::not_recorded:
      v.need(Input::body_temperature, 5);
      return v;
    case CrsSign::afebrile: {
      v.find(Criterion::no_fever, 0, s.from);
      unsigned ignored = 0;
      const bool on_oxygen = s.oxygen_event != kNoEvent &&
                             c.timeline.events()[s.oxygen_event].as<OxygenSupport>()->device != OxygenDevice::none;
      if (on_oxygen || counted_agents(s, c.timeline, ignored) > 0 || s.pressure == PressureProof::hypotensive) {
        v.review |= kReviewSupportWithoutFever;
      }
      v.grade = 0;
      return v;
    }
    case CrsSign::fever: v.find(Criterion::fever, 1, s.from); break;
    case CrsSign::masked: v.find(Criterion::fever_masked, 1, s.from); break;
    case CrsSign::episode_open: v.find(Criterion::episode_open, 0, s.from); break;
  }
  grade_circulation(scale, s, c, v);
  grade_oxygen(scale, s, c, v);
  settle(v);
  return v;
}

bool crs_present(const Segment& s) {
  return s.death_from_crs || s.sign == CrsSign::fever || s.sign == CrsSign::masked || s.sign == CrsSign::episode_open;
}

// The stretch that stands for a day: the higher grade, then the better documented, then the earlier.
bool worse(const Verdict& a, const Verdict& b) {
  if (a.grade != b.grade) return a.grade > b.grade;
  return a.missing_count() < b.missing_count();
}

// ---- rationale -------------------------------------------------------------------------------

std::string dose_text(const std::optional<VasopressorDose>& dose) {
  if (!dose) return "dose not recorded";
  switch (dose->unit) {
    case VasopressorDoseUnit::ug_per_kg_per_min: return fmt::format("{:g} µg/kg/min", dose->value);
    case VasopressorDoseUnit::ug_per_min: return fmt::format("{:g} µg/min", dose->value);
    case VasopressorDoseUnit::units_per_min: return fmt::format("{:g} U/min", dose->value);
  }
  return "";
}

std::string agents_text(const Segment& s, const Timeline& timeline) {
  std::string out;
  for (const std::size_t event : s.agent_event) {
    if (event == kNoEvent) continue;
    const auto* change = timeline.events()[event].as<VasopressorChange>();
    if (!out.empty()) out += ", ";
    out += fmt::format("{} {}", to_name(change->agent), dose_text(change->dose));
  }
  return out;
}

std::vector<Evidence> agents_evidence(const Segment& s, const Timeline& timeline) {
  std::vector<Evidence> out;
  for (const std::size_t event : s.agent_event) {
    if (event != kNoEvent) out.push_back(event_evidence(timeline, event));
  }
  return out;
}

std::string hours_text(std::int64_t seconds) {
  return fmt::format("{:g} h", static_cast<double>(seconds) / static_cast<double>(kSecondsPerHour));
}

std::string ne_text(const Segment& s) {
  if (!s.high_dose.ne_equivalent_ug_per_min) return std::string(s.high_dose.criterion);
  return fmt::format("{}, norepinephrine-equivalent {}{:g} µg/min", s.high_dose.criterion,
                     s.high_dose.verdict == HighDose::unknown ? "≥ " : "", *s.high_dose.ne_equivalent_ug_per_min);
}

std::string oxygen_text(const OxygenSupport& oxygen) {
  std::string out(to_name(oxygen.device));
  if (oxygen.flow_l_per_min) out += fmt::format(" {:g} L/min", *oxygen.flow_l_per_min);
  if (oxygen.fio2_percent) out += fmt::format(", FiO2 {:g} %", *oxygen.fio2_percent);
  return out;
}

std::string statement(CrsScale scale, const Finding& f, const Segment& s, const Context& c) {
  const Timeline& timeline = c.timeline;
  const auto& events = timeline.events();
  const auto oxygen = [&] { return oxygen_text(*events[s.oxygen_event].as<OxygenSupport>()); };
  const double fio2 = scale == CrsScale::lee2014 ? c.lee_fio2 : scale == CrsScale::mskcc2018 ? c.mskcc_fio2 : c.cartox_fio2;
  const auto systolic = [&] {
    const auto* reading = events[s.pressure_event].as<Observation>();
    return fmt::format("systolic {}{:g} mmHg", comparator_symbol(reading->comparator), *reading->value);
  };
  switch (f.criterion) {
    case Criterion::no_fever:
      return "no fever (< 38 °C) and no masking therapy, outside any CRS episode: not CRS";
    case Criterion::episode_open:
      return fmt::format("CRS episode (first fever {}) not yet resolved; no fever recorded at this moment",
                         describe_time(timeline, events[s.sign_event].time.seconds_since_infusion,
                                       events[s.sign_event].time.form));
    case Criterion::fever:
      return scale == CrsScale::cartox2018
                 ? "temperature ≥ 38 °C"
                 : "fever ≥ 38 °C, a CRS symptom; assumed to need symptomatic or supportive care only unless "
                   "oxygen, a vasopressor or organ toxicity shows more (other symptoms are not recorded)";
    case Criterion::fever_masked:
      return fmt::format("fever of the CRS episode masked by {} (symptomatic / anti-cytokine treatment)",
                         events[s.sign_event].as<Administration>()->display_name());
    case Criterion::no_oxygen: return "no supplemental oxygen";
    case Criterion::fio2:
      return f.level >= 3 ? fmt::format("oxygen at FiO2 ≥ {:g} % ({})", fio2, oxygen())
                          : fmt::format("oxygen at FiO2 < {:g} % ({})", fio2, oxygen());
    case Criterion::oxygen_fio2_not_recorded:
      return fmt::format("supplemental oxygen without a recorded FiO2 ({}): at least grade 2; grade 3 if FiO2 ≥ {:g} % "
                         "(FiO2 is not estimated from device and flow)", oxygen(), fio2);
    case Criterion::oxygen:
      return fmt::format("hypoxia needing supplemental oxygen ({}; nasal cannula, high-flow, CPAP or BiPAP)", oxygen());
    case Criterion::ventilator: return fmt::format("ventilator support ({})", oxygen());
    case Criterion::mechanical_ventilation: return fmt::format("mechanical ventilation ({})", oxygen());
    case Criterion::no_hypotension: return fmt::format("no hypotension: {}, no vasopressor", systolic());
    case Criterion::hypotension_fluids:
      return fmt::format("hypotension without a vasopressor ({}): taken as responsive to fluids", systolic());
    case Criterion::hypotension_no_vasopressor:
      return scale == CrsScale::penn2018
                 ? fmt::format("hypotension without a vasopressor ({}); grade 3 if treated with multiple fluid boluses, "
                               "which the record cannot show", systolic())
                 : fmt::format("hypotension without a vasopressor ({}): supportive care (fluids)", systolic());
    case Criterion::low_dose_vasopressor:
      return fmt::format("one vasopressor, not high-dose by Lee 2014 Table 1{}: {} ({})",
                         s.high_dose.verdict == HighDose::no ? "" : " as far as recorded", agents_text(s, timeline),
                         ne_text(s));
    case Criterion::multiple_vasopressors: return "multiple vasopressors: " + agents_text(s, timeline);
    case Criterion::high_dose_vasopressor:
      return fmt::format("high-dose vasopressors for ≥ {:g} h (Lee 2014 Table 1, {}): {}", c.high_dose.min_hours,
                         ne_text(s), agents_text(s, timeline));
    case Criterion::vasopressor:
      if (scale == CrsScale::mskcc2018) {
        return fmt::format("vasopressor for {} (< {}): {}", hours_text(s.to - s.support_since),
                           hours_text(c.mskcc_long_s), agents_text(s, timeline));
      }
      return fmt::format("hypotension treated with vasopressors, not high-dose{}: {}",
                         s.high_dose.verdict == HighDose::no ? "" : " as far as recorded", agents_text(s, timeline));
    case Criterion::vasopressor_24h:
      return fmt::format("vasopressor for ≥ {} (since {}): {}", hours_text(c.mskcc_long_s),
                         describe_time(timeline, s.support_since, TimeForm::study_day_clock), agents_text(s, timeline));
    case Criterion::refractory_hypotension:
      return fmt::format("hypotension ({}) while on high-dose vasopressors (MSKCC does not define 'high-dose'; "
                         "Lee 2014 Table 1 used): {}", systolic(), agents_text(s, timeline));
    case Criterion::death: return "death from CRS: " + timeline.outcome()->death_cause;
    default: break;
  }
  return "";
}

std::vector<Evidence> evidence_of(const Finding& f, const Segment& s, const Timeline& timeline) {
  switch (f.criterion) {
    case Criterion::no_fever:
    case Criterion::episode_open:
    case Criterion::fever:
    case Criterion::fever_masked: return {event_evidence(timeline, s.sign_event)};
    case Criterion::no_oxygen:
    case Criterion::fio2:
    case Criterion::oxygen_fio2_not_recorded:
    case Criterion::oxygen:
    case Criterion::ventilator:
    case Criterion::mechanical_ventilation: return {event_evidence(timeline, s.oxygen_event)};
    case Criterion::no_hypotension:
    case Criterion::hypotension_fluids:
    case Criterion::hypotension_no_vasopressor: return {event_evidence(timeline, s.pressure_event)};
    case Criterion::refractory_hypotension: {
      auto out = agents_evidence(s, timeline);
      out.push_back(event_evidence(timeline, s.pressure_event));
      return out;
    }
    case Criterion::death: return {};
    default: return agents_evidence(s, timeline);
  }
}

void add_review(std::vector<std::string>& review, unsigned bits, CrsScale scale) {
  const std::string_view title = crs_scale_title(scale);
  if ((bits & kReviewInotrope) != 0U) {
    review.push_back(fmt::format("an inotrope (dobutamine, milrinone) is running: not a vasopressor for {}; review",
                                 title));
  }
  if ((bits & kReviewAngiotensin) != 0U) {
    review.emplace_back("angiotensin II is not in the Lee 2014 high-dose table: whether the dose is high cannot be "
                        "decided");
  }
  if ((bits & kReviewNoninvasive) != 0U) {
    review.push_back(fmt::format("CPAP/BiPAP: {} names 'ventilator support' for grade 4 without saying whether "
                                 "non-invasive ventilation counts; graded by FiO2", title));
  }
  if ((bits & kReviewLifeThreateningHypotension) != 0U) {
    review.emplace_back("CARTOX grade 4 'life-threatening hypotension' is a clinical judgement the record cannot hold: "
                        "review whether it applies");
  }
  if ((bits & kReviewSupportWithoutFever) != 0U) {
    review.emplace_back("hypotension or oxygen need without fever and outside a CRS episode: not graded as CRS; look "
                        "for another cause or early CRS");
  }
}

// ---- what a day adds: organ toxicity, coagulopathy, IV therapy --------------------------------

struct DayFinding {
  int level = 0;
  Reason reason;
};

struct DayMissing {
  std::string input;
  int could_reach = 0;
};

struct DayFacts {
  std::vector<DayFinding> findings;
  std::vector<DayMissing> missing;
};

std::vector<Evidence> ctcae_evidence(const CtcaeGrade& grade) {
  std::vector<Evidence> out;
  for (const Reason& reason : grade.result.reasons) {
    out.insert(out.end(), reason.evidence.begin(), reason.evidence.end());
  }
  return out;
}

// The organ-toxicity grade of one CTCAE term under a scale: the grade that it sets.
struct OrganRule {
  int level = 0;
  Criterion criterion = Criterion::organ_toxicity;
};

OrganRule organ_rule(CrsScale scale, CtcaeTerm term, int ctcae, const Context& c) {
  const bool transaminase = term == CtcaeTerm::ast_increased || term == CtcaeTerm::alt_increased;
  if (scale == CrsScale::penn2018) {
    const bool lft = transaminase || term == CtcaeTerm::blood_bilirubin_increased;
    if (term == CtcaeTerm::creatinine_increased) {
      if (ctcae >= c.penn_creatinine3) return {3, Criterion::organ_dysfunction};
      if (ctcae >= c.penn_creatinine2) return {2, Criterion::organ_dysfunction};
    }
    if (lft) {
      if (ctcae >= c.penn_lft3) return {3, Criterion::organ_dysfunction};
      if (ctcae >= c.penn_lft2) return {2, Criterion::organ_dysfunction};
    }
    return {};
  }
  // Lee and CARTOX: the organ grade is the CRS grade, except grade 4 transaminitis (grade 3).
  if (transaminase && ctcae >= 4) return {3, Criterion::transaminitis_grade4};
  const int lowest = scale == CrsScale::cartox2018 ? 1 : 2;
  if (ctcae >= lowest) return {std::min(ctcae, 4), Criterion::organ_toxicity};
  return {};
}

DayFacts day_facts(CrsScale scale, const Context& c, std::span<const CtcaeGrade> ctcae, TimeWindow window) {
  DayFacts out;
  if (scale == CrsScale::mskcc2018) return out;  // MSKCC grades hypotension and hypoxia only
  const Timeline& timeline = c.timeline;
  static constexpr std::array<CtcaeTerm, 6> kOrganTerms{
      CtcaeTerm::ast_increased, CtcaeTerm::alt_increased, CtcaeTerm::blood_bilirubin_increased,
      CtcaeTerm::creatinine_increased, CtcaeTerm::fibrinogen_decreased, CtcaeTerm::aptt_prolonged};
  const int organ_ceiling = scale == CrsScale::penn2018 ? 3 : 4;
  bool transaminases_graded = false;
  bool creatinine_graded = false;
  for (const CtcaeTerm term : kOrganTerms) {
    if (scale == CrsScale::penn2018 && (term == CtcaeTerm::fibrinogen_decreased || term == CtcaeTerm::aptt_prolonged)) {
      continue;  // Penn grades coagulopathy by the products it needed
    }
    const auto worst = ctcae_worst(ctcae, term, window);
    if (!worst || !worst->result.grade) continue;
    const bool transaminase = term == CtcaeTerm::ast_increased || term == CtcaeTerm::alt_increased;
    transaminases_graded = transaminases_graded || transaminase;
    creatinine_graded = creatinine_graded || term == CtcaeTerm::creatinine_increased;
    const int ctcae_grade = *worst->result.grade;
    if (worst->result.assessment == Assessment::incomplete) {
      for (const std::string& item : worst->result.missing) {
        out.missing.push_back({fmt::format("{}.{}", to_name(term), item), transaminase ? 3 : organ_ceiling});
      }
    }
    const OrganRule rule = organ_rule(scale, term, ctcae_grade, c);
    if (rule.level == 0) continue;
    out.findings.push_back(
        {rule.level,
         Reason{rule_for(scale, rule.criterion, rule.level),
                fmt::format("{} CTCAE v5.0 grade {}, taken as CRS organ toxicity", to_name(term), ctcae_grade),
                ctcae_evidence(*worst)}});
  }
  if (!creatinine_graded) out.missing.push_back({"creatinine", organ_ceiling});
  if (!transaminases_graded) out.missing.push_back({"transaminases", 3});
  if (scale != CrsScale::penn2018) return out;

  const auto& events = timeline.events();
  for (std::size_t i = 0; i < events.size(); ++i) {
    const auto* transfusion = events[i].as<Transfusion>();
    if (transfusion == nullptr || !window.contains(events[i].time.seconds_since_infusion)) continue;
    if (transfusion->product == TransfusionProduct::plasma || transfusion->product == TransfusionProduct::cryoprecipitate ||
        transfusion->product == TransfusionProduct::fibrinogen_concentrate) {
      out.findings.push_back({3, Reason{rule_for(scale, Criterion::coagulopathy, 3),
                                        fmt::format("{} given during CRS: taken as coagulopathy needing FFP, "
                                                    "cryoprecipitate or fibrinogen concentrate",
                                                    to_name(transfusion->product)),
                                        {event_evidence(timeline, i)}}});
      break;
    }
  }
  for (const DoseGiven& dose : timeline.doses()) {
    if (!window.contains(dose.seconds_since_infusion)) continue;
    const Administration& given = *dose.administration;
    const DrugInfo* drug = find_drug(given.drug);
    const bool anti_il6 = drug != nullptr && drug->drug_class == DrugClass::anti_il6;
    const bool iv = given.route == Route::iv || (anti_il6 && !given.route);
    const bool for_crs = anti_il6 || given.indication == Indication::crs || given.indication == Indication::fever ||
                         given.indication == Indication::infection;
    if (!iv || !for_crs) continue;
    Evidence evidence = event_evidence(timeline, dose.event_index);
    evidence.seconds_since_infusion = dose.seconds_since_infusion;
    out.findings.push_back({2, Reason{rule_for(scale, Criterion::iv_therapy, 2),
                                      fmt::format("IV {} during CRS: taken as hospital management of CRS (IV therapy)",
                                                  given.display_name()),
                                      {evidence}}});
    break;
  }
  return out;
}

// ---- one day -------------------------------------------------------------------------------

GradeResult grade_day(CrsScale scale, const Context& c, std::span<const Segment> segments,
                      std::span<const CtcaeGrade> ctcae, TimeWindow window) {
  GradeResult result;
  const auto first = std::lower_bound(segments.begin(), segments.end(), window.from,
                                      [](const Segment& s, std::int64_t t) { return s.from < t; });
  const Segment* worst_segment = nullptr;
  Verdict worst;
  bool present = false;
  // Inputs missing at any moment of CRS that day, and the grade each could have reached: the
  // day's maximum is a lower bound if any of them could exceed it.
  std::array<int, kInputCount> missing_during_crs{};
  unsigned review = 0;
  for (auto it = first; it != segments.end() && it->from < window.to; ++it) {
    const Verdict v = grade_segment(scale, *it, c);
    review |= v.review;
    if (crs_present(*it)) {
      present = true;
      for (std::size_t k = 0; k < kInputCount; ++k) {
        missing_during_crs.at(k) = std::max(missing_during_crs.at(k), v.missing_up_to.at(k));
      }
    }
    if (worst_segment == nullptr || worse(v, worst)) {
      worst = v;
      worst_segment = &*it;
    }
  }
  if (worst_segment == nullptr) {
    result.missing.emplace_back("record");  // the day lies outside the record
    return result;
  }
  const Segment& s = *worst_segment;
  result.set_at = s.from;
  add_review(result.review, review, scale);
  std::vector<DayMissing> missing;
  for (std::size_t k = 0; k < kInputCount; ++k) {
    const int could_reach = std::max(worst.missing_up_to.at(k), missing_during_crs.at(k));
    if (could_reach > 0) missing.push_back({std::string(input_name(static_cast<Input>(k))), could_reach});
  }
  if (worst.grade < 0) {
    for (const DayMissing& m : missing) result.missing.push_back(m.input);
    return result;
  }

  struct Ranked {
    int level;
    std::int64_t at;
    Reason reason;
  };
  std::vector<Ranked> reasons;
  for (std::size_t i = 0; i < worst.count; ++i) {
    const Finding& f = worst.findings.at(i);
    reasons.push_back({f.level, f.at,
                       Reason{rule_for(scale, f.criterion, f.level), statement(scale, f, s, c), evidence_of(f, s, c.timeline)}});
  }
  if (worst.grade < 5 && present) {
    DayFacts facts = day_facts(scale, c, ctcae, window);
    for (DayFinding& finding : facts.findings) {
      const std::int64_t at =
          finding.reason.evidence.empty() ? window.from : finding.reason.evidence.front().seconds_since_infusion;
      reasons.push_back({finding.level, at, std::move(finding.reason)});
    }
    missing.insert(missing.end(), facts.missing.begin(), facts.missing.end());
    // Penn grade 2 is also "hospitalised for CRS symptoms": the reason for admission is not recorded.
    if (scale == CrsScale::penn2018) missing.push_back({"hospitalisation_reason", 2});
  }
  // Most severe first; among equals the stretch's own findings, in the order they were made.
  std::stable_sort(reasons.begin(), reasons.end(), [](const Ranked& a, const Ranked& b) { return a.level > b.level; });
  const int grade = reasons.empty() ? worst.grade : std::max(worst.grade, reasons.front().level);
  if (!reasons.empty()) result.set_at = reasons.front().at;
  result.grade = grade;
  for (const DayMissing& m : missing) {
    if (m.could_reach > grade &&
        std::find(result.missing.begin(), result.missing.end(), m.input) == result.missing.end()) {
      result.missing.push_back(m.input);
    }
  }
  result.assessment = result.missing.empty() ? Assessment::complete : Assessment::incomplete;
  for (Ranked& ranked : reasons) result.reasons.push_back(std::move(ranked.reason));
  return result;
}

}  // namespace

std::vector<ScaleDayGrade> grade_crs_scale_by_day(const Timeline& timeline, CrsScale scale, const RuleSet& rules,
                                                  int first_day, int last_day) {
  const Context context(timeline, rules);
  const std::vector<Segment> segments = segments_of(context);
  std::vector<CtcaeGrade> ctcae;
  if (scale != CrsScale::mskcc2018) ctcae = ctcae_grades(timeline, rules);
  std::vector<ScaleDayGrade> days;
  days.reserve(static_cast<std::size_t>(std::max(0, last_day - first_day + 1)));
  for (int day = first_day; day <= last_day; ++day) {
    days.push_back({day, grade_day(scale, context, segments, ctcae, timeline.day_window(day))});
  }
  return days;
}

}  // namespace crsguard
