#pragma once
// The synthetic cohort of the no-data-loss kill test (issue 5 item 7), shared by the driver that
// imports it and the test that checks what a killed import left behind: `patients` monitored
// admissions of `days` days (hourly temperature and systolic pressure, one CRS episode each) from
// bench/synthetic_course.hpp, seeds 1..patients, so every patient has a distinct id ("bench-SEED").
#include <cstdint>
#include <vector>

#include "../../bench/synthetic_course.hpp"

namespace crsguard::testing {

// 20 × 14 days ≈ 13 500 events, a 10 MB database: far more than SQLite's 2 MB page cache, so the
// transaction spills uncommitted pages into the WAL long before it commits (the case a kill must not
// turn into a part), and small enough for 25 trials in about half a minute in a Debug build. Under
// AddressSanitizer (CI) the import is about 4× slower: 8 patients (≈ 5 400 events, 4 MB, still twice
// the page cache) keep it to about 80 s there (25 trials, measured on the 2-core machine).
#if defined(__SANITIZE_ADDRESS__)
#define CRSGUARD_KILL_TEST_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CRSGUARD_KILL_TEST_UNDER_ASAN 1
#endif
#endif
#ifdef CRSGUARD_KILL_TEST_UNDER_ASAN
inline constexpr int kKillCohortPatients = 8;
#else
inline constexpr int kKillCohortPatients = 20;
#endif
inline constexpr int kKillCohortDays = 14;

inline std::vector<Timeline> kill_test_cohort(int patients = kKillCohortPatients, int days = kKillCohortDays) {
  std::vector<Timeline> out;
  out.reserve(static_cast<std::size_t>(patients));
  for (int i = 1; i <= patients; ++i) out.push_back(synthetic_course(static_cast<std::uint32_t>(i), days));
  return out;
}

}  // namespace crsguard::testing
