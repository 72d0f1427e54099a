#include "io/yaml_fields.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

namespace crsguard {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The decimals people write: [+-] digits [. digits] [e [+-] digits], or [+-] . digits [e …].
// YAML 1.1 would also read 0x1F, 0o17, 1_000, 1:30 and .inf as numbers; here they are not.
struct DecimalShape {
  bool valid = false;
  bool whole = false;         // no fraction and no exponent
  bool leading_zero = false;  // "010": octal to a YAML 1.1 reader, ten to a person
};

DecimalShape decimal_shape(std::string_view text) {
  std::size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  const std::size_t integer_start = i;
  while (i < text.size() && is_digit(text[i])) ++i;
  const std::size_t integer_digits = i - integer_start;
  std::size_t fraction_digits = 0;
  bool has_fraction = false;
  if (i < text.size() && text[i] == '.') {
    has_fraction = true;
    ++i;
    const std::size_t fraction_start = i;
    while (i < text.size() && is_digit(text[i])) ++i;
    fraction_digits = i - fraction_start;
  }
  if (integer_digits + fraction_digits == 0) return {};
  bool has_exponent = false;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    has_exponent = true;
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    const std::size_t exponent_start = i;
    while (i < text.size() && is_digit(text[i])) ++i;
    if (i == exponent_start) return {};
  }
  if (i != text.size()) return {};
  return {true, !has_fraction && !has_exponent, integer_digits > 1 && text[integer_start] == '0'};
}

// Checks the value is a plain scalar of decimal shape; reports and returns nullopt otherwise.
std::optional<DecimalShape> checked_decimal(const YamlValue& value, std::string_view wanted) {
  const YamlNode& node = value.node;
  if (node.kind != YamlNode::Kind::scalar || !node.plain) {
    const std::string hint = node.kind == YamlNode::Kind::scalar ? " (write numbers without quotes)" : "";
    value.report(fmt::format("expected {}, found {}{}", wanted, describe_yaml_value(node), hint));
    return std::nullopt;
  }
  const DecimalShape shape = decimal_shape(node.text);
  if (!shape.valid) {
    value.report(fmt::format("expected {}, found {}", wanted, describe_yaml_value(node)));
    return std::nullopt;
  }
  if (shape.leading_zero) {
    value.report(fmt::format("\"{}\" has a leading zero, which YAML 1.1 reads as octal; write it without", node.text));
    return std::nullopt;
  }
  return shape;
}

template <class Number>
std::optional<Number> from_text(std::string_view text) {
  const bool negative = !text.empty() && text.front() == '-';
  if (!text.empty() && (text.front() == '+' || negative)) text.remove_prefix(1);  // from_chars takes no '+'
  Number number{};
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return negative ? -number : number;
}

std::string format_number(double value) { return fmt::format("{}", value); }

}  // namespace

std::string Bounds::describe() const {
  if (min_excluded) return fmt::format("more than {} and at most {}", format_number(min), format_number(max));
  return fmt::format("from {} to {}", format_number(min), format_number(max));
}

std::string unknown_name_reason(std::string_view what, std::string_view name, const std::string& accepted) {
  return fmt::format("unknown {} \"{}\"; expected one of: {}", what, name, accepted);
}

void YamlValue::report(std::string reason) const { log.add(where, std::move(reason)); }

std::optional<std::string> YamlValue::text() const {
  if (node.kind != YamlNode::Kind::scalar) {
    report("expected text, found " + describe_yaml_value(node));
    return std::nullopt;
  }
  if (node.text.empty()) {
    report("the text is empty; write it, or leave the key out where it is optional");
    return std::nullopt;
  }
  return node.text;
}

std::optional<double> YamlValue::number(Bounds bounds) const {
  if (!checked_decimal(*this, "a number")) return std::nullopt;
  const auto number = from_text<double>(node.text);
  if (!number || !std::isfinite(*number)) {
    report(fmt::format("the number {} cannot be represented", node.text));
    return std::nullopt;
  }
  if (!bounds.contains(*number)) {
    report(fmt::format("{} is out of range: it must be {}", node.text, bounds.describe()));
    return std::nullopt;
  }
  return number;
}

std::optional<int> YamlValue::integer(int min, int max) const {
  const auto shape = checked_decimal(*this, "a whole number");
  if (!shape) return std::nullopt;
  if (!shape->whole) {
    report(fmt::format("expected a whole number, found {}", node.text));
    return std::nullopt;
  }
  const auto number = from_text<long long>(node.text);
  if (!number || *number < min || *number > max) {
    report(fmt::format("{} is out of range: it must be from {} to {}", node.text, min, max));
    return std::nullopt;
  }
  return static_cast<int>(*number);
}

std::optional<bool> YamlValue::boolean() const {
  if (node.kind == YamlNode::Kind::scalar && node.plain && (node.text == "true" || node.text == "false")) {
    return node.text == "true";
  }
  report("expected true or false, found " + describe_yaml_value(node));
  return std::nullopt;
}

MappingReader::MappingReader(const YamlNode& node, std::string path, ProblemLog& log, std::string_view what)
    : node_(node), path_(std::move(path)), log_(log), what_(what), ok_(node.kind == YamlNode::Kind::mapping) {
  require_mapping(yaml_location(node_, path_, pointer_field(path_)));
}

MappingReader::MappingReader(const YamlValue& value, std::string_view what)
    : node_(value.node), path_(value.path()), log_(value.log), what_(what), ok_(node_.kind == YamlNode::Kind::mapping) {
  require_mapping(value.where);
}

void MappingReader::require_mapping(InputLocation where) const {
  if (ok_) return;
  log_.add(std::move(where),
           fmt::format("expected a {} (a mapping of keys to values), found {}", what_, describe_yaml_value(node_)));
}

std::string MappingReader::child(std::string_view key) const { return path_ + "/" + pointer_escape(std::string(key)); }

const YamlEntry* MappingReader::find(std::string_view key) const {
  if (!ok_) return nullptr;
  const auto found = std::find_if(node_.entries.begin(), node_.entries.end(),
                                  [&](const YamlEntry& entry) { return entry.key == key; });
  return found == node_.entries.end() ? nullptr : &*found;
}

std::optional<YamlValue> MappingReader::get(std::string_view key, Presence presence) {
  if (std::find(accepted_.begin(), accepted_.end(), key) == accepted_.end()) accepted_.emplace_back(key);
  const YamlEntry* entry = find(key);
  if (entry == nullptr) {
    if (ok_ && presence == Presence::required) report_missing(key);
    return std::nullopt;
  }
  InputLocation where;
  where.line = entry->line;
  where.column = entry->column;
  where.json_pointer = child(key);
  where.field = std::string(key);
  return YamlValue{entry->value, std::move(where), log_};
}

std::optional<std::string> MappingReader::text(std::string_view key, Presence presence) {
  const auto value = get(key, presence);
  return value ? value->text() : std::nullopt;
}

std::optional<bool> MappingReader::boolean(std::string_view key, Presence presence) {
  const auto value = get(key, presence);
  return value ? value->boolean() : std::nullopt;
}

std::optional<double> MappingReader::number(std::string_view key, Bounds bounds, Presence presence) {
  const auto value = get(key, presence);
  return value ? value->number(bounds) : std::nullopt;
}

std::optional<int> MappingReader::integer(std::string_view key, int min, int max, Presence presence) {
  const auto value = get(key, presence);
  return value ? value->integer(min, max) : std::nullopt;
}

bool MappingReader::for_each_item(std::string_view key, Presence presence,
                                  const std::function<void(const YamlValue&)>& read_item) {
  const auto list = get(key, presence);
  if (!list) return false;
  if (list->node.kind != YamlNode::Kind::sequence) {
    list->report("expected a list, found " + describe_yaml_value(list->node));
    return true;
  }
  if (list->node.items.empty()) {
    list->report("the list is empty; name at least one item, or leave the key out where it is optional");
    return true;
  }
  for (std::size_t i = 0; i < list->node.items.size(); ++i) {
    const YamlNode& item = list->node.items[i];
    read_item(YamlValue{item, yaml_location(item, fmt::format("{}/{}", list->path(), i), std::string(key)), log_});
  }
  return true;
}

std::optional<std::vector<std::string>> MappingReader::text_list(std::string_view key, Presence presence) {
  std::vector<std::string> texts;
  const bool present = for_each_item(key, presence, [&](const YamlValue& item) {
    if (auto text = item.text()) texts.push_back(std::move(*text));
  });
  if (!present) return std::nullopt;
  return texts;
}

void MappingReader::report(std::string_view key, std::string reason) const {
  const YamlEntry* entry = find(key);
  InputLocation where = yaml_location(node_, child(key), std::string(key));
  if (entry != nullptr) {
    where.line = entry->line;
    where.column = entry->column;
  }
  log_.add(std::move(where), std::move(reason));
}

void MappingReader::report_missing(std::string_view key, std::string_view why) const {
  std::string reason = fmt::format("required key \"{}\" is missing", key);
  if (!why.empty()) reason += fmt::format(" ({})", why);
  log_.add(yaml_location(node_, child(key), std::string(key)), std::move(reason));
}

void MappingReader::finish() const {
  if (!ok_) return;
  for (const YamlEntry& entry : node_.entries) {
    if (std::find(accepted_.begin(), accepted_.end(), entry.key) != accepted_.end()) continue;
    InputLocation where;
    where.line = entry.line;
    where.column = entry.column;
    where.json_pointer = child(entry.key);
    where.field = entry.key;
    log_.add(std::move(where),
             fmt::format("unknown key \"{}\" in a {}; the accepted keys are: {}", entry.key, what_, accepted_keys()));
  }
}

std::string MappingReader::accepted_keys() const { return fmt::format("{}", fmt::join(accepted_, ", ")); }

}  // namespace crsguard
