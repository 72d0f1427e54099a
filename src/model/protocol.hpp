#pragma once
// A treatment protocol as data: the steps of a CRS/ICANS ladder (when, what, how much), the
// definition of steroid-refractory CRS, and the safety checks a drug order must pass. Read from
// protocols/*.yaml (io/protocol_yaml.hpp, schema in docs/protocols.md); applied by the protocol
// engine (clinical/protocol_engine.hpp). Plain data: every field keeps the line it came from, so a
// recommendation can point a pharmacist at the line that produced it.
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/enum_names.hpp"
#include "model/events.hpp"

namespace crsguard {

// How CRS has changed since a therapy was started (the grade now against the grade then).
enum class ResponseState : unsigned char { improving, unchanged, worse, unknown };
std::span<const EnumName<ResponseState>> names(ResponseState);

// "therapy: tocilizumab, after_hours: 24, is: [unchanged, worse]": at least `after_hours` since
// the therapy's first dose in this CRS episode, and the response since then is one of `is`.
struct ResponseCondition {
  std::string therapy;  // a drug of the drug table or a drug class ("corticosteroid")
  double after_hours = 0;
  std::vector<ResponseState> is;
};

// CRS at most `grade` at every assessment of the last `hours` (and at least one assessment).
struct GradeHeld {
  int grade = 0;
  double hours = 0;
};

// What must hold for a step to apply. Every field that is set must hold (and); `any_of` holds
// when at least one of its conditions holds. Drug references name a drug or a drug class.
struct Condition {
  int line = 0;
  std::optional<int> crs_grade_min;
  std::optional<int> crs_grade_max;
  std::optional<int> icans_grade_min;
  std::optional<int> icans_grade_max;
  std::optional<double> fever_hours_min;  // the CRS episode's fever began more than this long ago, CRS ongoing
  std::vector<std::string> given;         // each given in this CRS episode (or ICANS course)
  std::vector<std::string> not_given;     // none given in this episode
  std::vector<std::string> on;            // each dosed within the protocol's on-therapy window
  std::vector<std::string> off;           // each given in this episode but not within the window
  std::optional<ResponseCondition> response;
  std::optional<bool> steroid_refractory;
  std::optional<GradeHeld> crs_at_most_for;
  std::optional<bool> crs_resolved;       // the episode has resolved (24 h free of CRS)
  std::optional<double> age_min_years;
  std::optional<double> age_max_years;
  std::vector<Condition> any_of;
};

// How one dose is computed.
struct DoseRule {
  enum class Basis : unsigned char { mg, mg_per_kg, mg_per_m2, tocilizumab_label };
  Basis basis = Basis::mg;
  double amount = 0;                    // per dose, or per day when `per_day` (ignored for tocilizumab_label)
  std::optional<double> amount_up_to;   // the top of a range ("3–5 mg/kg/day"): shown, not used to compute
  bool per_day = false;                 // amount is a daily total divided over the day's doses
  std::optional<double> max_mg;         // per-dose maximum (the adult dose for a paediatric mg/kg rule)
  std::optional<double> round_to_mg;    // tablet or vial step; rounded to the nearest, never above max_mg
};

// One phase of a schedule: "10 mg every 12 h for 11 days".
struct DosePhase {
  int line = 0;
  DoseRule dose;
  double every_hours = 24;
  std::optional<double> for_days;  // nullopt: until the protocol's next step says otherwise
  std::string until;               // stated end, in words ("CRS grade ≤ 1")
};

enum class ActionKind : unsigned char { give, consider, reduce, stop, supportive };
std::span<const EnumName<ActionKind>> names(ActionKind);
// give and consider recommend a dose; reduce, stop and supportive do not.
inline bool recommends_dose(ActionKind action) { return action == ActionKind::give || action == ActionKind::consider; }

// Repeating a dose that was already given: allowed after `after_hours` while the response is one of `while_response`.
struct RepeatRule {
  double after_hours = 0;
  std::vector<ResponseState> while_response;
};

struct ProtocolStep {
  std::string id;                 // unique in the protocol, cited in every recommendation
  int line = 0;
  std::string title;
  Condition when;
  ActionKind action = ActionKind::give;
  std::string drug;               // drug table name; empty for supportive steps
  std::optional<Route> route;
  std::vector<DosePhase> schedule;  // give / consider: at least one phase; reduce: a phase or an instruction
  std::optional<RepeatRule> repeat;
  std::string instruction;        // words for the clinician (supportive care, taper note)
  std::string source;
  std::string note;
  bool off_label = false;         // off-label steps carry their evidence in `note` (required)
};

enum class SafetyCheckKind : unsigned char {
  platelets_below,            // 10^9/L
  neutrophils_below,          // 10^9/L
  creatinine_clearance_below, // mL/min (Cockcroft–Gault adults, bedside Schwartz under 18)
  bilirubin_above,            // mg/dL
  strong_cyp3a4_inhibitor,    // a strong CYP3A4 inhibitor dosed within `within_hours`
  haemorrhage,                // active haemorrhage (intracranial haemorrhage on the last neuro assessment)
  icans_without_crs,          // ICANS while CRS is absent (grade 0)
  dose_limits,                // interval, 24-hour and per-episode counts of the drug
};
std::span<const EnumName<SafetyCheckKind>> names(SafetyCheckKind);

enum class Severity : unsigned char { warn, block };
std::span<const EnumName<Severity>> names(Severity);

struct SafetyCheck {
  std::string id;
  int line = 0;
  std::string drug;               // the drug or class the check guards
  SafetyCheckKind kind = SafetyCheckKind::platelets_below;
  std::optional<double> threshold;
  double within_hours = 72;       // how recent a lab value or interacting drug must be to count
  Severity severity = Severity::warn;
  // dose_limits
  std::optional<double> min_interval_hours;
  std::optional<int> max_per_24h;
  std::optional<int> max_per_episode;
  std::string advice;             // what to do: "transfuse platelets to keep ruxolitinib going"
  std::string source;
};

// Steroid-refractory CRS by this protocol's definition: CRS not improving (`is`) at least
// `after_hours` after high-dose corticosteroids began, with every `requires_given` given in the course.
struct SteroidRefractoryDefinition {
  int line = 0;
  double after_hours = 24;
  std::vector<ResponseState> is{ResponseState::unchanged, ResponseState::worse};
  std::optional<double> methylprednisolone_mg_per_kg_per_day;  // high dose, per kg (paediatric)
  std::optional<double> dexamethasone_mg_per_day;              // high dose, absolute (adult)
  std::vector<std::string> requires_given;
  std::string source;
};

enum class Population : unsigned char { any, adult, paediatric };
std::span<const EnumName<Population>> names(Population);

struct Protocol {
  std::string name;          // "pan2021-paediatric"
  std::string title;
  std::string version;
  Population population = Population::any;
  std::vector<std::string> sources;
  std::string note;
  double on_therapy_hours = 24;   // a drug dosed within this window is "on"
  double stale_after_hours = 24;  // an assessment older than this does not give the current grade
  std::optional<SteroidRefractoryDefinition> steroid_refractory;
  std::vector<ProtocolStep> steps;
  std::vector<SafetyCheck> checks;
  std::string file;          // where it was read from ("protocols/zi2021-adult.yaml")
};

}  // namespace crsguard
