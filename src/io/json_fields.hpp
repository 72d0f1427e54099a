#pragma once
// Reading fields of a JSON object one by one, logging every problem with its JSON pointer.
// An ObjectReader remembers which keys were read; finish() reports the keys that were not,
// so a misspelt field is an error instead of being ignored.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/enum_names.hpp"
#include "core/problem.hpp"
#include "io/presence.hpp"

namespace crsguard {

std::string json_type_name(const nlohmann::json& value);

class ObjectReader {
 public:
  // Logs a problem (and reads nothing) when `value` is not an object.
  ObjectReader(const nlohmann::json& value, std::string pointer, ProblemLog& log);

  [[nodiscard]] bool ok() const { return object_ != nullptr; }
  [[nodiscard]] const std::string& pointer() const { return pointer_; }
  [[nodiscard]] std::string child(std::string_view key) const;
  [[nodiscard]] ProblemLog& log() const { return log_; }
  [[nodiscard]] bool has(std::string_view key) const;

  // The raw value (marks the key as read); nullptr when absent, logging if required.
  const nlohmann::json* get(std::string_view key, Presence presence = Presence::optional);

  std::optional<std::string> string(std::string_view key, Presence presence = Presence::optional);
  std::optional<bool> boolean(std::string_view key, Presence presence = Presence::optional);
  std::optional<double> number(std::string_view key, double min, double max,
                               Presence presence = Presence::optional);
  std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max,
                                      Presence presence = Presence::optional);
  std::optional<std::vector<std::string>> string_array(std::string_view key, Presence presence = Presence::optional);
  // The document's required "format" key, which must name `expected` ("crsguard.sim-case/1").
  void expect_format(std::string_view expected);

  template <class E>
  std::optional<E> enumeration(std::string_view key, std::string_view what, Presence presence = Presence::optional) {
    const auto text = string(key, presence);
    if (!text) return std::nullopt;
    const auto value = from_name<E>(*text);
    if (!value) {
      log_.add_at_pointer(child(key), "unknown " + std::string(what) + " \"" + *text + "\"; expected one of: " +
                                          name_list<E>());
    }
    return value;
  }

  // Reports every key that was not read, naming the accepted ones.
  void finish(std::string_view what);

 private:
  const nlohmann::json* object_ = nullptr;
  std::string pointer_;
  ProblemLog& log_;
  std::vector<std::string> read_keys_;
};

// Typed readers for a single value (array elements and the like).
std::optional<std::string> read_string(const nlohmann::json& value, const std::string& pointer, ProblemLog& log);
std::optional<double> read_number(const nlohmann::json& value, const std::string& pointer, ProblemLog& log);
std::optional<std::int64_t> read_integer(const nlohmann::json& value, const std::string& pointer, ProblemLog& log);

}  // namespace crsguard
