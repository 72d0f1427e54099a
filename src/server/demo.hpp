#pragma once
// What `crsguard serve --demo` serves (docs/api.md): an empty store seeded with the bundled example
// patients, a few virtual patients in an active course, and one account to log in with.
#include <string>

#include "core/rule_set.hpp"
#include "core/time.hpp"
#include "store/store.hpp"

namespace crsguard {

struct DemoAccount {
  std::string username;
  std::string password;  // random, shown once on the console
};

// Seeds `store` (which should be empty): the examples of the two clinical reports (examples/, compiled
// in); three virtual patients infused 2, 4 and 6 days before `today` (a date) whose courses so far were
// simulated in closed loop under astct-asco-2021 (docs/simulator.md), so that the ward board has
// patients in an active course; and an admin account with a random password.
DemoAccount seed_demo_store(Store& store, const RuleSet& rules, LocalSeconds today);

}  // namespace crsguard
