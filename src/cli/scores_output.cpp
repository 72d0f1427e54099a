#include "cli/scores_output.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

#include "cli/day_summary_output.hpp"
#include "cli/grading_output.hpp"
#include "cli/text_table.hpp"
#include "clinical/ctcae.hpp"
#include "clinical/hyperinflammation.hpp"
#include "clinical/risk_scores.hpp"
#include "io/timeline_json.hpp"

namespace crsguard {

using nlohmann::json;

namespace {

std::string readable_term(std::string_view name) {
  std::string text(name);
  std::replace(text.begin(), text.end(), '_', ' ');
  return text;
}

std::string score_name(RiskScoreKind kind) {
  switch (kind) {
    case RiskScoreKind::easix: return "EASIX";
    case RiskScoreKind::m_easix: return "m-EASIX";
    case RiskScoreKind::simplified_easix: return "simplified EASIX";
    case RiskScoreKind::car_hematotox: return "CAR-HEMATOTOX";
    case RiskScoreKind::hay2017_severe_crs: return "Hay 2017 severe-CRS rule";
  }
  return "";
}

std::string time_point_text(const RiskScore& score) {
  switch (score.time_point) {
    case ScoreTimePoint::before_lymphodepletion: return "before lymphodepletion";
    case ScoreTimePoint::study_day: return fmt::format("day {}", score.day.value_or(0));
    case ScoreTimePoint::after_infusion: return "after infusion";
  }
  return "";
}

std::string value_text(const RiskScore& score) {
  if (score.points) return fmt::format("{} points", *score.points);
  if (!score.value) return score.assessable() ? "" : "n/a";
  std::string text = fmt::format("{:.3g}", *score.value);
  if (score.log2_value) text += fmt::format(" (log2 {:.2f})", *score.log2_value);
  return text;
}

std::string inputs_text(const Timeline& timeline, const RiskScore& score) {
  std::string text;
  for (const Evidence& input : score.inputs) {
    if (!text.empty()) text += ", ";
    text += input.item;
    if (input.value) text += fmt::format(" {}{:g} {}", comparator_symbol(input.comparator), *input.value, input.unit);
    text += " (" + describe_time(timeline, input.seconds_since_infusion, input.form) + ")";
  }
  if (!score.missing.empty()) {
    if (!text.empty()) text += "; ";
    text += "not recorded: ";
    for (std::size_t i = 0; i < score.missing.size(); ++i) text += (i == 0 ? "" : ", ") + score.missing[i];
  }
  return text;
}

std::string criterion_name(HyperinflammationCriterion criterion) {
  switch (criterion) {
    case HyperinflammationCriterion::iec_hs_2023: return "IEC-HS screen (ASTCT 2023)";
    case HyperinflammationCriterion::cartox_hlh_mas_2018: return "CARTOX HLH/MAS (2018)";
    case HyperinflammationCriterion::pan2021_severe_crs_marker: return "Pan 2021 severe CRS (ferritin + cytopenia)";
  }
  return "";
}

std::string reasons_text(const Timeline& timeline, const std::vector<Reason>& reasons) {
  std::string text;
  for (const Reason& reason : reasons) {
    if (!text.empty()) text += "; ";
    text += reason.statement;
    if (!reason.evidence.empty()) {
      const Evidence& first = reason.evidence.front();
      text += " (" + describe_time(timeline, first.seconds_since_infusion, first.form) + ")";
    }
  }
  return text;
}

std::string hyperinflammation_text(const Timeline& timeline, const std::vector<HyperinflammationFlag>& flags) {
  std::vector<std::vector<std::string>> rows;
  for (const HyperinflammationFlag& flag : flags) {
    const std::string state = !flag.met ? "not assessable" : *flag.met ? "MET" : "not met";
    std::string why = reasons_text(timeline, flag.reasons);
    if (!flag.missing.empty()) {
      why += std::string(why.empty() ? "" : "; ") + "not recorded: ";
      for (std::size_t i = 0; i < flag.missing.size(); ++i) why += (i == 0 ? "" : ", ") + flag.missing[i];
    }
    rows.push_back({criterion_name(flag.criterion), state,
                    flag.first_met_at ? describe_time(timeline, *flag.first_met_at, TimeForm::study_day_clock) : "",
                    why});
  }
  return format_text_table({"criterion", "result", "first met", "why"}, rows, 0);
}

// The worst CTCAE grade of each term over the course, with the result that set it, and how many
// results of the term could not be graded (a high AST without its ULN must not read as "worst 0").
std::string ctcae_text(const Timeline& timeline, const std::vector<CtcaeGrade>& grades) {
  std::vector<std::vector<std::string>> rows;
  const TimeWindow course{INT64_MIN, INT64_MAX};
  for (const auto& term_name : names(CtcaeTerm{})) {
    const auto worst = ctcae_worst(grades, term_name.value, course);
    if (!worst) continue;
    int not_gradable = 0;
    std::vector<std::string> missing;
    for (const CtcaeGrade& grade : grades) {
      if (grade.term != term_name.value || grade.result.grade) continue;
      ++not_gradable;
      for (const auto& item : grade.result.missing) {
        if (std::find(missing.begin(), missing.end(), item) == missing.end()) missing.push_back(item);
      }
    }
    const GradeResult& result = worst->result;
    const TimeForm form = result.reasons.empty() || result.reasons.front().evidence.empty()
                              ? TimeForm::study_day_clock
                              : result.reasons.front().evidence.front().form;
    std::string ungraded;
    if (not_gradable > 0) {
      ungraded = fmt::format("{} result{} not gradable", not_gradable, not_gradable == 1 ? "" : "s");
      if (!missing.empty()) {
        ungraded += " (no ";
        for (std::size_t i = 0; i < missing.size(); ++i) ungraded += (i == 0 ? "" : ", ") + missing[i];
        ungraded += ")";
      }
    }
    rows.push_back({readable_term(term_name.name), grade_cell(result),
                    describe_time(timeline, worst->seconds_since_infusion, form), worst->basis,
                    reasons_text(timeline, result.reasons), ungraded});
  }
  if (rows.empty()) return "  no lab result that CTCAE grades was recorded\n";
  return format_text_table({"term", "worst", "when", "basis", "result", "not gradable"}, rows, 0);
}

}  // namespace

std::string scores_text(const Timeline& timeline, const RuleSet& rules) {
  const std::vector<RiskScore> scores = risk_scores(timeline, rules);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> notes;
  std::vector<RuleRef> cited;
  for (const RiskScore& score : scores) {
    rows.push_back({score_name(score.kind), time_point_text(score), value_text(score), score.category,
                    std::string(to_name(score.status)), inputs_text(timeline, score)});
    for (const auto& note : score.notes) {
      const std::string line = score_name(score.kind) + ": " + note;
      if (std::find(notes.begin(), notes.end(), line) == notes.end()) notes.push_back(line);
    }
    if (std::find(cited.begin(), cited.end(), score.rule) == cited.end()) cited.push_back(score.rule);
  }
  std::string out = timeline_headline(timeline) + "\n";
  out += "Risk scores. status: the weakest source status of the rule parameters used (unconfirmed values must be "
         "verified before clinical use).\n\n";
  out += format_text_table({"score", "time point", "value", "category", "status", "inputs"}, rows, 0);
  if (!notes.empty()) {
    out += "\nNotes:\n";
    for (const auto& note : notes) out += "  " + note + "\n";
  }
  out += "\nSources:\n";
  for (const RuleRef& rule : cited) out += fmt::format("  {}: {}\n", rule.id, rule.source);
  const std::vector<CtcaeGrade> lab_grades = ctcae_grades(timeline, rules);
  out += "\nHyperinflammation criteria (each named; thresholds in rules/hyperinflammation.json):\n\n";
  out += hyperinflammation_text(timeline, hyperinflammation_flags(timeline, rules, lab_grades));
  out += fmt::format("\n{} lab grades, worst of the course per term (≥N: lower bound; n/a: not gradable):\n\n",
                     kCtcaeVersion);
  out += ctcae_text(timeline, lab_grades);
  return out;
}

json scores_json(const Timeline& timeline, const RuleSet& rules) {
  json list = json::array();
  for (const RiskScore& score : risk_scores(timeline, rules)) {
    json inputs = json::array();
    for (const Evidence& input : score.inputs) {
      json item{{"item", input.item}, {"time", time_json(timeline, input.seconds_since_infusion)}};
      if (input.value) item["value"] = canonical_number(*input.value);
      if (input.comparator != Comparator::equal) item["comparator"] = to_name(input.comparator);
      if (!input.unit.empty()) item["unit"] = input.unit;
      if (!input.detail.empty()) item["detail"] = input.detail;
      inputs.push_back(std::move(item));
    }
    list.push_back({{"score", to_name(score.kind)},
                    {"rule", score.rule.id},
                    {"source", score.rule.source},
                    {"status", to_name(score.status)},
                    {"time_point", to_name(score.time_point)},
                    {"day", score.day ? json(*score.day) : json(nullptr)},
                    {"at", score.at ? time_json(timeline, *score.at) : json(nullptr)},
                    {"value", score.value ? canonical_number(*score.value) : json(nullptr)},
                    {"log2_value", score.log2_value ? canonical_number(*score.log2_value) : json(nullptr)},
                    {"points", score.points ? json(*score.points) : json(nullptr)},
                    {"category", score.category},
                    {"inputs", std::move(inputs)},
                    {"missing", score.missing},
                    {"notes", score.notes}});
  }
  const std::vector<CtcaeGrade> lab_grades = ctcae_grades(timeline, rules);
  json flags = json::array();
  for (const HyperinflammationFlag& flag : hyperinflammation_flags(timeline, rules, lab_grades)) {
    GradeResult as_result;
    as_result.reasons = flag.reasons;
    json reasons = grade_result_json(timeline, as_result)["reasons"];
    flags.push_back({{"criterion", to_name(flag.criterion)},
                     {"rule", flag.rule.id},
                     {"source", flag.rule.source},
                     {"met", flag.met ? json(*flag.met) : json(nullptr)},
                     {"first_met_at", flag.first_met_at ? time_json(timeline, *flag.first_met_at) : json(nullptr)},
                     {"reasons", std::move(reasons)},
                     {"missing", flag.missing}});
  }
  json labs = json::array();
  for (const CtcaeGrade& grade : lab_grades) {
    json row = grade_result_json(timeline, grade.result);
    row["term"] = to_name(grade.term);
    row["version"] = grade.version;
    row["time"] = time_json(timeline, grade.seconds_since_infusion);
    row["basis"] = grade.basis;
    labs.push_back(std::move(row));
  }
  return json{{"patient", timeline.patient().id},
              {"risk_scores", std::move(list)},
              {"hyperinflammation", std::move(flags)},
              {"ctcae", std::move(labs)}};
}

}  // namespace crsguard
