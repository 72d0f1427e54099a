#pragma once
// How a command reports bad input: every problem on stderr (file, field, reason) and exit status 2.
// A file-system error on a path the user gave is bad input too. Anything else is left to main's handler
// (exit status 1).
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <string_view>

#include "core/problem.hpp"

namespace crsguard {

inline constexpr int kExitOk = 0;
inline constexpr int kExitBadInput = 2;

template <class Run>
int guarded(std::string_view command, Run run) {
  try {
    return run();
  } catch (const InputError& error) {
    for (const auto& line : error.lines()) std::cerr << line << '\n';
    return kExitBadInput;
  } catch (const std::invalid_argument& error) {
    std::cerr << "crsguard " << command << ": " << error.what() << '\n';
    return kExitBadInput;
  } catch (const std::filesystem::filesystem_error& error) {
    // An output folder that is a file, or not writable: the user's path, not an internal failure.
    std::cerr << "crsguard " << command << ": " << error.what() << '\n';
    return kExitBadInput;
  }
}

}  // namespace crsguard
