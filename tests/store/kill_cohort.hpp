#pragma once
// The synthetic cohort of the no-data-loss kill test (issue 5 item 7), shared by the driver that
// imports it and the test that checks what a killed import left behind: `patients` monitored
// admissions of `days` days (hourly temperature and systolic pressure, one CRS episode each) from
// bench/synthetic_course.hpp, seeds 1..patients, so every patient has a distinct id ("bench-SEED").
#include <cstdint>
#include <vector>

#include "../../bench/synthetic_course.hpp"

namespace crsguard::testing {

inline constexpr int kKillCohortPatients = 200;
inline constexpr int kKillCohortDays = 14;

inline std::vector<Timeline> kill_test_cohort(int patients = kKillCohortPatients, int days = kKillCohortDays) {
  std::vector<Timeline> out;
  out.reserve(static_cast<std::size_t>(patients));
  for (int i = 1; i <= patients; ++i) out.push_back(synthetic_course(static_cast<std::uint32_t>(i), days));
  return out;
}

}  // namespace crsguard::testing
