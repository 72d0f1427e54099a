#include "io/json_fields.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace crsguard {

std::string json_type_name(const nlohmann::json& value) {
  if (value.is_boolean()) return "a boolean";
  if (value.is_number()) return "a number";
  if (value.is_string()) return "a string";
  if (value.is_array()) return "an array";
  if (value.is_object()) return "an object";
  if (value.is_null()) return "null";
  return "an unsupported value";
}

ObjectReader::ObjectReader(const nlohmann::json& value, std::string pointer, ProblemLog& log)
    : pointer_(std::move(pointer)), log_(log) {
  if (value.is_object()) {
    object_ = &value;
  } else {
    log_.add_at_pointer(pointer_, "expected an object, found " + json_type_name(value));
  }
}

std::string ObjectReader::child(std::string_view key) const { return pointer_ + "/" + pointer_escape(std::string(key)); }

bool ObjectReader::has(std::string_view key) const { return object_ != nullptr && object_->contains(key); }

const nlohmann::json* ObjectReader::get(std::string_view key, Presence presence) {
  if (object_ == nullptr) return nullptr;
  read_keys_.emplace_back(key);
  const auto found = object_->find(key);
  if (found == object_->end()) {
    if (presence == Presence::required) log_.add_at_pointer(child(key), "required field is missing");
    return nullptr;
  }
  return &*found;
}

std::optional<std::string> read_string(const nlohmann::json& value, const std::string& pointer, ProblemLog& log) {
  if (!value.is_string()) {
    log.add_at_pointer(pointer, "expected a string, found " + json_type_name(value));
    return std::nullopt;
  }
  return value.get<std::string>();
}

std::optional<double> read_number(const nlohmann::json& value, const std::string& pointer, ProblemLog& log) {
  if (!value.is_number()) {
    log.add_at_pointer(pointer, "expected a number, found " + json_type_name(value));
    return std::nullopt;
  }
  const double number = value.get<double>();
  if (!std::isfinite(number)) {
    log.add_at_pointer(pointer, "number is too large to represent");
    return std::nullopt;
  }
  return number;
}

std::optional<std::int64_t> read_integer(const nlohmann::json& value, const std::string& pointer, ProblemLog& log) {
  if (value.is_number_integer()) {
    if (value.is_number_unsigned() && value.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
      log.add_at_pointer(pointer, "whole number is too large");
      return std::nullopt;
    }
    return value.get<std::int64_t>();
  }
  if (value.is_number_float()) {
    const double number = value.get<double>();
    // 5.0 is accepted as 5: some tools write every number as a float.
    if (std::isfinite(number) && std::trunc(number) == number && std::fabs(number) < 9.0e15) {
      return static_cast<std::int64_t>(number);
    }
    log.add_at_pointer(pointer, fmt::format("expected a whole number, found {}", value.dump()));
    return std::nullopt;
  }
  log.add_at_pointer(pointer, "expected a whole number, found " + json_type_name(value));
  return std::nullopt;
}

std::optional<std::string> ObjectReader::string(std::string_view key, Presence presence) {
  const auto* value = get(key, presence);
  if (value == nullptr) return std::nullopt;
  auto text = read_string(*value, child(key), log_);
  if (text && text->empty() && presence == Presence::required) {
    log_.add_at_pointer(child(key), "must not be empty");
    return std::nullopt;
  }
  return text;
}

std::optional<bool> ObjectReader::boolean(std::string_view key, Presence presence) {
  const auto* value = get(key, presence);
  if (value == nullptr) return std::nullopt;
  if (!value->is_boolean()) {
    log_.add_at_pointer(child(key), "expected true or false, found " + json_type_name(*value));
    return std::nullopt;
  }
  return value->get<bool>();
}

std::optional<double> ObjectReader::number(std::string_view key, double min, double max, Presence presence) {
  const auto* value = get(key, presence);
  if (value == nullptr) return std::nullopt;
  const auto number = read_number(*value, child(key), log_);
  if (!number) return std::nullopt;
  if (*number < min || *number > max) {
    log_.add_at_pointer(child(key), fmt::format("{} is outside the accepted range {}–{}", *number, min, max));
    return std::nullopt;
  }
  return number;
}

std::optional<std::int64_t> ObjectReader::integer(std::string_view key, std::int64_t min, std::int64_t max,
                                                  Presence presence) {
  const auto* value = get(key, presence);
  if (value == nullptr) return std::nullopt;
  const auto number = read_integer(*value, child(key), log_);
  if (!number) return std::nullopt;
  if (*number < min || *number > max) {
    log_.add_at_pointer(child(key), fmt::format("{} is outside the accepted range {}–{}", *number, min, max));
    return std::nullopt;
  }
  return number;
}

std::optional<std::vector<std::string>> ObjectReader::string_array(std::string_view key, Presence presence) {
  const auto* value = get(key, presence);
  if (value == nullptr) return std::nullopt;
  if (!value->is_array()) {
    log_.add_at_pointer(child(key), "expected an array of strings, found " + json_type_name(*value));
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (std::size_t i = 0; i < value->size(); ++i) {
    const std::string element_pointer = child(key) + "/" + std::to_string(i);
    auto text = read_string((*value)[i], element_pointer, log_);
    if (!text) continue;
    if (text->empty()) {
      log_.add_at_pointer(element_pointer, "must not be empty");
      continue;
    }
    out.push_back(std::move(*text));
  }
  return out;
}

void ObjectReader::finish(std::string_view what) {
  if (object_ == nullptr) return;
  for (const auto& [key, value] : object_->items()) {
    if (std::find(read_keys_.begin(), read_keys_.end(), key) != read_keys_.end()) continue;
    std::string accepted;
    for (const auto& known : read_keys_) {
      if (accepted.find("\"" + known + "\"") != std::string::npos) continue;
      if (!accepted.empty()) accepted += ", ";
      accepted += "\"" + known + "\"";
    }
    log_.add_at_pointer(child(key), fmt::format("unknown field \"{}\" in {}; accepted fields: {}", key, what, accepted));
  }
}

void ObjectReader::expect_format(std::string_view expected) {
  const auto format = string("format", Presence::required);
  if (format && *format != expected) {
    log_.add_at_pointer(child("format"), "unknown format \"" + *format + "\"; expected \"" + std::string(expected) + "\"");
  }
}

}  // namespace crsguard
