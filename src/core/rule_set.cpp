#include "core/rule_set.hpp"

#include <algorithm>
#include <array>

namespace crsguard {

std::span<const EnumName<SourceStatus>> names(SourceStatus) {
  static constexpr std::array<EnumName<SourceStatus>, 4> kNames{{
      {SourceStatus::confirmed, "confirmed"},
      {SourceStatus::secondary, "secondary"},
      {SourceStatus::unconfirmed, "unconfirmed"},
      {SourceStatus::local_choice, "local_choice"},
  }};
  return kNames;
}

MissingRuleError::MissingRuleError(std::string_view key)
    : std::logic_error("no clinical rule parameter \"" + std::string(key) + "\" in the rules files") {}

namespace {
auto lower_bound_of(std::vector<RuleParameter>& parameters, std::string_view key) {
  return std::lower_bound(parameters.begin(), parameters.end(), key,
                          [](const RuleParameter& p, std::string_view k) { return p.key < k; });
}
}  // namespace

bool RuleSet::add(RuleParameter parameter) {
  auto position = lower_bound_of(parameters_, parameter.key);
  if (position != parameters_.end() && position->key == parameter.key) return false;
  parameters_.insert(position, std::move(parameter));
  return true;
}

bool RuleSet::set_value(std::string_view key, double value, std::string source, std::string file) {
  auto position = lower_bound_of(parameters_, key);
  if (position == parameters_.end() || position->key != key) return false;
  position->value = value;
  position->source = std::move(source);
  position->status = SourceStatus::local_choice;
  position->file = std::move(file);
  return true;
}

const RuleParameter* RuleSet::find(std::string_view key) const {
  auto position = std::lower_bound(parameters_.begin(), parameters_.end(), key,
                                   [](const RuleParameter& p, std::string_view k) { return p.key < k; });
  return position != parameters_.end() && position->key == key ? &*position : nullptr;
}

const RuleParameter& RuleSet::get(std::string_view key) const {
  if (const auto* parameter = find(key)) return *parameter;
  throw MissingRuleError(key);
}

}  // namespace crsguard
