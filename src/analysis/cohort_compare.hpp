#pragma once
// Group comparisons of a cohort chosen by field names (crsguard compare, the report): a category
// (severe CRS yes/no) across the levels of another (prior HCT yes/no) by Fisher's exact or the
// chi-square test, or a number (peak IL-6) between two groups by Student's or Welch's t or
// Mann–Whitney, or two numbers of the same patients by the paired t-test. Patients without a value
// are listed as excluded with the reason, never silently dropped.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/cohort.hpp"
#include "core/enum_names.hpp"

namespace crsguard {

enum class ComparisonTest : unsigned char { fisher, chi_square, chi_square_yates, student, welch, mann_whitney, paired };
// "fisher", "chi-square", "chi-square-yates", "student", "welch", "mann-whitney", "paired"
std::span<const EnumName<ComparisonTest>> names(ComparisonTest);
bool compares_categories(ComparisonTest test);

struct ComparisonRequest {
  ComparisonTest test = ComparisonTest::fisher;
  std::optional<FieldInfo> by;    // the grouping field (not for paired)
  std::vector<FieldInfo> values;  // one field; two for paired (first − second)
  double conf_level = 0.95;
};

struct ComparedPatient {
  std::string patient_id;
  std::string group;              // the level of `by` ("" for paired)
  std::string category;           // the value's level, for category tests
  std::vector<double> numbers;    // the value (two for paired)
};

struct ExcludedPatient {
  std::string patient_id;
  std::string reason;
};

struct GroupNumbers {
  std::string group;
  std::vector<double> values;
  double median = 0;
  double mean = 0;
  double minimum = 0;
  double maximum = 0;
};

// The result of a test, in the words R prints it.
struct TestResult {
  std::string method;                     // "Fisher's Exact Test for Count Data"
  std::string statistic_name;             // "t", "W", "X-squared"; empty for Fisher
  std::optional<double> statistic;
  std::optional<double> degrees_of_freedom;
  double p_value = 1;
  std::string estimate_name;              // "odds ratio", "difference in means"
  std::optional<double> estimate;
  std::optional<double> lower;            // CI of the estimate, where the test gives one
  std::optional<double> upper;
  std::vector<std::string> notes;         // "expected count below 5 in 2 cells: the approximation may be poor"
};

struct CohortComparison {
  ComparisonRequest request;
  std::vector<ComparedPatient> included;
  std::vector<ExcludedPatient> excluded;
  std::vector<std::string> groups;                 // levels of `by`, sorted
  std::vector<std::string> value_levels;           // category tests: levels of the value, sorted
  std::vector<std::vector<int>> table;             // category tests: groups × value levels
  std::vector<GroupNumbers> numbers;               // number tests: per group (paired: the two fields, then the difference)
  TestResult result;
};

// Throws std::invalid_argument when the fields do not suit the test (a number for Fisher, not exactly two
// groups for a t-test, …) or too few patients remain.
CohortComparison compare_cohort(std::span<const CohortPatient> patients, const ComparisonRequest& request);

}  // namespace crsguard
