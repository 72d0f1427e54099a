#pragma once
// Reading the keys of a YAML mapping one by one with strict types, logging every problem with
// line, column, path and field. A MappingReader remembers which keys were asked for; finish()
// reports every other key as unknown and lists the accepted ones, so a misspelt key is an error
// instead of being ignored. Scalars convert strictly: a number is a plain (unquoted) decimal
// ("8 mg", "0x10", "1_000", ".inf" and "010" are not), a boolean is exactly true or false.
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/enum_names.hpp"
#include "core/problem.hpp"
#include "io/presence.hpp"
#include "io/yaml_document.hpp"

namespace crsguard {

// The numbers a field accepts: [min, max], or (min, max] when min_excluded.
struct Bounds {
  double min;
  double max;
  bool min_excluded = false;
  [[nodiscard]] bool contains(double value) const { return (min_excluded ? value > min : value >= min) && value <= max; }
  [[nodiscard]] std::string describe() const;  // "more than 0 and at most 168"
};

// "unknown route \"oral\"; expected one of: iv, po, …"
std::string unknown_name_reason(std::string_view what, std::string_view name, const std::string& accepted);

// One value to convert, and where its problems are filed: at its key for a mapping's value
// (the line a reader looks for), at the item itself for a list item.
struct YamlValue {
  const YamlNode& node;
  InputLocation where;  // line, column, pointer and field
  ProblemLog& log;

  [[nodiscard]] const std::string& path() const { return where.json_pointer; }
  void report(std::string reason) const;
  [[nodiscard]] std::optional<std::string> text() const;
  [[nodiscard]] std::optional<double> number(Bounds bounds) const;
  [[nodiscard]] std::optional<int> integer(int min, int max) const;
  [[nodiscard]] std::optional<bool> boolean() const;
  template <class E>
  [[nodiscard]] std::optional<E> enumeration(std::string_view what) const {
    const auto name = text();
    if (!name) return std::nullopt;
    const auto value = from_name<E>(*name);
    if (!value) report(unknown_name_reason(what, *name, name_list<E>()));
    return value;
  }
};

class MappingReader {
 public:
  // Logs a problem (and reads nothing) when `node` is not a mapping; `what` names it in
  // messages ("step", "condition").
  MappingReader(const YamlNode& node, std::string path, ProblemLog& log, std::string_view what);
  // A mapping that is a key's value or a list's item: a problem with its kind is filed where the value's are.
  MappingReader(const YamlValue& value, std::string_view what);

  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] const YamlNode& node() const { return node_; }
  [[nodiscard]] ProblemLog& log() const { return log_; }
  [[nodiscard]] std::string child(std::string_view key) const;
  [[nodiscard]] bool has(std::string_view key) const { return find(key) != nullptr; }

  // The value of `key` (and the key is accepted); nullopt when absent, logging if required.
  std::optional<YamlValue> get(std::string_view key, Presence presence = Presence::optional);

  std::optional<std::string> text(std::string_view key, Presence presence = Presence::optional);
  std::optional<bool> boolean(std::string_view key, Presence presence = Presence::optional);
  std::optional<double> number(std::string_view key, Bounds bounds, Presence presence = Presence::optional);
  std::optional<int> integer(std::string_view key, int min, int max, Presence presence = Presence::optional);
  template <class E>
  std::optional<E> enumeration(std::string_view key, std::string_view what, Presence presence = Presence::optional) {
    const auto value = get(key, presence);
    return value ? value->template enumeration<E>(what) : std::nullopt;
  }

  // Calls `read_item` for each item of the list under `key`; an empty list, or a value that is
  // not a list, is a problem. Returns whether the key was there.
  bool for_each_item(std::string_view key, Presence presence, const std::function<void(const YamlValue&)>& read_item);
  // A non-empty list of non-empty texts.
  std::optional<std::vector<std::string>> text_list(std::string_view key, Presence presence = Presence::optional);

  // A problem about the key itself (a key that is not allowed with another), at the key.
  void report(std::string_view key, std::string reason) const;
  // A required key that is absent, at the mapping; `why` is added to the reason when not empty.
  void report_missing(std::string_view key, std::string_view why = {}) const;

  // Reports every key that was not asked for, naming the accepted ones.
  void finish() const;
  // "a, b, c": the keys asked for so far.
  [[nodiscard]] std::string accepted_keys() const;

 private:
  [[nodiscard]] const YamlEntry* find(std::string_view key) const;
  void require_mapping(InputLocation where) const;

  const YamlNode& node_;
  std::string path_;
  ProblemLog& log_;
  std::string what_;
  bool ok_ = false;
  std::vector<std::string> accepted_;
};

}  // namespace crsguard
