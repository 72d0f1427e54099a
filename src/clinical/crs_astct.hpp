#pragma once
// ASTCT 2019 consensus grading of cytokine release syndrome over a whole course: the grade
// at any moment, the maximum of each study day, and the episodes (onset, maximum, resolution).
// Rules and their sources: crs_astct.cpp; parameters: rules/astct-2019.json; docs/grading.md.
#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "clinical/grade.hpp"
#include "core/rule_set.hpp"
#include "model/timeline.hpp"

namespace crsguard {

// The parameters of rules/astct-2019.json that CRS grading reads, read once.
struct CrsRules {
  double fever_min_celsius = 0;
  std::int64_t fever_lookback_s = 0;
  std::int64_t afebrile_valid_s = 0;  // how long a normal temperature shows there is no fever
  bool masking_enabled = false;
  std::array<bool, 12> masking_by_drug_class{};  // indexed by DrugClass
  double adult_sbp_below_mmhg = 0;
  std::int64_t bp_lookback_s = 0;
  bool paediatric_thresholds = false;
  double pals_neonate_below_age_years = 0, pals_neonate_sbp_below_mmhg = 0;
  double pals_infant_below_age_years = 0, pals_infant_sbp_below_mmhg = 0;
  double pals_child_below_age_years = 0, pals_child_base_mmhg = 0, pals_child_per_year_mmhg = 0;
  int vasopressin_alone_grade = 0;
  int inotrope_alone_grade = 0;
  double low_flow_max_l_per_min = 0;
  std::int64_t resolution_window_s = 0;
  std::int64_t antipyretic_effect_s = 0;

  static CrsRules from(const RuleSet& rules);
};

// Systolic pressure below which a patient of this age is hypotensive (adult threshold, or the
// age-based paediatric one when enabled and the age is known).
double hypotension_threshold_mmhg(const CrsRules& rules, std::optional<double> age_years);

enum class FeverBasis : unsigned char { not_recorded, absent, recorded, masked };

// Inputs missing at a moment, as bits (cheap to keep for every moment of a long course).
enum CrsMissing : unsigned {
  kMissingTemperature = 1U << 0,
  kMissingBloodPressure = 1U << 1,
  kMissingOxygen = 1U << 2,
  kMissingOxygenFlow = 1U << 3,
};
// Clinician-review flags of a moment, as bits.
enum CrsReview : unsigned {
  kReviewVasopressinAlone = 1U << 0,
  kReviewInotropeAlone = 1U << 1,
  kReviewInotropeWithVasopressor = 1U << 2,
  kReviewNoFeverWithHypotensionOrHypoxia = 1U << 3,
  kReviewAgeUnknownForThreshold = 1U << 4,
  kReviewDeathOutsideEpisode = 1U << 5,
  kReviewSupportWithoutTemperature = 1U << 6,
};

inline constexpr std::size_t kNoEvent = static_cast<std::size_t>(-1);

// The CRS state at one moment, compact: the rationale is built from it only when asked
// (explain_crs_moment), so that grading a long course allocates nothing per event.
struct CrsMoment {
  std::int64_t t = 0;
  int grade = -1;                       // -1: not assessable
  FeverBasis fever = FeverBasis::not_recorded;
  int hypotension_level = 0;            // 0 none, 2 without vasopressor, 3 one vasopressor, 4 several
  int hypoxia_level = 0;                // 0 none, 2 low flow / blow-by, 3 high flow / masks, 4 positive pressure
  unsigned missing = 0;                 // CrsMissing bits
  unsigned review = 0;                  // CrsReview bits
  int episode = 0;                      // 1-based episode number; 0 outside any episode
  std::size_t fever_event = kNoEvent;       // the fever reading (or latest temperature when absent)
  std::size_t masking_event = kNoEvent;     // the antipyretic / anti-cytokine dose that masks fever
  std::int64_t masking_time = 0;            // when that dose was given (one dose of a repeat schedule)
  std::size_t pressure_event = kNoEvent;    // the systolic reading behind the hypotension level
  std::array<std::size_t, 3> vasopressor_events{kNoEvent, kNoEvent, kNoEvent};  // start events of running agents
  std::size_t oxygen_event = kNoEvent;
  bool death_from_crs = false;          // grade 5: the outcome names CRS as the cause of death
  friend bool operator==(const CrsMoment&, const CrsMoment&) = default;
};

struct CrsDayGrade {
  int day = 0;
  CrsMoment worst;                 // the moment that set the day's maximum (grade -1: none assessable)
  int moments = 0;                 // moments assessed in the day
  unsigned missing = 0;            // inputs missing at any moment of the day that could exceed the maximum
  unsigned review = 0;             // review flags raised at any moment of the day
  friend bool operator==(const CrsDayGrade&, const CrsDayGrade&) = default;
};

struct CrsEpisode {
  int number = 0;
  std::int64_t onset = 0;                    // first qualifying fever
  std::size_t onset_event = kNoEvent;
  std::optional<std::int64_t> resolution;    // start of the first CRS-free period that lasted the window
  std::size_t resolution_event = kNoEvent;   // the afebrile reading that began it
  bool resolution_confirmed = false;         // a later afebrile reading closed the window
  bool ongoing_at_end_of_record = false;
  bool ended_by_death = false;
  CrsMoment worst;                           // the moment of the maximum grade
  std::array<int, 6> days_at_grade{};        // study days by their maximum grade within the episode
  std::vector<std::string> therapies;        // masking / anti-cytokine drugs given during the episode
  unsigned missing = 0;                      // inputs missing at any moment that could exceed the maximum

  // Resolution − onset in days; nullopt while unresolved.
  [[nodiscard]] std::optional<double> duration_days() const;
  friend bool operator==(const CrsEpisode&, const CrsEpisode&) = default;
};

struct CrsCourse {
  std::vector<CrsMoment> moments;   // at every time an input changed, from infusion on, in time order
  std::vector<CrsDayGrade> days;    // every study day from 0 to the end of the record
  std::vector<CrsEpisode> episodes;
};

// Grades the whole course. Pure: the same timeline and rules give the same result.
CrsCourse grade_crs_course(const Timeline& timeline, const CrsRules& rules);

// Keeps the grades of a record that grows (Timeline::append, the simulator's bedside) up to date at
// the cost of what was added: both sweeps are kept at a horizon before which no moment can change
// (the latest time recorded, or the start of a CRS-free period that may yet become a resolution),
// and only what lies after it is graded again. update() gives exactly what grade_crs_course gives
// for the same record. It grades from the start whenever the record is not the last one extended
// at or after the horizon: fewer events, another last event, another age, an event recorded by
// study day only, a change before the horizon, an outcome that records a death, or any update after
// an outcome was graded.
class CrsCourseGrader {
 public:
  explicit CrsCourseGrader(const CrsRules& rules);
  ~CrsCourseGrader();
  CrsCourseGrader(CrsCourseGrader&&) noexcept;
  CrsCourseGrader& operator=(CrsCourseGrader&&) noexcept;
  CrsCourseGrader(const CrsCourseGrader&) = delete;
  CrsCourseGrader& operator=(const CrsCourseGrader&) = delete;

  // Grades the record into `course`, which must be the object the last update wrote, left as it was
  // (anything else is graded from the start).
  void update(const Timeline& timeline, CrsCourse& course);

  // The grade at one moment of its own (crs_grade_at).
  static CrsMoment moment_at(const Timeline& timeline, const CrsRules& rules, std::int64_t t);
  // How many updates graded from the start (what tests and benchmarks check the fast path by).
  [[nodiscard]] int graded_from_start() const { return graded_from_start_; }

 private:
  struct Sweep;
  [[nodiscard]] bool extends_last(const Timeline& timeline, const CrsCourse& course) const;
  void regrade(const Timeline& timeline, CrsCourse& course);
  void aggregate(const Timeline& timeline, std::vector<CrsEpisode> episodes, std::int64_t regraded_from,
                 CrsCourse& course);

  CrsRules rules_;
  std::unique_ptr<Sweep> sweep_;
  int graded_from_start_ = 0;
};

// The highest grade a moment could have had, had its missing inputs been recorded (its grade when
// nothing is missing; for a moment without temperature, the grade its support would give with fever).
int highest_possible_grade(const CrsMoment& moment);
// The grade at one moment (the state after every event at or before t).
CrsMoment crs_grade_at(const Timeline& timeline, const CrsRules& rules, std::int64_t t);

// The rationale of a moment: rules, evidence, missing inputs, review flags.
GradeResult explain_crs_moment(const Timeline& timeline, const CrsRules& rules, const CrsMoment& moment);
// A day's maximum: the moment that set it, made a lower bound when another moment of the day had
// missing inputs that could exceed it, with every review flag of the day.
GradeResult explain_crs_day(const Timeline& timeline, const CrsRules& rules, const CrsDayGrade& day);
GradeResult explain_crs_episode(const Timeline& timeline, const CrsRules& rules, const CrsEpisode& episode);

// Rule ids and sources of ASTCT 2019 CRS grading, for documentation and tests.
namespace crs_rules {
extern const RuleRef kFever;
extern const RuleRef kFeverMasked;
extern const RuleRef kNoFever;
extern const RuleRef kNoHypotension;
extern const RuleRef kNoHypoxia;
extern const RuleRef kHypotensionWithoutVasopressor;
extern const RuleRef kOneVasopressor;
extern const RuleRef kMultipleVasopressors;
extern const RuleRef kVasopressinAlone;
extern const RuleRef kInotropeAlone;
extern const RuleRef kLowFlowOxygen;
extern const RuleRef kHighFlowOxygen;
extern const RuleRef kPositivePressure;
extern const RuleRef kDeath;
extern const RuleRef kOnset;
extern const RuleRef kResolution;
}  // namespace crs_rules

}  // namespace crsguard
