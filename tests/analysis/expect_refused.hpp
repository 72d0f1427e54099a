#pragma once
// Bad input is refused with std::invalid_argument whose message names the argument at fault.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace crsguard::testing {

template <typename Call>
void expect_refused(Call call, const std::string& names) {
  try {
    call();
    ADD_FAILURE() << "accepted; expected a refusal naming " << names;
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find(names), std::string::npos) << error.what();
  }
}

}  // namespace crsguard::testing
