// Group comparisons chosen by field names (analysis/cohort_compare.hpp) on the example paediatric cohort.
#include "analysis/cohort_compare.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "analysis/cohort_fixture.hpp"

namespace crsguard {
namespace {

using testing::paediatric_cohort;

ComparisonRequest request(ComparisonTest test, const char* by, std::vector<const char*> values) {
  ComparisonRequest out;
  out.test = test;
  if (by != nullptr) out.by = *find_cohort_field(by);
  for (const char* name : values) out.values.push_back(*find_cohort_field(name));
  return out;
}

TEST(CohortCompare, SevereCrsByPriorHctFormsTheTwoByTwoTable) {
  const auto comparison =
      compare_cohort(paediatric_cohort().patients, request(ComparisonTest::fisher, "prior_hct", {"severe_crs"}));
  EXPECT_EQ(comparison.groups, (std::vector<std::string>{"no", "yes"}));
  EXPECT_EQ(comparison.value_levels, (std::vector<std::string>{"no", "yes"}));
  EXPECT_EQ(comparison.table, (std::vector<std::vector<int>>{{9, 2}, {0, 3}}));
  EXPECT_TRUE(comparison.excluded.empty());
  EXPECT_EQ(comparison.result.method, "Fisher's Exact Test for Count Data");
  EXPECT_NEAR(comparison.result.p_value, 5.0 / 182.0, 1e-12);  // (C(11,2)·C(3,3)) / C(14,5) = 55/2002
}

TEST(CohortCompare, ChiSquareWarnsAboutSmallExpectedCounts) {
  const auto comparison =
      compare_cohort(paediatric_cohort().patients, request(ComparisonTest::chi_square_yates, "prior_hct", {"severe_crs"}));
  EXPECT_NE(comparison.result.method.find("Yates"), std::string::npos) << comparison.result.method;
  ASSERT_FALSE(comparison.result.notes.empty());
  EXPECT_NE(comparison.result.notes[0].find("below 5"), std::string::npos);
}

TEST(CohortCompare, NumbersAreComparedBetweenTwoGroups) {
  const auto comparison =
      compare_cohort(paediatric_cohort().patients, request(ComparisonTest::mann_whitney, "prior_hct", {"age_years"}));
  ASSERT_EQ(comparison.numbers.size(), 2u);
  EXPECT_EQ(comparison.numbers[0].values.size(), 11u);
  EXPECT_EQ(comparison.numbers[1].values.size(), 3u);
  EXPECT_DOUBLE_EQ(comparison.numbers[1].median, 16);  // prior HCT: ages 16, 12, 18
  EXPECT_EQ(comparison.result.statistic_name, "W");
}

TEST(CohortCompare, UnsuitableFieldsAreRefused) {
  const auto& patients = paediatric_cohort().patients;
  EXPECT_THROW(compare_cohort(patients, request(ComparisonTest::fisher, "prior_hct", {"age_years"})), std::invalid_argument);
  EXPECT_THROW(compare_cohort(patients, request(ComparisonTest::welch, "prior_hct", {"severe_crs"})), std::invalid_argument);
  EXPECT_THROW(compare_cohort(patients, request(ComparisonTest::welch, "car_target", {"age_years", "weight_kg"})),
               std::invalid_argument);
  EXPECT_THROW(compare_cohort(patients, request(ComparisonTest::student, nullptr, {"age_years"})), std::invalid_argument);
  // Weight is not recorded in the example cohort: no patient remains.
  EXPECT_THROW(compare_cohort(patients, request(ComparisonTest::welch, "prior_hct", {"weight_kg"})), std::invalid_argument);
}

}  // namespace
}  // namespace crsguard
