// The child process of the no-data-loss kill test (tests/store/kill_test.cpp, issue 5 item 7):
//   store_import_driver sqlite:PATH [PATIENTS DAYS]
// opens (creates and migrates) the store, builds the synthetic cohort in memory, prints
// "importing PATIENTS EVENTS", imports the whole cohort in ONE import_timelines call (one
// transaction), and prints "committed EVENTS_ADDED" once it has returned. Each line is flushed at
// once, so that a parent that kills this process knows which of them it had reached.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "kill_cohort.hpp"
#include "store/store.hpp"

int main(int argc, char** argv) {
  if (argc != 2 && argc != 4) {
    std::fprintf(stderr, "usage: %s sqlite:PATH [PATIENTS DAYS]\n", argv[0]);
    return 2;
  }
  try {
    const int patients = argc == 4 ? std::atoi(argv[2]) : crsguard::testing::kKillCohortPatients;
    const int days = argc == 4 ? std::atoi(argv[3]) : crsguard::testing::kKillCohortDays;
    const auto cohort = crsguard::testing::kill_test_cohort(patients, days);
    std::size_t events = 0;
    for (const auto& timeline : cohort) events += timeline.events().size();
    auto store = crsguard::open_store(argv[1]);
    std::printf("importing %zu %zu\n", cohort.size(), events);
    std::fflush(stdout);
    const crsguard::ImportSummary summary = store->import_timelines(cohort, "kill-test", "synthetic-cohort");
    std::printf("committed %d\n", summary.events_added);
    std::fflush(stdout);
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "store_import_driver: %s\n", error.what());
    return 1;
  }
}
