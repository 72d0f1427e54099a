#pragma once
// Units of measure as clinical data arrives in them, and conversion between them.
// Units are identified by their UCUM code (http://unitsofmeasure.org); common
// spellings seen in lab reports and spreadsheets (°F, µmol/L, 10^9/L, mg/m²) are
// accepted as aliases of those codes. Anything else is an unknown unit: never guessed.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crsguard {

// What a unit measures. Conversion is possible only within one dimension (and,
// for a named analyte with a molar mass, between substance and mass concentration).
enum class Dimension {
  temperature,
  mass,
  length,
  duration,
  volume,
  area,
  mass_concentration,       // reference g/L
  substance_concentration,  // reference mol/L
  number_concentration,     // reference 10^9/L
  catalytic_concentration,  // reference U/L
  arbitrary_concentration,  // reference U/mL (assay units; not convertible to mass)
  frequency,                // reference /min
  pressure,                 // reference mm[Hg]
  percent,                  // reference %
  ratio,                    // reference 1 (INR)
  volume_flow,              // reference L/min
  mass_per_body_mass,       // reference mg/kg
  mass_per_body_area,       // reference mg/m2
  mass_per_body_mass_per_day,  // reference mg/kg/d
  mass_rate_per_body_mass,  // reference ug/kg/min
  mass_rate,                // reference ug/min
  arbitrary_rate,           // reference U/min (vasopressin)
  count,                    // reference 1 (cells, platelets)
  count_per_body_mass,      // reference {cells}/kg
  count_per_mass,           // reference {copies}/ug (CAR transgene copies per µg DNA)
};

std::string_view dimension_name(Dimension dimension);

struct Unit {
  std::string_view code;  // UCUM code, as written in canonical files
  Dimension dimension;
  double scale;   // value in the dimension's reference unit = value * scale + offset
  double offset;
};

// Looks a spelling up among UCUM codes and accepted aliases (exact, case-sensitive,
// surrounding spaces ignored). nullopt: unknown unit.
std::optional<Unit> find_unit(std::string_view spelling);

// The unit with this exact UCUM code; throws std::logic_error if it is not in the table
// (a programming error: every code used by the tables must exist).
const Unit& unit_by_code(std::string_view ucum_code);

// Converts between two units of the same dimension. Precondition: same dimension.
double convert(double value, const Unit& from, const Unit& to);

// Rounds to 12 significant digits: removes the binary noise a conversion adds
// (102.2 °F -> 39.000000000000006 °C) while keeping far more precision than any measurement.
double round_converted(double value);

// "°F, [degF], Cel, ..." every spelling accepted for units of this dimension, for messages.
std::string spellings_for(Dimension dimension);
// The UCUM codes of this dimension's units, in the table's order (what an entry form offers).
std::vector<std::string_view> unit_codes_for(Dimension dimension);

}  // namespace crsguard
