#include "core/drugs.hpp"

#include <array>

namespace crsguard {
namespace {

constexpr DoseRange kUnused{1, 0};

// RxCUIs: tocilizumab 612865 is confirmed (../shared/spec/standards.md §1.4); the others
// there are marked unverified and are left empty until checked in RxNav.
// Dose ranges are wide on purpose (about 2–3× the largest dose in clinical use) so that
// only unit and typing errors are rejected. Sources of the clinical doses:
// ../shared/spec/clinical.md §5–6 (tocilizumab 8–12 mg/kg max 800 mg; methylprednisolone
// up to 1 g twice daily; dexamethasone 10–20 mg q6h; ruxolitinib 5–25 mg twice daily;
// anakinra up to 10 mg/kg/day; siltuximab 11 mg/kg) and standard lymphodepletion
// (fludarabine 25–30 mg/m², cyclophosphamide 250–1000 mg/m²).
constexpr std::array kDrugs = {
    DrugInfo{"tocilizumab", DrugClass::anti_il6, "612865", false, {1, 1600}, {0.5, 20}, kUnused},
    DrugInfo{"siltuximab", DrugClass::anti_il6, "", false, {1, 2000}, {0.5, 20}, kUnused},
    DrugInfo{"anakinra", DrugClass::il1_blocker, "", false, {1, 1000}, {0.1, 15}, kUnused},
    DrugInfo{"dexamethasone", DrugClass::corticosteroid, "", false, {0.1, 100}, {0.01, 3}, {0.5, 60}},
    DrugInfo{"methylprednisolone", DrugClass::corticosteroid, "", false, {1, 3000}, {0.1, 40}, {1, 1500}},
    DrugInfo{"prednisone", DrugClass::corticosteroid, "", false, {1, 250}, {0.1, 5}, {1, 200}},
    DrugInfo{"prednisolone", DrugClass::corticosteroid, "", false, {1, 250}, {0.1, 5}, {1, 200}},
    DrugInfo{"hydrocortisone", DrugClass::corticosteroid, "", false, {1, 1000}, {0.1, 20}, {1, 300}},
    DrugInfo{"ruxolitinib", DrugClass::jak_inhibitor, "", false, {1, 60}, {0.05, 2}, {1, 100}},
    DrugInfo{"itacitinib", DrugClass::jak_inhibitor, "", false, {10, 1000}, kUnused, kUnused},
    DrugInfo{"paracetamol", DrugClass::antipyretic, "", false, {10, 2000}, {1, 25}, kUnused},
    DrugInfo{"ibuprofen", DrugClass::antipyretic, "", false, {10, 1200}, {1, 15}, kUnused},
    DrugInfo{"diclofenac", DrugClass::antipyretic, "", false, {1, 200}, {0.1, 3}, kUnused},
    DrugInfo{"metamizole", DrugClass::antipyretic, "", false, {50, 2500}, {5, 40}, kUnused},
    DrugInfo{"fludarabine", DrugClass::lymphodepleting_chemotherapy, "", false, {1, 300}, {0.1, 3}, {1, 90}},
    DrugInfo{"cyclophosphamide", DrugClass::lymphodepleting_chemotherapy, "", false, {10, 7000}, {1, 120}, {10, 3000}},
    DrugInfo{"bendamustine", DrugClass::lymphodepleting_chemotherapy, "", false, {10, 500}, kUnused, {10, 200}},
    DrugInfo{"etoposide", DrugClass::cytotoxic, "", false, {5, 1500}, {0.5, 20}, {5, 500}},
    DrugInfo{"emapalumab", DrugClass::anti_ifn_gamma, "", false, {1, 1000}, {0.1, 15}, kUnused},
    DrugInfo{"levetiracetam", DrugClass::antiseizure, "", false, {10, 6000}, {1, 80}, kUnused},
    DrugInfo{"fluconazole", DrugClass::azole_antifungal, "", false, {10, 1600}, {1, 15}, kUnused},
    DrugInfo{"posaconazole", DrugClass::azole_antifungal, "", true, {10, 1200}, {1, 20}, kUnused},
    DrugInfo{"voriconazole", DrugClass::azole_antifungal, "", true, {10, 1200}, {1, 15}, kUnused},
    DrugInfo{"itraconazole", DrugClass::azole_antifungal, "", true, {10, 800}, {1, 10}, kUnused},
    DrugInfo{"clarithromycin", DrugClass::other, "", true, {10, 2000}, {1, 20}, kUnused},
    DrugInfo{"ritonavir", DrugClass::other, "", true, {10, 1200}, {1, 20}, kUnused},
    DrugInfo{"metoprolol", DrugClass::beta_blocker, "", false, {0.5, 400}, {0.01, 5}, kUnused},
};

// Vasopressor dose ranges: far above the highest doses in use (norepinephrine ~3 µg/kg/min,
// vasopressin 0.04–0.1 U/min) so that only unit errors are caught.
constexpr std::array kVasopressors = {
    VasopressorInfo{VasopressorAgent::norepinephrine, "norepinephrine", false, false, {0, 5}, {0, 300}, kUnused},
    VasopressorInfo{VasopressorAgent::epinephrine, "epinephrine", false, false, {0, 5}, {0, 300}, kUnused},
    VasopressorInfo{VasopressorAgent::phenylephrine, "phenylephrine", false, false, {0, 20}, {0, 2000}, kUnused},
    VasopressorInfo{VasopressorAgent::dopamine, "dopamine", false, false, {0, 50}, {0, 5000}, kUnused},
    VasopressorInfo{VasopressorAgent::vasopressin, "vasopressin", true, false, kUnused, kUnused, {0, 0.5}},
    VasopressorInfo{VasopressorAgent::dobutamine, "dobutamine", false, true, {0, 50}, {0, 5000}, kUnused},
    VasopressorInfo{VasopressorAgent::milrinone, "milrinone", false, true, {0, 2}, {0, 200}, kUnused},
    VasopressorInfo{VasopressorAgent::angiotensin_ii, "angiotensin_ii", false, false, {0, 1}, {0, 100}, kUnused},
};

}  // namespace

std::span<const DrugInfo> drug_table() { return kDrugs; }

const DrugInfo* find_drug(std::string_view name) {
  // Called for every dose the engines read: the first letter settles most comparisons before memcmp does.
  if (name.empty()) return nullptr;
  for (const auto& drug : kDrugs) {
    if (drug.name.front() == name.front() && drug.name == name) return &drug;
  }
  return nullptr;
}

bool same_drug_class(std::string_view a, std::string_view b) {
  const DrugInfo* x = find_drug(a);
  const DrugInfo* y = find_drug(b);
  return x != nullptr && y != nullptr && x->drug_class == y->drug_class && x->drug_class != DrugClass::other;
}

std::string_view drug_class_name(DrugClass drug_class) {
  switch (drug_class) {
    case DrugClass::anti_il6: return "anti-IL-6";
    case DrugClass::il1_blocker: return "IL-1 blocker";
    case DrugClass::corticosteroid: return "corticosteroid";
    case DrugClass::jak_inhibitor: return "JAK inhibitor";
    case DrugClass::antipyretic: return "antipyretic";
    case DrugClass::lymphodepleting_chemotherapy: return "lymphodepleting chemotherapy";
    case DrugClass::cytotoxic: return "cytotoxic";
    case DrugClass::anti_ifn_gamma: return "anti-IFN-gamma";
    case DrugClass::antiseizure: return "antiseizure";
    case DrugClass::azole_antifungal: return "azole antifungal";
    case DrugClass::beta_blocker: return "beta blocker";
    case DrugClass::other: return "other";
  }
  return "?";
}

CRSGUARD_NAMES(DrugClass, {DrugClass::anti_il6, "anti_il6"}, {DrugClass::il1_blocker, "il1_blocker"},
               {DrugClass::corticosteroid, "corticosteroid"}, {DrugClass::jak_inhibitor, "jak_inhibitor"},
               {DrugClass::antipyretic, "antipyretic"},
               {DrugClass::lymphodepleting_chemotherapy, "lymphodepleting_chemotherapy"},
               {DrugClass::cytotoxic, "cytotoxic"}, {DrugClass::anti_ifn_gamma, "anti_ifn_gamma"},
               {DrugClass::antiseizure, "antiseizure"}, {DrugClass::azole_antifungal, "azole_antifungal"},
               {DrugClass::beta_blocker, "beta_blocker"}, {DrugClass::other, "other"})

std::span<const VasopressorInfo> vasopressor_table() { return kVasopressors; }

const VasopressorInfo& vasopressor_info(VasopressorAgent agent) {
  return kVasopressors.at(static_cast<std::size_t>(agent));
}

}  // namespace crsguard
