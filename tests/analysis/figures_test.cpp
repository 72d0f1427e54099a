// The figure specifications (analysis/figures.hpp) built from the example cohort (Pan 2021), the adult
// case (Zi 2021) and made-up kinetics: each is a Vega-Lite v6 spec whose inline data rows are exactly
// what the timelines and the grading engine say, and the same input gives the same bytes.
#include "analysis/figures.hpp"

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>

#include "report_page/figure_inputs.hpp"

namespace crsguard {
namespace {

using nlohmann::json;
using testing::figure_inputs;

std::vector<json> rows_of(const json& spec, const std::string& layer) {
  std::vector<json> out;
  for (const json& row : spec.at("data").at("values")) {
    if (row.value("layer", "") == layer) out.push_back(row);
  }
  return out;
}

void expect_frame(const json& spec) {
  EXPECT_EQ(spec.at("$schema"), "https://vega.github.io/schema/vega-lite/v6.json");
  ASSERT_TRUE(spec.contains("title"));
  ASSERT_TRUE(spec.at("description").is_string());
  EXPECT_FALSE(spec.at("description").get<std::string>().empty());
  ASSERT_TRUE(spec.at("data").at("values").is_array());
}

// Every mark type used anywhere in the spec (layers, concatenations, facets).
void collect_marks(const json& node, std::set<std::string>& marks) {
  if (node.is_object()) {
    if (node.contains("mark")) {
      const json& mark = node.at("mark");
      marks.insert(mark.is_string() ? mark.get<std::string>() : mark.at("type").get<std::string>());
    }
    for (const char* key : {"layer", "vconcat", "hconcat"}) {
      if (node.contains(key)) {
        for (const json& child : node.at(key)) collect_marks(child, marks);
      }
    }
    if (node.contains("spec")) collect_marks(node.at("spec"), marks);
  }
}

std::set<std::string> marks_of(const json& spec) {
  std::set<std::string> marks;
  collect_marks(spec, marks);
  return marks;
}

std::string expected_label(const CrsDayGrade& day) {
  if (day.worst.grade < 0) return "not assessable";
  return (day.missing != 0 ? "≥" : "") + std::to_string(day.worst.grade);
}

TEST(Figures, SwimmerHasOneLanePerPatientAndTheGradedDays) {
  const auto& inputs = figure_inputs();
  const json spec = swimmer_plot(inputs.paediatric_patients);
  expect_frame(spec);
  EXPECT_EQ(marks_of(spec), (std::set<std::string>{"rule", "rect", "point"}));

  const auto lanes = rows_of(spec, "lane");
  ASSERT_EQ(lanes.size(), 14u);
  std::set<std::string> ids;
  for (const json& lane : lanes) ids.insert(lane.at("patient").get<std::string>());
  EXPECT_EQ(ids.size(), 14u);

  // The grade runs, expanded back to days, are exactly the engine's daily maxima.
  std::map<std::string, std::map<int, std::string>> drawn;
  for (const json& run : rows_of(spec, "grade")) {
    const int from = run.at("from");
    const int to = run.at("to");
    EXPECT_EQ(run.at("days").get<int>(), to - from);
    for (int day = from; day < to; ++day) {
      EXPECT_TRUE(drawn[run.at("patient")].emplace(day, run.at("grade_label").get<std::string>()).second);
    }
  }
  for (const CohortPatient& patient : inputs.paediatric_patients) {
    const auto& days_drawn = drawn[patient.timeline->patient().id];
    ASSERT_EQ(days_drawn.size(), patient.grades.crs.days.size()) << patient.timeline->patient().id;
    for (const CrsDayGrade& day : patient.grades.crs.days) {
      EXPECT_EQ(days_drawn.at(day.day), expected_label(day)) << patient.timeline->patient().id << " day " << day.day;
    }
  }

  // Lane ends at the end of the record; deaths recorded in the outcome have a marker.
  int deaths = 0;
  for (const Timeline& timeline : inputs.paediatric) {
    if (timeline.outcome() && timeline.outcome()->vital_status == VitalStatus::dead) ++deaths;
  }
  int death_markers = 0;
  for (const json& row : rows_of(spec, "outcome")) death_markers += row.at("outcome") == "death" ? 1 : 0;
  EXPECT_EQ(death_markers, deaths);
}

TEST(Figures, SwimmerMarksTheAdultCasesAntiCytokineDays) {
  const auto& inputs = figure_inputs();
  const json spec = swimmer_plot(inputs.adult_patients);
  expect_frame(spec);
  ASSERT_EQ(rows_of(spec, "lane").size(), 1u);
  // Independently: study days with tocilizumab, a corticosteroid or ruxolitinib among the doses.
  std::set<std::pair<int, std::string>> expected;
  const Timeline& timeline = inputs.adult.front();
  for (const DoseGiven& dose : timeline.doses()) {
    const std::string& drug = dose.administration->drug;
    const DrugInfo* info = find_drug(drug);
    std::string group;
    if (drug == "tocilizumab" || drug == "ruxolitinib") group = drug;
    else if (info && info->drug_class == DrugClass::corticosteroid) group = "corticosteroid";
    else continue;
    expected.insert({timeline.study_day(dose.seconds_since_infusion), group});
  }
  std::set<std::pair<int, std::string>> drawn;
  for (const json& row : rows_of(spec, "drug")) drawn.insert({row.at("day").get<int>(), row.at("drug_group").get<std::string>()});
  EXPECT_EQ(drawn, expected);
  EXPECT_FALSE(drawn.empty());  // the case had tocilizumab and methylprednisolone
}

TEST(Figures, VitalsPanelHasTheDaySummaries) {
  const Timeline& timeline = figure_inputs().adult.front();
  const json spec = vitals_panel(timeline);
  expect_frame(spec);
  ASSERT_EQ(spec.at("vconcat").size(), 4u);
  std::map<std::string, int> counts;
  for (const json& row : spec.at("data").at("values")) ++counts[row.at("measure").get<std::string>()];
  int t = 0, hr = 0, sbp = 0, drugs = 0;
  for (const DaySummary& day : timeline.day_summaries()) {
    t += day.max_temperature ? 1 : 0;
    hr += day.max_heart_rate ? 1 : 0;
    sbp += day.min_systolic_bp ? 1 : 0;
    drugs += static_cast<int>(day.drugs.size());
  }
  EXPECT_EQ(counts["Tmax"], t);
  EXPECT_EQ(counts["HRmax"], hr);
  EXPECT_EQ(counts["SBPmin"], sbp);
  EXPECT_EQ(counts["drug"], drugs);
  EXPECT_GT(t, 0);
  EXPECT_EQ(spec.at("resolve").at("scale").at("x"), "shared");
}

TEST(Figures, CytokineKineticsDropsNonPositiveValuesAndSaysSo) {
  const auto& inputs = figure_inputs();
  const json spec = cytokine_kinetics(inputs.kinetics_patients);
  expect_frame(spec);
  EXPECT_EQ(spec.at("spec").at("layer").at(0).at("encoding").at("y").at("scale").at("type"), "log");
  // 10 IL-6 + 10 ferritin per patient; the zero IL-6 of made-up-k1 dropped.
  EXPECT_EQ(spec.at("data").at("values").size(), 40u);
  for (const json& row : spec.at("data").at("values")) EXPECT_GT(row.at("value").get<double>(), 0);
  EXPECT_NE(spec.at("description").get<std::string>().find("1 value(s) ≤ 0 not shown"), std::string::npos);
  // Only codes with data become facet rows, in the requested order.
  EXPECT_EQ(spec.at("facet").at("row").at("sort"), json::array({"interleukin-6 (pg/mL)", "ferritin (ng/mL)"}));

  // The example cohort records no cytokine: an empty but valid figure that says so.
  const json empty = cytokine_kinetics(inputs.paediatric_patients);
  EXPECT_TRUE(empty.at("data").at("values").empty());
  EXPECT_NE(empty.at("description").get<std::string>().find("No value recorded"), std::string::npos);
  EXPECT_THROW(cytokine_kinetics(inputs.kinetics_patients, {}), std::invalid_argument);
}

TEST(Figures, CarTExpansionOnALogAxis) {
  const json spec = car_t_expansion(figure_inputs().kinetics_patients);
  expect_frame(spec);
  EXPECT_EQ(spec.at("data").at("values").size(), 20u);
  for (const json& row : spec.at("data").at("values")) EXPECT_EQ(row.at("code"), "car_t_copies");
  EXPECT_EQ(spec.at("spec").at("layer").at(1).at("encoding").at("y").at("scale").at("type"), "log");
}

TEST(Figures, KaplanMeierStepsCensorMarksAndNumberAtRisk) {
  const CohortSurvival survival = testing::paediatric_overall_survival();
  const json spec = kaplan_meier_plot(survival);
  expect_frame(spec);
  EXPECT_EQ(spec.at("title").at("subtitle").get<std::string>().rfind(
                survival_method_text(survival.request.conf_type, survival.request.conf_level), 0),
            0u);
  const json& plot = spec.at("vconcat").at(0);
  EXPECT_EQ(plot.at("layer").at(0).at("mark").at("interpolate"), "step-after");
  EXPECT_EQ(plot.at("layer").at(1).at("mark").at("interpolate"), "step-after");
  EXPECT_EQ(plot.at("layer").at(1).at("encoding").at("y").at("scale").at("domain"), json::array({0, 1}));
  EXPECT_EQ(marks_of(spec), (std::set<std::string>{"area", "line", "point", "text"}));

  std::size_t steps = 0;
  int censored = 0;
  for (const SurvivalGroup& group : survival.groups) {
    steps += group.curve.steps.size() + 1;  // + the start at S = 1
    for (const KaplanMeierStep& step : group.curve.steps) censored += step.n_censor > 0 ? 1 : 0;
  }
  EXPECT_EQ(rows_of(spec, "curve").size(), steps);
  EXPECT_EQ(static_cast<int>(rows_of(spec, "censor").size()), censored);

  // Number at risk: the definition of analysis/survival.hpp, counted here from the subjects.
  for (const json& row : rows_of(spec, "at_risk")) {
    const auto group = std::find_if(survival.groups.begin(), survival.groups.end(),
                                    [&](const SurvivalGroup& g) { return g.name == row.at("group"); });
    ASSERT_NE(group, survival.groups.end());
    const double days = row.at("time").get<double>() * kDaysPerMonth;
    int n = 0;
    for (const PatientEndpoint& p : group->patients) n += p.subject && p.subject->time >= days ? 1 : 0;
    EXPECT_EQ(row.at("n_risk").get<int>(), n);
  }
  const auto first = rows_of(spec, "at_risk").front();
  EXPECT_EQ(first.at("time").get<double>(), 0.0);

  KaplanMeierPlotOptions bad;
  bad.at_risk_every = 0;
  EXPECT_THROW(kaplan_meier_plot(survival, bad), std::invalid_argument);
}

TEST(Figures, GroupDotPlotHasAMedianPerGroup) {
  const auto values = testing::example_group_values();
  ASSERT_EQ(values.size(), 14u);
  const json spec = group_dot_plot("age", "years", values);
  expect_frame(spec);
  EXPECT_EQ(rows_of(spec, "value").size(), 14u);
  std::map<std::string, std::vector<double>> by_group;
  for (const GroupValue& v : values) by_group[v.group].push_back(v.value);
  const auto medians = rows_of(spec, "median");
  ASSERT_EQ(medians.size(), by_group.size());
  for (const json& row : medians) {
    EXPECT_DOUBLE_EQ(row.at("value").get<double>(), median_of(by_group.at(row.at("group"))));
  }
  EXPECT_EQ(marks_of(spec), (std::set<std::string>{"point", "tick"}));
  const GroupValue bad[] = {{"", "p", 1}};
  EXPECT_THROW(group_dot_plot("x", "", bad), std::invalid_argument);
}

TEST(Figures, PlateletBeforeAfter) {
  const auto points = testing::example_platelet_points();
  const json spec = platelet_before_after(points);
  expect_frame(spec);
  EXPECT_EQ(spec.at("data").at("values").size(), 7u);  // 4 CCI + 3 PPR
  const PlateletIncrementPoint bad[] = {{"p", "during", 1.0, 1.0, true}};
  EXPECT_THROW(platelet_before_after(bad), std::invalid_argument);
}

TEST(Figures, SameInputSameBytes) {
  const auto& inputs = figure_inputs();
  EXPECT_EQ(swimmer_plot(inputs.paediatric_patients).dump(), swimmer_plot(inputs.paediatric_patients).dump());
  EXPECT_EQ(vitals_panel(inputs.adult.front()).dump(), vitals_panel(inputs.adult.front()).dump());
  EXPECT_EQ(cytokine_kinetics(inputs.kinetics_patients).dump(), cytokine_kinetics(inputs.kinetics_patients).dump());
  const CohortSurvival survival = testing::paediatric_overall_survival();
  EXPECT_EQ(kaplan_meier_plot(survival).dump(), kaplan_meier_plot(testing::paediatric_overall_survival()).dump());
}

// Every "datum.FIELD === 'VALUE'" of every filter in the spec, with where it is.
void collect_equality_filters(const json& node, const std::string& where, std::vector<std::pair<std::string, std::pair<std::string, std::string>>>& out) {
  static const std::regex kEquality(R"(datum\.(\w+) === '([^']*)')");
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == "filter" && value.is_string()) {
        const std::string text = value.get<std::string>();
        for (std::sregex_iterator it(text.begin(), text.end(), kEquality), end; it != end; ++it) {
          out.push_back({where, {(*it)[1].str(), (*it)[2].str()}});
        }
      } else if (key != "values") {
        collect_equality_filters(value, where + "/" + key, out);
      }
    }
  } else if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i) collect_equality_filters(node[i], where + "/" + std::to_string(i), out);
  }
}

// A filter that no data row passes draws an empty chart: the field or the value is misspelt.
void expect_every_filter_selects_rows(const json& spec, const std::string& figure) {
  std::vector<std::pair<std::string, std::pair<std::string, std::string>>> filters;
  collect_equality_filters(spec, "", filters);
  for (const auto& [where, filter] : filters) {
    const auto& [field, value] = filter;
    bool any = false;
    for (const json& row : spec.at("data").at("values")) any = any || (row.contains(field) && row.at(field) == value);
    EXPECT_TRUE(any) << figure << " at " << where << ": no row has " << field << " == '" << value << "'";
  }
}

TEST(Figures, EveryFilterSelectsRowsOfTheData) {
  const auto& inputs = figure_inputs();
  expect_every_filter_selects_rows(swimmer_plot(inputs.paediatric_patients), "swimmer_plot");
  expect_every_filter_selects_rows(vitals_panel(inputs.adult.front()), "vitals_panel");
  expect_every_filter_selects_rows(cytokine_kinetics(inputs.kinetics_patients), "cytokine_kinetics");
  expect_every_filter_selects_rows(kaplan_meier_plot(testing::paediatric_overall_survival()), "kaplan_meier_plot");
}

}  // namespace
}  // namespace crsguard
