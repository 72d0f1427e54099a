#include "core/observation_codes.hpp"

#include <array>
#include <stdexcept>

namespace crsguard {
namespace {

using C = ObservationCode;
using K = ObservationCategory;

// Plausible ranges are deliberately wide: they catch wrong units and typing errors
// (a temperature of 60 °C, an ANC of 250 ×10^9/L), not abnormal results. The limits
// named in the issue (temperature 30–45 °C, systolic 30–300 mmHg, SpO2 0–100 %) are used
// as given. Molar masses are set from the conversion factors laboratories use, so that a
// value converts exactly as the lab report would (../shared/spec/standards.md §1.3):
// creatinine 1 mg/dL = 88.4 µmol/L, bilirubin 1 mg/dL = 17.1 µmol/L, triglycerides
// 1 mg/dL = 11.29 µmol/L. (1 mg/dL = 10 mg/L, so M = 10 000 / factor.)
constexpr double kCreatinineMolarMass = 10000.0 / 88.4;
constexpr double kBilirubinMolarMass = 10000.0 / 17.1;
constexpr double kTriglycerideMolarMass = 10000.0 / 11.29;
constexpr std::array kObservations = {
    ObservationInfo{C::body_temperature, "body_temperature", "body temperature", K::vital_sign, "8310-5", "Cel", 30, 45, 0},
    ObservationInfo{C::heart_rate, "heart_rate", "heart rate", K::vital_sign, "8867-4", "/min", 10, 300, 0},
    ObservationInfo{C::respiratory_rate, "respiratory_rate", "respiratory rate", K::vital_sign, "9279-1", "/min", 1, 120, 0},
    ObservationInfo{C::systolic_bp, "systolic_bp", "systolic blood pressure", K::vital_sign, "8480-6", "mm[Hg]", 30, 300, 0},
    ObservationInfo{C::diastolic_bp, "diastolic_bp", "diastolic blood pressure", K::vital_sign, "8462-4", "mm[Hg]", 10, 200, 0},
    ObservationInfo{C::mean_arterial_pressure, "mean_arterial_pressure", "mean arterial pressure", K::vital_sign, "8478-0", "mm[Hg]", 20, 250, 0},
    ObservationInfo{C::spo2, "spo2", "oxygen saturation (SpO2)", K::vital_sign, "59408-5", "%", 0, 100, 0},
    ObservationInfo{C::body_weight, "body_weight", "body weight", K::vital_sign, "29463-7", "kg", 0.3, 400, 0},
    ObservationInfo{C::platelets, "platelets", "platelet count", K::laboratory, "777-3", "10*9/L", 0, 2000, 0},
    ObservationInfo{C::neutrophils, "neutrophils", "absolute neutrophil count", K::laboratory, "751-8", "10*9/L", 0, 100, 0},
    ObservationInfo{C::lymphocytes, "lymphocytes", "absolute lymphocyte count", K::laboratory, "731-0", "10*9/L", 0, 500, 0},
    ObservationInfo{C::wbc, "wbc", "white blood cell count", K::laboratory, "6690-2", "10*9/L", 0, 1000, 0},
    ObservationInfo{C::haemoglobin, "haemoglobin", "haemoglobin", K::laboratory, "718-7", "g/dL", 1, 25, 0},
    ObservationInfo{C::crp, "crp", "C-reactive protein", K::laboratory, "1988-5", "mg/dL", 0, 100, 0},
    ObservationInfo{C::ferritin, "ferritin", "ferritin", K::laboratory, "2276-4", "ng/mL", 0, 500000, 0},
    ObservationInfo{C::ldh, "ldh", "lactate dehydrogenase", K::laboratory, "2532-0", "U/L", 0, 100000, 0},
    ObservationInfo{C::ast, "ast", "aspartate aminotransferase", K::laboratory, "1920-8", "U/L", 0, 50000, 0},
    ObservationInfo{C::alt, "alt", "alanine aminotransferase", K::laboratory, "1742-6", "U/L", 0, 50000, 0},
    ObservationInfo{C::bilirubin, "bilirubin", "total bilirubin", K::laboratory, "1975-2", "mg/dL", 0, 80, kBilirubinMolarMass},
    ObservationInfo{C::creatinine, "creatinine", "creatinine", K::laboratory, "2160-0", "mg/dL", 0.05, 30, kCreatinineMolarMass},
    ObservationInfo{C::fibrinogen, "fibrinogen", "fibrinogen", K::laboratory, "3255-7", "mg/dL", 0, 2000, 0},
    ObservationInfo{C::aptt, "aptt", "activated partial thromboplastin time", K::laboratory, "14979-9", "s", 5, 300, 0},
    ObservationInfo{C::pt, "pt", "prothrombin time", K::laboratory, "5902-2", "s", 5, 300, 0},
    ObservationInfo{C::inr, "inr", "international normalised ratio", K::laboratory, "6301-6", "1", 0.5, 30, 0},
    ObservationInfo{C::d_dimer_feu, "d_dimer_feu", "D-dimer (fibrinogen-equivalent units)", K::laboratory, "48065-7", "mg/L", 0, 200, 0},
    ObservationInfo{C::d_dimer_ddu, "d_dimer_ddu", "D-dimer (D-dimer units)", K::laboratory, "48058-2", "mg/L", 0, 100, 0},
    ObservationInfo{C::d_dimer_unspecified, "d_dimer_unspecified", "D-dimer (assay units not reported)", K::laboratory, "", "mg/L", 0, 200, 0},
    ObservationInfo{C::triglycerides, "triglycerides", "triglycerides", K::laboratory, "2571-8", "mg/dL", 0, 10000, kTriglycerideMolarMass},
    ObservationInfo{C::procalcitonin, "procalcitonin", "procalcitonin", K::laboratory, "33959-8", "ng/mL", 0, 1000, 0},
    ObservationInfo{C::il6, "il6", "interleukin-6", K::cytokine, "26881-3", "pg/mL", 0, 1e6, 0},
    ObservationInfo{C::il10, "il10", "interleukin-10", K::cytokine, "26848-2", "pg/mL", 0, 1e6, 0},
    ObservationInfo{C::ifn_gamma, "ifn_gamma", "interferon gamma", K::cytokine, "27415-9", "pg/mL", 0, 1e6, 0},
    ObservationInfo{C::tnf_alpha, "tnf_alpha", "tumour necrosis factor alpha", K::cytokine, "3074-2", "pg/mL", 0, 1e6, 0},
    ObservationInfo{C::il2, "il2", "interleukin-2", K::cytokine, "", "pg/mL", 0, 1e6, 0},
    ObservationInfo{C::il8, "il8", "interleukin-8", K::cytokine, "", "pg/mL", 0, 1e6, 0},
    ObservationInfo{C::il1b, "il1b", "interleukin-1 beta", K::cytokine, "", "pg/mL", 0, 1e6, 0},
    ObservationInfo{C::il1ra, "il1ra", "interleukin-1 receptor antagonist", K::cytokine, "", "pg/mL", 0, 1e7, 0},
    ObservationInfo{C::mcp1, "mcp1", "monocyte chemoattractant protein-1", K::cytokine, "", "pg/mL", 0, 1e6, 0},
    ObservationInfo{C::sgp130, "sgp130", "soluble gp130", K::cytokine, "", "pg/mL", 0, 1e8, 0},
    ObservationInfo{C::il13, "il13", "interleukin-13", K::cytokine, "", "pg/mL", 0, 1e6, 0},
    ObservationInfo{C::mip1a, "mip1a", "macrophage inflammatory protein-1 alpha", K::cytokine, "", "pg/mL", 0, 1e6, 0},
    ObservationInfo{C::granzyme_b, "granzyme_b", "granzyme B", K::cytokine, "", "pg/mL", 0, 1e6, 0},
    ObservationInfo{C::scd25, "scd25", "soluble IL-2 receptor (sCD25), mass assay", K::cytokine, "76039-7", "pg/mL", 0, 1e7, 0},
    ObservationInfo{C::scd25_activity, "scd25_activity", "soluble IL-2 receptor (sCD25), units assay", K::cytokine, "", "U/mL", 0, 1e5, 0},
    ObservationInfo{C::bone_marrow_blasts, "bone_marrow_blasts", "bone marrow blasts", K::disease, "", "%", 0, 100, 0},
    ObservationInfo{C::bcr_abl_is, "bcr_abl_is", "BCR-ABL1/ABL1 (international scale)", K::disease, "", "%", 0, 1000, 0},
    ObservationInfo{C::car_t_copies, "car_t_copies", "CAR transgene copies (qPCR)", K::car_t_kinetics, "", "{copies}/ug", 0, 1e7, 0},
    ObservationInfo{C::car_t_percent_cd3, "car_t_percent_cd3", "CAR-T cells (% of CD3+ by flow)", K::car_t_kinetics, "", "%", 0, 100, 0},
    ObservationInfo{C::car_t_per_ul, "car_t_per_ul", "CAR-T cells per µL (flow)", K::car_t_kinetics, "", "/uL", 0, 1e5, 0},
};

static_assert(kObservations.size() == kObservationCodeCount);

constexpr bool table_is_in_enum_order() {
  for (std::size_t i = 0; i < kObservations.size(); ++i) {
    if (static_cast<std::size_t>(kObservations[i].code) != i) return false;
  }
  return true;
}
static_assert(table_is_in_enum_order(), "observation table rows must follow the enum order");

}  // namespace

std::span<const ObservationInfo> observation_table() { return kObservations; }

const ObservationInfo& observation_info(ObservationCode code) {
  return kObservations.at(static_cast<std::size_t>(code));
}

std::optional<ObservationCode> find_observation_code(std::string_view name) {
  for (const auto& info : kObservations) {
    if (info.name == name) return info.code;
  }
  return std::nullopt;
}

}  // namespace crsguard
