#pragma once
// The protocol engine: given the record as it stood at moment t and a protocol, the patient's state
// (grades now, therapy lines, response since the last escalation, steroid-refractoriness) and what the
// protocol recommends next, with doses computed and shown, and the safety checks each order must pass.
// Decision support, not orders: every recommendation names the protocol step (file line, source) and
// the observations that triggered it; a block is lifted only by an override with a reason.
// Semantics: docs/protocols.md.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "clinical/course_grades.hpp"
#include "clinical/dosing.hpp"
#include "clinical/grade.hpp"
#include "core/rule_set.hpp"
#include "model/protocol.hpp"
#include "model/timeline.hpp"

namespace crsguard {

struct ProtocolRules {
  GradingRules grading;
  DosingRules dosing;
  static ProtocolRules from(const RuleSet& rules) { return {GradingRules::from(rules), DosingRules::from(rules)}; }
};

// A grade as the engine reads it: the latest assessable one, unless older than the protocol allows.
struct CurrentGrade {
  std::optional<int> grade;          // nullopt: none assessable within the stale window
  int highest_possible = -1;         // what missing inputs leave open (== grade when complete)
  std::optional<std::int64_t> assessed_at;  // the latest observation behind it (not a dose time)
  bool day_only = false;             // that observation was recorded by study day only
  std::optional<std::size_t> event;  // that observation, in Timeline::events()
  [[nodiscard]] bool complete() const { return grade && highest_possible == *grade; }
};

// One drug given during the current toxicity course (the CRS episode, or ICANS without CRS).
struct TherapyLine {
  std::string drug;
  std::string drug_class;
  std::int64_t first_dose = 0;
  std::int64_t last_dose = 0;
  int doses = 0;
  bool on = false;                 // dosed within the protocol's on-therapy window
  bool first_dose_day_only = false;  // recorded by study day only (its order within the day unknown)
  std::vector<Evidence> evidence;  // first and last dose
};

// The response since a therapy began, as the set of states the recorded grades allow
// (a lower-bound grade may leave more than one open).
struct TherapyResponse {
  std::string therapy;
  std::int64_t since = 0;
  std::optional<int> grade_then;
  std::optional<int> grade_now;
  std::vector<ResponseState> possible;  // empty: unknown (a grade missing)
  std::string statement;                // "grade 1 → 2: worse (since tocilizumab, day 5)"
};

enum class Verdict : unsigned char { no, yes, unknown, not_defined };

struct SteroidRefractoriness {
  Verdict verdict = Verdict::not_defined;
  std::optional<std::int64_t> high_dose_since;  // first dose of the qualifying corticosteroid course
  std::string statement;
  std::vector<std::string> missing;             // inputs that left it unknown
};

struct PatientState {
  std::int64_t t = 0;
  CurrentGrade crs;
  CurrentGrade icans;
  std::optional<int> crs_episode;              // the current (latest) episode, 1-based
  std::optional<std::int64_t> episode_onset;
  std::optional<std::int64_t> episode_resolution;
  std::optional<std::int64_t> course_start;    // where the therapy lines are counted from
  std::vector<TherapyLine> therapies;
  std::optional<TherapyResponse> response;            // since the last escalation (the latest line begun)
  SteroidRefractoriness steroid_refractory;
  SteroidExposure steroids;                    // in the current course, dexamethasone equivalents
};

// The last time the record holds a clinical fact (event or dose), follow-up and death left out: where
// advice "now" and a replay end.
std::int64_t last_recorded_time(const Timeline& timeline);

enum class FindingStatus : unsigned char { passed, triggered, unknown, overridden };

// The outcome of one safety check for one recommendation.
struct SafetyFinding {
  std::string check_id;
  int line = 0;
  SafetyCheckKind kind{};
  Severity severity = Severity::warn;
  FindingStatus status = FindingStatus::passed;
  std::string statement;       // "platelets 38 ×10^9/L on day 6 (< 50)"
  std::string advice;
  std::string source;
  std::string override_reason;
  std::vector<Evidence> evidence;
};

// One dose phase of a recommendation, computed for this patient.
struct PhaseDose {
  ComputedDose dose;
  double every_hours = 24;
  std::optional<double> for_days;
  std::string until;
  std::string summary;          // "10 mg po every 12 h for 11 days"
};

enum class RecommendationStatus : unsigned char { actionable, blocked, overridden };

struct Recommendation {
  std::string step_id;
  int line = 0;
  std::string title;
  ActionKind action = ActionKind::give;
  std::string drug;
  std::optional<Route> route;
  bool repeat_dose = false;
  std::vector<PhaseDose> schedule;
  std::vector<std::string> because;         // each condition met, in words
  std::vector<Evidence> evidence;           // the observations and doses behind them
  std::vector<SafetyFinding> findings;      // every check that applies to the drug
  RecommendationStatus status = RecommendationStatus::actionable;
  std::string instruction;
  std::string note;
  bool off_label = false;
  std::string source;
};

struct Advice {
  std::string protocol;
  std::int64_t t = 0;
  PatientState state;
  std::vector<Recommendation> recommendations;  // in the protocol's step order
  std::vector<std::string> notes;               // what the engine could not read (stale grades, no weight)
};

// What advice says besides its decisions. `omitted` leaves out the words: the reasons (`because`) and
// their evidence, the statements of the response and of steroid-refractoriness, the therapy lines'
// evidence, dose summaries and notes. Everything decided is the same: grades, episode, lines, verdicts,
// steps, drugs, doses (with their working) and safety findings. For callers that read only decisions
// (the simulator), at a fraction of the cost.
enum class AdviceText : unsigned char { full, omitted };

// check id → reason. A block is lifted only by an override naming it with a non-empty reason.
using Overrides = std::map<std::string, std::string>;

// Holds its own copy of the protocol and rules (advice never points into a caller's objects);
// advise() reads the record as it stood at t.
class ProtocolEngine {
 public:
  ProtocolEngine(const Protocol& protocol, const ProtocolRules& rules);
  // Throws std::invalid_argument when an override names no check of the protocol or has no reason.
  [[nodiscard]] Advice advise(const Timeline& timeline, std::int64_t t, const Overrides& overrides = {}) const;
  // The same for a record that holds nothing a decision at t may not see (Timeline::complete_at(t)),
  // with its grades already computed (CourseGrader keeps them as a record grows): nothing is copied
  // or graded again. Throws std::invalid_argument when the record holds more.
  [[nodiscard]] Advice advise(const Timeline& known, const CourseGrades& grades, std::int64_t t,
                              const Overrides& overrides = {}, AdviceText text = AdviceText::full) const;
  // The state alone (no recommendations), from a record already cut at t.
  [[nodiscard]] PatientState state_of(const Timeline& known, const CourseGrades& grades, std::int64_t t,
                                      AdviceText text = AdviceText::full) const;

 private:
  void check_overrides(const Overrides& overrides) const;
  [[nodiscard]] Advice recommend(const Timeline& known, const CourseGrades& grades, std::int64_t t,
                                 const Overrides& overrides, AdviceText text) const;

  Protocol protocol_;
  ProtocolRules rules_;
};

// Whether `ref` (a drug-table name or a drug-class name such as "corticosteroid") names `drug`.
bool names_drug(const std::string& ref, const std::string& drug);
// Doses given for lymphodepletion or prophylaxis are not therapy for the toxicity.
bool treats_toxicity(const Administration& administration);

std::span<const EnumName<Verdict>> names(Verdict);
std::span<const EnumName<FindingStatus>> names(FindingStatus);
std::span<const EnumName<RecommendationStatus>> names(RecommendationStatus);

}  // namespace crsguard
