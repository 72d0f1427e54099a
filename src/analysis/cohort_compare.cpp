#include "analysis/cohort_compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <stdexcept>

#include "analysis/hypothesis_tests.hpp"

namespace crsguard {

CRSGUARD_NAMES(ComparisonTest, {ComparisonTest::fisher, "fisher"}, {ComparisonTest::chi_square, "chi-square"},
               {ComparisonTest::chi_square_yates, "chi-square-yates"}, {ComparisonTest::student, "student"},
               {ComparisonTest::welch, "welch"}, {ComparisonTest::mann_whitney, "mann-whitney"},
               {ComparisonTest::paired, "paired"})

bool compares_categories(ComparisonTest test) {
  return test == ComparisonTest::fisher || test == ComparisonTest::chi_square || test == ComparisonTest::chi_square_yates;
}

namespace {

std::string missing_reason(const FieldInfo& field, const FieldValue& value) {
  if (value.lower_bound) return fmt::format("{}: only a lower bound ({})", field.name, value.label().value_or("?"));
  return fmt::format("{}: {}", field.name, value.note.empty() ? "not recorded" : value.note);
}

GroupNumbers describe(std::string group, std::vector<double> values) {
  GroupNumbers out;
  out.group = std::move(group);
  if (!values.empty()) {
    out.median = median_of(values);
    out.mean = std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
    out.minimum = *std::min_element(values.begin(), values.end());
    out.maximum = *std::max_element(values.begin(), values.end());
  }
  out.values = std::move(values);
  return out;
}

void check_field(const FieldInfo& field, ComparisonTest test) {
  const bool category_test = compares_categories(test);
  if (category_test && field.kind != FieldKind::category) {
    throw std::invalid_argument(fmt::format("--value {}: {} compares categories; {} is a number (use student, welch or "
                                            "mann-whitney)", field.name, to_name(test), field.name));
  }
  if (!category_test && field.kind != FieldKind::number) {
    throw std::invalid_argument(fmt::format("--value {}: {} compares numbers; {} is a category (use fisher or chi-square)",
                                            field.name, to_name(test), field.name));
  }
}

TestResult run_category_test(ComparisonTest test, const std::vector<std::vector<int>>& table, double conf_level) {
  TestResult out;
  if (test == ComparisonTest::fisher) {
    const FisherExactResult fisher = fisher_exact_test(table, conf_level);
    out.method = fisher.method;
    out.p_value = fisher.p_value;
    if (fisher.odds_ratio) {
      out.estimate_name = "odds ratio (conditional maximum likelihood)";
      out.estimate = fisher.odds_ratio;
      out.lower = fisher.odds_ratio_lower;
      out.upper = fisher.odds_ratio_upper;
    }
    return out;
  }
  const ChiSquareResult chi = chi_square_test(table, test == ComparisonTest::chi_square_yates);
  out.method = chi.method;
  out.statistic_name = "X-squared";
  out.statistic = chi.statistic;
  out.degrees_of_freedom = chi.degrees_of_freedom;
  out.p_value = chi.p_value;
  if (const int small = chi.cells_expected_below_5; small > 0) {
    out.notes.push_back(fmt::format("expected count below 5 in {} cell{}: the chi-square approximation may be poor "
                                    "(R warns); Fisher's exact test does not depend on it", small, small == 1 ? "" : "s"));
  }
  return out;
}

TestResult from_t_test(const TTestResult& t) {
  TestResult out;
  out.method = t.method;
  out.statistic_name = "t";
  out.statistic = t.statistic;
  out.degrees_of_freedom = t.degrees_of_freedom;
  out.p_value = t.p_value;
  out.estimate_name = t.estimate_name;
  out.estimate = t.estimate;
  out.lower = t.lower;
  out.upper = t.upper;
  return out;
}

TestResult run_number_test(ComparisonTest test, const std::vector<double>& x, const std::vector<double>& y,
                           double conf_level) {
  switch (test) {
    case ComparisonTest::student: return from_t_test(student_t_test(x, y, conf_level));
    case ComparisonTest::welch: return from_t_test(welch_t_test(x, y, conf_level));
    case ComparisonTest::paired: return from_t_test(paired_t_test(x, y, conf_level));
    case ComparisonTest::mann_whitney: {
      const MannWhitneyResult u = mann_whitney_test(x, y);
      TestResult out;
      out.method = u.method;
      out.statistic_name = "W";
      out.statistic = u.statistic;
      out.p_value = u.p_value;
      return out;
    }
    default: break;
  }
  throw std::logic_error("not a number test");
}

}  // namespace

CohortComparison compare_cohort(std::span<const CohortPatient> patients, const ComparisonRequest& request) {
  const ComparisonTest test = request.test;
  const bool paired = test == ComparisonTest::paired;
  if (paired ? request.values.size() != 2 : request.values.size() != 1) {
    throw std::invalid_argument(paired ? "paired: give two --value fields, measured on the same patients"
                                       : "give one --value field");
  }
  if (!paired && !request.by) throw std::invalid_argument(fmt::format("{}: give --by, the field that forms the groups", to_name(test)));
  if (request.by && request.by->kind != FieldKind::category) {
    throw std::invalid_argument(fmt::format("--by {}: groups need a category field; {} is a number", request.by->name, request.by->name));
  }
  for (const auto& field : request.values) check_field(field, test);

  CohortComparison out;
  out.request = request;
  for (const CohortPatient& patient : patients) {
    ComparedPatient compared;
    compared.patient_id = patient.timeline->patient().id;
    std::string reason;
    if (request.by) {
      const FieldValue group = field_value(patient, *request.by);
      if (!group.category) reason = missing_reason(*request.by, group);
      else compared.group = *group.category;
    }
    for (const auto& field : request.values) {
      if (!reason.empty()) break;
      const FieldValue value = field_value(patient, field);
      if (compares_categories(test)) {
        if (!value.category) reason = missing_reason(field, value);
        else compared.category = *value.category;
      } else if (!value.number || value.lower_bound) {
        reason = missing_reason(field, value);
      } else {
        compared.numbers.push_back(*value.number);
      }
    }
    if (!reason.empty()) {
      out.excluded.push_back({compared.patient_id, reason});
      continue;
    }
    if (request.by && std::find(out.groups.begin(), out.groups.end(), compared.group) == out.groups.end()) {
      out.groups.push_back(compared.group);
    }
    if (compares_categories(test) &&
        std::find(out.value_levels.begin(), out.value_levels.end(), compared.category) == out.value_levels.end()) {
      out.value_levels.push_back(compared.category);
    }
    out.included.push_back(std::move(compared));
  }
  std::sort(out.groups.begin(), out.groups.end());
  std::sort(out.value_levels.begin(), out.value_levels.end());

  if (compares_categories(test)) {
    if (out.groups.size() < 2 || out.value_levels.size() < 2) {
      throw std::invalid_argument(fmt::format("{} by {}: need at least two groups and two values, found {} and {}",
                                              request.values[0].name, request.by->name, out.groups.size(),
                                              out.value_levels.size()));
    }
    out.table.assign(out.groups.size(), std::vector<int>(out.value_levels.size(), 0));
    for (const auto& patient : out.included) {
      const auto row = std::find(out.groups.begin(), out.groups.end(), patient.group) - out.groups.begin();
      const auto column = std::find(out.value_levels.begin(), out.value_levels.end(), patient.category) - out.value_levels.begin();
      ++out.table[static_cast<std::size_t>(row)][static_cast<std::size_t>(column)];
    }
    out.result = run_category_test(test, out.table, request.conf_level);
    return out;
  }

  if (paired) {
    std::vector<double> first, second, difference;
    for (const auto& patient : out.included) {
      first.push_back(patient.numbers[0]);
      second.push_back(patient.numbers[1]);
      difference.push_back(patient.numbers[0] - patient.numbers[1]);
    }
    out.result = run_number_test(test, first, second, request.conf_level);
    out.numbers.push_back(describe(request.values[0].name, std::move(first)));
    out.numbers.push_back(describe(request.values[1].name, std::move(second)));
    out.numbers.push_back(describe("difference", std::move(difference)));
    return out;
  }
  if (out.groups.size() != 2) {
    throw std::invalid_argument(fmt::format("{}: compares two groups; {} has {} among the patients with a value", to_name(test),
                                            request.by->name, out.groups.size()));
  }
  std::map<std::string, std::vector<double>> by_group;
  for (const auto& patient : out.included) by_group[patient.group].push_back(patient.numbers[0]);
  const auto& x = by_group[out.groups[0]];
  const auto& y = by_group[out.groups[1]];
  out.result = run_number_test(test, x, y, request.conf_level);
  for (const auto& group : out.groups) out.numbers.push_back(describe(group, by_group[group]));
  return out;
}

}  // namespace crsguard
