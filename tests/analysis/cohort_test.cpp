// Cohort fields, the baseline table and grade distributions (analysis/cohort.hpp) on the example
// paediatric cohort, checked against Pan 2021 Table 1 (../shared/data/paediatric-cohort-14.csv).
#include "analysis/cohort.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <string>

#include "analysis/cohort_fixture.hpp"

namespace crsguard {
namespace {

using testing::paediatric_cohort;

const BaselineRow& row_for(const std::vector<BaselineRow>& rows, const std::string& field, const std::string& level = "") {
  const auto found = std::find_if(rows.begin(), rows.end(), [&](const BaselineRow& row) {
    return row.field == field && row.level == level;
  });
  if (found == rows.end()) throw std::runtime_error("no baseline row " + field + " " + level);
  return *found;
}

TEST(Cohort, MedianIsRsMedian) {
  EXPECT_DOUBLE_EQ(median_of({3, 1, 2}), 2);
  EXPECT_DOUBLE_EQ(median_of({4, 1, 3, 2}), 2.5);
  EXPECT_DOUBLE_EQ(median_of({7}), 7);
}

TEST(Cohort, BaselineTableMatchesTable1) {
  const auto& cohort = paediatric_cohort();
  const auto fields = default_baseline_fields();
  const auto rows = baseline_table(cohort.patients, fields);

  const auto& age = row_for(rows, "age_years");
  EXPECT_EQ(age.n, 14);
  EXPECT_EQ(age.missing, 0);
  EXPECT_DOUBLE_EQ(*age.median, 8.5);  // 3 3 5 5 5 6 8 | 9 9 9 11 12 16 18
  EXPECT_DOUBLE_EQ(*age.minimum, 3);
  EXPECT_DOUBLE_EQ(*age.maximum, 18);
  EXPECT_EQ(age.value, "8.5 (3–18)");

  EXPECT_EQ(row_for(rows, "sex", "male").n, 9);
  EXPECT_EQ(row_for(rows, "sex", "female").n, 5);
  const auto& hct = row_for(rows, "prior_hct", "yes");
  EXPECT_EQ(hct.n, 3);
  EXPECT_NEAR(*hct.percent, 100.0 * 3 / 14, 1e-12);
  EXPECT_EQ(hct.value, "3 (21.4 %)");
  EXPECT_EQ(row_for(rows, "car_target", "CD19").n, 8);
  EXPECT_EQ(row_for(rows, "car_target", "CD22").n, 6);
  EXPECT_EQ(row_for(rows, "complex_karyotype", "yes").n, 6);
  const auto& therapy = row_for(rows, "prior_therapy_months");
  EXPECT_DOUBLE_EQ(*therapy.median, 34);  // 7 13 16 18 20 27 30 | 38 39 42 45 50 54 72
}

TEST(Cohort, SevereCrsIsPatients1To4And10) {
  const auto& cohort = paediatric_cohort();
  const auto field = find_cohort_field("severe_crs");
  ASSERT_TRUE(field);
  std::vector<std::string> severe;
  for (const auto& patient : cohort.patients) {
    const FieldValue value = field_value(patient, *field);
    ASSERT_TRUE(value.category) << patient.timeline->patient().id << ": " << value.note;
    if (*value.category == "yes") severe.push_back(patient.timeline->patient().id);
  }
  EXPECT_EQ(severe, (std::vector<std::string>{"pan2021-p01", "pan2021-p02", "pan2021-p03", "pan2021-p04", "pan2021-p10"}));
}

TEST(Cohort, GradeDistributionCountsEveryPatientOnce) {
  const auto& cohort = paediatric_cohort();
  for (const auto& distribution : {crs_grade_distribution(cohort.patients), icans_grade_distribution(cohort.patients)}) {
    const int total = std::accumulate(distribution.exact.begin(), distribution.exact.end(), 0) +
                      std::accumulate(distribution.at_least.begin(), distribution.at_least.end(), 0) +
                      distribution.not_assessable;
    EXPECT_EQ(total, 14) << distribution.what;
    EXPECT_LE(distribution.from_reported, std::accumulate(distribution.exact.begin(), distribution.exact.end(), 0));
  }
  const auto crs = crs_grade_distribution(cohort.patients);
  // The example timelines hold few vital signs, so the maxima come from Table 1's reported grades: grade 3 for
  // patients 1, 2 and 4, grade 4 for patient 3 (patient 10's severe CRS is reported without its grade).
  EXPECT_EQ(crs.exact[3], 3);
  EXPECT_EQ(crs.exact[4], 1);
  EXPECT_EQ(crs.from_reported, 4);
}

TEST(Cohort, FieldsAreFoundByNameIncludingPeaks) {
  EXPECT_FALSE(find_cohort_field("no_such_field"));
  const auto peak = find_cohort_field("peak_il6");
  ASSERT_TRUE(peak);
  EXPECT_EQ(peak->kind, FieldKind::number);
  EXPECT_FALSE(peak->unit.empty());
  EXPECT_FALSE(find_cohort_field("peak_temperature"));  // a vital sign has a daily maximum, not a lab peak
  for (const auto& field : cohort_fields()) EXPECT_TRUE(find_cohort_field(field.name)) << field.name;
}

TEST(Cohort, LabelsShowLowerBounds) {
  FieldValue value;
  value.number = 2;
  value.lower_bound = true;
  EXPECT_EQ(value.label(), "≥2");
  value.lower_bound = false;
  EXPECT_EQ(value.label(), "2");
  EXPECT_FALSE(FieldValue{}.label());
}

}  // namespace
}  // namespace crsguard
