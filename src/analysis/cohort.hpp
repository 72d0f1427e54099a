#pragma once
// A cohort as a clinical series reports it: named patient characteristics ("fields") read from
// each Timeline, the baseline table (median and range, counts and %), the response rate, and the
// distribution of maximum CRS and ICANS grades.
//
// Where a characteristic can come from two places, the record decides first and the source's
// reported value second, and every value says which it was:
//   graded   — computed by crsguard's ASTCT engine from the timeline's observations;
//   reported — the value the publication gave (the timeline's `reported` section);
//   record   — read directly from the timeline (baseline, infusion, doses, responses, outcome).
// A graded maximum counts as exact only when every study day of the course was graded completely;
// otherwise it is a lower bound (shown "≥N"), and a reported value, when there is one, is used.
#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "clinical/course_grades.hpp"
#include "model/timeline.hpp"

namespace crsguard {

struct CohortPatient {
  const Timeline* timeline = nullptr;
  CourseGrades grades;
};

// Grades every timeline once (the timelines must outlive the result).
std::vector<CohortPatient> grade_cohort(std::span<const Timeline> timelines, const GradingRules& rules);

enum class FieldKind : unsigned char { category, number };

struct FieldInfo {
  std::string name;         // "prior_hct", "age_years", "peak_il6"
  FieldKind kind = FieldKind::category;
  std::string title;        // "prior allogeneic HCT"
  std::string unit;         // UCUM for numbers ("a", "pg/mL"); empty for categories
  std::string description;  // where the value comes from
};

// Every field, in the order of a baseline table, then the outcomes; peak_<code> fields for every
// laboratory, cytokine and CAR-T code are found by name but not listed here one by one.
std::span<const FieldInfo> cohort_fields();
// nullopt for an unknown name (the caller lists cohort_fields() in its error).
std::optional<FieldInfo> find_cohort_field(std::string_view name);

enum class ValueSource : unsigned char { record, graded, reported };
std::string_view value_source_name(ValueSource source);  // "record", "graded", "reported"

struct FieldValue {
  std::optional<std::string> category;  // "yes"/"no" for yes-no fields
  std::optional<double> number;
  bool lower_bound = false;  // number is "≥" (a graded maximum with days not fully graded)
  ValueSource source = ValueSource::record;
  std::string note;          // why missing, or a disagreement between graded and reported values

  [[nodiscard]] bool present() const { return category.has_value() || number.has_value(); }
  // The value as a group label: the category, or the number as written ("3", "≥1").
  [[nodiscard]] std::optional<std::string> label() const;
};

FieldValue field_value(const CohortPatient& patient, const FieldInfo& field);

// R's median (the mean of the two middle values for an even count); values need not be sorted.
double median_of(std::vector<double> values);

// One row of a baseline table. Numbers: median (min–max); categories: one row per level, n (%).
struct BaselineRow {
  std::string field;     // field name
  std::string label;     // "age, years" or "prior allogeneic HCT: yes"
  std::string value;     // "9 (3–18)" or "3 (21.4 %)"
  int n = 0;             // patients with a value (numbers) or at this level (categories)
  int missing = 0;       // patients without a value
  std::optional<double> median, minimum, maximum;  // numbers
  std::optional<double> percent;                   // categories, of the patients with a value
  std::string level;     // categories
};

std::vector<BaselineRow> baseline_table(std::span<const CohortPatient> patients, std::span<const FieldInfo> fields);
// The fields a baseline table of a CAR-T series shows by default.
std::vector<FieldInfo> default_baseline_fields();

// Counts of patients by their maximum grade: index 0–5, then lower bounds and not assessable.
struct GradeDistribution {
  std::string what;                 // "CRS (ASTCT 2019)"
  std::array<int, 6> exact{};       // patients whose maximum is exactly this grade
  std::array<int, 6> at_least{};    // lower bounds: graded ≥ N with days not fully graded, nothing reported
  int not_assessable = 0;
  int from_reported = 0;            // how many of the exact counts came from the source's reported value
};
GradeDistribution crs_grade_distribution(std::span<const CohortPatient> patients);
GradeDistribution icans_grade_distribution(std::span<const CohortPatient> patients);

}  // namespace crsguard
