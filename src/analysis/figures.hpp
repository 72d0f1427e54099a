#pragma once
// The figures a CAR-T series publishes, each as a Vega-Lite v6 specification (a JSON value) built
// from crsguard's own results, so that the offline HTML report (src/cli/report_html.hpp) and the
// future web dashboard draw exactly the same thing. One function per figure; docs/figures.md shows
// what each one draws and from which inputs.
//
// Every specification carries "$schema" (the Vega-Lite v6 schema URL, a string only: nothing is
// fetched), a title, a description (which also says what was left out and why) and its data inline
// ("values"). Output is deterministic: the same input gives byte-identical JSON (nlohmann::json keeps
// object keys sorted; rows follow the input's order).
//
// Sources of the conventions drawn:
//   ASTCT 2019 CRS grades (Lee DW et al., Biol Blood Marrow Transplant 2019;25:625): daily maximum
//     grade, with "≥N" where a day was not graded completely (clinical/crs_astct.hpp);
//   Kaplan–Meier plots with censor marks and a number-at-risk table (Pocock SJ et al., Lancet
//     2002;359:1686, "Survival plots of time-to-event outcomes in clinical trials").

#include <nlohmann/json.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/cohort.hpp"
#include "analysis/cohort_survival.hpp"
#include "core/observation_codes.hpp"
#include "model/timeline.hpp"

namespace crsguard {

inline constexpr std::string_view kVegaLiteSchemaUrl = "https://vega.github.io/schema/vega-lite/v6.json";

// Swimmer plot of a cohort: one lane per patient (cohort order), x = study day from infusion to the
// end of the record. Each run of consecutive days with the same daily maximum ASTCT CRS grade is one
// rect coloured by that grade ("0"–"5"; "≥N" where the day is a lower bound; "not assessable").
// Points mark the days tocilizumab, a corticosteroid (any drug of the corticosteroid class) or
// ruxolitinib was given; the lane ends at the last follow-up (or death), with markers for the first
// relapse and for death when the record has them.
// Data rows carry "layer": "grade" {patient, from, to, days, grade, grade_label}, "drug" {patient,
// day, drug_group, drugs}, "lane" {patient, end_day}, "outcome" {patient, day, outcome}.
nlohmann::json swimmer_plot(std::span<const CohortPatient> patients);

// One patient's vital signs per study day (DaySummary): Tmax (°C), HRmax (/min) and SBPmin (mmHg) as
// three line charts stacked over a shared x axis, and below them a strip of the drugs given per day.
// Rows: {measure, day, value, comparator} and {measure: "drug", day, drug, doses}.
nlohmann::json vitals_panel(const Timeline& timeline);

// The cytokines a CRS course is usually followed with, in the order the panel shows them: IL-6,
// IL-10, IFN-γ, sCD25, TNF-α, ferritin.
std::span<const ObservationCode> default_cytokine_codes();
// Every CAR-T kinetics code: transgene copies (qPCR), CAR-T % of CD3+, CAR-T cells per µL.
std::span<const ObservationCode> car_t_codes();

// Kinetics of laboratory values over days since infusion on a log y axis: one row of the facet per
// code that has data (independent y scales, each labelled with its unit), one coloured line per
// patient. Values ≤ 0 cannot be drawn on a log axis: they are dropped, counted and the description
// says so. Censored values ("< 5") are drawn at their number; the tooltip shows the comparator.
// Rows: {patient, code, measure (display name and unit), day, value, comparator}.
// Throws std::invalid_argument when `codes` is empty or a patient has no timeline.
nlohmann::json cytokine_kinetics(std::span<const CohortPatient> patients,
                                 std::span<const ObservationCode> codes = default_cytokine_codes());
// CAR-T expansion and persistence (car_t_codes()), drawn like cytokine_kinetics.
nlohmann::json car_t_expansion(std::span<const CohortPatient> patients);

enum class SurvivalTimeUnit : unsigned char { days, months };

struct KaplanMeierPlotOptions {
  SurvivalTimeUnit unit = SurvivalTimeUnit::months;  // months as kDaysPerMonth (analysis/endpoints.hpp)
  double at_risk_every = 3;                           // in `unit`; > 0
};

// Kaplan–Meier curve(s) of a cohort survival analysis: a step line per group (step-after), its
// confidence band (an area, step-after, where R gives limits), "+" marks at censored times, y from 0
// to 1, and under it the number at risk per group at 0, every, 2·every, … up to the last time. The
// title names the endpoint and the subtitle the method (survival_method_text) and the log-rank p.
// Rows: "curve" {group, time, survival, lower, upper}, "censor" {group, time, survival, n_censor},
// "at_risk" {group, time, n_risk}. The input's times are days (analysis/endpoints.hpp).
// Throws std::invalid_argument when the options are invalid or there is no group.
nlohmann::json kaplan_meier_plot(const CohortSurvival& survival, const KaplanMeierPlotOptions& options = {});

struct GroupValue {
  std::string group;
  std::string patient;
  double value = 0;
};

// Strip (dot) plot of one value by group: a point per patient, and a tick at each group's median
// (median_of, R's definition). Groups appear in order of first appearance.
// Throws std::invalid_argument for a non-finite value or an empty group name.
nlohmann::json group_dot_plot(std::string_view title, std::string_view y_unit, std::span<const GroupValue> values);

// One patient's platelet response in one phase, as the platelet analysis reports it: the corrected
// count increment (CCI, ×10⁹/L per m² per 10¹¹ platelets) and the percentage platelet recovery (PPR),
// either may be unknown; `success` is the analysis's verdict for the transfusion(s) of that phase.
struct PlateletIncrementPoint {
  std::string patient;
  std::string phase;  // "before" or "after" (e.g. before and after ruxolitinib)
  std::optional<double> cci;
  std::optional<double> ppr;
  std::optional<bool> success;
};

// Before/after plot of platelet transfusion response: two panels (CCI, PPR), x = phase, a point per
// patient coloured by success and a line joining each patient's before and after values.
// Throws std::invalid_argument for a phase other than "before"/"after" or a non-finite value.
nlohmann::json platelet_before_after(std::span<const PlateletIncrementPoint> points);

}  // namespace crsguard
