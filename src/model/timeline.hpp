#pragma once
// One patient's canonical record, and the questions every engine asks of it:
// what was the value at t, the maximum or minimum in a window, which support was running,
// which doses were given, and the per-day summary a ward round reads.
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/events.hpp"
#include "model/patient.hpp"

namespace crsguard {

// Everything a timeline file holds, as plain data (built by readers and the simulator).
struct TimelineRecord {
  Patient patient;
  Infusion infusion;
  Baseline baseline;
  ReportedCourse reported;
  std::vector<Event> events;
  std::optional<Outcome> outcome;
  Source source;
  std::string note;
};

// A half-open interval [from, to) in seconds since infusion.
struct TimeWindow {
  std::int64_t from;
  std::int64_t to;
  [[nodiscard]] bool contains(std::int64_t t) const { return t >= from && t < to; }
};

struct ObservedValue {
  double value;  // canonical unit of the observation code
  Comparator comparator;
  Statistic statistic;
  EventTime time;
  std::size_t event_index;
};

// One dose given: an administration event, or one dose of its repeat schedule.
struct DoseGiven {
  std::int64_t seconds_since_infusion;
  std::size_t event_index;
  const Administration* administration;
};

struct VasopressorRun {
  VasopressorAgent agent;
  std::int64_t from;
  std::optional<std::int64_t> to;  // nullopt: still running at the end of the record
};

struct DrugsGivenOnDay {
  std::string drug;  // display name
  int doses = 0;
  std::optional<DrugDose> dose;  // set when every dose of the day had this same dose
  bool doses_differ = false;
};

struct DaySummary {
  int day = 0;
  std::optional<ObservedValue> max_temperature;
  std::optional<ObservedValue> max_heart_rate;
  std::optional<ObservedValue> min_systolic_bp;
  // nullopt: no oxygen recorded up to the end of this day; device none: recorded as none.
  std::optional<OxygenSupport> highest_oxygen;
  std::vector<VasopressorAgent> vasopressors;  // running at any time during the day
  std::vector<DrugsGivenOnDay> drugs;
};

class Timeline {
 public:
  // Sorts the events by time (stable: equal times keep their order) and indexes them.
  explicit Timeline(TimelineRecord record);
  // A copy's doses point into its own events (a moved vector keeps its buffer, so moves need nothing).
  Timeline(const Timeline& other);
  Timeline& operator=(const Timeline& other);
  Timeline(Timeline&&) noexcept = default;
  Timeline& operator=(Timeline&&) noexcept = default;
  ~Timeline() = default;

  // Adds an event at or after the last one (a record written as it happens: the simulator's bedside),
  // keeping every index as the constructor would build it. Throws std::invalid_argument for an event
  // earlier than the last.
  void append(Event event);
  // Room for this many events, so that a record written as it happens is not moved as it grows.
  void reserve(std::size_t events) { record_.events.reserve(events); }
  // The record itself, moved out: the timeline is spent.
  [[nodiscard]] TimelineRecord release() && { return std::move(record_); }
  // The outcome, once the course is over.
  void set_outcome(std::optional<Outcome> outcome) { record_.outcome = std::move(outcome); }

  [[nodiscard]] const TimelineRecord& record() const { return record_; }
  [[nodiscard]] const Patient& patient() const { return record_.patient; }
  [[nodiscard]] const Infusion& infusion() const { return record_.infusion; }
  [[nodiscard]] const std::vector<Event>& events() const { return record_.events; }
  [[nodiscard]] const std::optional<Outcome>& outcome() const { return record_.outcome; }

  // Study day (day 0 = calendar day of infusion) of a time.
  [[nodiscard]] int study_day(std::int64_t seconds_since_infusion) const;
  [[nodiscard]] int study_day(const EventTime& time) const { return study_day(time.seconds_since_infusion); }
  // Seconds since infusion at which a study day starts (midnight).
  [[nodiscard]] std::int64_t day_start(int day) const;
  [[nodiscard]] TimeWindow day_window(int day) const { return {day_start(day), day_start(day + 1)}; }

  // Numeric values of one code, in time order (observations without a value are skipped).
  [[nodiscard]] std::vector<ObservedValue> values(ObservationCode code) const;
  // The latest value at or before t.
  [[nodiscard]] std::optional<ObservedValue> value_at(ObservationCode code, std::int64_t t) const;
  // Largest / smallest value in the window; a bound (≥ 38) counts as its number.
  [[nodiscard]] std::optional<ObservedValue> max_in(ObservationCode code, TimeWindow window) const;
  [[nodiscard]] std::optional<ObservedValue> min_in(ObservationCode code, TimeWindow window) const;

  // Oxygen support in effect at t: nullopt if no oxygen event at or before t.
  [[nodiscard]] std::optional<OxygenSupport> oxygen_at(std::int64_t t) const;
  // Most intensive support in effect at any moment of the window.
  [[nodiscard]] std::optional<OxygenSupport> highest_oxygen_in(TimeWindow window) const;
  [[nodiscard]] const std::vector<VasopressorRun>& vasopressor_runs() const { return vasopressor_runs_; }
  [[nodiscard]] std::vector<VasopressorAgent> vasopressors_in(TimeWindow window) const;
  // Every dose given, repeat schedules expanded, in time order.
  [[nodiscard]] const std::vector<DoseGiven>& doses() const { return doses_; }

  // The last time the record speaks for: its last event, dose, follow-up or death (at least 0).
  [[nodiscard]] std::int64_t end_of_record() const;

  // The record as it stood at t, just before anything was given at t: observations and support at
  // or before t, doses before t (a repeat schedule cut after its last dose before t; an administration
  // at t kept with no dose, so that event indices stay those of the whole record), the outcome only if
  // death came by t. What a decision at t may use, and all it may use.
  [[nodiscard]] Timeline known_at(std::int64_t t) const;
  // True when known_at(t) would hold exactly this record: nothing after t, no dose at or after t, and no
  // outcome that a decision at t could not yet know. The engine then reads the record as it is.
  [[nodiscard]] bool complete_at(std::int64_t t) const;

  // One row per study day on which anything was recorded or support was running.
  [[nodiscard]] std::vector<DaySummary> day_summaries() const;

 private:
  void index_event(std::size_t i, std::map<VasopressorAgent, std::size_t>& open_runs);
  void point_doses_at_events();

  template <class Better>
  std::optional<ObservedValue> extreme_in(ObservationCode code, TimeWindow window, Better better) const;

  TimelineRecord record_;
  std::vector<std::vector<std::size_t>> observations_by_code_;  // event indices, time order
  std::vector<std::size_t> oxygen_events_;
  std::vector<VasopressorRun> vasopressor_runs_;
  std::vector<DoseGiven> doses_;
};

}  // namespace crsguard
