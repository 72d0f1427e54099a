#pragma once
// Creatinine clearance for renal dose adjustment: Cockcroft–Gault for adults, the bedside Schwartz
// estimate for children. Both need the body size the formula names; nothing is guessed.
#include <optional>
#include <string>
#include <vector>

#include "model/patient.hpp"

namespace crsguard {

struct CreatinineClearance {
  std::optional<double> ml_per_min;  // nullopt when an input is missing
  std::string formula;               // "Cockcroft–Gault", "bedside Schwartz"
  std::vector<std::string> steps;    // the computation
  std::vector<std::string> missing;  // "age", "body_weight", "height", "sex"
};

// Cockcroft DW, Gault MH. Nephron 1976;16:31: (140 − age) × weight / (72 × creatinine mg/dL), × 0.85
// for women (unknown sex: the lower, female value, and said so). Under `adult_from_years`: bedside
// Schwartz (Schwartz GJ et al. J Am Soc Nephrol 2009;20:629): 0.413 × height cm / creatinine mg/dL,
// in mL/min/1.73 m².
CreatinineClearance creatinine_clearance(const Patient& patient, double creatinine_mg_per_dl,
                                         double adult_from_years = 18);

}  // namespace crsguard
