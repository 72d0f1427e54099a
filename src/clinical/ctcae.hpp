#pragma once
// CTCAE v5.0 grades of the labs and vitals a CAR-T service watches (../shared/spec/clinical.md §4):
// cytopenias, transaminases, bilirubin, creatinine, fibrinogen, aPTT, fever and febrile
// neutropenia. Each lab result is graded on its own, against its own reference range and the
// patient's baseline; the cut-offs are data (rules/ctcae-v5.json). The CTCAE version is stored
// with every grade because v6.0 changes some of these terms.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "clinical/grade.hpp"
#include "core/enum_names.hpp"
#include "core/observation_codes.hpp"
#include "core/rule_set.hpp"
#include "model/timeline.hpp"

namespace crsguard {

enum class CtcaeTerm : unsigned char {
  platelet_count_decreased, neutrophil_count_decreased, anemia, ast_increased, alt_increased,
  blood_bilirubin_increased, creatinine_increased, fibrinogen_decreased, aptt_prolonged, fever,
  febrile_neutropenia,
};
std::span<const EnumName<CtcaeTerm>> names(CtcaeTerm);

inline constexpr std::string_view kCtcaeVersion = "CTCAE v5.0";
inline constexpr std::string_view kCtcaeSource = "CTCAE v5.0 (NCI 2017)";

struct CtcaeGrade {
  CtcaeTerm term{};
  std::string_view version = kCtcaeVersion;
  std::int64_t seconds_since_infusion = 0;  // time of the result (for febrile neutropenia: of the ANC)
  // grade 0 = within normal limits; missing names "ULN", "LLN", "baseline", "duration",
  // "body_temperature", "value"; not_assessable when the result cannot be graded.
  GradeResult result;
  // The criterion that set the grade: "absolute", "x LLN", "x ULN", "x baseline",
  // "% decrease from baseline", "temperature", "temperature and duration", "ANC and temperature",
  // "interpretation"; empty when not assessable.
  std::string basis;
};

// The observation a term grades: febrile neutropenia is anchored on the ANC, fever on temperature.
ObservationCode ctcae_observation(CtcaeTerm term);

// The patient's baseline for a lab: the last value at or before the first lymphodepleting dose
// (or the infusion, per ctcae5.baseline.before_lymphodepletion), no older than
// ctcae5.baseline.max_days_before. A result recorded at the same moment as the first dose is
// taken as drawn before it, as labs are in practice.
std::optional<ObservedValue> ctcae_baseline(const Timeline& timeline, ObservationCode code, const RuleSet& rules);

// One grade per graded result (labs, each temperature) and one febrile-neutropenia assessment
// per ANC result, in time order; the febrile-neutropenia grade follows the ANC's own grade.
std::vector<CtcaeGrade> ctcae_grades(const Timeline& timeline, const RuleSet& rules);

// The worst grade of a term among the results in the window (the earliest of equal grades);
// a not-assessable result is returned only when no result of the term could be graded;
// nullopt when the window holds no result of the term.
std::optional<CtcaeGrade> ctcae_worst(std::span<const CtcaeGrade> grades, CtcaeTerm term, TimeWindow window);

}  // namespace crsguard
