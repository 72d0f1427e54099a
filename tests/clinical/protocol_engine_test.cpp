// The protocol engine against the shipped protocols: the adult case replayed against zi2021-adult,
// patient 3 of Pan 2021 against pan2021-paediatric, steroid-refractoriness at its 24 h boundary,
// every safety check at its threshold, overrides, dose rules (per-day split, adult maximum, tablet
// rounding) and the record as known at a moment.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <stdexcept>

#include "clinical/course_grades.hpp"
#include "clinical/protocol_engine.hpp"
#include "clinical/protocol_replay.hpp"
#include "clinical/renal.hpp"
#include "io/protocol_yaml.hpp"
#include "io/timeline_files.hpp"
#include "timeline_cases.hpp"

namespace crsguard {
namespace {

using nlohmann::json;

const ProtocolRules& rules() {
  static const ProtocolRules kRules = ProtocolRules::from(testing::shipped_rules());
  return kRules;
}

std::int64_t at(int day, int hour = 0, int minute = 0) {
  return day * kSecondsPerDay + hour * kSecondsPerHour + minute * kSecondsPerMinute;
}

json when(int day, const char* clock) { return {{"day", day}, {"clock", clock}}; }

json observation(int day, const char* clock, const char* code, double value, const char* unit) {
  return {{"kind", "observation"}, {"time", when(day, clock)}, {"code", code}, {"value", value}, {"unit", unit}};
}
json temperature(int day, const char* clock, double celsius) { return observation(day, clock, "body_temperature", celsius, "Cel"); }
json systolic(int day, const char* clock, double mmhg) { return observation(day, clock, "systolic_bp", mmhg, "mm[Hg]"); }
json oxygen(int day, const char* clock, const char* device, double flow = 0) {
  json out{{"kind", "oxygen"}, {"time", when(day, clock)}, {"device", device}};
  if (flow > 0) out["flow"] = {{"value", flow}, {"unit", "L/min"}};
  return out;
}
json vasopressor(int day, const char* clock, const char* agent, const char* action) {
  return {{"kind", "vasopressor"}, {"time", when(day, clock)}, {"agent", agent}, {"action", action}};
}
json dose(int day, const char* clock, const char* drug, double value, const char* unit, const char* route,
          double every_hours = 0, int count = 0) {
  json out{{"kind", "administration"}, {"time", when(day, clock)}, {"drug", drug},
           {"dose", {{"value", value}, {"unit", unit}}}, {"route", route}, {"indication", "crs"}};
  if (count > 1) out["repeat"] = {{"count", count}, {"every", {{"value", every_hours}, {"unit", "h"}}}};
  return out;
}

// A patient with weight and height (doses by weight need them), followed to day 28.
Timeline patient_timeline(const json& events, double age, double weight_kg, double height_cm, const char* sex = "female") {
  json document{{"format", "crsguard.timeline/1"},
                {"patient", {{"id", "scenario"}, {"sex", sex}, {"age", {{"value", age}, {"unit", "a"}}},
                             {"weight", {{"value", weight_kg}, {"unit", "kg"}}},
                             {"height", {{"value", height_cm}, {"unit", "cm"}}}}},
                {"infusion", {{"product", "test CAR-T"}, {"targets", {"CD19"}}, {"time", {{"day", 0}, {"clock", "00:00"}}}}},
                {"events", events},
                {"outcome", {{"last_followup", {{"day", 28}}}, {"vital_status", "alive"}}}};
  return std::move(read_timelines_json(document.dump(), "scenario").front());
}

const Recommendation* find_step(const Advice& advice, std::string_view step) {
  const auto it = std::find_if(advice.recommendations.begin(), advice.recommendations.end(),
                               [&](const Recommendation& r) { return r.step_id == step; });
  return it == advice.recommendations.end() ? nullptr : &*it;
}

const SafetyFinding* find_check(const Recommendation& rec, std::string_view check) {
  const auto it = std::find_if(rec.findings.begin(), rec.findings.end(),
                               [&](const SafetyFinding& f) { return f.check_id == check; });
  return it == rec.findings.end() ? nullptr : &*it;
}

bool mentions(const std::vector<std::string>& lines, std::string_view text) {
  return std::any_of(lines.begin(), lines.end(), [&](const std::string& line) { return line.find(text) != std::string::npos; });
}

// ---- the adult case (Zi 2021) ----------------------------------------------------------------------

Timeline adult_case() {
  return std::move(read_timeline_file(std::string(CRSGUARD_SOURCE_DIR) + "/examples/adult-case-zi2021.timeline.json").front());
}

TEST(ProtocolReplay, AdultCaseFollowsZi2021OnTheReportedDays) {
  const Timeline timeline = adult_case();
  const Protocol protocol = load_protocol("zi2021-adult");
  const Replay replay = replay_protocol(timeline, protocol, rules());
  // Each drug the report gave was recommended by the time it was given, on the day it was given.
  struct Given { const char* drug; int day; };
  for (const Given given : {Given{"tocilizumab", 5}, Given{"methylprednisolone", 6}, Given{"ruxolitinib", 7}}) {
    const auto row = std::find_if(replay.rows.begin(), replay.rows.end(), [&](const ReplayRow& r) { return r.drug == given.drug; });
    ASSERT_NE(row, replay.rows.end()) << given.drug;
    EXPECT_EQ(row->concordance, Concordance::given) << given.drug;
    ASSERT_TRUE(row->given_at.has_value());
    EXPECT_EQ(timeline.study_day(*row->given_at), given.day) << given.drug;
    ASSERT_TRUE(row->recommended_from.has_value());
    EXPECT_LE(*row->recommended_from, *row->given_at);
  }
  // Methylprednisolone and ruxolitinib were recommended at the moment they were given (delay 0);
  // tocilizumab from day 4 01:00, once the fever had lasted more than 72 h.
  for (const ReplayRow& row : replay.rows) {
    EXPECT_NE(row.concordance, Concordance::given_without_recommendation) << row.drug;
    if (row.drug == "methylprednisolone" || row.drug == "ruxolitinib") {
      EXPECT_DOUBLE_EQ(row.delay_hours.value_or(-1), 0);
    }
    if (row.drug == "tocilizumab") {
      EXPECT_EQ(row.recommended_from, at(4, 1));
    }
  }
}

TEST(ProtocolAdvice, AdultCaseDay7IsSteroidRefractoryAndGetsRuxolitinib) {
  const Timeline timeline = adult_case();
  const Protocol protocol = load_protocol("zi2021-adult");
  const Advice advice = ProtocolEngine(protocol, rules()).advise(timeline, at(7));
  EXPECT_EQ(advice.state.crs.grade, 2);
  EXPECT_EQ(advice.state.steroid_refractory.verdict, Verdict::yes);
  const Recommendation* rux = find_step(advice, "ruxolitinib");
  ASSERT_NE(rux, nullptr);
  ASSERT_EQ(rux->schedule.size(), 2u);
  EXPECT_DOUBLE_EQ(rux->schedule[0].dose.mg.value_or(0), 10);
  EXPECT_DOUBLE_EQ(rux->schedule[0].every_hours, 12);
  EXPECT_DOUBLE_EQ(rux->schedule[0].for_days.value_or(0), 11);
  EXPECT_DOUBLE_EQ(rux->schedule[1].dose.mg.value_or(0), 5);
  EXPECT_TRUE(rux->off_label);
  // No weight in the report: the tocilizumab label dose is not computed, and says why.
  const Advice day5 = ProtocolEngine(protocol, rules()).advise(timeline, at(5));
  const Recommendation* tocilizumab = find_step(day5, "tocilizumab");
  ASSERT_NE(tocilizumab, nullptr);
  EXPECT_FALSE(tocilizumab->schedule.at(0).dose.mg.has_value());
  EXPECT_EQ(tocilizumab->schedule.at(0).dose.missing, std::vector<std::string>{"body_weight"});
  // A day before: the fever had lasted 72 h exactly, not more.
  EXPECT_EQ(find_step(ProtocolEngine(protocol, rules()).advise(timeline, at(4)), "tocilizumab"), nullptr);
}

// ---- patient 3 of Pan 2021 -------------------------------------------------------------------------

// Grade 3 CRS on day 3, grade 4 with grade 3 ICANS (seizure) on day 5, ruxolitinib with high-dose
// methylprednisolone on day 6 (Pan 2021). A 9-year-old girl; weight and height are this scenario's.
json patient3_events() {
  return json::array({
      oxygen(0, "01:00", "none"),
      temperature(1, "10:00", 38.6), systolic(1, "10:00", 102),
      temperature(2, "10:00", 39.2), systolic(2, "10:00", 84),  // PALS threshold at 9 y: 88 mmHg
      dose(2, "12:00", "tocilizumab", 8, "mg/kg", "iv"),
      temperature(3, "08:00", 39.6), systolic(3, "08:00", 78), vasopressor(3, "08:00", "norepinephrine", "start"),
      dose(3, "09:00", "methylprednisolone", 1.5, "mg/kg", "iv", 12, 6),
      vasopressor(4, "06:00", "norepinephrine", "stop"),
      temperature(4, "10:00", 38.4), systolic(4, "10:00", 86), oxygen(4, "10:00", "nasal_cannula", 2),
      temperature(5, "08:00", 40.6), systolic(5, "08:00", 70), vasopressor(5, "08:00", "norepinephrine", "start"),
      vasopressor(5, "08:00", "epinephrine", "start"), oxygen(5, "08:00", "cpap"),
      {{"kind", "neuro"}, {"time", when(5, "08:30")}, {"capd", {{"total", 12}}},
       {"seizure", {{"type", "focal"}, {"duration_min", 2}}}},
      observation(5, "07:00", "platelets", 38, "10*9/L"), observation(5, "07:00", "neutrophils", 1.2, "10*9/L"),
      observation(5, "07:00", "creatinine", 0.5, "mg/dL"),
      dose(6, "08:00", "ruxolitinib", 5, "mg", "po", 12, 10),
      dose(6, "08:00", "methylprednisolone", 2.5, "mg/kg", "iv", 12, 6),
  });
}

TEST(ProtocolScenario, Patient3GradesAsReported) {
  const Timeline timeline = patient_timeline(patient3_events(), 9, 28, 132);
  const CourseGrades grades = grade_course(timeline, rules().grading);
  EXPECT_EQ(grades.crs.days.at(3).worst.grade, 3);
  EXPECT_EQ(grades.crs.days.at(5).worst.grade, 4);
  EXPECT_EQ(grades.icans_days.at(5).result.grade, 3);
}

TEST(ProtocolScenario, Patient3MethylprednisoloneAtGrade3) {
  const Timeline timeline = patient_timeline(patient3_events(), 9, 28, 132);
  const Protocol protocol = load_protocol("pan2021-paediatric");
  const Advice advice = ProtocolEngine(protocol, rules()).advise(timeline, at(3, 8, 30));
  EXPECT_EQ(advice.state.crs.grade, 3);
  const Recommendation* mp = find_step(advice, "methylprednisolone");
  ASSERT_NE(mp, nullptr);
  // 3 mg/kg/day in two doses: 1.5 mg/kg × 28 kg = 42 mg every 12 h.
  EXPECT_DOUBLE_EQ(mp->schedule.at(0).dose.mg.value_or(0), 42);
  EXPECT_DOUBLE_EQ(mp->schedule.at(0).every_hours, 12);
  EXPECT_TRUE(mentions(mp->schedule.at(0).dose.steps, "3 mg/kg/day"));
  EXPECT_EQ(find_step(advice, "ruxolitinib"), nullptr);
}

TEST(ProtocolScenario, Patient3ImprovingOnDay4IsNotRefractory) {
  const Timeline timeline = patient_timeline(patient3_events(), 9, 28, 132);
  const Advice advice = ProtocolEngine(load_protocol("pan2021-paediatric"), rules()).advise(timeline, at(4, 12));
  EXPECT_EQ(advice.state.crs.grade, 2);
  EXPECT_EQ(advice.state.steroid_refractory.verdict, Verdict::no);
  ASSERT_TRUE(advice.state.response.has_value());
  EXPECT_EQ(advice.state.response->possible, std::vector<ResponseState>{ResponseState::improving});
  EXPECT_EQ(find_step(advice, "ruxolitinib"), nullptr);
}

TEST(ProtocolScenario, Patient3Grade4OnSteroidsGetsRuxolitinibAndPlateletAdvice) {
  const Timeline timeline = patient_timeline(patient3_events(), 9, 28, 132);
  const Protocol protocol = load_protocol("pan2021-paediatric");
  const Advice advice = ProtocolEngine(protocol, rules()).advise(timeline, at(5, 9));
  EXPECT_EQ(advice.state.crs.grade, 4);
  EXPECT_EQ(advice.state.steroid_refractory.verdict, Verdict::yes);
  const Recommendation* rux = find_step(advice, "ruxolitinib");
  ASSERT_NE(rux, nullptr);
  EXPECT_DOUBLE_EQ(rux->schedule.at(0).dose.mg.value_or(0), 5);
  EXPECT_DOUBLE_EQ(rux->schedule.at(0).every_hours, 12);
  EXPECT_EQ(rux->status, RecommendationStatus::actionable);
  const SafetyFinding* platelets = find_check(*rux, "ruxolitinib-platelets");
  ASSERT_NE(platelets, nullptr);
  EXPECT_EQ(platelets->status, FindingStatus::triggered);
  EXPECT_EQ(platelets->advice, "transfuse platelets to keep ruxolitinib going");
  EXPECT_EQ(find_check(*rux, "ruxolitinib-neutrophils")->status, FindingStatus::passed);
  // Bedside Schwartz: 0.413 × 132 / 0.5 = 109 mL/min/1.73 m².
  EXPECT_EQ(find_check(*rux, "ruxolitinib-renal")->status, FindingStatus::passed);
  // Grade 4 on 3 mg/kg/day: escalate to 5 mg/kg/day (70 mg every 12 h).
  const Recommendation* high = find_step(advice, "methylprednisolone-high");
  ASSERT_NE(high, nullptr);
  EXPECT_DOUBLE_EQ(high->schedule.at(0).dose.mg.value_or(0), 70);
}

TEST(ProtocolScenario, Patient3ReplayGivesRuxolitinibOnDay6) {
  const Timeline timeline = patient_timeline(patient3_events(), 9, 28, 132);
  const Replay replay = replay_protocol(timeline, load_protocol("pan2021-paediatric"), rules());
  const auto rux = std::find_if(replay.rows.begin(), replay.rows.end(), [](const ReplayRow& r) {
    return r.drug == "ruxolitinib" && r.action == ActionKind::give;
  });
  ASSERT_NE(rux, replay.rows.end());
  EXPECT_EQ(rux->concordance, Concordance::given);
  EXPECT_EQ(timeline.study_day(*rux->given_at), 6);
  EXPECT_EQ(timeline.study_day(*rux->recommended_from), 5);
  EXPECT_NEAR(rux->delay_hours.value_or(0), 24, 1.0);
  const auto toci = std::find_if(replay.rows.begin(), replay.rows.end(), [](const ReplayRow& r) { return r.drug == "tocilizumab"; });
  ASSERT_NE(toci, replay.rows.end());
  EXPECT_EQ(toci->concordance, Concordance::given);
}

// ---- steroid-refractoriness at 24 h -------------------------------------------------------------------

// Grade 3 CRS held unchanged on methylprednisolone 3 mg/kg/day from day 3 08:00.
Timeline unchanged_on_steroids() {
  json events = json::array({oxygen(0, "01:00", "none"), vasopressor(3, "07:00", "norepinephrine", "start"),
                             dose(3, "08:00", "methylprednisolone", 1.5, "mg/kg", "iv", 12, 8)});
  for (int hour = 7; hour <= 7 + 36; hour += 2) {
    const int day = 3 + hour / 24;
    const std::string clock = fmt::format("{:02d}:00", hour % 24);
    events.push_back(temperature(day, clock.c_str(), 39.5));
    events.push_back(systolic(day, clock.c_str(), 80));
  }
  return patient_timeline(events, 10, 30, 138);
}

TEST(SteroidRefractory, NotAt23HoursYesAt25Hours) {
  const Timeline timeline = unchanged_on_steroids();
  const ProtocolEngine engine(load_protocol("pan2021-paediatric"), rules());
  const Advice at_23h = engine.advise(timeline, at(3, 8) + 23 * kSecondsPerHour);
  EXPECT_EQ(at_23h.state.steroid_refractory.verdict, Verdict::no);
  EXPECT_EQ(find_step(at_23h, "ruxolitinib"), nullptr);
  const Advice at_25h = engine.advise(timeline, at(3, 8) + 25 * kSecondsPerHour);
  EXPECT_EQ(at_25h.state.steroid_refractory.verdict, Verdict::yes);
  EXPECT_NE(find_step(at_25h, "ruxolitinib"), nullptr);
  EXPECT_EQ(at_25h.state.steroid_refractory.high_dose_since, at(3, 8));
}

TEST(SteroidRefractory, BelowTheHighDoseThresholdIsNotRefractory) {
  json events = json::array({oxygen(0, "01:00", "none"), vasopressor(3, "07:00", "norepinephrine", "start"),
                             dose(3, "08:00", "methylprednisolone", 1, "mg/kg", "iv", 12, 8),  // 2 mg/kg/day
                             temperature(4, "10:00", 39.5), systolic(4, "10:00", 80)});
  const Timeline timeline = patient_timeline(events, 10, 30, 138);
  const Advice advice = ProtocolEngine(load_protocol("pan2021-paediatric"), rules()).advise(timeline, at(4, 12));
  EXPECT_EQ(advice.state.steroid_refractory.verdict, Verdict::no);
  EXPECT_NE(advice.state.steroid_refractory.statement.find("≥ 3 mg/kg/day"), std::string::npos);
}

// ---- safety checks at their thresholds and overrides ---------------------------------------------------

Advice refractory_advice_with(const std::vector<json>& extra, const Overrides& overrides = {}, double age = 10) {
  json events = json::array({oxygen(0, "01:00", "none"), vasopressor(3, "07:00", "norepinephrine", "start"),
                             dose(3, "08:00", "methylprednisolone", 1.5, "mg/kg", "iv", 12, 8),
                             temperature(4, "09:00", 39.5), systolic(4, "09:00", 80), temperature(3, "07:00", 39.5),
                             systolic(3, "07:00", 80)});
  for (const auto& event : extra) events.push_back(event);
  const Timeline timeline = patient_timeline(events, age, 30, 138, "male");
  return ProtocolEngine(load_protocol("pan2021-paediatric"), rules()).advise(timeline, at(4, 10), overrides);
}

FindingStatus rux_check(const Advice& advice, std::string_view check) {
  const Recommendation* rux = find_step(advice, "ruxolitinib");
  if (rux == nullptr) throw std::runtime_error("no ruxolitinib recommendation");
  const SafetyFinding* finding = find_check(*rux, check);
  if (finding == nullptr) throw std::runtime_error("no such check");
  return finding->status;
}

TEST(SafetyChecks, PlateletsBelowFiftyWarn) {
  EXPECT_EQ(rux_check(refractory_advice_with({observation(4, "06:00", "platelets", 49, "10*9/L")}), "ruxolitinib-platelets"),
            FindingStatus::triggered);
  EXPECT_EQ(rux_check(refractory_advice_with({observation(4, "06:00", "platelets", 50, "10*9/L")}), "ruxolitinib-platelets"),
            FindingStatus::passed);
  EXPECT_EQ(rux_check(refractory_advice_with({}), "ruxolitinib-platelets"), FindingStatus::unknown);
  // Older than the check's 48 h: not a current count.
  EXPECT_EQ(rux_check(refractory_advice_with({observation(2, "09:00", "platelets", 20, "10*9/L")}), "ruxolitinib-platelets"),
            FindingStatus::unknown);
}

TEST(SafetyChecks, NeutrophilsBelowHalfWarn) {
  EXPECT_EQ(rux_check(refractory_advice_with({observation(4, "06:00", "neutrophils", 0.4, "10*9/L")}), "ruxolitinib-neutrophils"),
            FindingStatus::triggered);
  EXPECT_EQ(rux_check(refractory_advice_with({observation(4, "06:00", "neutrophils", 0.5, "10*9/L")}), "ruxolitinib-neutrophils"),
            FindingStatus::passed);
}

TEST(SafetyChecks, StrongCyp3a4InhibitorWarns) {
  const json posaconazole{{"kind", "administration"}, {"time", when(3, "20:00")}, {"drug", "posaconazole"},
                          {"dose", {{"value", 300}, {"unit", "mg"}}}, {"route", "po"}, {"indication", "prophylaxis"}};
  EXPECT_EQ(rux_check(refractory_advice_with({posaconazole}), "ruxolitinib-cyp3a4"), FindingStatus::triggered);
  EXPECT_EQ(rux_check(refractory_advice_with({}), "ruxolitinib-cyp3a4"), FindingStatus::passed);
}

TEST(SafetyChecks, RenalFunctionByAge) {
  // Bedside Schwartz at 10 y: 0.413 × 138 / 1.0 = 57 mL/min/1.73 m² (< 60); 0.9 mg/dL gives 63.
  EXPECT_EQ(rux_check(refractory_advice_with({observation(4, "06:00", "creatinine", 1.0, "mg/dL")}), "ruxolitinib-renal"),
            FindingStatus::triggered);
  EXPECT_EQ(rux_check(refractory_advice_with({observation(4, "06:00", "creatinine", 0.9, "mg/dL")}), "ruxolitinib-renal"),
            FindingStatus::passed);
}

TEST(SafetyChecks, HaemorrhageBlocksUntilOverriddenWithAReason) {
  const json bleed{{"kind", "neuro"}, {"time", when(4, "08:00")}, {"capd", {{"total", 4}}}, {"intracranial_haemorrhage", true}};
  const Advice blocked = refractory_advice_with({bleed});
  EXPECT_EQ(find_step(blocked, "ruxolitinib")->status, RecommendationStatus::blocked);
  EXPECT_EQ(rux_check(blocked, "ruxolitinib-haemorrhage"), FindingStatus::triggered);

  const Advice lifted = refractory_advice_with({bleed}, {{"ruxolitinib-haemorrhage", "old haemorrhage, stable on CT"}});
  const Recommendation* rux = find_step(lifted, "ruxolitinib");
  EXPECT_EQ(rux->status, RecommendationStatus::overridden);
  EXPECT_EQ(find_check(*rux, "ruxolitinib-haemorrhage")->override_reason, "old haemorrhage, stable on CT");

  EXPECT_THROW(refractory_advice_with({bleed}, {{"ruxolitinib-haemorrhage", "  "}}), std::invalid_argument);
  EXPECT_THROW(refractory_advice_with({bleed}, {{"no-such-check", "reason"}}), std::invalid_argument);
  // Without the flag, other bleeding cannot be read from the record: asked, never assumed absent.
  EXPECT_EQ(rux_check(refractory_advice_with({}), "ruxolitinib-haemorrhage"), FindingStatus::unknown);
}

TEST(SafetyChecks, TocilizumabRepeatBlockedAfterFourDosesInTheEpisode) {
  json events = json::array({oxygen(0, "01:00", "none")});
  for (int hour = 6; hour <= 60; hour += 3) {
    const int day = 2 + hour / 24;
    const std::string clock = fmt::format("{:02d}:00", hour % 24);
    events.push_back(temperature(day, clock.c_str(), 39.5));
    events.push_back(systolic(day, clock.c_str(), 80));
  }
  for (const char* clock : {"06:00", "14:00", "22:00"}) events.push_back(dose(2, clock, "tocilizumab", 8, "mg/kg", "iv"));
  events.push_back(dose(3, "06:00", "tocilizumab", 8, "mg/kg", "iv"));
  const Timeline timeline = patient_timeline(events, 40, 70, 175);
  const ProtocolEngine engine(load_protocol("astct-asco-2021"), rules());
  // 7 h after the third dose a repeat is not yet due (the step repeats after 8 h) ...
  EXPECT_EQ(find_step(engine.advise(timeline, at(3, 5)), "crs-tocilizumab"), nullptr);
  // ... and after four in the episode, every further dose is blocked.
  const Advice after_four = engine.advise(timeline, at(3, 14, 30));
  const Recommendation* fifth = find_step(after_four, "crs-tocilizumab");
  ASSERT_NE(fifth, nullptr);
  EXPECT_TRUE(fifth->repeat_dose);
  EXPECT_EQ(fifth->status, RecommendationStatus::blocked);
  EXPECT_TRUE(mentions({find_check(*fifth, "tocilizumab-limits")->statement}, "4 doses in this CRS episode; at most 4"));
  // 70 kg: 8 mg/kg = 560 mg.
  EXPECT_DOUBLE_EQ(fifth->schedule.at(0).dose.mg.value_or(0), 560);
}

TEST(ProtocolAdvice, IsolatedIcansGetsSteroidsNotTocilizumab) {
  json events = json::array({oxygen(0, "01:00", "none"), temperature(4, "08:00", 36.8), systolic(4, "08:00", 120),
                             {{"kind", "neuro"}, {"time", when(4, "09:00")}, {"ice", {{"total", 5}}}, {"consciousness", "alert"},
                              {"seizure", {{"type", "none"}}}, {"motor", "none"}}});
  const Timeline timeline = patient_timeline(events, 55, 80, 180);
  const Advice advice = ProtocolEngine(load_protocol("astct-asco-2021"), rules()).advise(timeline, at(4, 10));
  EXPECT_EQ(advice.state.icans.grade, 2);
  const Recommendation* dex = find_step(advice, "icans-dexamethasone");
  ASSERT_NE(dex, nullptr);
  EXPECT_DOUBLE_EQ(dex->schedule.at(0).dose.mg.value_or(0), 10);
  EXPECT_DOUBLE_EQ(dex->schedule.at(0).every_hours, 6);
  for (const Recommendation& rec : advice.recommendations) EXPECT_NE(rec.drug, "tocilizumab");
}

// ---- dose rules ------------------------------------------------------------------------------------

Protocol one_step_protocol(const std::string& dose_yaml, const std::string& drug = "anakinra", double every_hours = 6) {
  const std::string text = fmt::format(R"(format: crsguard.protocol/1
name: dose-test
title: one step
sources: [test]
steps:
  - id: the-step
    title: the step
    when: {{crs_grade_min: 1}}
    action: give
    drug: {}
    route: iv
    schedule:
      - dose: {}
        every_hours: {:g}
    source: test
)", drug, dose_yaml, every_hours);
  return read_protocol_yaml(text, "dose-test.yaml");
}

double dose_for(const Protocol& protocol, double weight_kg, double age = 8) {
  json events = json::array({oxygen(0, "01:00", "none"), temperature(1, "08:00", 38.5), systolic(1, "08:00", 110)});
  const Timeline timeline = patient_timeline(events, age, weight_kg, 130);
  const Advice advice = ProtocolEngine(protocol, rules()).advise(timeline, at(1, 9));
  const Recommendation* rec = find_step(advice, "the-step");
  if (rec == nullptr) throw std::runtime_error("no recommendation");
  return rec->schedule.at(0).dose.mg.value_or(-1);
}

TEST(ProtocolDoses, PaediatricMgPerKgWithTheAdultMaximum) {
  const Protocol protocol = one_step_protocol("{mg_per_kg: 2, max_mg: 100}");
  EXPECT_DOUBLE_EQ(dose_for(protocol, 49.9), 99.8);
  EXPECT_DOUBLE_EQ(dose_for(protocol, 50), 100);
  EXPECT_DOUBLE_EQ(dose_for(protocol, 70), 100);
}

TEST(ProtocolDoses, PerDayAmountsAreSplitOverTheDaysDoses) {
  // 10 mg/kg/day every 6 h: 2.5 mg/kg per dose.
  EXPECT_DOUBLE_EQ(dose_for(one_step_protocol("{mg_per_kg_per_day: 10}"), 20), 50);
  EXPECT_DOUBLE_EQ(dose_for(one_step_protocol("{mg_per_day: 400}"), 20), 100);
}

TEST(ProtocolDoses, RoundedToTheTabletStepNeverAboveTheMaximum) {
  const Protocol protocol = one_step_protocol("{mg_per_kg: 0.2, round_to_mg: 5, max_mg: 10}", "ruxolitinib", 12);
  EXPECT_DOUBLE_EQ(dose_for(protocol, 28), 5);    // 5.6 mg → 5
  EXPECT_DOUBLE_EQ(dose_for(protocol, 40), 10);   // 8 mg → 10
  EXPECT_DOUBLE_EQ(dose_for(protocol, 70), 10);   // 14 → capped at 10
  EXPECT_DOUBLE_EQ(dose_for(protocol, 10), 5);    // 2 mg → at least one tablet
}

TEST(ProtocolDoses, BodySurfaceAreaMostellerByDefault) {
  // 30 kg, 130 cm: Mosteller √(30 × 130 / 3600) = 1.0408 m²; 100 mg/m² → 104.1 mg.
  EXPECT_NEAR(dose_for(one_step_protocol("{mg_per_m2: 100}"), 30), 104.08, 0.01);
}

// ---- renal function and the record as known at a moment ------------------------------------------------

TEST(CreatinineClearance, CockcroftGaultAndSchwartz) {
  Patient adult;
  adult.age_years = 60;
  adult.weight_kg = 72;
  adult.sex = Sex::male;
  EXPECT_DOUBLE_EQ(*creatinine_clearance(adult, 1.0).ml_per_min, 80);  // (140 − 60) × 72 / 72
  adult.sex = Sex::female;
  EXPECT_DOUBLE_EQ(*creatinine_clearance(adult, 1.0).ml_per_min, 68);
  adult.sex = Sex::unknown;
  EXPECT_DOUBLE_EQ(*creatinine_clearance(adult, 1.0).ml_per_min, 68) << "unknown sex: the lower value";
  Patient child;
  child.age_years = 9;
  child.height_cm = 130;
  EXPECT_NEAR(*creatinine_clearance(child, 0.5).ml_per_min, 107.38, 1e-9);
  child.height_cm.reset();
  EXPECT_EQ(creatinine_clearance(child, 0.5).missing, std::vector<std::string>{"height"});
}

TEST(TimelineKnownAt, DosesBeforeTObservationsUpToT) {
  json events = json::array({temperature(1, "08:00", 38.5), dose(1, "08:00", "ruxolitinib", 5, "mg", "po", 12, 10)});
  const Timeline timeline = patient_timeline(events, 9, 28, 130);
  EXPECT_TRUE(timeline.known_at(at(1, 8)).doses().empty()) << "a dose at t is not yet given at t";
  EXPECT_EQ(timeline.known_at(at(1, 8)).values(ObservationCode::body_temperature).size(), 1u);
  EXPECT_EQ(timeline.known_at(at(2, 8)).doses().size(), 2u) << "08:00 and 20:00 on day 1, not 08:00 on day 2";
  EXPECT_EQ(timeline.known_at(at(2, 8, 1)).doses().size(), 3u);
}


// ---- regressions from the review of the engine -----------------------------------------------------

Advice astct_advice(const json& events, std::int64_t t, double age = 50) {
  const Timeline timeline = patient_timeline(events, age, 70, 175);
  return ProtocolEngine(load_protocol("astct-asco-2021"), rules()).advise(timeline, t);
}

TEST(ProtocolReview, AResponseNeedsAnAssessmentAfterTheTherapy) {
  // Grade 2 at 09:00, tocilizumab at 10:00, nothing recorded since: no repeat dose, response unknown.
  const json events = json::array({oxygen(0, "01:00", "none"), temperature(2, "09:00", 39.0), systolic(2, "09:00", 82),
                                   dose(2, "10:00", "tocilizumab", 8, "mg/kg", "iv")});
  const Advice advice = astct_advice(events, at(2, 18));
  EXPECT_EQ(find_step(advice, "crs-tocilizumab"), nullptr);
  ASSERT_TRUE(advice.state.response.has_value());
  EXPECT_TRUE(advice.state.response->possible.empty());
  EXPECT_NE(advice.state.response->statement.find("no CRS reassessment"), std::string::npos);
  // A reading after the dose that is no better makes the response known: a repeat is due.
  json later = events;
  later.push_back(temperature(2, "17:00", 39.2));
  later.push_back(systolic(2, "17:00", 80));
  const Advice reassessed = astct_advice(later, at(2, 18));
  const Recommendation* repeat = find_step(reassessed, "crs-tocilizumab");
  ASSERT_NE(repeat, nullptr);
  EXPECT_TRUE(repeat->repeat_dose);
}

TEST(ProtocolReview, ADoseBeforeTheEpisodeStillCountsForTheInterval) {
  const json events = json::array({oxygen(0, "01:00", "none"), dose(3, "06:00", "tocilizumab", 8, "mg/kg", "iv"),
                                   temperature(3, "07:00", 39.4), systolic(3, "07:00", 82)});
  const Advice advice = astct_advice(events, at(3, 8));
  const Recommendation* tocilizumab = find_step(advice, "crs-tocilizumab");
  ASSERT_NE(tocilizumab, nullptr);
  EXPECT_EQ(tocilizumab->status, RecommendationStatus::blocked);
  EXPECT_TRUE(mentions({find_check(*tocilizumab, "tocilizumab-limits")->statement}, "last dose 2.0 h before"));
}

TEST(ProtocolReview, ARunningScheduleAtTheStepsDoseIsNotAnIncrease) {
  const json events = json::array({oxygen(0, "01:00", "none"), vasopressor(3, "07:00", "norepinephrine", "start"),
                                   temperature(3, "07:00", 39.4), systolic(3, "07:00", 80),
                                   dose(3, "08:00", "dexamethasone", 10, "mg", "iv", 6, 8)});
  EXPECT_EQ(find_step(astct_advice(events, at(3, 9)), "crs-g3-dexamethasone"), nullptr);
  // 10 mg every 12 h is below the grade-3 step's 40 mg a day: increase.
  const json slower = json::array({oxygen(0, "01:00", "none"), vasopressor(3, "07:00", "norepinephrine", "start"),
                                   temperature(3, "07:00", 39.4), systolic(3, "07:00", 80),
                                   dose(3, "08:00", "dexamethasone", 10, "mg", "iv", 12, 4)});
  const Advice advice = astct_advice(slower, at(3, 9));
  const Recommendation* increase = find_step(advice, "crs-g3-dexamethasone");
  ASSERT_NE(increase, nullptr);
  EXPECT_TRUE(mentions(increase->because, "running at 20 mg a day, below this step's 40 mg a day"));
}

TEST(ProtocolReview, ALowerBoundGradeStillGetsACorticosteroid) {
  // Fever and norepinephrine, oxygen never recorded: CRS ≥3.
  const json events = json::array({temperature(3, "07:00", 39.4), systolic(3, "07:00", 80),
                                   vasopressor(3, "07:00", "norepinephrine", "start")});
  const Advice advice = astct_advice(events, at(3, 8));
  EXPECT_EQ(advice.state.crs.grade, 3);
  EXPECT_FALSE(advice.state.crs.complete());
  EXPECT_NE(find_step(advice, "crs-g3-dexamethasone"), nullptr);
}

TEST(ProtocolReview, OneCorticosteroidAtATime) {
  // CRS grade 3 with ICANS grade 4: methylprednisolone for ICANS, not dexamethasone as well.
  const json events = json::array({oxygen(0, "01:00", "none"), vasopressor(3, "07:00", "norepinephrine", "start"),
                                   temperature(3, "07:00", 39.4), systolic(3, "07:00", 80),
                                   {{"kind", "neuro"}, {"time", when(3, "07:30")}, {"consciousness", "unarousable"}}});
  const Advice advice = astct_advice(events, at(3, 8));
  EXPECT_EQ(advice.state.icans.grade, 4);
  EXPECT_NE(find_step(advice, "icans-g4-methylprednisolone"), nullptr);
  EXPECT_EQ(find_step(advice, "crs-g3-dexamethasone"), nullptr);
  EXPECT_EQ(find_step(advice, "icans-dexamethasone"), nullptr);
}

TEST(ProtocolReview, NoAdviceAfterDeath) {
  json document_events = json::array({oxygen(0, "01:00", "none"), temperature(3, "07:00", 39.4), systolic(3, "07:00", 80)});
  json document{{"format", "crsguard.timeline/1"},
                {"patient", {{"id", "d"}, {"sex", "male"}, {"age", {{"value", 50}, {"unit", "a"}}},
                             {"weight", {{"value", 70}, {"unit", "kg"}}}}},
                {"infusion", {{"product", "x"}, {"targets", {"CD19"}}, {"time", {{"day", 0}, {"clock", "00:00"}}}}},
                {"events", document_events},
                {"outcome", {{"last_followup", when(3, "12:00")}, {"vital_status", "dead"},
                             {"death", {{"time", when(3, "12:00")}, {"cause", "CRS"}}}}}};
  const Timeline timeline = std::move(read_timelines_json(document.dump(), "death").front());
  const ProtocolEngine engine(load_protocol("astct-asco-2021"), rules());
  EXPECT_FALSE(engine.advise(timeline, at(3, 11)).recommendations.empty());
  const Advice after = engine.advise(timeline, at(3, 13));
  EXPECT_TRUE(after.recommendations.empty());
  EXPECT_TRUE(mentions(after.notes, "died"));
}

TEST(ProtocolReview, AStoppedCourseIsNotTheHighDoseCourseAndARelapseRestartsIt) {
  // Dexamethasone 10 mg every 6 h on days 2–3, stopped; CRS back to grade 3 on day 6.
  const json events = json::array({oxygen(0, "01:00", "none"), dose(1, "20:00", "tocilizumab", 8, "mg/kg", "iv"),
                                   temperature(1, "19:00", 39.0), systolic(1, "19:00", 80),
                                   vasopressor(2, "07:00", "norepinephrine", "start"), temperature(2, "07:00", 39.4),
                                   systolic(2, "07:00", 78), dose(2, "08:00", "dexamethasone", 10, "mg", "iv", 6, 8),
                                   vasopressor(3, "12:00", "norepinephrine", "stop"), temperature(3, "12:00", 38.2),
                                   systolic(3, "12:00", 100), temperature(5, "08:00", 38.3), systolic(5, "08:00", 85),
                                   vasopressor(6, "07:00", "norepinephrine", "start"), temperature(6, "07:00", 39.6),
                                   systolic(6, "07:00", 78)});
  const Advice advice = astct_advice(events, at(6, 8));
  EXPECT_EQ(advice.state.crs.grade, 3);
  EXPECT_EQ(advice.state.steroid_refractory.verdict, Verdict::no);
  const Recommendation* restart = find_step(advice, "crs-g3-dexamethasone");
  ASSERT_NE(restart, nullptr);
  EXPECT_TRUE(mentions(restart->because, "restart"));
  EXPECT_EQ(find_step(advice, "crs-refractory-anakinra"), nullptr);
}

TEST(ProtocolReview, AHighDoseRoundedToAVialStillCounts) {
  // 23 kg, methylprednisolone 34 mg every 12 h = 2.96 mg/kg/day: the protocol's 3 mg/kg/day, rounded.
  json events = json::array({oxygen(0, "01:00", "none"), vasopressor(3, "07:00", "norepinephrine", "start"),
                             dose(3, "08:00", "methylprednisolone", 34, "mg", "iv", 12, 6)});
  for (const char* clock : {"07:00", "20:00"}) {
    events.push_back(temperature(3, clock, 39.5));
    events.push_back(systolic(3, clock, 80));
  }
  events.push_back(temperature(4, "10:00", 39.5));
  events.push_back(systolic(4, "10:00", 80));
  const Timeline timeline = patient_timeline(events, 7, 23, 120);
  const Advice advice = ProtocolEngine(load_protocol("pan2021-paediatric"), rules()).advise(timeline, at(4, 11));
  EXPECT_EQ(advice.state.steroid_refractory.verdict, Verdict::yes);
}

TEST(ProtocolReview, ReplayShowsADoseGivenDespiteABlock) {
  json events = json::array({oxygen(0, "01:00", "none"), vasopressor(3, "07:00", "norepinephrine", "start"),
                             dose(3, "08:00", "methylprednisolone", 1.5, "mg/kg", "iv", 12, 8)});
  for (int hour = 7; hour <= 7 + 36; hour += 2) {
    const std::string clock = fmt::format("{:02d}:00", hour % 24);
    events.push_back(temperature(3 + hour / 24, clock.c_str(), 39.5));
    events.push_back(systolic(3 + hour / 24, clock.c_str(), 80));
  }
  events.push_back({{"kind", "neuro"}, {"time", when(4, "10:00")}, {"capd", {{"total", 4}}}, {"intracranial_haemorrhage", true}});
  events.push_back(dose(4, "12:00", "ruxolitinib", 5, "mg", "po", 12, 4));
  const Timeline timeline = patient_timeline(events, 10, 30, 138);
  const Replay replay = replay_protocol(timeline, load_protocol("pan2021-paediatric"), rules());
  const auto rux = std::find_if(replay.rows.begin(), replay.rows.end(), [](const ReplayRow& r) { return r.drug == "ruxolitinib"; });
  ASSERT_NE(rux, replay.rows.end());
  EXPECT_EQ(rux->concordance, Concordance::given_despite_block);
}

TEST(SafetyChecks, ABoundProvesTheThresholdOnlyWhenEveryValueItAllowsIsPast) {
  json at_most_fifty = observation(4, "06:00", "platelets", 50, "10*9/L");
  at_most_fifty["comparator"] = "<=";
  EXPECT_EQ(rux_check(refractory_advice_with({at_most_fifty}), "ruxolitinib-platelets"), FindingStatus::unknown);
  json below_fifty = observation(4, "06:00", "platelets", 50, "10*9/L");
  below_fifty["comparator"] = "<";
  EXPECT_EQ(rux_check(refractory_advice_with({below_fifty}), "ruxolitinib-platelets"), FindingStatus::triggered);
  json over_hundred = observation(4, "06:00", "platelets", 100, "10*9/L");
  over_hundred["comparator"] = ">";
  EXPECT_EQ(rux_check(refractory_advice_with({over_hundred}), "ruxolitinib-platelets"), FindingStatus::passed);
}


TEST(ProtocolReview, AnotherCorticosteroidRunningIsEscalatedOnlyToAHigherEquivalentDose) {
  // Dexamethasone 10 mg every 6 h (40 mg a day) running; CRS grade 4: methylprednisolone 500 mg every
  // 12 h (187.5 mg dexamethasone-equivalent a day) is an escalation; dexamethasone for grade 3 is not.
  const json events = json::array({oxygen(0, "01:00", "none"), dose(2, "06:00", "tocilizumab", 8, "mg/kg", "iv"),
                                   vasopressor(2, "07:00", "norepinephrine", "start"), temperature(2, "07:00", 39.4),
                                   systolic(2, "07:00", 80), dose(2, "08:00", "dexamethasone", 10, "mg", "iv", 6, 12),
                                   vasopressor(3, "06:00", "epinephrine", "start"), oxygen(3, "06:00", "cpap"),
                                   temperature(3, "06:00", 39.8), systolic(3, "06:00", 75)});
  const Advice advice = astct_advice(events, at(3, 7));
  EXPECT_EQ(advice.state.crs.grade, 4);
  const Recommendation* mp = find_step(advice, "crs-g4-methylprednisolone");
  ASSERT_NE(mp, nullptr);
  EXPECT_TRUE(mentions(mp->because, "escalate"));
  EXPECT_EQ(find_step(advice, "crs-g3-dexamethasone"), nullptr);
}


TEST(SafetyChecks, TocilizumabForIcansWithoutCrsIsBlocked) {
  // A site protocol that would give tocilizumab for ICANS: the shipped check blocks it without CRS.
  const Protocol protocol = read_protocol_yaml(R"(format: crsguard.protocol/1
name: icans-tocilizumab
title: a protocol that needs its check
sources: [test]
steps:
  - id: tocilizumab-for-icans
    title: tocilizumab at ICANS grade 2
    when: {icans_grade_min: 2}
    action: give
    drug: tocilizumab
    schedule:
      - dose: label
        every_hours: 8
    source: test
checks:
  - id: tocilizumab-isolated-icans
    drug: tocilizumab
    kind: icans_without_crs
    severity: block
    advice: use corticosteroids
    source: ASCO 2021
)", "icans-tocilizumab.yaml");
  const auto advise = [&](const json& events) {
    return ProtocolEngine(protocol, rules()).advise(patient_timeline(events, 50, 70, 175), at(4, 10));
  };
  const json neuro{{"kind", "neuro"}, {"time", when(4, "09:00")}, {"ice", {{"total", 5}}}, {"consciousness", "alert"},
                   {"seizure", {{"type", "none"}}}, {"motor", "none"}};
  const Advice isolated = advise(json::array({oxygen(0, "01:00", "none"), temperature(4, "08:00", 36.8), systolic(4, "08:00", 120), neuro}));
  ASSERT_EQ(isolated.recommendations.size(), 1u);
  EXPECT_EQ(isolated.recommendations[0].status, RecommendationStatus::blocked);
  const Advice with_crs = advise(json::array({oxygen(0, "01:00", "none"), temperature(4, "08:00", 38.9), systolic(4, "08:00", 120), neuro}));
  ASSERT_EQ(with_crs.recommendations.size(), 1u);
  EXPECT_EQ(with_crs.recommendations[0].status, RecommendationStatus::actionable);
}

}  // namespace
}  // namespace crsguard
