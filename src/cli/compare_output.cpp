#include "cli/compare_output.hpp"

#include <fmt/format.h>

#include <cmath>

#include "cli/text_table.hpp"

namespace crsguard {

using nlohmann::json;

namespace {

// Numbers as R prints them: 7 significant digits, Inf for an infinite odds ratio.
std::string r_number(double value) {
  if (std::isinf(value)) return value > 0 ? "Inf" : "-Inf";
  return fmt::format("{:.7g}", value);
}

std::string optional_text(const std::optional<double>& value) { return value ? r_number(*value) : "NA"; }

// JSON has no infinity: an infinite bound is written as the string "Inf" (R's spelling).
json number_json(const std::optional<double>& value) {
  if (!value) return nullptr;
  if (std::isinf(*value)) return *value > 0 ? "Inf" : "-Inf";
  return *value;
}

}  // namespace

std::string comparison_heading(const CohortComparison& comparison) {
  const auto& request = comparison.request;
  if (request.test == ComparisonTest::paired) {
    return fmt::format("{} versus {} in the same patients", request.values[0].title, request.values[1].title);
  }
  return fmt::format("{} by {}", request.values[0].title, request.by->title);
}

std::vector<std::vector<std::string>> contingency_rows(const CohortComparison& comparison) {
  std::vector<std::vector<std::string>> rows;
  for (std::size_t i = 0; i < comparison.groups.size(); ++i) {
    std::vector<std::string> row{comparison.groups[i]};
    for (int count : comparison.table[i]) row.push_back(fmt::format("{}", count));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string test_result_line(const TestResult& result, double conf_level) {
  std::string out = result.method + ":";
  if (result.statistic) out += fmt::format(" {} = {}", result.statistic_name, r_number(*result.statistic));
  if (result.degrees_of_freedom) out += fmt::format(", df = {}", r_number(*result.degrees_of_freedom));
  out += fmt::format("{} p = {}", result.statistic ? "," : "", fmt::format("{:.4g}", result.p_value));
  if (result.estimate) {
    out += fmt::format("; {} {}", result.estimate_name, r_number(*result.estimate));
    if (result.lower || result.upper) {
      out += fmt::format(" ({:g} % CI {} to {})", conf_level * 100, optional_text(result.lower), optional_text(result.upper));
    }
  }
  return out;
}

std::string comparison_text(const CohortComparison& comparison) {
  const auto& request = comparison.request;
  std::string out = comparison_heading(comparison) + fmt::format(": {} patients", comparison.included.size());
  if (!comparison.excluded.empty()) out += fmt::format(", {} excluded", comparison.excluded.size());
  out += "\n\n";
  if (compares_categories(request.test)) {
    std::vector<std::string> headers{request.by->name};
    for (const auto& level : comparison.value_levels) headers.push_back(request.values[0].name + " = " + level);
    out += format_text_table(headers, contingency_rows(comparison), 0);
  } else {
    std::vector<std::vector<std::string>> rows;
    for (const auto& group : comparison.numbers) {
      rows.push_back({group.group, fmt::format("{}", group.values.size()), r_number(group.mean), r_number(group.median),
                      fmt::format("{}–{}", r_number(group.minimum), r_number(group.maximum))});
    }
    const std::string unit = request.values[0].unit.empty() ? "" : " (" + request.values[0].unit + ")";
    out += format_text_table({request.test == ComparisonTest::paired ? "field" : request.by->name, "n", "mean" + unit,
                              "median", "range"},
                             rows, 0);
  }
  out += "\n" + test_result_line(comparison.result, request.conf_level) + "\n";
  for (const auto& note : comparison.result.notes) out += "Note: " + note + "\n";
  if (!comparison.excluded.empty()) {
    out += "\nExcluded:\n";
    for (const auto& patient : comparison.excluded) out += fmt::format("  {}: {}\n", patient.patient_id, patient.reason);
  }
  return out;
}

json comparison_json(const CohortComparison& comparison) {
  const auto& request = comparison.request;
  json values = json::array();
  for (const auto& field : request.values) values.push_back(field.name);
  json patients = json::array();
  for (const auto& patient : comparison.included) {
    json row = {{"patient", patient.patient_id}};
    if (request.by) row["group"] = patient.group;
    if (compares_categories(request.test)) row["value"] = patient.category;
    else row["values"] = patient.numbers;
    patients.push_back(std::move(row));
  }
  json excluded = json::array();
  for (const auto& patient : comparison.excluded) excluded.push_back({{"patient", patient.patient_id}, {"reason", patient.reason}});
  const auto& result = comparison.result;
  json out = {{"test", to_name(request.test)},
              {"by", request.by ? json(request.by->name) : json(nullptr)},
              {"values", std::move(values)},
              {"conf_level", request.conf_level},
              {"patients", std::move(patients)},
              {"excluded", std::move(excluded)},
              {"result",
               {{"method", result.method},
                {"statistic_name", result.statistic_name},
                {"statistic", number_json(result.statistic)},
                {"degrees_of_freedom", number_json(result.degrees_of_freedom)},
                {"p_value", result.p_value},
                {"estimate_name", result.estimate_name},
                {"estimate", number_json(result.estimate)},
                {"lower", number_json(result.lower)},
                {"upper", number_json(result.upper)},
                {"notes", result.notes}}}};
  if (compares_categories(request.test)) {
    out["table"] = {{"rows", comparison.groups}, {"columns", comparison.value_levels}, {"counts", comparison.table}};
  } else {
    json groups = json::array();
    for (const auto& group : comparison.numbers) {
      groups.push_back({{"group", group.group}, {"n", group.values.size()}, {"mean", group.mean}, {"median", group.median},
                        {"minimum", group.minimum}, {"maximum", group.maximum}});
    }
    out["groups"] = std::move(groups);
  }
  return out;
}

}  // namespace crsguard
