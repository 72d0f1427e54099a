#pragma once
// Numbers in the oracle fixtures (tests/data/oracles/*.json): R and SciPy write an infinity as
// "Inf" / "-Inf" and NA or NaN as null, since JSON has neither.
#include <nlohmann/json.hpp>

#include <limits>
#include <stdexcept>
#include <string>

namespace crsguard::testing {

inline double fixture_number(const nlohmann::json& value) {
  if (value.is_null()) return std::numeric_limits<double>::quiet_NaN();
  if (value.is_string()) {
    const auto text = value.get<std::string>();
    if (text == "Inf") return std::numeric_limits<double>::infinity();
    if (text == "-Inf") return -std::numeric_limits<double>::infinity();
    throw std::runtime_error("not a number: " + text);
  }
  return value.get<double>();
}

}  // namespace crsguard::testing
