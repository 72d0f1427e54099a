#include "clinical/renal.hpp"

#include <fmt/format.h>

namespace crsguard {

CreatinineClearance creatinine_clearance(const Patient& patient, double creatinine_mg_per_dl,
                                         double adult_from_years) {
  CreatinineClearance out;
  if (!patient.age_years) {
    out.missing.emplace_back("age");
    return out;
  }
  if (*patient.age_years < adult_from_years) {
    out.formula = "bedside Schwartz";
    if (!patient.height_cm) {
      out.missing.emplace_back("height");
      return out;
    }
    out.ml_per_min = 0.413 * *patient.height_cm / creatinine_mg_per_dl;
    out.steps.push_back(fmt::format("0.413 × {:g} cm / {:g} mg/dL = {:.0f} mL/min/1.73 m²", *patient.height_cm,
                                    creatinine_mg_per_dl, *out.ml_per_min));
    return out;
  }
  out.formula = "Cockcroft–Gault";
  if (!patient.weight_kg) {
    out.missing.emplace_back("body_weight");
    return out;
  }
  const double male = (140.0 - *patient.age_years) * *patient.weight_kg / (72.0 * creatinine_mg_per_dl);
  out.ml_per_min = male;
  out.steps.push_back(fmt::format("(140 − {:g} y) × {:g} kg / (72 × {:g} mg/dL) = {:.0f} mL/min", *patient.age_years,
                                  *patient.weight_kg, creatinine_mg_per_dl, male));
  if (patient.sex != Sex::male) {
    out.ml_per_min = male * 0.85;
    out.steps.push_back(fmt::format("× 0.85 ({}) = {:.0f} mL/min",
                                    patient.sex == Sex::female ? "female" : "sex not recorded: the lower, female value",
                                    *out.ml_per_min));
  }
  return out;
}

}  // namespace crsguard
