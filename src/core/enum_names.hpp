#pragma once
// Names of enumerations as they appear in files, in one table per enum.
// Each enum E provides `names(E)` returning a span of EnumName<E>; found by ADL.
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace crsguard {

template <class E>
struct EnumName {
  E value;
  std::string_view name;
};

template <class E>
std::string_view to_name(E value) {
  for (const auto& entry : names(E{})) {
    if (entry.value == value) return entry.name;
  }
  return "?";
}

template <class E>
std::optional<E> from_name(std::string_view name) {
  for (const auto& entry : names(E{})) {
    if (entry.name == name) return entry.value;
  }
  return std::nullopt;
}

// "a, b, c": for error messages that list what is accepted.
template <class E>
std::string name_list() {
  std::string out;
  for (const auto& entry : names(E{})) {
    if (!out.empty()) out += ", ";
    out += entry.name;
  }
  return out;
}

}  // namespace crsguard

// Defines `names(Enum)` from its {value, "name"} pairs, in a .cpp file inside namespace crsguard.
#define CRSGUARD_NAMES(Enum, ...)                             \
  std::span<const EnumName<Enum>> names(Enum) {               \
    static constexpr EnumName<Enum> kNames[] = {__VA_ARGS__}; \
    return kNames;                                            \
  }
