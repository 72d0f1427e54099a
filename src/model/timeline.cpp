#include "model/timeline.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>
#include <utility>

namespace crsguard {

Timeline::Timeline(TimelineRecord record) : record_(std::move(record)) {
  auto& events = record_.events;
  const auto earlier = [](const Event& a, const Event& b) {
    return a.time.seconds_since_infusion < b.time.seconds_since_infusion;
  };
  // Records written in time order (the simulator's, every known_at cut) need no sort.
  if (!std::is_sorted(events.begin(), events.end(), earlier)) std::stable_sort(events.begin(), events.end(), earlier);

  observations_by_code_.resize(kObservationCodeCount);
  std::map<VasopressorAgent, std::size_t> open_runs;  // agent -> index in vasopressor_runs_
  for (std::size_t i = 0; i < events.size(); ++i) index_event(i, open_runs);
  std::stable_sort(doses_.begin(), doses_.end(), [](const DoseGiven& a, const DoseGiven& b) {
    return a.seconds_since_infusion < b.seconds_since_infusion;
  });
}

void Timeline::index_event(std::size_t i, std::map<VasopressorAgent, std::size_t>& open_runs) {
  const Event& event = record_.events[i];
  const std::int64_t t = event.time.seconds_since_infusion;
  if (const auto* observation = event.as<Observation>()) {
    observations_by_code_[static_cast<std::size_t>(observation->code)].push_back(i);
  } else if (event.as<OxygenSupport>() != nullptr) {
    oxygen_events_.push_back(i);
  } else if (const auto* change = event.as<VasopressorChange>()) {
    const auto open = open_runs.find(change->agent);
    if (change->action == VasopressorAction::stop) {
      if (open != open_runs.end()) {
        vasopressor_runs_[open->second].to = t;
        open_runs.erase(open);
      }
    } else if (open == open_runs.end()) {
      open_runs.emplace(change->agent, vasopressor_runs_.size());
      vasopressor_runs_.push_back(VasopressorRun{change->agent, t, std::nullopt});
    }
  } else if (const auto* administration = event.as<Administration>()) {
    const int count = administration->repeat ? administration->repeat->count : 1;
    const double every_s = administration->repeat ? administration->repeat->every_hours * 3600.0 : 0.0;
    for (int k = 0; k < count; ++k) {
      const auto offset = static_cast<std::int64_t>(std::llround(every_s * k));
      doses_.push_back(DoseGiven{t + offset, i, administration});
    }
  }
}

Timeline::Timeline(const Timeline& other)
    : record_(other.record_), observations_by_code_(other.observations_by_code_), oxygen_events_(other.oxygen_events_),
      vasopressor_runs_(other.vasopressor_runs_), doses_(other.doses_) {
  point_doses_at_events();
}

Timeline& Timeline::operator=(const Timeline& other) {
  if (this != &other) {
    Timeline copy(other);
    *this = std::move(copy);
  }
  return *this;
}

void Timeline::point_doses_at_events() {
  for (auto& dose : doses_) dose.administration = record_.events[dose.event_index].as<Administration>();
}

void Timeline::append(Event event) {
  auto& events = record_.events;
  if (!events.empty() && event.time.seconds_since_infusion < events.back().time.seconds_since_infusion) {
    throw std::invalid_argument("Timeline::append: an event earlier than the last one");
  }
  const auto* before = events.data();
  events.push_back(std::move(event));
  if (events.data() != before) point_doses_at_events();  // the events moved
  std::map<VasopressorAgent, std::size_t> open_runs;
  for (std::size_t r = 0; r < vasopressor_runs_.size(); ++r) {
    if (!vasopressor_runs_[r].to) open_runs.emplace(vasopressor_runs_[r].agent, r);
  }
  const std::size_t doses_before = doses_.size();
  index_event(events.size() - 1, open_runs);
  // A repeat schedule's later doses may fall after doses already listed: keep the list in time order,
  // equal times in the order the constructor's stable sort would give.
  const auto earlier = [](const DoseGiven& a, const DoseGiven& b) { return a.seconds_since_infusion < b.seconds_since_infusion; };
  std::inplace_merge(doses_.begin(), doses_.begin() + static_cast<std::ptrdiff_t>(doses_before), doses_.end(), earlier);
}

bool Timeline::complete_at(std::int64_t t) const {
  const auto& events = record_.events;
  if (!events.empty() && events.back().time.seconds_since_infusion > t) return false;
  if (!doses_.empty() && doses_.back().seconds_since_infusion >= t) return false;
  const auto& outcome = record_.outcome;
  return !outcome || (outcome->death_time && outcome->death_time->seconds_since_infusion <= t);
}

std::int64_t Timeline::end_of_record() const {
  std::int64_t end = 0;
  if (!record_.events.empty()) end = std::max(end, record_.events.back().time.seconds_since_infusion);
  if (!doses_.empty()) end = std::max(end, doses_.back().seconds_since_infusion);
  if (const auto& outcome = record_.outcome) {
    end = std::max(end, outcome->last_followup.seconds_since_infusion);
    if (outcome->death_time) end = std::max(end, outcome->death_time->seconds_since_infusion);
  }
  return end;
}

Timeline Timeline::known_at(std::int64_t t) const {
  TimelineRecord record;
  record.patient = record_.patient;
  record.infusion = record_.infusion;
  record.baseline = record_.baseline;
  record.reported = record_.reported;
  record.source = record_.source;
  record.note = record_.note;
  // Events are in time order: everything from the first event after t on is cut (the events kept
  // keep their indices).
  const auto known_end = std::upper_bound(record_.events.begin(), record_.events.end(), t,
                                          [](std::int64_t time, const Event& e) { return time < e.time.seconds_since_infusion; });
  record.events.reserve(static_cast<std::size_t>(known_end - record_.events.begin()));
  for (auto it = record_.events.begin(); it != known_end; ++it) {
    const Event& event = *it;
    const std::int64_t at = event.time.seconds_since_infusion;
    if (const auto* administration = event.as<Administration>()) {
      // An administration at t stays in the list with no dose given, so that event indices (cited as
      // evidence) are those of the whole record.
      Event copy = event;
      auto& repeat = std::get<Administration>(copy.detail).repeat;
      if (!repeat) repeat = RepeatSchedule{1, 1};
      const double every_s = repeat->every_hours * 3600.0;
      int before_t = 0;
      while (before_t < repeat->count && at + static_cast<std::int64_t>(std::llround(every_s * before_t)) < t) {
        ++before_t;
      }
      if (!administration->repeat && before_t == 1) repeat.reset();  // given before t: as recorded
      else repeat->count = before_t;
      record.events.push_back(std::move(copy));
    } else {
      record.events.push_back(event);
    }
  }
  if (record_.outcome && record_.outcome->death_time && record_.outcome->death_time->seconds_since_infusion <= t) {
    record.outcome = record_.outcome;
  }
  return Timeline(std::move(record));
}

int Timeline::study_day(std::int64_t seconds_since_infusion) const {
  return static_cast<int>(floor_div(seconds_since_infusion + record_.infusion.time.clock_offset(), kSecondsPerDay));
}

std::int64_t Timeline::day_start(int day) const {
  return static_cast<std::int64_t>(day) * kSecondsPerDay - record_.infusion.time.clock_offset();
}

std::vector<ObservedValue> Timeline::values(ObservationCode code) const {
  std::vector<ObservedValue> out;
  for (const std::size_t i : observations_by_code_[static_cast<std::size_t>(code)]) {
    const Event& event = record_.events[i];
    const auto& observation = std::get<Observation>(event.detail);
    if (!observation.value) continue;
    out.push_back(ObservedValue{*observation.value, observation.comparator, observation.statistic, event.time, i});
  }
  return out;
}

std::optional<ObservedValue> Timeline::value_at(ObservationCode code, std::int64_t t) const {
  std::optional<ObservedValue> latest;
  for (const std::size_t i : observations_by_code_[static_cast<std::size_t>(code)]) {
    const Event& event = record_.events[i];
    if (event.time.seconds_since_infusion > t) break;
    const auto& observation = std::get<Observation>(event.detail);
    if (observation.value) {
      latest = ObservedValue{*observation.value, observation.comparator, observation.statistic, event.time, i};
    }
  }
  return latest;
}

template <class Better>
std::optional<ObservedValue> Timeline::extreme_in(ObservationCode code, TimeWindow window, Better better) const {
  std::optional<ObservedValue> best;
  for (const std::size_t i : observations_by_code_[static_cast<std::size_t>(code)]) {
    const Event& event = record_.events[i];
    const std::int64_t t = event.time.seconds_since_infusion;
    if (t < window.from) continue;
    if (t >= window.to) break;
    const auto& observation = std::get<Observation>(event.detail);
    if (!observation.value) continue;
    if (!best || better(*observation.value, best->value)) {
      best = ObservedValue{*observation.value, observation.comparator, observation.statistic, event.time, i};
    }
  }
  return best;
}

std::optional<ObservedValue> Timeline::max_in(ObservationCode code, TimeWindow window) const {
  return extreme_in(code, window, [](double a, double b) { return a > b; });
}

std::optional<ObservedValue> Timeline::min_in(ObservationCode code, TimeWindow window) const {
  return extreme_in(code, window, [](double a, double b) { return a < b; });
}

std::optional<OxygenSupport> Timeline::oxygen_at(std::int64_t t) const {
  std::optional<OxygenSupport> current;
  for (const std::size_t i : oxygen_events_) {
    const Event& event = record_.events[i];
    if (event.time.seconds_since_infusion > t) break;
    current = std::get<OxygenSupport>(event.detail);
  }
  return current;
}

std::optional<OxygenSupport> Timeline::highest_oxygen_in(TimeWindow window) const {
  std::optional<OxygenSupport> highest = oxygen_at(window.from);
  for (const std::size_t i : oxygen_events_) {
    const Event& event = record_.events[i];
    const std::int64_t t = event.time.seconds_since_infusion;
    if (t < window.from) continue;
    if (t >= window.to) break;
    const auto& support = std::get<OxygenSupport>(event.detail);
    if (!highest || more_support(support, *highest)) highest = support;
  }
  return highest;
}

std::vector<VasopressorAgent> Timeline::vasopressors_in(TimeWindow window) const {
  std::set<VasopressorAgent> agents;
  for (const auto& run : vasopressor_runs_) {
    const bool started_before_end = run.from < window.to;
    const bool still_running_at_start = !run.to || *run.to > window.from;
    if (started_before_end && still_running_at_start) agents.insert(run.agent);
  }
  return {agents.begin(), agents.end()};
}

std::vector<DaySummary> Timeline::day_summaries() const {
  std::set<int> days;
  for (const auto& event : record_.events) days.insert(study_day(event.time));
  for (const auto& dose : doses_) days.insert(study_day(dose.seconds_since_infusion));
  if (!days.empty()) {
    const int last_day = *days.rbegin();
    for (const auto& run : vasopressor_runs_) {
      const int end = run.to ? study_day(*run.to) : last_day;
      for (int d = study_day(run.from); d <= end; ++d) days.insert(d);
    }
    for (std::size_t k = 0; k < oxygen_events_.size(); ++k) {
      const Event& event = record_.events[oxygen_events_[k]];
      if (std::get<OxygenSupport>(event.detail).device == OxygenDevice::none) continue;
      const int end = k + 1 < oxygen_events_.size()
                          ? study_day(record_.events[oxygen_events_[k + 1]].time)
                          : last_day;
      for (int d = study_day(event.time); d <= end; ++d) days.insert(d);
    }
  }

  std::vector<DaySummary> summaries;
  summaries.reserve(days.size());
  for (const int day : days) {
    const TimeWindow window = day_window(day);
    DaySummary summary;
    summary.day = day;
    summary.max_temperature = max_in(ObservationCode::body_temperature, window);
    summary.max_heart_rate = max_in(ObservationCode::heart_rate, window);
    summary.min_systolic_bp = min_in(ObservationCode::systolic_bp, window);
    summary.highest_oxygen = highest_oxygen_in(window);
    summary.vasopressors = vasopressors_in(window);
    for (const auto& dose : doses_) {
      if (!window.contains(dose.seconds_since_infusion)) continue;
      const std::string name = dose.administration->display_name();
      auto row = std::find_if(summary.drugs.begin(), summary.drugs.end(),
                              [&](const DrugsGivenOnDay& r) { return r.drug == name; });
      if (row == summary.drugs.end()) {
        summary.drugs.push_back(DrugsGivenOnDay{name, 1, dose.administration->dose, false});
        continue;
      }
      ++row->doses;
      if (row->dose != dose.administration->dose) {
        row->doses_differ = true;
        row->dose.reset();
      }
    }
    summaries.push_back(std::move(summary));
  }
  return summaries;
}

}  // namespace crsguard
