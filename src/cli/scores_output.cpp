#include "cli/scores_output.hpp"

#include <fmt/format.h>

#include "cli/day_summary_output.hpp"
#include "cli/grading_output.hpp"
#include "cli/text_table.hpp"
#include "clinical/risk_scores.hpp"
#include "io/timeline_json.hpp"

namespace crsguard {

using nlohmann::json;

namespace {

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
  return json{{"patient", timeline.patient().id}, {"risk_scores", std::move(list)}};
}

}  // namespace crsguard
