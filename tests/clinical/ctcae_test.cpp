// CTCAE v5.0 grading: every table cell and boundary from tests/data/grading/ctcae-v5.json, then
// what a table cannot show — baseline timing, fever duration, febrile neutropenia pairing, the
// rationale each grade carries, and the shipped rules files.
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "../io/test_files.hpp"
#include "clinical/ctcae.hpp"
#include "clinical/hyperinflammation.hpp"
#include "io/rules_json.hpp"
#include "timeline_cases.hpp"

namespace crsguard {
namespace {

constexpr std::int64_t kHour = 3600;
constexpr std::int64_t kDay = 86400;

using testing::rules_with;
using testing::shipped_rules;

Event observation(std::int64_t t, ObservationCode code, std::optional<double> value,
                  std::optional<ReferenceRange> range = std::nullopt, Comparator comparator = Comparator::equal) {
  Observation o;
  o.code = code;
  o.value = value;
  o.comparator = comparator;
  o.reference_range = range;
  return Event{EventTime{t, TimeForm::study_day_clock}, o, ""};
}

Event temperature(std::int64_t t, double celsius, Comparator comparator = Comparator::equal) {
  return observation(t, ObservationCode::body_temperature, celsius, std::nullopt, comparator);
}

Event lymphodepletion(std::int64_t t) {
  Administration a;
  a.drug = "fludarabine";
  a.dose = DrugDose{30, DoseBasis::mg_per_m2};
  a.indication = Indication::lymphodepletion;
  return Event{EventTime{t, TimeForm::study_day_clock}, a, ""};
}

// Infusion at 10:00 on day 0.
Timeline timeline_of(std::vector<Event> events) {
  TimelineRecord record;
  record.patient.id = "ctcae";
  record.infusion.product = "CD19 CAR-T";
  record.infusion.time.given = true;
  record.infusion.time.clock = 10 * 3600;
  record.infusion.time.form = TimeForm::study_day_clock;
  record.events = std::move(events);
  return Timeline(std::move(record));
}

std::vector<CtcaeGrade> of_term(const std::vector<CtcaeGrade>& grades, CtcaeTerm term) {
  std::vector<CtcaeGrade> out;
  std::copy_if(grades.begin(), grades.end(), std::back_inserter(out), [&](const CtcaeGrade& g) { return g.term == term; });
  return out;
}

// ---- the table, case by case -----------------------------------------------------------------

CtcaeTerm term_graded_from(ObservationCode code) {
  for (const auto& entry : names(CtcaeTerm{})) {
    if (ctcae_observation(entry.value) == code) return entry.value;
  }
  throw std::runtime_error("no CTCAE term for this code");
}

Comparator comparator_named(const std::string& text) {
  if (text == "<") return Comparator::less;
  if (text == "<=") return Comparator::less_or_equal;
  if (text == ">") return Comparator::greater;
  if (text == ">=") return Comparator::greater_or_equal;
  if (text.empty()) return Comparator::equal;
  throw std::runtime_error("unknown comparator " + text);
}

std::optional<ReferenceRange> range_of(const nlohmann::json& c, const char* low, const char* high) {
  if (!c.contains(low) && !c.contains(high)) return std::nullopt;
  ReferenceRange range;
  if (c.contains(low)) range.low = c[low].get<double>();
  if (c.contains(high)) range.high = c[high].get<double>();
  return range;
}

CtcaeGrade grade_case(const nlohmann::json& c) {
  const auto code = find_observation_code(c.at("code").get<std::string>());
  if (!code) throw std::runtime_error("unknown code");
  EXPECT_EQ(c.at("unit").get<std::string>(), observation_info(*code).canonical_unit);
  const std::int64_t when = 2 * kDay;
  std::vector<Event> events;
  const auto range = range_of(c, "lln", "uln");
  if (c.contains("baseline")) {
    auto baseline_range = c.contains("baseline_uln") ? range_of(c, "baseline_lln", "baseline_uln") : range;
    events.push_back(observation(-3 * kDay, *code, c["baseline"].get<double>(), baseline_range));
  }
  std::optional<double> value;
  if (!c.at("value").is_null()) value = c["value"].get<double>();
  Event result = observation(when, *code, value, range, comparator_named(c.value("comparator", "")));
  auto& o = std::get<Observation>(result.detail);
  if (c.contains("statistic")) o.statistic = *from_name<Statistic>(c["statistic"].get<std::string>());
  if (c.contains("interpretation")) o.interpretation = *from_name<Interpretation>(c["interpretation"].get<std::string>());
  events.push_back(result);
  const RuleSet rules = c.value("use_defaults", false) ? rules_with("ctcae5.reference_range.use_defaults", 1)
                                                       : shipped_rules();
  const auto grades = ctcae_grades(timeline_of(std::move(events)), rules);
  const CtcaeTerm term = term_graded_from(*code);
  for (const auto& grade : grades) {
    if (grade.term == term && grade.seconds_since_infusion == when) return grade;
  }
  throw std::runtime_error("the result was not graded");
}

TEST(CtcaeTable, EveryCellAndBoundaryOfTheDataFile) {
  const auto text = testing::read_text(testing::source_path("tests/data/grading/ctcae-v5.json"));
  const auto document = nlohmann::json::parse(text);
  ASSERT_EQ(document.at("format"), "crsguard.grading-cases/1");
  const auto& cases = document.at("cases");
  ASSERT_GE(cases.size(), 100u);
  std::set<std::string> codes;
  for (const auto& c : cases) {
    const std::string name = c.at("name").get<std::string>();
    SCOPED_TRACE(name);
    codes.insert(c.at("code").get<std::string>());
    const CtcaeGrade grade = grade_case(c);
    const auto& expected = c.at("expected_grade");
    if (expected.is_null()) {
      EXPECT_FALSE(grade.result.grade.has_value()) << "graded " << grade.result.grade.value_or(-1);
    } else {
      EXPECT_EQ(grade.result.grade, std::optional<int>(expected.get<int>()));
    }
    EXPECT_EQ(to_name(grade.result.assessment), c.at("expected_assessment").get<std::string>());
    if (c.contains("expected_basis")) {
      EXPECT_EQ(grade.basis, c["expected_basis"].get<std::string>());
    }
    auto missing = grade.result.missing;
    std::sort(missing.begin(), missing.end());
    auto expected_missing = c.value("expected_missing", std::vector<std::string>{});
    std::sort(expected_missing.begin(), expected_missing.end());
    EXPECT_EQ(missing, expected_missing);
    ASSERT_FALSE(grade.result.reasons.empty());
    EXPECT_EQ(grade.version, "CTCAE v5.0");
  }
  for (const char* code : {"platelets", "neutrophils", "haemoglobin", "ast", "alt", "bilirubin", "creatinine",
                           "fibrinogen", "aptt", "body_temperature"}) {
    EXPECT_TRUE(codes.count(code)) << "no case for " << code;
  }
}

// ---- rationale -----------------------------------------------------------------------------------

TEST(Ctcae, EveryGradeNamesItsRuleSourceAndResult) {
  const Timeline timeline = timeline_of({observation(kDay, ObservationCode::platelets, 40, ReferenceRange{150, 400})});
  const auto grades = ctcae_grades(timeline, shipped_rules());
  ASSERT_EQ(grades.size(), 1u);
  const auto& reason = grades[0].result.reasons.at(0);
  EXPECT_EQ(reason.rule.id, "ctcae5.platelet_count_decreased.grade3");
  EXPECT_EQ(reason.rule.source, "CTCAE v5.0 (NCI 2017)");
  ASSERT_FALSE(reason.evidence.empty());
  EXPECT_EQ(reason.evidence[0].item, "platelets");
  EXPECT_EQ(reason.evidence[0].value, 40);
  EXPECT_EQ(reason.evidence[0].unit, "10*9/L");
  EXPECT_EQ(reason.evidence[0].event_index, std::optional<std::size_t>(0));
  EXPECT_NE(reason.statement.find("< 50"), std::string::npos) << reason.statement;
  EXPECT_EQ(grades[0].basis, "absolute");
}

TEST(Ctcae, NotGradableCarriesItsOwnRule) {
  const auto grades = ctcae_grades(timeline_of({observation(kDay, ObservationCode::aptt, 60)}), shipped_rules());
  ASSERT_EQ(grades.size(), 1u);
  EXPECT_EQ(grades[0].result.assessment, Assessment::not_assessable);
  EXPECT_EQ(grades[0].result.reasons.at(0).rule.id, "ctcae5.aptt_prolonged.not_gradable");
}

TEST(Ctcae, BaselineRouteCitesTheBaselineResult) {
  const Timeline timeline = timeline_of({observation(-2 * kDay, ObservationCode::creatinine, 0.5, ReferenceRange{0.6, 1.2}),
                                         observation(3 * kDay, ObservationCode::creatinine, 1.0, ReferenceRange{0.6, 1.2})});
  const auto grades = ctcae_grades(timeline, shipped_rules());
  ASSERT_EQ(grades.size(), 2u);
  EXPECT_EQ(grades[1].result.grade, 2);
  EXPECT_EQ(grades[1].basis, "x baseline");
  const auto& evidence = grades[1].result.reasons.at(0).evidence;
  ASSERT_EQ(evidence.size(), 2u);
  EXPECT_EQ(evidence[1].detail, "baseline");
  EXPECT_EQ(evidence[1].value, 0.5);
}

// ---- baseline ------------------------------------------------------------------------------------

TEST(CtcaeBaseline, IsTheLastValueBeforeLymphodepletion) {
  const Timeline timeline = timeline_of({observation(-7 * kDay, ObservationCode::platelets, 210),
                                         lymphodepletion(-5 * kDay),
                                         observation(-3 * kDay, ObservationCode::platelets, 90)});
  const auto before_ld = ctcae_baseline(timeline, ObservationCode::platelets, shipped_rules());
  ASSERT_TRUE(before_ld);
  EXPECT_EQ(before_ld->value, 210);
  const auto before_infusion = ctcae_baseline(
      timeline, ObservationCode::platelets, rules_with("ctcae5.baseline.before_lymphodepletion", 0));
  ASSERT_TRUE(before_infusion);
  EXPECT_EQ(before_infusion->value, 90);
}

TEST(CtcaeBaseline, WithoutLymphodepletionRecordedTheInfusionIsTheReference) {
  const Timeline timeline = timeline_of({observation(-3 * kDay, ObservationCode::ast, 30),
                                         observation(0, ObservationCode::ast, 35),
                                         observation(kHour, ObservationCode::ast, 90)});
  const auto baseline = ctcae_baseline(timeline, ObservationCode::ast, shipped_rules());
  ASSERT_TRUE(baseline);
  EXPECT_EQ(baseline->value, 35);  // drawn at the moment of infusion: before it
}

TEST(CtcaeBaseline, TooOldAValueIsNoBaseline) {
  const Timeline timeline = timeline_of({observation(-40 * kDay, ObservationCode::creatinine, 0.7)});
  EXPECT_FALSE(ctcae_baseline(timeline, ObservationCode::creatinine, shipped_rules()));
  EXPECT_TRUE(ctcae_baseline(timeline, ObservationCode::creatinine, rules_with("ctcae5.baseline.max_days_before", 45)));
}

TEST(CtcaeBaseline, AnAbnormalBaselineBeforeLymphodepletionChangesTheAstColumn) {
  const ReferenceRange range{std::nullopt, 40};
  const Timeline timeline = timeline_of({observation(-8 * kDay, ObservationCode::ast, 100, range),
                                         lymphodepletion(-5 * kDay),
                                         observation(-2 * kDay, ObservationCode::ast, 30, range),
                                         observation(4 * kDay, ObservationCode::ast, 250, range)});
  const auto ast = of_term(ctcae_grades(timeline, shipped_rules()), CtcaeTerm::ast_increased);
  ASSERT_EQ(ast.size(), 3u);
  EXPECT_EQ(ast[2].result.grade, 1);  // 2.5 × baseline 100, not 6.25 × ULN
  EXPECT_EQ(ast[2].basis, "x baseline");
  const auto after_infusion_baseline =
      of_term(ctcae_grades(timeline, rules_with("ctcae5.baseline.before_lymphodepletion", 0)), CtcaeTerm::ast_increased);
  EXPECT_EQ(after_infusion_baseline[2].result.grade, 3);
}

// ---- fever -----------------------------------------------------------------------------------------

TEST(CtcaeFever, AboveFortyForMoreThanADayIsGradeFour) {
  const Timeline timeline = timeline_of({temperature(0, 40.5), temperature(12 * kHour, 40.6),
                                         temperature(25 * kHour, 40.4), temperature(30 * kHour, 38.0)});
  const auto fever = of_term(ctcae_grades(timeline, shipped_rules()), CtcaeTerm::fever);
  ASSERT_EQ(fever.size(), 4u);
  EXPECT_EQ(fever[0].result.grade, 3);
  EXPECT_EQ(fever[0].result.assessment, Assessment::complete);
  EXPECT_EQ(fever[1].result.grade, 3);
  EXPECT_EQ(fever[2].result.grade, 4);
  EXPECT_EQ(fever[2].basis, "temperature and duration");
  EXPECT_EQ(fever[2].result.reasons.at(0).rule.id, "ctcae5.fever.grade4");
  EXPECT_EQ(fever[3].result.grade, 1);
}

TEST(CtcaeFever, AboveFortyThatSettlesWithinADayIsGradeThree) {
  const Timeline timeline = timeline_of({temperature(0, 40.5), temperature(6 * kHour, 37.2)});
  const auto fever = of_term(ctcae_grades(timeline, shipped_rules()), CtcaeTerm::fever);
  ASSERT_EQ(fever.size(), 2u);
  EXPECT_EQ(fever[0].result.grade, 3);
  EXPECT_EQ(fever[0].result.assessment, Assessment::complete);
  EXPECT_TRUE(fever[0].result.missing.empty());
  EXPECT_EQ(fever[1].result.grade, 0);
}

TEST(CtcaeFever, UnknownDurationIsGradeThreeAtLeast) {
  const Timeline timeline = timeline_of({temperature(0, 37.0), temperature(2 * kHour, 40.2)});
  const auto fever = of_term(ctcae_grades(timeline, shipped_rules()), CtcaeTerm::fever);
  ASSERT_EQ(fever.size(), 2u);
  EXPECT_EQ(fever[1].result.grade, 3);
  EXPECT_EQ(fever[1].result.assessment, Assessment::incomplete);
  EXPECT_EQ(fever[1].result.missing, std::vector<std::string>{"duration"});
}

TEST(CtcaeFever, ABoundDecidesOnlyWhenItSaysEnough) {
  const Timeline timeline = timeline_of({temperature(0, 39.0, Comparator::greater), temperature(kHour, 38.0, Comparator::less)});
  const auto fever = of_term(ctcae_grades(timeline, shipped_rules()), CtcaeTerm::fever);
  ASSERT_EQ(fever.size(), 2u);
  EXPECT_EQ(fever[0].result.grade, 2);  // "> 39" is grade 2 at least
  EXPECT_EQ(fever[0].result.assessment, Assessment::incomplete);
  EXPECT_EQ(fever[1].result.grade, 0);
  EXPECT_EQ(fever[1].result.assessment, Assessment::complete);
}

// ---- febrile neutropenia -----------------------------------------------------------------------------

std::optional<CtcaeGrade> febrile_neutropenia(std::vector<Event> events, const RuleSet& rules = shipped_rules()) {
  const auto grades = of_term(ctcae_grades(timeline_of(std::move(events)), rules), CtcaeTerm::febrile_neutropenia);
  if (grades.empty()) return std::nullopt;
  return grades.front();
}

TEST(CtcaeFebrileNeutropenia, AncBelowOneWithASingleTemperatureAbove38_3) {
  const auto fn = febrile_neutropenia({observation(0, ObservationCode::neutrophils, 0.5), temperature(2 * kHour, 38.4)});
  ASSERT_TRUE(fn);
  EXPECT_EQ(fn->result.grade, 3);
  EXPECT_EQ(fn->result.reasons.at(0).rule.id, "ctcae5.febrile_neutropenia.grade3");
  EXPECT_EQ(fn->result.reasons.at(0).evidence.size(), 2u);  // the ANC and the temperature
}

TEST(CtcaeFebrileNeutropenia, Exactly38_3IsNotASingleQualifyingTemperature) {
  const auto fn = febrile_neutropenia({observation(0, ObservationCode::neutrophils, 0.5), temperature(2 * kHour, 38.3)});
  ASSERT_TRUE(fn);
  EXPECT_EQ(fn->result.grade, 0);
}

TEST(CtcaeFebrileNeutropenia, AtLeast38SustainedForMoreThanAnHour) {
  const auto sustained = febrile_neutropenia({observation(0, ObservationCode::neutrophils, 0.8), temperature(kHour, 38.1),
                                              temperature(2 * kHour + 60, 38.0)});
  EXPECT_EQ(sustained->result.grade, 3);
  const auto brief = febrile_neutropenia({observation(0, ObservationCode::neutrophils, 0.8), temperature(kHour, 38.1),
                                          temperature(2 * kHour, 38.2)});
  EXPECT_EQ(brief->result.grade, 0);  // exactly one hour is not more than one hour
  const auto interrupted = febrile_neutropenia({observation(0, ObservationCode::neutrophils, 0.8), temperature(kHour, 38.1),
                                                temperature(90 * 60, 37.5), temperature(3 * kHour, 38.2)});
  EXPECT_EQ(interrupted->result.grade, 0);
}

TEST(CtcaeFebrileNeutropenia, AncOfOneOrMoreIsNoFebrileNeutropenia) {
  const auto fn = febrile_neutropenia({observation(0, ObservationCode::neutrophils, 1.0), temperature(kHour, 39.5)});
  EXPECT_EQ(fn->result.grade, 0);
  EXPECT_EQ(fn->result.assessment, Assessment::complete);
}

TEST(CtcaeFebrileNeutropenia, WithoutATemperatureNearbyItCannotBeAssessed) {
  const auto none = febrile_neutropenia({observation(0, ObservationCode::neutrophils, 0.2)});
  EXPECT_EQ(none->result.assessment, Assessment::not_assessable);
  EXPECT_EQ(none->result.missing, std::vector<std::string>{"body_temperature"});
  const auto far = febrile_neutropenia({observation(0, ObservationCode::neutrophils, 0.2), temperature(30 * kHour, 39.0)});
  EXPECT_EQ(far->result.assessment, Assessment::not_assessable);
  const auto wider = febrile_neutropenia({observation(0, ObservationCode::neutrophils, 0.2), temperature(30 * kHour, 39.0)},
                                         rules_with("ctcae5.febrile_neutropenia.pairing_window_hours", 36));
  EXPECT_EQ(wider->result.grade, 3);
}

TEST(CtcaeFebrileNeutropenia, AnAncBoundThatMayBeAboveOneIsALowerBound) {
  const auto fn = febrile_neutropenia(
      {observation(0, ObservationCode::neutrophils, 0.5, std::nullopt, Comparator::greater), temperature(kHour, 39.0)});
  EXPECT_EQ(fn->result.grade, 0);
  EXPECT_EQ(fn->result.assessment, Assessment::incomplete);
}

// ---- worst grade in a window -------------------------------------------------------------------------

TEST(CtcaeWorst, PicksTheHighestGradeInTheWindow) {
  const ReferenceRange range{150, 400};
  const Timeline timeline = timeline_of({observation(kDay, ObservationCode::platelets, 120, range),
                                         observation(2 * kDay, ObservationCode::platelets, 30, range),
                                         observation(3 * kDay, ObservationCode::platelets, 30, range),
                                         observation(9 * kDay, ObservationCode::platelets, 10, range)});
  const auto grades = ctcae_grades(timeline, shipped_rules());
  const auto worst = ctcae_worst(grades, CtcaeTerm::platelet_count_decreased, TimeWindow{0, 5 * kDay});
  ASSERT_TRUE(worst);
  EXPECT_EQ(worst->result.grade, 3);
  EXPECT_EQ(worst->seconds_since_infusion, 2 * kDay);  // the earliest of equal grades
  EXPECT_FALSE(ctcae_worst(grades, CtcaeTerm::anemia, TimeWindow{0, 5 * kDay}));
  EXPECT_FALSE(ctcae_worst(grades, CtcaeTerm::platelet_count_decreased, TimeWindow{4 * kDay, 5 * kDay}));
}

TEST(CtcaeWorst, AnUngradableResultDoesNotHideAGradedOne) {
  const Timeline timeline = timeline_of({observation(kDay, ObservationCode::aptt, 60),
                                         observation(2 * kDay, ObservationCode::aptt, 40, ReferenceRange{25, 35}),
                                         observation(3 * kDay, ObservationCode::aptt, 200)});
  const auto grades = ctcae_grades(timeline, shipped_rules());
  const auto worst = ctcae_worst(grades, CtcaeTerm::aptt_prolonged, TimeWindow{0, 5 * kDay});
  ASSERT_TRUE(worst);
  EXPECT_EQ(worst->result.grade, 1);
  const auto only_ungradable = ctcae_worst(grades, CtcaeTerm::aptt_prolonged, TimeWindow{0, 2 * kDay});
  ASSERT_TRUE(only_ungradable);
  EXPECT_FALSE(only_ungradable->result.grade);
}

TEST(Ctcae, GradesComeInTimeOrderWithFebrileNeutropeniaAfterItsAnc) {
  const Timeline timeline = timeline_of({temperature(5 * kHour, 38.6), observation(4 * kHour, ObservationCode::neutrophils, 0.4),
                                         observation(kHour, ObservationCode::haemoglobin, 7.5)});
  const auto grades = ctcae_grades(timeline, shipped_rules());
  ASSERT_EQ(grades.size(), 4u);
  EXPECT_EQ(grades[0].term, CtcaeTerm::anemia);
  EXPECT_EQ(grades[1].term, CtcaeTerm::neutrophil_count_decreased);
  EXPECT_EQ(grades[2].term, CtcaeTerm::febrile_neutropenia);
  EXPECT_EQ(grades[3].term, CtcaeTerm::fever);
  EXPECT_TRUE(std::is_sorted(grades.begin(), grades.end(), [](const CtcaeGrade& a, const CtcaeGrade& b) {
    return a.seconds_since_infusion < b.seconds_since_infusion;
  }));
  EXPECT_EQ(to_name(CtcaeTerm::febrile_neutropenia), "febrile_neutropenia");
  EXPECT_EQ(from_name<CtcaeTerm>("blood_bilirubin_increased"), CtcaeTerm::blood_bilirubin_increased);
}

// ---- shipped rules ---------------------------------------------------------------------------------------

// A timeline holding every input the engines read, so that every rule key is asked for.
Timeline everything_timeline() {
  const ReferenceRange liver{std::nullopt, 40};
  return timeline_of({
      observation(-6 * kDay, ObservationCode::platelets, 180, ReferenceRange{150, 400}),
      lymphodepletion(-5 * kDay),
      observation(kDay, ObservationCode::platelets, 20, ReferenceRange{150, 400}),
      observation(kDay, ObservationCode::neutrophils, 0.3, ReferenceRange{1.8, 7.5}),
      observation(kDay, ObservationCode::haemoglobin, 7.0, ReferenceRange{12, 16}),
      observation(kDay, ObservationCode::ast, 300, liver),
      observation(kDay, ObservationCode::alt, 250, liver),
      observation(kDay, ObservationCode::bilirubin, 4.0, ReferenceRange{std::nullopt, 1.2}),
      observation(kDay, ObservationCode::creatinine, 4.0, ReferenceRange{0.6, 1.2}),
      observation(kDay, ObservationCode::fibrinogen, 90, ReferenceRange{200, 400}),
      observation(kDay, ObservationCode::aptt, 70, ReferenceRange{25, 35}),
      observation(kDay, ObservationCode::ferritin, 12000, ReferenceRange{20, 300}),
      observation(kDay, ObservationCode::ldh, 900, ReferenceRange{120, 250}),
      observation(kDay, ObservationCode::triglycerides, 300),
      temperature(kDay, 40.3),
      temperature(kDay + 2 * kHour, 39.0),
  });
}

TEST(CtcaeRules, ShippedRulesFilesLoadAndValidate) {
  for (const char* file : {"rules/ctcae-v5.json", "rules/hyperinflammation.json"}) {
    SCOPED_TRACE(file);
    RuleSet alone;
    EXPECT_NO_THROW(read_rules_json(testing::read_text(testing::source_path(file)), file, alone));
    EXPECT_FALSE(alone.empty());
  }
  EXPECT_NO_THROW(load_rules());
  ASSERT_NE(shipped_rules().find("ctcae5.platelet_count_decreased.grade4_below"), nullptr);
  EXPECT_EQ(shipped_rules().get("ctcae5.platelet_count_decreased.grade4_below").status, SourceStatus::confirmed);
  EXPECT_EQ(shipped_rules().get("ctcae5.ast_increased.grade3_above_x_uln").status, SourceStatus::unconfirmed);
}

TEST(CtcaeRules, EnginesRunOverTheShippedRules) {
  const Timeline timeline = everything_timeline();
  EXPECT_NO_THROW(ctcae_grades(timeline, shipped_rules()));
  EXPECT_NO_THROW(hyperinflammation_flags(timeline, shipped_rules()));
  EXPECT_NO_THROW(ctcae_grades(timeline_of({}), shipped_rules()));
  EXPECT_NO_THROW(hyperinflammation_flags(timeline_of({}), shipped_rules()));
}

// Every parameter of the two rules files is read: without any one of them the engine fails.
TEST(CtcaeRules, EveryParameterOfTheRulesFilesIsRead) {
  const Timeline timeline = everything_timeline();
  for (const char* file : {"rules/ctcae-v5.json", "rules/hyperinflammation.json"}) {
    RuleSet own;
    read_rules_json(testing::read_text(testing::source_path(file)), file, own);
    for (const auto& dropped : own.parameters()) {
      SCOPED_TRACE(dropped.key);
      RuleSet without;
      for (const auto& parameter : shipped_rules().parameters()) {
        if (parameter.key != dropped.key) without.add(parameter);
      }
      EXPECT_THROW(
          {
            ctcae_grades(timeline, without);
            hyperinflammation_flags(timeline, without);
          },
          MissingRuleError);
    }
  }
}

}  // namespace
}  // namespace crsguard
