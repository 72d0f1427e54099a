#include "cli/cohort_output.hpp"

#include <fmt/format.h>

#include "cli/text_table.hpp"

namespace crsguard {

using nlohmann::json;

std::vector<std::vector<std::string>> baseline_rows(const CohortSummary& summary) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& row : summary.baseline) {
    rows.push_back({row.label, row.value, row.missing > 0 ? fmt::format("{}", row.missing) : ""});
  }
  return rows;
}

std::vector<std::vector<std::string>> grade_distribution_rows(const GradeDistribution& distribution) {
  std::vector<std::vector<std::string>> rows;
  for (std::size_t grade = 0; grade < distribution.exact.size(); ++grade) {
    if (distribution.exact[grade] > 0) rows.push_back({fmt::format("{}", grade), fmt::format("{}", distribution.exact[grade])});
  }
  for (std::size_t grade = 0; grade < distribution.at_least.size(); ++grade) {
    if (distribution.at_least[grade] > 0) {
      rows.push_back({fmt::format("≥{} (lower bound)", grade), fmt::format("{}", distribution.at_least[grade])});
    }
  }
  if (distribution.not_assessable > 0) rows.push_back({"not assessable", fmt::format("{}", distribution.not_assessable)});
  return rows;
}

std::string response_rate_text(const ResponseRate& rate, double conf_level) {
  if (rate.assessed == 0) return fmt::format("{}: no patient assessed", rate.title);
  std::string out = fmt::format("{}: {}/{} = {:.1f} % ({:g} % CI {:.1f}–{:.1f} %, exact Clopper–Pearson)", rate.title,
                                rate.responders, rate.assessed, 100 * rate.rate, 100 * conf_level, 100 * rate.lower,
                                100 * rate.upper);
  if (rate.not_assessed > 0) out += fmt::format("; {} not assessed", rate.not_assessed);
  return out;
}

namespace {

std::string distribution_text(const GradeDistribution& distribution) {
  std::string out = fmt::format("Maximum {} grade:\n", distribution.what);
  out += format_text_table({"grade", "patients"}, grade_distribution_rows(distribution), 0);
  if (distribution.from_reported > 0) {
    out += fmt::format("({} of the exact grades are the source's reported grades: the timeline's observations do not "
                       "grade every day)\n",
                       distribution.from_reported);
  }
  return out;
}

json distribution_json(const GradeDistribution& distribution) {
  return {{"what", distribution.what},
          {"exact", distribution.exact},
          {"at_least", distribution.at_least},
          {"not_assessable", distribution.not_assessable},
          {"from_reported", distribution.from_reported}};
}

json optional_json(const std::optional<double>& value) { return value ? json(*value) : json(nullptr); }

}  // namespace

std::string cohort_summary_text(const CohortSummary& summary) {
  std::string out = fmt::format("Cohort of {} patients.\n\nBaseline characteristics: median (range) or n (%):\n",
                                summary.patients);
  out += format_text_table({"characteristic", "value", "missing"}, baseline_rows(summary), 0);
  out += "\nResponse:\n";
  for (const auto& rate : summary.responses) out += "  " + response_rate_text(rate, summary.conf_level) + "\n";
  out += "\n" + distribution_text(summary.crs) + "\n" + distribution_text(summary.icans);
  return out;
}

json cohort_summary_json(const CohortSummary& summary) {
  json baseline = json::array();
  for (const auto& row : summary.baseline) {
    json item = {{"field", row.field}, {"label", row.label}, {"value", row.value}, {"n", row.n}, {"missing", row.missing}};
    if (!row.level.empty()) {
      item["level"] = row.level;
      item["percent"] = optional_json(row.percent);
    } else {
      item["median"] = optional_json(row.median);
      item["minimum"] = optional_json(row.minimum);
      item["maximum"] = optional_json(row.maximum);
    }
    baseline.push_back(std::move(item));
  }
  json responses = json::array();
  for (const auto& rate : summary.responses) {
    responses.push_back({{"field", rate.field}, {"title", rate.title}, {"responders", rate.responders},
                         {"assessed", rate.assessed}, {"not_assessed", rate.not_assessed}, {"rate", rate.rate},
                         {"lower", rate.lower}, {"upper", rate.upper},
                         {"method", "exact binomial (Clopper-Pearson), as R binom.test"}});
  }
  return {{"patients", summary.patients}, {"conf_level", summary.conf_level}, {"baseline", std::move(baseline)},
          {"responses", std::move(responses)}, {"crs", distribution_json(summary.crs)},
          {"icans", distribution_json(summary.icans)}};
}

}  // namespace crsguard
