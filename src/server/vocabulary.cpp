#include "server/vocabulary.hpp"

#include "core/drugs.hpp"
#include "core/enum_names.hpp"
#include "core/observation_codes.hpp"
#include "core/units.hpp"
#include "model/events.hpp"

namespace crsguard {
namespace {

using nlohmann::json;

std::string_view category_name(ObservationCategory category) {
  switch (category) {
    case ObservationCategory::vital_sign: return "vital_sign";
    case ObservationCategory::laboratory: return "laboratory";
    case ObservationCategory::cytokine: return "cytokine";
    case ObservationCategory::car_t_kinetics: return "car_t_kinetics";
    case ObservationCategory::disease: return "disease";
  }
  return "?";
}

// The canonical unit first, then the others of its dimension; molar units too where the reader
// converts them (an analyte with a molar mass: creatinine in µmol/L).
json units_of(const ObservationInfo& info) {
  const Unit& canonical = unit_by_code(info.canonical_unit);
  json out = json::array({info.canonical_unit});
  for (const std::string_view code : unit_codes_for(canonical.dimension)) {
    if (code != info.canonical_unit) out.push_back(code);
  }
  if (canonical.dimension == Dimension::mass_concentration && info.molar_mass_g_per_mol > 0) {
    for (const std::string_view code : unit_codes_for(Dimension::substance_concentration)) out.push_back(code);
  }
  return out;
}

template <class E>
json all_names() {
  json out = json::array();
  for (const auto& entry : names(E{})) out.push_back(entry.name);
  return out;
}

}  // namespace

json vocabulary_json() {
  json observations = json::array();
  for (const ObservationInfo& info : observation_table()) {
    observations.push_back({{"code", info.name}, {"display", info.display}, {"category", category_name(info.category)},
                            {"canonical_unit", info.canonical_unit}, {"units", units_of(info)},
                            {"plausible_min", info.plausible_min}, {"plausible_max", info.plausible_max}});
  }
  json drugs = json::array();
  for (const DrugInfo& drug : drug_table()) {
    json units = json::array();
    if (drug.mg.used()) units.insert(units.end(), {"mg", "g", "ug"});
    if (drug.mg_per_kg.used()) units.push_back("mg/kg");
    if (drug.mg_per_m2.used()) units.push_back("mg/m2");
    drugs.push_back({{"name", drug.name}, {"class", to_name(drug.drug_class)}, {"dose_units", std::move(units)}});
  }
  json vasopressors = json::array();
  for (const VasopressorInfo& agent : vasopressor_table()) {
    json units = json::array();
    if (agent.ug_per_kg_per_min.used()) units.push_back("ug/kg/min");
    if (agent.ug_per_min.used()) units.push_back("ug/min");
    if (agent.units_per_min.used()) units.push_back("U/min");
    vasopressors.push_back({{"agent", agent.name}, {"dose_units", std::move(units)}});
  }
  return {{"observations", std::move(observations)},
          {"drugs", std::move(drugs)},
          {"vasopressors", std::move(vasopressors)},
          {"vasopressor_actions", all_names<VasopressorAction>()},
          {"oxygen_devices", all_names<OxygenDevice>()},
          {"consciousness", all_names<Consciousness>()},
          {"routes", all_names<Route>()},
          {"indications", all_names<Indication>()}};
}

}  // namespace crsguard
