// Risk scores (src/clinical/risk_scores.cpp): table-driven cases from
// tests/data/grading/risk-scores.json, and checks that every boundary, cut-off and window is
// data in rules/risk-scores.json.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "../io/test_files.hpp"
#include "clinical/risk_scores.hpp"
#include "io/rules_json.hpp"
#include "io/timeline_json.hpp"
#include "timeline_cases.hpp"

namespace crsguard {
namespace {

using nlohmann::json;

constexpr std::string_view kRulesFile = "rules/risk-scores.json";
constexpr std::string_view kCasesFile = "tests/data/grading/risk-scores.json";

using testing::shipped_rules;

RuleSet own_rules() {
  RuleSet rules;
  read_rules_json(testing::read_text(testing::source_path(std::string(kRulesFile))), std::string(kRulesFile), rules);
  return rules;
}

// Every case's events go into the same frame: one patient, infusion at 10:00 on day 0.
Timeline timeline_of(const json& events) {
  const json document = {
      {"format", "crsguard.timeline/1"},
      {"patient", {{"id", "case"}, {"sex", "unknown"}}},
      {"infusion", {{"product", "CD19 CAR-T"}, {"targets", json::array({"CD19"})},
                    {"time", {{"day", 0}, {"clock", "10:00"}}}}},
      {"events", events},
  };
  auto timelines = read_timelines_json(document.dump(), "case.json");
  return std::move(timelines.at(0));
}

json lab(std::string_view code, double value, std::string_view unit, int day, std::string_view clock) {
  return {{"kind", "observation"}, {"code", code}, {"value", value}, {"unit", unit},
          {"time", {{"day", day}, {"clock", clock}}}};
}

json lymphodepletion_on_day_minus5() {
  return {{"kind", "administration"}, {"drug", "fludarabine"}, {"dose", {{"value", 30}, {"unit", "mg/m2"}}},
          {"indication", "lymphodepletion"}, {"time", {{"day", -5}, {"clock", "12:00"}}}};
}

// A course that reaches every score: labs before lymphodepletion, labs on each early day,
// a fever and an MCP-1 in the first 36 hours.
json full_course_events() {
  json events = json::array({lymphodepletion_on_day_minus5()});
  for (const auto& [code, value, unit] : std::vector<std::tuple<std::string, double, std::string>>{
           {"platelets", 100, "10*9/L"}, {"neutrophils", 1.0, "10*9/L"}, {"haemoglobin", 10, "g/dL"},
           {"crp", 20, "mg/L"}, {"ferritin", 900, "ng/mL"}, {"ldh", 300, "U/L"}, {"creatinine", 0.9, "mg/dL"}}) {
    events.push_back(lab(code, value, unit, -6, "08:00"));
    for (int day = -1; day <= 3; ++day) events.push_back(lab(code, value, unit, day, "06:00"));
  }
  events.push_back(lab("body_temperature", 39.2, "Cel", 0, "22:00"));
  events.push_back(lab("mcp1", 1500, "pg/mL", 1, "06:00"));
  return events;
}

const RiskScore* find_score(const std::vector<RiskScore>& scores, RiskScoreKind kind, ScoreTimePoint time_point,
                            std::optional<int> day = std::nullopt) {
  const auto found = std::find_if(scores.begin(), scores.end(), [&](const RiskScore& score) {
    return score.kind == kind && score.time_point == time_point && score.day == day;
  });
  return found == scores.end() ? nullptr : &*found;
}

// Everything a result says, in one string, to compare runs.
std::string describe(const RiskScore& score) {
  std::ostringstream out;
  out.precision(17);
  out << to_name(score.kind) << '|' << score.rule.id << '|' << to_name(score.status) << '|'
      << to_name(score.time_point) << '|' << score.day.value_or(-999) << '|' << score.at.value_or(-1) << '|'
      << score.value.value_or(-1) << '|' << score.log2_value.value_or(-1) << '|' << score.points.value_or(-1) << '|'
      << score.category;
  for (const Evidence& input : score.inputs) {
    out << "|in:" << input.item << '@' << input.seconds_since_infusion << '=' << input.value.value_or(-1)
        << input.unit << ' ' << input.detail;
  }
  for (const std::string& missing : score.missing) out << "|missing:" << missing;
  for (const std::string& note : score.notes) out << "|note:" << note;
  return out.str();
}

// ---- the case file --------------------------------------------------------------------

const json& case_file() {
  static const json kFile = [] {
    try {
      return json::parse(testing::read_text(testing::source_path(std::string(kCasesFile))));
    } catch (const std::exception& error) {
      return json{{"error", error.what()}};
    }
  }();
  return kFile;
}

std::vector<std::string> case_ids() {
  std::vector<std::string> ids;
  if (!case_file().contains("cases")) return {"case_file_unreadable"};
  for (const json& entry : case_file().at("cases")) ids.push_back(entry.value("id", "case_without_id"));
  return ids;
}

const json* case_named(const std::string& id) {
  if (!case_file().contains("cases")) return nullptr;
  for (const json& entry : case_file().at("cases")) {
    if (entry.value("id", "") == id) return &entry;
  }
  return nullptr;
}

json events_of(const json& entry) {
  json events = json::array();
  for (const json& name : entry.value("use", json::array())) {
    for (const json& event : case_file().at("event_sets").at(name.get<std::string>())) events.push_back(event);
  }
  for (const json& event : entry.at("events")) events.push_back(event);
  return events;
}

RuleSet rules_of(const json& entry) {
  RuleSet rules = shipped_rules();
  const json settings = entry.value("rules", json::object());
  for (const auto& [key, value] : settings.items()) {
    EXPECT_TRUE(rules.set_value(key, value.get<double>(), "test case " + entry.at("id").get<std::string>(),
                                std::string(kCasesFile)))
        << "unknown rule parameter " << key;
  }
  return rules;
}

void expect_number(const json& expected, std::optional<double> actual, std::string_view field) {
  if (expected.is_null()) {
    EXPECT_FALSE(actual.has_value()) << field << " should be empty, is " << actual.value_or(0);
    return;
  }
  ASSERT_TRUE(actual.has_value()) << field << " should be " << expected;
  const double want = expected.get<double>();
  EXPECT_NEAR(*actual, want, 1e-9 * std::max(1.0, std::fabs(want))) << field;
}

std::vector<std::string> input_items(const RiskScore& score) {
  std::vector<std::string> items;
  for (const Evidence& input : score.inputs) items.push_back(input.item);
  return items;
}

void check_expectation(const json& expected, const std::vector<RiskScore>& scores) {
  static const std::set<std::string> kKnownFields{"kind",     "time_point", "day",         "absent",
                                                  "value",    "log2_value", "points",      "category",
                                                  "missing",  "status",     "input_items", "at_hours",
                                                  "notes_contain"};
  for (const auto& [field, value] : expected.items()) {
    EXPECT_TRUE(kKnownFields.contains(field)) << "unknown expectation field " << field;
  }
  const auto kind = from_name<RiskScoreKind>(expected.at("kind").get<std::string>());
  const auto time_point = from_name<ScoreTimePoint>(expected.at("time_point").get<std::string>());
  ASSERT_TRUE(kind && time_point) << expected;
  std::optional<int> day;
  if (expected.contains("day")) day = expected.at("day").get<int>();
  SCOPED_TRACE(expected.dump());
  const RiskScore* score = find_score(scores, *kind, *time_point, day);
  if (expected.value("absent", false)) {
    EXPECT_EQ(score, nullptr) << "unexpected result: " << (score ? describe(*score) : "");
    return;
  }
  ASSERT_NE(score, nullptr) << "no such result";
  SCOPED_TRACE(describe(*score));
  if (expected.contains("value")) expect_number(expected.at("value"), score->value, "value");
  if (expected.contains("log2_value")) expect_number(expected.at("log2_value"), score->log2_value, "log2_value");
  if (expected.contains("points")) {
    const json& points = expected.at("points");
    if (points.is_null()) {
      EXPECT_FALSE(score->points.has_value());
    } else {
      EXPECT_EQ(score->points, std::optional<int>(points.get<int>()));
    }
  }
  if (expected.contains("category")) {
    EXPECT_EQ(score->category, expected.at("category").get<std::string>());
  }
  if (expected.contains("missing")) {
    EXPECT_EQ(score->missing, expected.at("missing").get<std::vector<std::string>>());
  }
  if (expected.contains("status")) {
    EXPECT_EQ(to_name(score->status), expected.at("status").get<std::string>());
  }
  if (expected.contains("input_items")) {
    EXPECT_EQ(input_items(*score), expected.at("input_items").get<std::vector<std::string>>());
  }
  if (expected.contains("at_hours")) {
    const auto seconds = std::llround(expected.at("at_hours").get<double>() * 3600.0);
    EXPECT_EQ(score->at, std::optional<std::int64_t>(seconds));
  }
  for (const json& fragment : expected.value("notes_contain", json::array())) {
    const std::string text = fragment.get<std::string>();
    EXPECT_TRUE(std::any_of(score->notes.begin(), score->notes.end(),
                            [&](const std::string& note) { return note.find(text) != std::string::npos; }))
        << "no note contains \"" << text << "\"";
  }
}

class RiskScoreCase : public ::testing::TestWithParam<std::string> {};

TEST_P(RiskScoreCase, MatchesTheWorkedExpectation) {
  const json* entry = case_named(GetParam());
  ASSERT_NE(entry, nullptr) << kCasesFile << ": " << case_file().dump();
  SCOPED_TRACE(entry->value("description", ""));
  const RuleSet rules = rules_of(*entry);
  const Timeline timeline = timeline_of(events_of(*entry));
  const auto scores = risk_scores(timeline, rules);
  ASSERT_FALSE(entry->at("expect").empty());
  for (const json& expected : entry->at("expect")) check_expectation(expected, scores);
}

INSTANTIATE_TEST_SUITE_P(Cases, RiskScoreCase, ::testing::ValuesIn(case_ids()),
                         [](const ::testing::TestParamInfo<std::string>& param_info) { return param_info.param; });

TEST(RiskScoreCaseFile, IdsAreUniqueAndEveryCaseExpectsSomething) {
  const auto ids = case_ids();
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
  EXPECT_GE(ids.size(), 40u);
}

// ---- the rules file -------------------------------------------------------------------

TEST(RiskScoreRules, TheRulesFileReadsAloneAndWithTheOtherShippedFiles) {
  EXPECT_NO_THROW(own_rules());
  EXPECT_NO_THROW(load_rules());
  const RuleSet own = own_rules();
  for (const RuleParameter& parameter : own.parameters()) {
    SCOPED_TRACE(parameter.key);
    const RuleParameter* shipped = shipped_rules().find(parameter.key);
    ASSERT_NE(shipped, nullptr) << "not among the shipped (compiled-in) rules";
    EXPECT_EQ(shipped->file, kRulesFile);
    EXPECT_FALSE(parameter.unit.empty());
    EXPECT_FALSE(parameter.source.empty());
    const bool known_prefix = parameter.key.starts_with("hematotox.") || parameter.key.starts_with("easix.") ||
                              parameter.key.starts_with("m_easix.") ||
                              parameter.key.starts_with("simplified_easix.") || parameter.key.starts_with("hay2017.");
    EXPECT_TRUE(known_prefix);
  }
}

// clinical.md §13 item 7: CAR-HEMATOTOX boundaries, any m-EASIX cut-off and every Hay 2017
// number are unconfirmed; the high-risk threshold of >= 2 points is confirmed (§8.1).
TEST(RiskScoreRules, StatusesMirrorTheSpecificationTags) {
  const RuleSet own = own_rules();
  for (const RuleParameter& parameter : own.parameters()) {
    SCOPED_TRACE(parameter.key);
    const bool boundary = parameter.key.starts_with("hematotox.") && parameter.key != "hematotox.high_risk_min_points";
    const bool cutoff = parameter.key.ends_with(".high_risk_min");
    if (boundary || cutoff || parameter.key.starts_with("hay2017.")) {
      EXPECT_EQ(parameter.status, SourceStatus::unconfirmed);
    }
  }
  EXPECT_EQ(own.get("hematotox.high_risk_min_points").status, SourceStatus::confirmed);
  EXPECT_EQ(own.number("hematotox.high_risk_min_points"), 2);
  EXPECT_EQ(own.number("hay2017.fever_min_celsius"), 38.9);
  EXPECT_EQ(own.number("hay2017.mcp1_min_pg_per_ml"), 1343.5);
  EXPECT_FALSE(own.enabled("m_easix.cutoff_enabled")) << "no universal m-EASIX cut-off exists (clinical.md §8.2)";
}

RuleSet with_every_switch_on(RuleSet rules) {
  for (const char* prefix : {"easix", "m_easix", "simplified_easix"}) {
    rules.set_value(std::string(prefix) + ".cutoff_enabled", 1, "test", "test");
    rules.set_value(std::string(prefix) + ".high_risk_min", 5, "test", "test");
  }
  rules.set_value("hay2017.enabled", 1, "test", "test");
  return rules;
}

TEST(RiskScoreRules, EveryParameterReadIsShipped) {
  const Timeline timeline = timeline_of(full_course_events());
  EXPECT_NO_THROW(risk_scores(timeline, shipped_rules()));
  EXPECT_NO_THROW(risk_scores(timeline, with_every_switch_on(shipped_rules())));
  EXPECT_NO_THROW(risk_scores(timeline, with_every_switch_on(own_rules())))
      << "the scores need only rules/risk-scores.json";
}

TEST(RiskScoreRules, EveryShippedParameterIsRead) {
  const Timeline timeline = timeline_of(full_course_events());
  const RuleSet own = own_rules();
  for (const RuleParameter& removed : own.parameters()) {
    RuleSet without;
    for (const RuleParameter& parameter : own.parameters()) {
      if (parameter.key != removed.key) without.add(parameter);
    }
    EXPECT_THROW(risk_scores(timeline, with_every_switch_on(without)), MissingRuleError)
        << removed.key << " is never read";
  }
}

// ---- behaviour beyond single cases ----------------------------------------------------

TEST(RiskScores, CrpInMilligramsPerLitreGivesTheSameModifiedEasix) {
  auto events_with_crp = [](double value, std::string_view unit) {
    json events = json::array({lymphodepletion_on_day_minus5()});
    for (const int day : {-6, 1}) {
      events.push_back(lab("ldh", 250, "U/L", day, "08:00"));
      events.push_back(lab("platelets", 100, "10*9/L", day, "08:00"));
      events.push_back(lab("crp", value, unit, day, "08:00"));
    }
    return events;
  };
  const auto per_litre = risk_scores(timeline_of(events_with_crp(50, "mg/L")), shipped_rules());
  const auto per_decilitre = risk_scores(timeline_of(events_with_crp(5, "mg/dL")), shipped_rules());
  for (const auto& [time_point, day] : {std::pair{ScoreTimePoint::before_lymphodepletion, std::optional<int>{}},
                                        std::pair{ScoreTimePoint::study_day, std::optional<int>{1}}}) {
    const RiskScore* a = find_score(per_litre, RiskScoreKind::m_easix, time_point, day);
    const RiskScore* b = find_score(per_decilitre, RiskScoreKind::m_easix, time_point, day);
    ASSERT_TRUE(a && b);
    ASSERT_TRUE(a->value && b->value);
    EXPECT_DOUBLE_EQ(*a->value, *b->value);
    EXPECT_NEAR(*a->value, 250.0 * 5.0 / 100.0, 1e-9);
    ASSERT_EQ(a->inputs.size(), 3u);
    EXPECT_EQ(a->inputs[1].unit, "mg/dL");
    EXPECT_NEAR(*a->inputs[1].value, 5.0, 1e-12);
  }
}

TEST(RiskScores, ChangingACutoffChangesTheCategory) {
  json events = json::array({lymphodepletion_on_day_minus5()});
  for (const auto& event : {lab("platelets", 100, "10*9/L", -6, "08:00"), lab("neutrophils", 2, "10*9/L", -6, "08:00"),
                            lab("haemoglobin", 12, "g/dL", -6, "08:00"), lab("crp", 1, "mg/dL", -6, "08:00"),
                            lab("ferritin", 1000, "ng/mL", -6, "08:00"), lab("ldh", 250, "U/L", -6, "08:00")}) {
    events.push_back(event);
  }
  const Timeline timeline = timeline_of(events);
  auto category = [&](const RuleSet& rules, RiskScoreKind kind) {
    const auto scores = risk_scores(timeline, rules);
    const RiskScore* score = find_score(scores, kind, ScoreTimePoint::before_lymphodepletion);
    return score ? score->category : std::string("no result");
  };
  RuleSet rules = shipped_rules();
  EXPECT_EQ(category(rules, RiskScoreKind::car_hematotox), "high");  // 1 + 1 points
  ASSERT_TRUE(rules.set_value("hematotox.high_risk_min_points", 3, "test", "test"));
  EXPECT_EQ(category(rules, RiskScoreKind::car_hematotox), "low");

  // m-EASIX = 250 x 1 / 100 = 2.5: no category until a site configures a cut-off.
  EXPECT_EQ(category(rules, RiskScoreKind::m_easix), "");
  ASSERT_TRUE(rules.set_value("m_easix.cutoff_enabled", 1, "test", "test"));
  ASSERT_TRUE(rules.set_value("m_easix.high_risk_min", 2.4, "test", "test"));
  EXPECT_EQ(category(rules, RiskScoreKind::m_easix), "high");
  ASSERT_TRUE(rules.set_value("m_easix.high_risk_min", 2.6, "test", "test"));
  EXPECT_EQ(category(rules, RiskScoreKind::m_easix), "low");
}

TEST(RiskScores, InputsFromDifferentDaysKeepTheirOwnTimes) {
  json events = json::array({lymphodepletion_on_day_minus5(), lab("platelets", 100, "10*9/L", -8, "08:00"),
                             lab("neutrophils", 2, "10*9/L", -7, "09:00"), lab("haemoglobin", 12, "g/dL", -6, "10:00"),
                             lab("crp", 1, "mg/dL", -5, "07:00"), lab("ferritin", 100, "ng/mL", -5, "11:00")});
  const auto scores = risk_scores(timeline_of(events), shipped_rules());
  const RiskScore* score = find_score(scores, RiskScoreKind::car_hematotox, ScoreTimePoint::before_lymphodepletion);
  ASSERT_NE(score, nullptr);
  ASSERT_EQ(score->inputs.size(), 5u);
  const Timeline timeline = timeline_of(events);
  EXPECT_EQ(score->inputs[0].seconds_since_infusion, timeline.day_start(-8) + 8 * 3600);
  EXPECT_EQ(score->inputs[4].seconds_since_infusion, timeline.day_start(-5) + 11 * 3600);
  EXPECT_EQ(score->at, score->inputs[4].seconds_since_infusion);
  EXPECT_EQ(score->inputs[0].unit, "10*9/L");
  EXPECT_EQ(score->inputs[0].detail, "1 point");
  EXPECT_EQ(score->points, 1);
}

TEST(RiskScores, OrderIsFixedAndRunsAreIdentical) {
  const Timeline timeline = timeline_of(full_course_events());
  const auto first = risk_scores(timeline, shipped_rules());
  const auto second = risk_scores(timeline, shipped_rules());
  ASSERT_EQ(first.size(), second.size());
  for (std::size_t i = 0; i < first.size(); ++i) EXPECT_EQ(describe(first[i]), describe(second[i]));
  ASSERT_FALSE(first.empty());
  EXPECT_EQ(first.front().kind, RiskScoreKind::car_hematotox);
  EXPECT_EQ(first.back().kind, RiskScoreKind::hay2017_severe_crs);
  // 1 CAR-HEMATOTOX, 3 x (before lymphodepletion + days -1..+3), 1 Hay.
  EXPECT_EQ(first.size(), 1u + 3u * 6u + 1u);
  for (const RiskScore& score : first) {
    SCOPED_TRACE(describe(score));
    EXPECT_TRUE(score.assessable());
    EXPECT_TRUE(score.missing.empty());
    EXPECT_FALSE(score.rule.id.empty());
    EXPECT_FALSE(score.rule.source.empty());
  }
}

TEST(RiskScores, AnEmptyCourseGivesNoValueAndNamesWhatIsMissing) {
  const auto scores = risk_scores(timeline_of(json::array()), shipped_rules());
  ASSERT_EQ(scores.size(), 5u);  // nothing per study day
  for (const RiskScore& score : scores) {
    SCOPED_TRACE(describe(score));
    EXPECT_FALSE(score.assessable());
    EXPECT_FALSE(score.value.has_value());
    EXPECT_FALSE(score.missing.empty());
    EXPECT_TRUE(score.inputs.empty());
  }
}

TEST(RiskScores, NamesReadBack) {
  for (const auto& entry : names(RiskScoreKind{})) EXPECT_EQ(from_name<RiskScoreKind>(entry.name), entry.value);
  for (const auto& entry : names(ScoreTimePoint{})) EXPECT_EQ(from_name<ScoreTimePoint>(entry.name), entry.value);
  EXPECT_EQ(to_name(RiskScoreKind::m_easix), "m_easix");
  EXPECT_EQ(to_name(ScoreTimePoint::before_lymphodepletion), "before_lymphodepletion");
}

}  // namespace
}  // namespace crsguard
