#include "core/units.hpp"

#include <array>
#include <cmath>
#include <stdexcept>
#include <string>

namespace crsguard {
namespace {

using D = Dimension;

// One row per UCUM code this project reads. Scales are exact definitions
// (UCUM; 1 [lb_av] = 453.59237 g; 1 [in_i] = 2.54 cm; 1 a = 365.25 d).
constexpr std::array kUnits = {
    Unit{"Cel", D::temperature, 1.0, 0.0},
    Unit{"[degF]", D::temperature, 5.0 / 9.0, -32.0 * 5.0 / 9.0},
    Unit{"mg", D::mass, 1.0, 0.0},
    Unit{"g", D::mass, 1e3, 0.0},
    Unit{"kg", D::mass, 1e6, 0.0},
    Unit{"ug", D::mass, 1e-3, 0.0},
    Unit{"[lb_av]", D::mass, 453592.37, 0.0},
    Unit{"cm", D::length, 1.0, 0.0},
    Unit{"m", D::length, 100.0, 0.0},
    Unit{"mm", D::length, 0.1, 0.0},
    Unit{"[in_i]", D::length, 2.54, 0.0},
    Unit{"h", D::duration, 1.0, 0.0},
    Unit{"min", D::duration, 1.0 / 60.0, 0.0},
    Unit{"s", D::duration, 1.0 / 3600.0, 0.0},
    Unit{"d", D::duration, 24.0, 0.0},
    Unit{"wk", D::duration, 168.0, 0.0},
    Unit{"mo", D::duration, 730.5, 0.0},
    Unit{"a", D::duration, 8766.0, 0.0},
    Unit{"mL", D::volume, 1.0, 0.0},
    Unit{"L", D::volume, 1e3, 0.0},
    Unit{"m2", D::area, 1.0, 0.0},
    Unit{"g/L", D::mass_concentration, 1.0, 0.0},
    Unit{"g/dL", D::mass_concentration, 10.0, 0.0},
    Unit{"mg/dL", D::mass_concentration, 1e-2, 0.0},
    Unit{"mg/L", D::mass_concentration, 1e-3, 0.0},
    Unit{"ug/mL", D::mass_concentration, 1e-3, 0.0},
    Unit{"ug/dL", D::mass_concentration, 1e-5, 0.0},
    Unit{"ug/L", D::mass_concentration, 1e-6, 0.0},
    Unit{"ng/mL", D::mass_concentration, 1e-6, 0.0},
    Unit{"ng/L", D::mass_concentration, 1e-9, 0.0},
    Unit{"pg/mL", D::mass_concentration, 1e-9, 0.0},
    Unit{"mol/L", D::substance_concentration, 1.0, 0.0},
    Unit{"mmol/L", D::substance_concentration, 1e-3, 0.0},
    Unit{"umol/L", D::substance_concentration, 1e-6, 0.0},
    Unit{"nmol/L", D::substance_concentration, 1e-9, 0.0},
    Unit{"10*9/L", D::number_concentration, 1.0, 0.0},
    Unit{"10*12/L", D::number_concentration, 1e3, 0.0},
    Unit{"10*3/uL", D::number_concentration, 1.0, 0.0},
    Unit{"10*6/uL", D::number_concentration, 1e3, 0.0},
    Unit{"/uL", D::number_concentration, 1e-3, 0.0},
    Unit{"/L", D::number_concentration, 1e-9, 0.0},
    Unit{"U/L", D::catalytic_concentration, 1.0, 0.0},
    Unit{"ukat/L", D::catalytic_concentration, 60.0, 0.0},
    Unit{"U/mL", D::arbitrary_concentration, 1.0, 0.0},
    Unit{"/min", D::frequency, 1.0, 0.0},
    Unit{"/h", D::frequency, 1.0 / 60.0, 0.0},
    Unit{"mm[Hg]", D::pressure, 1.0, 0.0},
    Unit{"kPa", D::pressure, 7.500615758456563, 0.0},
    Unit{"%", D::percent, 1.0, 0.0},
    Unit{"1", D::ratio, 1.0, 0.0},
    Unit{"L/min", D::volume_flow, 1.0, 0.0},
    Unit{"mL/min", D::volume_flow, 1e-3, 0.0},
    Unit{"mg/kg", D::mass_per_body_mass, 1.0, 0.0},
    Unit{"ug/kg", D::mass_per_body_mass, 1e-3, 0.0},
    Unit{"g/kg", D::mass_per_body_mass, 1e3, 0.0},
    Unit{"mg/m2", D::mass_per_body_area, 1.0, 0.0},
    Unit{"g/m2", D::mass_per_body_area, 1e3, 0.0},
    Unit{"ug/m2", D::mass_per_body_area, 1e-3, 0.0},
    Unit{"mg/kg/d", D::mass_per_body_mass_per_day, 1.0, 0.0},
    Unit{"ug/kg/min", D::mass_rate_per_body_mass, 1.0, 0.0},
    Unit{"ug/kg/h", D::mass_rate_per_body_mass, 1.0 / 60.0, 0.0},
    Unit{"mg/kg/h", D::mass_rate_per_body_mass, 1e3 / 60.0, 0.0},
    Unit{"ug/min", D::mass_rate, 1.0, 0.0},
    Unit{"mg/h", D::mass_rate, 1e3 / 60.0, 0.0},
    Unit{"ug/h", D::mass_rate, 1.0 / 60.0, 0.0},
    Unit{"U/min", D::arbitrary_rate, 1.0, 0.0},
    Unit{"U/h", D::arbitrary_rate, 1.0 / 60.0, 0.0},
    Unit{"{cells}", D::count, 1.0, 0.0},
    Unit{"10*11", D::count, 1e11, 0.0},
    Unit{"{cells}/kg", D::count_per_body_mass, 1.0, 0.0},
    Unit{"10*6{cells}/kg", D::count_per_body_mass, 1e6, 0.0},
    Unit{"{copies}/ug", D::count_per_mass, 1.0, 0.0},
};

struct Alias {
  std::string_view spelling;
  std::string_view code;
};

// Spellings seen in lab reports, spreadsheets and EHR exports. µ appears both as the
// micro sign (U+00B5) and the Greek letter mu (U+03BC); both are listed.
constexpr std::array kAliases = {
    Alias{"°C", "Cel"}, Alias{"degC", "Cel"}, Alias{"deg C", "Cel"}, Alias{"℃", "Cel"},
    Alias{"°F", "[degF]"}, Alias{"degF", "[degF]"}, Alias{"deg F", "[degF]"}, Alias{"℉", "[degF]"},
    Alias{"lb", "[lb_av]"}, Alias{"lbs", "[lb_av]"}, Alias{"in", "[in_i]"},
    Alias{"µg", "ug"}, Alias{"μg", "ug"}, Alias{"mcg", "ug"},
    Alias{"hr", "h"}, Alias{"hours", "h"}, Alias{"sec", "s"}, Alias{"day", "d"}, Alias{"days", "d"},
    Alias{"month", "mo"}, Alias{"months", "mo"}, Alias{"y", "a"}, Alias{"yr", "a"},
    Alias{"year", "a"}, Alias{"years", "a"},
    Alias{"ml", "mL"}, Alias{"l", "L"}, Alias{"m²", "m2"}, Alias{"m^2", "m2"},
    Alias{"g/l", "g/L"}, Alias{"g/dl", "g/dL"}, Alias{"mg/dl", "mg/dL"}, Alias{"mg/l", "mg/L"},
    Alias{"µg/mL", "ug/mL"}, Alias{"μg/mL", "ug/mL"}, Alias{"µg/L", "ug/L"}, Alias{"μg/L", "ug/L"},
    Alias{"µg/dL", "ug/dL"}, Alias{"μg/dL", "ug/dL"},
    Alias{"ng/ml", "ng/mL"}, Alias{"pg/ml", "pg/mL"}, Alias{"ng/l", "ng/L"},
    Alias{"µmol/L", "umol/L"}, Alias{"μmol/L", "umol/L"}, Alias{"umol/l", "umol/L"},
    Alias{"mmol/l", "mmol/L"},
    Alias{"10^9/L", "10*9/L"}, Alias{"x10^9/L", "10*9/L"}, Alias{"×10^9/L", "10*9/L"},
    Alias{"10E9/L", "10*9/L"}, Alias{"G/L", "10*9/L"}, Alias{"10^9/l", "10*9/L"},
    Alias{"10^12/L", "10*12/L"},
    Alias{"10^3/uL", "10*3/uL"}, Alias{"10^3/µL", "10*3/uL"}, Alias{"10^3/μL", "10*3/uL"},
    Alias{"x10^3/uL", "10*3/uL"}, Alias{"K/uL", "10*3/uL"}, Alias{"10*3/mm3", "10*3/uL"},
    Alias{"/µL", "/uL"}, Alias{"/μL", "/uL"}, Alias{"cells/uL", "/uL"}, Alias{"cells/µL", "/uL"},
    Alias{"cells/μL", "/uL"}, Alias{"/mm3", "/uL"}, Alias{"cells/mm3", "/uL"},
    Alias{"IU/L", "U/L"}, Alias{"U/l", "U/L"}, Alias{"IU/mL", "U/mL"}, Alias{"kU/L", "U/mL"},
    Alias{"bpm", "/min"}, Alias{"beats/min", "/min"}, Alias{"{beats}/min", "/min"},
    Alias{"breaths/min", "/min"}, Alias{"{breaths}/min", "/min"}, Alias{"min-1", "/min"},
    Alias{"mmHg", "mm[Hg]"}, Alias{"mm Hg", "mm[Hg]"},
    Alias{"l/min", "L/min"}, Alias{"LPM", "L/min"}, Alias{"ml/min", "mL/min"},
    Alias{"mg/m²", "mg/m2"}, Alias{"mg/m^2", "mg/m2"}, Alias{"g/m²", "g/m2"},
    Alias{"µg/kg", "ug/kg"}, Alias{"μg/kg", "ug/kg"}, Alias{"mcg/kg", "ug/kg"},
    Alias{"mg/kg/day", "mg/kg/d"}, Alias{"mg/kg/24h", "mg/kg/d"},
    Alias{"µg/kg/min", "ug/kg/min"}, Alias{"μg/kg/min", "ug/kg/min"}, Alias{"mcg/kg/min", "ug/kg/min"},
    Alias{"µg/min", "ug/min"}, Alias{"μg/min", "ug/min"}, Alias{"mcg/min", "ug/min"},
    Alias{"units/min", "U/min"}, Alias{"units/h", "U/h"},
    Alias{"cells", "{cells}"}, Alias{"x10^11", "10*11"}, Alias{"10^11", "10*11"},
    Alias{"cells/kg", "{cells}/kg"}, Alias{"/kg", "{cells}/kg"},
    Alias{"10^6/kg", "10*6{cells}/kg"}, Alias{"x10^6/kg", "10*6{cells}/kg"},
    Alias{"10*6/kg", "10*6{cells}/kg"}, Alias{"10^6 cells/kg", "10*6{cells}/kg"},
    Alias{"copies/ug", "{copies}/ug"}, Alias{"copies/µg", "{copies}/ug"},
    Alias{"copies/μg", "{copies}/ug"}, Alias{"copies/ug DNA", "{copies}/ug"},
    Alias{"copies/µg DNA", "{copies}/ug"},
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

const Unit* find_code(std::string_view code) {
  for (const auto& unit : kUnits) {
    if (unit.code == code) return &unit;
  }
  return nullptr;
}

}  // namespace

std::string_view dimension_name(Dimension dimension) {
  switch (dimension) {
    case D::temperature: return "temperature";
    case D::mass: return "mass";
    case D::length: return "length";
    case D::duration: return "duration";
    case D::volume: return "volume";
    case D::area: return "area";
    case D::mass_concentration: return "mass concentration";
    case D::substance_concentration: return "substance (molar) concentration";
    case D::number_concentration: return "cell count per volume";
    case D::catalytic_concentration: return "enzyme activity per volume";
    case D::arbitrary_concentration: return "assay units per volume";
    case D::frequency: return "rate per minute";
    case D::pressure: return "pressure";
    case D::percent: return "percentage";
    case D::ratio: return "ratio";
    case D::volume_flow: return "flow";
    case D::mass_per_body_mass: return "dose per body weight";
    case D::mass_per_body_area: return "dose per body surface area";
    case D::mass_per_body_mass_per_day: return "daily dose per body weight";
    case D::mass_rate_per_body_mass: return "infusion rate per body weight";
    case D::mass_rate: return "infusion rate";
    case D::arbitrary_rate: return "infusion rate in units";
    case D::count: return "count";
    case D::count_per_body_mass: return "cells per body weight";
    case D::count_per_mass: return "copies per mass of DNA";
  }
  return "?";
}

std::optional<Unit> find_unit(std::string_view spelling) {
  spelling = trim(spelling);
  if (const Unit* unit = find_code(spelling)) return *unit;
  for (const auto& alias : kAliases) {
    if (alias.spelling == spelling) return unit_by_code(alias.code);
  }
  return std::nullopt;
}

const Unit& unit_by_code(std::string_view ucum_code) {
  if (const Unit* unit = find_code(ucum_code)) return *unit;
  throw std::logic_error("unit table has no UCUM code " + std::string(ucum_code));
}

double convert(double value, const Unit& from, const Unit& to) {
  if (from.code == to.code) return value;
  const double reference = value * from.scale + from.offset;
  return (reference - to.offset) / to.scale;
}

double round_converted(double value) {
  if (value == 0.0 || !std::isfinite(value)) return value;
  const int magnitude = static_cast<int>(std::floor(std::log10(std::fabs(value))));
  const double factor = std::pow(10.0, 11 - magnitude);
  const double rounded = std::round(value * factor) / factor;
  return std::isfinite(rounded) ? rounded : value;
}

std::vector<std::string_view> unit_codes_for(Dimension dimension) {
  std::vector<std::string_view> out;
  for (const auto& unit : kUnits) {
    if (unit.dimension == dimension) out.push_back(unit.code);
  }
  return out;
}

std::string spellings_for(Dimension dimension) {
  std::string out;
  for (const std::string_view code : unit_codes_for(dimension)) {
    if (!out.empty()) out += ", ";
    out += code;
  }
  return out;
}

}  // namespace crsguard
