#include "model/patient.hpp"

#include <array>
#include <cmath>

namespace crsguard {

std::span<const EnumName<Sex>> names(Sex) {
  static constexpr std::array<EnumName<Sex>, 4> kNames{{
      {Sex::male, "male"}, {Sex::female, "female"}, {Sex::other, "other"}, {Sex::unknown, "unknown"}}};
  return kNames;
}

std::span<const EnumName<BsaFormula>> names(BsaFormula) {
  static constexpr std::array<EnumName<BsaFormula>, 2> kNames{{
      {BsaFormula::mosteller, "mosteller"}, {BsaFormula::du_bois, "du_bois"}}};
  return kNames;
}

std::span<const EnumName<CellSource>> names(CellSource) {
  static constexpr std::array<EnumName<CellSource>, 2> kNames{{
      {CellSource::autologous, "autologous"}, {CellSource::donor_derived, "donor_derived"}}};
  return kNames;
}

std::span<const EnumName<GvhdBeforeCart>> names(GvhdBeforeCart) {
  static constexpr std::array<EnumName<GvhdBeforeCart>, 3> kNames{{
      {GvhdBeforeCart::none, "none"}, {GvhdBeforeCart::acute, "acute"}, {GvhdBeforeCart::chronic, "chronic"}}};
  return kNames;
}

double body_surface_area_m2(double weight_kg, double height_cm, BsaFormula formula) {
  switch (formula) {
    case BsaFormula::mosteller: return std::sqrt(height_cm * weight_kg / 3600.0);
    case BsaFormula::du_bois: return 0.007184 * std::pow(weight_kg, 0.425) * std::pow(height_cm, 0.725);
  }
  return 0.0;
}

std::optional<double> Patient::body_surface_area_m2() const {
  if (!weight_kg || !height_cm) return std::nullopt;
  return crsguard::body_surface_area_m2(*weight_kg, *height_cm, bsa_formula);
}

}  // namespace crsguard
