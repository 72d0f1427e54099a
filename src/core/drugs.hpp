#pragma once
// Drugs and vasopressors that a CAR-T toxicity record names, with the class each belongs
// to (the grading and protocol engines ask "was an antipyretic given?", "is a strong
// CYP3A4 inhibitor on the list?") and the dose range beyond which a recorded dose is
// implausible: a wrong unit (g for mg) or a typing error, never a clinical judgement.
#include <optional>
#include <span>
#include <string_view>

#include "core/enum_names.hpp"

namespace crsguard {

enum class DrugClass : unsigned char {
  anti_il6,                // tocilizumab, siltuximab
  il1_blocker,             // anakinra
  corticosteroid,
  jak_inhibitor,           // ruxolitinib, itacitinib
  antipyretic,             // paracetamol and NSAIDs: mask fever (ASTCT 2019)
  lymphodepleting_chemotherapy,
  cytotoxic,
  anti_ifn_gamma,
  antiseizure,
  azole_antifungal,
  beta_blocker,
  other,
};

// Inclusive plausible range for one way of expressing a dose; min > max means "not used".
struct DoseRange {
  double min;
  double max;
  [[nodiscard]] bool used() const { return min <= max; }
};

struct DrugInfo {
  std::string_view name;     // as written in files (snake_case, INN)
  DrugClass drug_class;
  std::string_view rxnorm;   // ingredient RxCUI; empty when not yet verified
  bool strong_cyp3a4_inhibitor;
  DoseRange mg;              // absolute dose, mg
  DoseRange mg_per_kg;
  DoseRange mg_per_m2;
};

std::span<const DrugInfo> drug_table();
const DrugInfo* find_drug(std::string_view name);
// Both drugs are in the table and of the same class (not "other"): dexamethasone and methylprednisolone.
bool same_drug_class(std::string_view a, std::string_view b);
std::string_view drug_class_name(DrugClass drug_class);  // for people: "anti-IL-6"
std::span<const EnumName<DrugClass>> names(DrugClass);     // for files: "anti_il6"

enum class VasopressorAgent : unsigned char {
  norepinephrine, epinephrine, phenylephrine, dopamine, vasopressin, dobutamine, milrinone, angiotensin_ii,
};

struct VasopressorInfo {
  VasopressorAgent agent;
  std::string_view name;
  bool is_vasopressin;      // ASTCT 2019: not counted when deciding "multiple vasopressors"
  bool is_inotrope_only;    // dobutamine, milrinone: not named by ASTCT; flagged by grading
  DoseRange ug_per_kg_per_min;
  DoseRange ug_per_min;
  DoseRange units_per_min;  // vasopressin
};

std::span<const VasopressorInfo> vasopressor_table();
const VasopressorInfo& vasopressor_info(VasopressorAgent agent);

}  // namespace crsguard
