#include "cli/cohort_report.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "analysis/cohort_summary.hpp"
#include "analysis/figures.hpp"
#include "analysis/platelets.hpp"
#include "cli/cohort_output.hpp"
#include "cli/compare_output.hpp"
#include "core/time.hpp"

namespace crsguard {

namespace {

// A figure is worth showing only when some layer has data rows.
bool has_rows(const nlohmann::json& spec) {
  if (spec.is_object()) {
    if (const auto values = spec.find("values"); values != spec.end() && values->is_array() && !values->empty()) return true;
    for (const auto& [key, value] : spec.items()) {
      if (key != "values" && has_rows(value)) return true;
    }
  } else if (spec.is_array()) {
    for (const auto& item : spec) {
      if (has_rows(item)) return true;
    }
  }
  return false;
}

// The figure, or a paragraph saying why it is not there.
ReportBlock figure_or_note(std::string id, std::string caption, nlohmann::json spec, std::string missing) {
  if (has_rows(spec)) return ReportFigure{std::move(id), std::move(caption), std::move(spec)};
  return ReportParagraph{std::move(missing)};
}

ReportSection summary_section(std::span<const CohortPatient> patients) {
  const CohortSummary summary = summarise_cohort(patients, default_baseline_fields(), 0.95);
  ReportSection section{"Patients", {}};
  section.blocks.push_back(ReportParagraph{fmt::format("{} patients.", summary.patients)});
  section.blocks.push_back(ReportTable{"Baseline characteristics: median (range) or n (%)",
                                       {"characteristic", "value", "missing"}, baseline_rows(summary)});
  for (const auto& rate : summary.responses) section.blocks.push_back(ReportParagraph{response_rate_text(rate, summary.conf_level)});
  for (const GradeDistribution* distribution : {&summary.crs, &summary.icans}) {
    std::string caption = "Maximum " + distribution->what + " grade";
    if (distribution->from_reported > 0) {
      caption += fmt::format(" ({} of the exact grades as the source reported them)", distribution->from_reported);
    }
    section.blocks.push_back(ReportTable{caption, {"grade", "patients"}, grade_distribution_rows(*distribution)});
  }
  return section;
}

ReportSection course_section(std::span<const CohortPatient> patients) {
  ReportSection section{"CRS course and treatment", {}};
  section.blocks.push_back(figure_or_note(
      "swimmer", "One lane per patient: daily maximum ASTCT CRS grade, tocilizumab, corticosteroids and ruxolitinib, "
      "follow-up and outcome.", swimmer_plot(patients), "No study day could be shown for any patient."));
  return section;
}

std::string optional_bound(const std::optional<double>& value) { return value ? fmt::format("{:.4f}", *value) : "NA"; }

ReportSection survival_section(std::span<const CohortPatient> patients, const CohortSurvivalRequest& request) {
  ReportSection section{"Survival: " + std::string(endpoint_title(request.endpoint)), {}};
  CohortSurvival survival;
  try {
    survival = analyse_survival(patients, request);
  } catch (const std::invalid_argument& error) {
    section.blocks.push_back(ReportParagraph{fmt::format("Not estimated: {}.", error.what())});
    return section;
  }
  section.blocks.push_back(ReportParagraph{survival_method_text(request.conf_type, request.conf_level) + "."});
  const bool months = request.endpoint == Endpoint::leukaemia_free_survival || request.endpoint == Endpoint::overall_survival;
  KaplanMeierPlotOptions plot;
  plot.unit = months ? SurvivalTimeUnit::months : SurvivalTimeUnit::days;
  plot.at_risk_every = months ? 3 : 7;
  section.blocks.push_back(ReportFigure{"kaplan-meier", std::string(endpoint_title(request.endpoint)) +
                                        " by Kaplan–Meier with its confidence band; + marks censored patients; the "
                                        "number at risk is below the curve.", kaplan_meier_plot(survival, plot)});
  std::vector<std::vector<std::string>> rows;
  for (const auto& group : survival.groups) {
    for (std::size_t i = 0; i < request.at_days.size(); ++i) {
      const auto& at = group.at[i];
      const std::string when = months ? fmt::format("{:g} months", request.at_days[i] / kDaysPerMonth)
                                      : fmt::format("day {:g}", request.at_days[i]);
      if (!at) {
        rows.push_back({group.name, when, "beyond the last follow-up", "", ""});
        continue;
      }
      rows.push_back({group.name, when, fmt::format("{:.4f}", at->survival),
                      fmt::format("{}–{}", optional_bound(at->lower), optional_bound(at->upper)), fmt::format("{}", at->n_risk)});
    }
  }
  if (!rows.empty()) {
    section.blocks.push_back(ReportTable{fmt::format("Survival at the chosen times ({:g} % CI)", request.conf_level * 100),
                                         {"group", "time", "survival", "CI", "at risk"}, std::move(rows)});
  }
  if (survival.log_rank) {
    section.blocks.push_back(ReportParagraph{fmt::format("Log-rank test (R survdiff, rho = 0) by {}: chi-square {:.4f} on {} df, p = {:.4g}.",
                                                         request.by->title, survival.log_rank->chi_square,
                                                         survival.log_rank->degrees_of_freedom, survival.log_rank->p_value)});
  }
  if (!survival.excluded.empty()) {
    std::string text = "Excluded: ";
    for (std::size_t i = 0; i < survival.excluded.size(); ++i) {
      text += fmt::format("{}{} ({})", i == 0 ? "" : "; ", survival.excluded[i].patient_id, survival.excluded[i].reason);
    }
    section.blocks.push_back(ReportParagraph{text + "."});
  }
  return section;
}

void add_comparison(ReportSection& section, const CohortComparison& comparison, std::size_t index) {
  const auto& request = comparison.request;
  const std::string heading = comparison_heading(comparison);
  if (compares_categories(request.test)) {
    std::vector<std::string> header{request.by->title};
    for (const auto& level : comparison.value_levels) header.push_back(request.values[0].title + ": " + level);
    section.blocks.push_back(ReportTable{heading, std::move(header), contingency_rows(comparison)});
  } else if (request.test != ComparisonTest::paired) {
    std::vector<GroupValue> values;
    for (const auto& patient : comparison.included) values.push_back({patient.group, patient.patient_id, patient.numbers[0]});
    section.blocks.push_back(ReportFigure{fmt::format("comparison-{}", index + 1), heading + ": one point per patient, a tick at each group's median.",
                                          group_dot_plot(heading, request.values[0].unit, values)});
  }
  section.blocks.push_back(ReportParagraph{test_result_line(comparison.result, request.conf_level) + "."});
  for (const auto& note : comparison.result.notes) section.blocks.push_back(ReportParagraph{"Note: " + note + "."});
  if (!comparison.excluded.empty()) {
    section.blocks.push_back(ReportParagraph{fmt::format("{} patients without a value were excluded.", comparison.excluded.size())});
  }
}

// Comparisons a CAR-T series usually shows, run where the cohort has the fields.
std::vector<ComparisonRequest> default_comparisons() {
  const auto field = [](const char* name) { return *find_cohort_field(name); };
  std::vector<ComparisonRequest> out;
  out.push_back({ComparisonTest::fisher, field("prior_hct"), {field("severe_crs")}, 0.95});
  for (const char* peak : {"peak_il6", "peak_ferritin"}) {
    out.push_back({ComparisonTest::mann_whitney, field("severe_crs"), {field(peak)}, 0.95});
  }
  return out;
}

ReportSection comparison_section(std::span<const CohortPatient> patients, const CohortReportOptions& options) {
  ReportSection section{"Comparisons", {}};
  std::size_t index = 0;
  for (const auto& request : options.comparisons) add_comparison(section, compare_cohort(patients, request), index++);
  if (options.default_comparisons) {
    for (const auto& request : default_comparisons()) {
      try {
        add_comparison(section, compare_cohort(patients, request), index++);
      } catch (const std::invalid_argument&) {
        // A default the data cannot support (no such values recorded) is simply not shown.
      }
    }
  }
  if (section.blocks.empty()) section.blocks.push_back(ReportParagraph{"No comparison could be made from the recorded data."});
  return section;
}

ReportSection kinetics_section(std::span<const CohortPatient> patients) {
  ReportSection section{"Cytokine and CAR-T kinetics", {}};
  section.blocks.push_back(figure_or_note("cytokines", "Cytokines and ferritin over days since infusion (log scale).",
                                          cytokine_kinetics(patients), "No cytokine or ferritin values are recorded."));
  section.blocks.push_back(figure_or_note("car-t", "CAR-T expansion and persistence (log scale).", car_t_expansion(patients),
                                          "No CAR-T kinetics are recorded."));
  return section;
}

ReportSection vitals_section(std::span<const CohortPatient> patients) {
  ReportSection section{"Vital signs", {}};
  for (const auto& patient : patients) {
    auto spec = vitals_panel(*patient.timeline);
    if (!has_rows(spec)) continue;
    section.blocks.push_back(ReportFigure{"vitals-" + patient.timeline->patient().id,
                                          patient.timeline->patient().id + ": daily Tmax, HRmax and SBPmin with the drugs given.",
                                          std::move(spec)});
  }
  if (section.blocks.empty()) section.blocks.push_back(ReportParagraph{"No vital signs are recorded."});
  return section;
}

std::string optional_number(const std::optional<double>& value, const char* format) {
  return value ? fmt::format(fmt::runtime(format), *value) : "—";
}

ReportSection platelet_section(std::span<const CohortPatient> patients, const CohortReportOptions& options) {
  ReportSection section{"Platelet transfusions", {}};
  std::vector<std::vector<std::string>> rows;
  std::vector<PlateletIncrementPoint> points;
  for (const auto& patient : patients) {
    const auto response = platelet_transfusion_response(*patient.timeline, options.platelet_rules, options.platelet_drug);
    for (const auto& transfusion : response.transfusions) {
      const auto& day_one = transfusion.day_one;
      const std::string phase = transfusion.after_drug_start ? "after" : "before";
      rows.push_back({response.patient_id,
                      fmt::format("{:.1f}", static_cast<double>(transfusion.seconds_since_infusion) / static_cast<double>(kSecondsPerDay)),
                      optional_number(transfusion.dose_1e11, "{:g}"), phase,
                      transfusion.pre ? fmt::format("{:g}", transfusion.pre->value_1e9_per_l) : "—",
                      day_one ? fmt::format("{:g}", day_one->count.value_1e9_per_l) : "—",
                      optional_number(day_one ? day_one->cci : std::nullopt, "{:.0f}"),
                      optional_number(day_one ? day_one->ppr_percent : std::nullopt, "{:.1f}"),
                      std::string(to_name(transfusion.response))});
      if (transfusion.response != TransfusionResponse::not_assessable) {
        points.push_back({response.patient_id, phase, day_one->cci, day_one->ppr_percent,
                          transfusion.response == TransfusionResponse::success});
      }
    }
  }
  if (rows.empty()) {
    section.blocks.push_back(ReportParagraph{"No platelet transfusion is recorded."});
    return section;
  }
  section.blocks.push_back(ReportParagraph{fmt::format(
      "Success: 24-h corrected count increment ≥ {:g} and percentage platelet recovery ≥ {:g} % (Pan 2021); phases "
      "before and after the first dose of {} (docs/platelets.md).",
      options.platelet_rules.min_cci_24h, options.platelet_rules.min_ppr_24h_percent, options.platelet_drug)});
  section.blocks.push_back(ReportTable{"Platelet transfusions",
                                       {"patient", "day", "dose ×10¹¹", options.platelet_drug, "pre ×10⁹/L",
                                        "24 h ×10⁹/L", "CCI", "PPR %", "response"},
                                       std::move(rows)});
  if (!points.empty()) {
    section.blocks.push_back(ReportFigure{"platelets", "24-h CCI and PPR of each assessable transfusion, before and after " +
                                                           options.platelet_drug + ".",
                                          platelet_before_after(points)});
  }
  return section;
}

}  // namespace

ReportDocument cohort_report(std::span<const CohortPatient> patients, const CohortReportOptions& options) {
  ReportDocument document;
  document.title = options.title;
  document.subtitle = fmt::format("{} patients{}", patients.size(), options.source.empty() ? "" : " from " + options.source);
  document.generated = options.generated;
  document.sections.push_back(summary_section(patients));
  document.sections.push_back(course_section(patients));
  document.sections.push_back(survival_section(patients, options.survival));
  document.sections.push_back(comparison_section(patients, options));
  document.sections.push_back(kinetics_section(patients));
  document.sections.push_back(vitals_section(patients));
  document.sections.push_back(platelet_section(patients, options));
  return document;
}

}  // namespace crsguard
