#pragma once
// CRS grades by the scales that preceded ASTCT 2019, for comparing a course with older
// publications: Lee 2014, Penn (Porter 2018), MSKCC (Park 2018) and CARTOX (Neelapu 2018)
// (../shared/spec/clinical.md §3). Each is computed from the same Timeline as the ASTCT grade,
// per study day (the day's most severe state), and says "not assessable" or "incomplete (lower
// bound)" where the scale needs an input a Timeline lacks (FiO2, a vasopressor dose, how long a
// vasopressor ran, why the patient was in hospital, fluid boluses). Rules, sources and the
// assumptions made for criteria of clinical judgement: crs_other_scales.cpp; parameters:
// rules/other-scales.json.
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "clinical/grade.hpp"
#include "core/enum_names.hpp"
#include "core/rule_set.hpp"
#include "model/events.hpp"
#include "model/timeline.hpp"

namespace crsguard {

enum class CrsScale : unsigned char { lee2014, penn2018, mskcc2018, cartox2018 };
std::span<const EnumName<CrsScale>> names(CrsScale);

// "Lee 2014 (Blood 124:188)": the scale and the paper that defined it.
std::string_view crs_scale_title(CrsScale scale);

struct ScaleDayGrade {
  int day = 0;
  GradeResult result;  // reasons cite rule ids such as "lee2014.crs.grade3.fio2", most severe first
};

// The grade of every study day from first_day to last_day (inclusive), one row per day.
// A day outside the record, or before any temperature, is not assessable.
std::vector<ScaleDayGrade> grade_crs_scale_by_day(const Timeline& timeline, CrsScale scale, const RuleSet& rules,
                                                  int first_day, int last_day);

// ---- Lee 2014 high-dose vasopressors (Lee 2014 Table 1; used by the Lee and Penn scales) ----

struct HighDoseRules {
  double norepinephrine_min_ug_per_min = 0;
  double dopamine_min_ug_per_kg_per_min = 0;
  double phenylephrine_min_ug_per_min = 0;
  double epinephrine_min_ug_per_min = 0;
  double with_vasopressin_ne_equivalent_min = 0;  // µg/min
  double combination_ne_equivalent_min = 0;       // µg/min
  double min_hours = 0;                           // how long the dose must have been required
  double norepinephrine_factor = 0;  // NE-equivalent per µg/min of norepinephrine
  double dopamine_factor = 0;        // per µg/kg/min of dopamine
  double epinephrine_factor = 0;     // per µg/min
  double phenylephrine_factor = 0;   // per µg/min

  static HighDoseRules from(const RuleSet& rules);
};

// One agent running, with the dose it runs at (nullopt: not recorded).
struct VasopressorRate {
  VasopressorAgent agent{};
  std::optional<VasopressorDose> dose;
};

enum class HighDose : unsigned char { no, yes, unknown };

struct HighDoseVerdict {
  HighDose verdict = HighDose::no;
  // Norepinephrine-equivalent of the doses that could be converted, µg/min (a lower bound when
  // verdict is unknown); nullopt when no catecholamine runs.
  std::optional<double> ne_equivalent_ug_per_min;
  bool dose_missing = false;    // an agent runs without a recorded dose
  bool weight_missing = false;  // a dose needs the patient's weight to be converted
  bool angiotensin_ii = false;  // not in the Lee 2014 table: its dose cannot be weighed
  std::string_view criterion;   // "norepinephrine monotherapy", "with vasopressin", "combination", ...
};

// Whether the running agents are "high-dose vasopressors" (Lee 2014 Table 1), ignoring how long
// they ran. Inotropes (dobutamine, milrinone) are not vasopressors and are not weighed.
HighDoseVerdict lee2014_high_dose(std::span<const VasopressorRate> running, std::optional<double> weight_kg,
                                  const HighDoseRules& rules);

}  // namespace crsguard
