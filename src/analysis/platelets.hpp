#pragma once
// Platelet transfusion response: for every platelet transfusion of a patient, the count before and
// the counts after it, the corrected count increment (CCI), the percentage platelet recovery (PPR)
// and whether the transfusion succeeded; then the same before and after a drug was first given
// (Pan 2021 compares transfusions before and under ruxolitinib).
//
// Definitions (../shared/spec/clinical.md §9.1–9.2; docs/platelets.md, with a worked example):
//   increment  = post count − pre count, in ×10^9/L (counts are stored in ×10^9/L = ×10^3/µL);
//   CCI        = increment × 1000 [/µL] × BSA [m²] / platelets transfused [×10^11]
//                (Delaflor-Weiss E, Mintz PD. Transfus Med Rev 2000;14:180; clinical.md §9.1);
//   PPR (%)    = increment [×10^9/L] × blood volume [L] / platelets transfused [×10^9] × 100
//                (TRAP, Transfusion 1999, PMID 10378838; clinical.md §9.2);
//   blood volume = weight [kg] × mL/kg (child or adult value by age; rules/platelets.json);
//   success    = 24-h CCI ≥ 7500 AND 24-h PPR ≥ 30 % (Pan J et al. J Cell Mol Med 2021;25:1089,
//                ../shared/data/README.md).
// Which counts are used (windows are rule parameters, rules/platelets.json):
//   pre count  : the last platelet count at or before the transfusion, at most 24 h before it;
//   24-h count : the count nearest to 24 h after it within 18–30 h (a tie: the earlier), taken
//                before the next platelet transfusion: a count after a second transfusion measures
//                both, so it is never credited to the first;
//   1-h count  : the count nearest to 1 h after it within 10–60 min (reported, not part of success).
// Nothing is estimated: a missing dose, weight, height or age, or a count reported as a bound
// (< 10), makes the transfusion "not assessable", with the reason.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/enum_names.hpp"
#include "core/rule_set.hpp"
#include "model/timeline.hpp"

namespace crsguard {

// The parameters of rules/platelets.json, read once; times in seconds.
struct PlateletRules {
  double min_cci_24h = 0;
  double min_ppr_24h_percent = 0;
  std::int64_t pre_count_window_s = 0;
  std::int64_t post_24h_target_s = 0;
  std::int64_t post_24h_from_s = 0;
  std::int64_t post_24h_to_s = 0;
  std::int64_t post_1h_from_s = 0;
  std::int64_t post_1h_to_s = 0;
  double adult_blood_volume_ml_per_kg = 0;
  double child_blood_volume_ml_per_kg = 0;
  double child_below_age_years = 0;

  // Throws MissingRuleError for a missing key, std::invalid_argument (naming the key) for a value
  // that makes no sense (a window that ends before it starts, a blood volume of 0).
  static PlateletRules from(const RuleSet& rules);
};

// CCI = increment [×10^9/L] × 1000 × BSA [m²] / dose [×10^11]; throws std::invalid_argument when
// BSA or dose is not positive. A fall in the count gives a negative CCI (never clamped).
double corrected_count_increment(double increment_1e9_per_l, double bsa_m2, double dose_1e11);
// PPR (%) = increment [×10^9/L] × blood volume [L] / (dose [×10^11] × 100) × 100.
double percentage_platelet_recovery(double increment_1e9_per_l, double blood_volume_l, double dose_1e11);

struct PlateletCount {
  double value_1e9_per_l = 0;
  Comparator comparator = Comparator::equal;  // a bound (< 10) cannot give an increment
  std::int64_t seconds_since_infusion = 0;
  std::size_t event_index = 0;
};

// One count after the transfusion and what it gives.
struct PostTransfusionCount {
  PlateletCount count;
  double hours_after = 0;                  // since the transfusion
  std::optional<double> increment_1e9_per_l;  // nullopt: no usable pre count
  std::optional<double> cci;               // nullopt: no increment, dose or BSA
  std::optional<double> ppr_percent;       // nullopt: no increment, dose or blood volume
};

// Body size the formulas use, with where each number came from.
struct PlateletBodySize {
  std::optional<double> weight_kg;
  std::optional<double> height_cm;
  std::optional<double> bsa_m2;
  BsaFormula bsa_formula = BsaFormula::mosteller;
  std::optional<double> blood_volume_ml_per_kg;
  std::optional<double> blood_volume_l;
  std::string blood_volume_basis;  // "child (age 9 years < 18): 75 mL/kg × 28 kg = 2.1 L", or why none
};

enum class TransfusionResponse : unsigned char { success, failure, not_assessable };
std::span<const EnumName<TransfusionResponse>> names(TransfusionResponse);  // "success", "failure", "not_assessable"

struct PlateletTransfusionResult {
  std::size_t event_index = 0;
  std::int64_t seconds_since_infusion = 0;
  int study_day = 0;                      // day 0 = calendar day of the infusion
  std::optional<double> dose_1e11;        // platelets transfused, ×10^11
  bool after_drug_start = false;          // at or after the first dose of the chosen drug
  std::optional<PlateletCount> pre;
  std::optional<PostTransfusionCount> one_hour;
  std::optional<PostTransfusionCount> day_one;  // the 24-h count: the one the success rule reads
  TransfusionResponse response = TransfusionResponse::not_assessable;
  // Success or failure: the comparison with each threshold; not assessable: every reason.
  std::vector<std::string> reasons;
};

struct PlateletPhaseSummary {
  int transfusions = 0;
  int assessable = 0;
  int successes = 0;
  std::optional<double> success_rate;        // successes / assessable; nullopt with none assessable
  std::optional<double> median_cci;          // over the assessable 24-h CCIs
  std::optional<double> median_ppr_percent;  // over the assessable 24-h PPRs
};

struct PatientPlateletResponse {
  std::string patient_id;
  PlateletBodySize body;
  std::string drug;                             // the drug whose first dose splits the phases
  std::optional<std::int64_t> drug_start_s;     // its first dose; nullopt: never given
  std::vector<PlateletTransfusionResult> transfusions;  // in time order
  PlateletPhaseSummary before_drug;
  PlateletPhaseSummary after_drug;
};

// Every platelet transfusion of the timeline. `drug`: a name of the drug table (core/drugs.hpp);
// throws std::invalid_argument for a name not in it.
PatientPlateletResponse platelet_transfusion_response(const Timeline& timeline, const PlateletRules& rules,
                                                      std::string_view drug = "ruxolitinib");

struct CohortPlateletResponse {
  std::string drug;
  std::vector<PatientPlateletResponse> patients;  // in the order given
  int patients_given_drug = 0;
  // Pooled over every patient's transfusions (medians over all assessable transfusions of the phase).
  PlateletPhaseSummary before_drug;
  PlateletPhaseSummary after_drug;
};

CohortPlateletResponse cohort_platelet_response(std::span<const Timeline> timelines, const PlateletRules& rules,
                                                std::string_view drug = "ruxolitinib");

// Summary of the given transfusions of one phase (after_drug_start == after); exposed for the tests.
PlateletPhaseSummary summarise_platelet_phase(std::span<const PlateletTransfusionResult> transfusions, bool after);

}  // namespace crsguard
