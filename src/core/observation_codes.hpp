#pragma once
// The observations crsguard knows: vital signs, labs, cytokines, CAR-T kinetics and
// disease measures, each with its LOINC code (where one is confirmed), canonical unit
// and plausible range. Codes, units and traps: ../shared/spec/standards.md §1.2–1.3;
// canonical units: ../shared/spec/clinical.md §0.
#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace crsguard {

enum class ObservationCode : unsigned char {
  body_temperature, heart_rate, respiratory_rate, systolic_bp, diastolic_bp, mean_arterial_pressure,
  spo2, body_weight,
  platelets, neutrophils, lymphocytes, wbc, haemoglobin,
  crp, ferritin, ldh, ast, alt, bilirubin, creatinine, fibrinogen, aptt, pt, inr,
  d_dimer_feu, d_dimer_ddu, d_dimer_unspecified, triglycerides, procalcitonin,
  il6, il10, ifn_gamma, tnf_alpha, il2, il8, il1b, il1ra, mcp1, sgp130, il13, mip1a, granzyme_b,
  scd25, scd25_activity,
  bone_marrow_blasts, bcr_abl_is,
  car_t_copies, car_t_percent_cd3, car_t_per_ul,
};

enum class ObservationCategory : unsigned char { vital_sign, laboratory, cytokine, car_t_kinetics, disease };

struct ObservationInfo {
  ObservationCode code;
  std::string_view name;     // as written in files
  std::string_view display;  // for people
  ObservationCategory category;
  std::string_view loinc;          // empty where no code could be confirmed
  std::string_view canonical_unit; // UCUM code of the stored value
  double plausible_min;            // in the canonical unit, inclusive
  double plausible_max;
  double molar_mass_g_per_mol;     // > 0 where a molar unit may be converted (creatinine)
};

std::span<const ObservationInfo> observation_table();
const ObservationInfo& observation_info(ObservationCode code);
std::optional<ObservationCode> find_observation_code(std::string_view name);
inline constexpr std::size_t kObservationCodeCount = static_cast<std::size_t>(ObservationCode::car_t_per_ul) + 1;

}  // namespace crsguard
