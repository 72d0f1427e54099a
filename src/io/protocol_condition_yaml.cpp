// The protocol reader's conditions ("when"), drug references and response states.
#include <fmt/format.h>

#include "io/protocol_yaml_parts.hpp"

namespace crsguard::protocol_yaml {
namespace {

constexpr Bounds kResponseHours{0, 168};  // "after_hours: 0" asks for the response from the first dose on
constexpr Bounds kAgeYears{0, 120};

std::string drug_names() {
  std::string out;
  for (const DrugInfo& drug : drug_table()) out += (out.empty() ? "" : ", ") + std::string(drug.name);
  return out;
}

std::string drug_class_identifiers() {
  std::string out;
  for (const auto& entry : names(DrugClass{})) {
    if (entry.value != DrugClass::other) out += (out.empty() ? "" : ", ") + std::string(entry.name);
  }
  return out;
}

// The lower bound must not exceed the upper one; reported at the upper key.
template <class Number>
void check_order(MappingReader& map, const std::optional<Number>& low, std::string_view low_key,
                 const std::optional<Number>& high, std::string_view high_key) {
  if (low && high && *low > *high) {
    map.report(high_key, fmt::format("{} {} is below {} {}", high_key, *high, low_key, *low));
  }
}

ResponseCondition read_response(const YamlValue& value) {
  return read_mapping<ResponseCondition>(value, "response condition", [](MappingReader& map, ResponseCondition& response) {
    if (const auto therapy = map.get("therapy", Presence::required)) {
      response.therapy = read_drug_reference(*therapy).value_or("");
    }
    response.after_hours = map.number("after_hours", kResponseHours, Presence::required).value_or(0);
    response.is = read_response_states(map, "is", Presence::required).value_or(std::vector<ResponseState>{});
  });
}

GradeHeld read_grade_held(const YamlValue& value) {
  return read_mapping<GradeHeld>(value, "crs_at_most_for condition", [](MappingReader& map, GradeHeld& held) {
    held.grade = map.integer("grade", 0, kMaxGrade, Presence::required).value_or(0);
    held.hours = map.number("hours", kMonthHours, Presence::required).value_or(0);
  });
}

}  // namespace

std::optional<std::string> read_drug_reference(const YamlValue& value) {
  const auto name = value.text();
  if (!name) return std::nullopt;
  const auto drug_class = from_name<DrugClass>(*name);
  if (find_drug(*name) != nullptr || (drug_class && *drug_class != DrugClass::other)) return name;
  value.report(fmt::format("unknown drug or drug class \"{}\"; a drug of the drug table ({}) or a drug class ({})",
                           *name, drug_names(), drug_class_identifiers()));
  return std::nullopt;
}

std::vector<std::string> read_drug_references(MappingReader& map, std::string_view key, Presence presence) {
  std::vector<std::string> references;
  map.for_each_item(key, presence, [&](const YamlValue& item) {
    if (auto reference = read_drug_reference(item)) references.push_back(std::move(*reference));
  });
  return references;
}

const DrugInfo* read_step_drug(MappingReader& step) {
  const auto value = step.get("drug");
  if (!value) return nullptr;
  const auto name = value->text();
  if (!name) return nullptr;
  const DrugInfo* drug = find_drug(*name);
  if (drug == nullptr) {
    const bool is_class = from_name<DrugClass>(*name).has_value();
    value->report(is_class ? fmt::format("a step gives one drug, not the class \"{}\"; name a drug: {}", *name, drug_names())
                           : fmt::format("unknown drug \"{}\"; the drug table holds: {}", *name, drug_names()));
  }
  return drug;
}

std::optional<std::vector<ResponseState>> read_response_states(MappingReader& map, std::string_view key,
                                                               Presence presence) {
  std::vector<ResponseState> states;
  const bool present = map.for_each_item(key, presence, [&](const YamlValue& item) {
    const auto name = item.text();
    if (!name) return;
    const auto state = from_name<ResponseState>(*name);
    if (!state || *state == ResponseState::unknown) {
      item.report(unknown_name_reason("response state", *name, "improving, unchanged, worse"));
      return;
    }
    states.push_back(*state);
  });
  if (!present) return std::nullopt;
  return states;
}

Condition read_condition(const YamlValue& value, Reading& reading) {
  return read_mapping<Condition>(value, "condition", [&](MappingReader& map, Condition& condition) {
    condition.crs_grade_min = map.integer("crs_grade_min", 0, kMaxGrade);
    condition.crs_grade_max = map.integer("crs_grade_max", 0, kMaxGrade);
    condition.icans_grade_min = map.integer("icans_grade_min", 0, kMaxGrade);
    condition.icans_grade_max = map.integer("icans_grade_max", 0, kMaxGrade);
    condition.fever_hours_min = map.number("fever_hours_min", kMonthHours);
    condition.given = read_drug_references(map, "given");
    condition.not_given = read_drug_references(map, "not_given");
    condition.on = read_drug_references(map, "on");
    condition.off = read_drug_references(map, "off");
    if (const auto response = map.get("response")) condition.response = read_response(*response);
    if (const auto refractory = map.get("steroid_refractory")) {
      condition.steroid_refractory = refractory->boolean();
      reading.steroid_refractory_uses.push_back(refractory->where);
    }
    if (const auto held = map.get("crs_at_most_for")) condition.crs_at_most_for = read_grade_held(*held);
    condition.crs_resolved = map.boolean("crs_resolved");
    condition.age_min_years = map.number("age_min_years", kAgeYears);
    condition.age_max_years = map.number("age_max_years", kAgeYears);
    map.for_each_item("any_of", Presence::optional,
                      [&](const YamlValue& item) { condition.any_of.push_back(read_condition(item, reading)); });
    if (map.node().entries.empty()) {
      reading.log.add(yaml_location(map.node(), value.path(), value.where.field),
                      "an empty condition; name at least one of: " + map.accepted_keys());
    }
    check_order(map, condition.crs_grade_min, "crs_grade_min", condition.crs_grade_max, "crs_grade_max");
    check_order(map, condition.icans_grade_min, "icans_grade_min", condition.icans_grade_max, "icans_grade_max");
    check_order(map, condition.age_min_years, "age_min_years", condition.age_max_years, "age_max_years");
  });
}

}  // namespace crsguard::protocol_yaml
