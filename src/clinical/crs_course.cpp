// ASTCT 2019 CRS grading over a whole course: the two sweeps over the record's changes (episodes,
// then a moment at every change and day start), the day and episode maxima, and the grader that
// keeps them up to date as the record grows. The rules themselves: crs_astct.cpp, crs_state.hpp.
#include <algorithm>
#include <bit>
#include <cctype>
#include <climits>
#include <cstdint>

#include "clinical/crs_astct.hpp"
#include "clinical/crs_state.hpp"
#include "core/drugs.hpp"
#include "core/time.hpp"

namespace crsguard {

using crs_detail::Change;
using crs_detail::CrsState;

namespace {

constexpr std::int64_t kNoTime = INT64_MIN;

bool names_crs(std::string cause) {
  std::transform(cause.begin(), cause.end(), cause.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return cause == "crs" || cause == "cytokine release syndrome" || cause == "cytokine_release_syndrome";
}

// When an event takes effect for grading. A time recorded by day only means "some time that day":
// on the infusion day it is taken as the infusion (a day-0 maximum temperature came after it, not
// at the midnight before), and a de-escalation (a vasopressor stopped, less oxygen) as the end of
// its day, because the support still ran during part of that day.
std::int64_t effective_time(const Timeline& timeline, const Event& event, const OxygenSupport* previous_oxygen) {
  const std::int64_t t = event.time.seconds_since_infusion;
  if (event.time.form != TimeForm::study_day) return t;
  const int day = timeline.study_day(t);
  const auto* change = event.as<VasopressorChange>();
  const auto* oxygen = event.as<OxygenSupport>();
  const bool de_escalation = (change != nullptr && change->action == VasopressorAction::stop) ||
                             (oxygen != nullptr && previous_oxygen != nullptr && more_support(*previous_oxygen, *oxygen));
  if (de_escalation) return timeline.day_start(day + 1) - 1;
  if (day == 0 && t < 0) return 0;
  return t;
}

// Changes at equal times: events first (in record order), then doses: a dose given at the moment
// of a reading does not change what the reading shows.
bool takes_effect_before(const Change& a, const Change& b) {
  if (a.t != b.t) return a.t < b.t;
  return !a.is_dose && b.is_dose;
}

// Every event and every expanded dose, in the order they take effect.
std::vector<Change> changes_of(const Timeline& timeline) {
  std::vector<Change> changes;
  const auto& events = timeline.events();
  const auto& doses = timeline.doses();
  changes.reserve(events.size() + doses.size());
  const OxygenSupport* previous_oxygen = nullptr;
  for (std::size_t e = 0; e < events.size(); ++e) {
    if (events[e].kind() == EventKind::administration) continue;
    changes.push_back({effective_time(timeline, events[e], previous_oxygen), e, false});
    if (const auto* oxygen = events[e].as<OxygenSupport>()) previous_oxygen = oxygen;
  }
  for (const DoseGiven& dose : doses) changes.push_back({dose.seconds_since_infusion, dose.event_index, true});
  std::stable_sort(changes.begin(), changes.end(), takes_effect_before);
  return changes;
}

// Into `changes`: what the events from `first_event` on add (their doses lie at or after `from`, the
// time of the event before them). False when one of them was recorded by study day only: its effective
// time may not be its recorded one.
bool appended_changes(const Timeline& timeline, std::size_t first_event, std::int64_t from, std::vector<Change>& changes) {
  changes.clear();
  const auto& events = timeline.events();
  for (std::size_t e = first_event; e < events.size(); ++e) {
    if (events[e].time.form == TimeForm::study_day) return false;
    if (events[e].kind() != EventKind::administration) changes.push_back({events[e].time.seconds_since_infusion, e, false});
  }
  const auto& doses = timeline.doses();
  auto dose = std::lower_bound(doses.begin(), doses.end(), from,
                               [](const DoseGiven& d, std::int64_t t) { return d.seconds_since_infusion < t; });
  for (; dose != doses.end(); ++dose) {
    if (dose->event_index >= first_event) changes.push_back({dose->seconds_since_infusion, dose->event_index, true});
  }
  // Usually a few events in time order: sorted already, and stable_sort would allocate its buffer.
  if (!std::is_sorted(changes.begin(), changes.end(), takes_effect_before)) {
    std::stable_sort(changes.begin(), changes.end(), takes_effect_before);
  }
  return true;
}

std::optional<std::int64_t> death_time(const Timeline& timeline) {
  const auto& outcome = timeline.outcome();
  if (!outcome || outcome->vital_status != VitalStatus::dead || !outcome->death_time) return std::nullopt;
  return outcome->death_time->seconds_since_infusion;
}

// Pass 1: episodes from fever, support and pressure alone (masking does not end an episode).
// Fed one group of changes (all those at one time) after another.
class EpisodeSearch {
 public:
  EpisodeSearch(const CrsRules& rules, std::optional<double> age_years) : rules_(&rules), state_(rules, age_years) {}

  void group(const Timeline& timeline, std::span<const Change> changes, std::optional<std::int64_t> died) {
    const std::int64_t t = changes.front().t;
    if (died && t > *died) return;
    CrsState::GroupFacts facts;
    for (const Change& change : changes) state_.apply(timeline, change, facts);

    const bool has_candidate = candidate_ != kNoTime;
    if (has_candidate && facts.afebrile && t > candidate_) confirmed_ = true;
    if (open() && has_candidate && t >= candidate_ + rules_->resolution_window_s) close(candidate_);
    if (!open()) {
      if (facts.fever && t >= 0) {
        CrsEpisode episode;
        episode.number = static_cast<int>(episodes_.size()) + 1;
        episode.onset = t;
        episode.onset_event = facts.fever_event;
        episodes_.push_back(std::move(episode));
      }
      return;
    }
    const bool disqualified = facts.fever || facts.hypotensive_reading || state_.on_support() ||
                              state_.hypotensive_now(t);
    if (disqualified) {
      candidate_ = kNoTime;
    } else if (candidate_ == kNoTime && facts.afebrile) {
      candidate_ = t;
      candidate_event_ = facts.afebrile_event;
      confirmed_ = false;
    }
  }

  // The episodes as the record ends: an open one is ended by death, resolved when the record runs
  // past its CRS-free window, or left ongoing.
  // The search is spent.
  [[nodiscard]] std::vector<CrsEpisode> finished(const Timeline& timeline, std::optional<std::int64_t> died) && {
    if (open()) {
      CrsEpisode& episode = episodes_.back();
      if (died && *died >= episode.onset) {
        episode.ended_by_death = true;
      } else if (candidate_ != kNoTime && timeline.end_of_record() >= candidate_ + rules_->resolution_window_s) {
        close(candidate_);
      } else {
        episode.ongoing_at_end_of_record = true;
      }
    }
    return std::move(episodes_);
  }

  // The start of a CRS-free period that may yet become the open episode's resolution.
  [[nodiscard]] std::optional<std::int64_t> resolution_candidate() const {
    if (candidate_ == kNoTime) return std::nullopt;
    return candidate_;
  }

 private:
  [[nodiscard]] bool open() const { return !episodes_.empty() && !episodes_.back().resolution; }
  void close(std::int64_t resolution) {
    CrsEpisode& episode = episodes_.back();
    episode.resolution = resolution;
    episode.resolution_event = candidate_event_;
    episode.resolution_confirmed = confirmed_;
    candidate_ = kNoTime;
  }

  const CrsRules* rules_;
  CrsState state_;
  std::vector<CrsEpisode> episodes_;
  std::int64_t candidate_ = kNoTime;  // the start of a CRS-free period that may become the resolution
  std::size_t candidate_event_ = kNoEvent;
  bool confirmed_ = false;
};

// Pass 2: a moment at every change and day start, with masking limited to episodes. Fed one time
// after another, with the changes at that time (none at a day start).
class MomentSweep {
 public:
  MomentSweep(const CrsRules& rules, std::optional<double> age_years) : rules_(&rules), state_(rules, age_years) {}

  struct Record {
    std::int64_t end;                   // the end of the record
    std::optional<std::int64_t> crs_death;  // death from CRS
  };

  void step(const Timeline& timeline, std::int64_t t, std::span<const Change> changes,
            const std::vector<CrsEpisode>& episodes, const Record& record, std::vector<CrsMoment>& out) {
    CrsState::GroupFacts facts;
    const Change* masking_dose = nullptr;  // the first dose at t that masks fever
    for (const Change& change : changes) {
      state_.apply(timeline, change, facts);
      if (masking_dose == nullptr && change.is_dose && masks_fever(timeline, change)) masking_dose = &change;
    }
    if (t < 0 || t > record.end) return;

    while (episode_index_ < episodes.size() && episodes[episode_index_].resolution &&
           t >= *episodes[episode_index_].resolution) {
      floor_ = *episodes[episode_index_].resolution;
      ++episode_index_;
      masking_event_ = kNoEvent;
    }
    int episode = 0;
    if (episode_index_ < episodes.size() && t >= episodes[episode_index_].onset) {
      episode = episodes[episode_index_].number;
      // The first masking dose of the episode masks fever from then on, until resolution.
      if (masking_event_ == kNoEvent && masking_dose != nullptr) {
        masking_event_ = masking_dose->event_index;
        masking_time_ = masking_dose->t;
      }
    }
    CrsMoment moment = state_.evaluate(t, episode, floor_, episode > 0 ? masking_event_ : kNoEvent);
    if (moment.fever == FeverBasis::masked) moment.masking_time = masking_time_;
    if (record.crs_death && t == *record.crs_death) {
      moment.grade = 5;
      moment.death_from_crs = true;
      if (moment.episode == 0) moment.review |= kReviewDeathOutsideEpisode;
      moment.missing = 0;
    }
    out.push_back(moment);
  }

 private:
  [[nodiscard]] bool masks_fever(const Timeline& timeline, const Change& dose) const {
    if (!rules_->masking_enabled) return false;
    const auto* administration = timeline.events()[dose.event_index].as<Administration>();
    const DrugInfo* drug = find_drug(administration->drug);
    return drug != nullptr && rules_->masking_by_drug_class.at(static_cast<std::size_t>(drug->drug_class));
  }

  const CrsRules* rules_;
  CrsState state_;
  std::size_t episode_index_ = 0;
  std::size_t masking_event_ = kNoEvent;
  std::int64_t masking_time_ = 0;
  std::int64_t floor_ = 0;  // fevers before it belong to a resolved episode
};

// Whether a graded moment might be worse than `grade` had its missing inputs been recorded; then the
// maximum of its day (or episode) is only a lower bound, even if another moment set it completely.
bool could_exceed(const CrsMoment& m, int grade) { return highest_possible_grade(m) > grade; }

// Whether moment a should stand for a day or episode rather than b: the higher grade, then
// the better-documented one (fewer inputs missing), then the earlier.
bool worse(const CrsMoment& a, const CrsMoment& b) {
  if (a.grade != b.grade) return a.grade > b.grade;
  return std::popcount(a.missing) < std::popcount(b.missing);
}

// The moments of one episode within one study day: the worst, and the inputs missing at them by
// the highest grade each moment could have had (what an episode's lower bound needs).
struct EpisodeDay {
  int episode = 0;
  CrsMoment worst;
  std::array<unsigned, 6> missing_by_possible{};
};

// CRS treatments given during each episode: the masking drug classes, and anything given for CRS.
void record_therapies(const Timeline& timeline, const CrsRules& rules, std::vector<CrsEpisode>& episodes,
                      std::size_t first_episode) {
  const std::int64_t end = timeline.end_of_record();
  if (first_episode >= episodes.size()) return;
  const std::int64_t from = episodes[first_episode].onset;
  const auto& doses = timeline.doses();
  auto dose = std::lower_bound(doses.begin(), doses.end(), from,
                               [](const DoseGiven& d, std::int64_t t) { return d.seconds_since_infusion < t; });
  for (; dose != doses.end(); ++dose) {
    const DrugInfo* drug = find_drug(dose->administration->drug);
    const bool masks = drug != nullptr && rules.masking_by_drug_class.at(static_cast<std::size_t>(drug->drug_class));
    const bool for_crs = dose->administration->indication == Indication::crs;
    if (!masks && !for_crs) continue;
    for (std::size_t e = first_episode; e < episodes.size(); ++e) {
      CrsEpisode& episode = episodes[e];
      const std::int64_t until = episode.resolution.value_or(end + 1);
      if (dose->seconds_since_infusion < episode.onset || dose->seconds_since_infusion >= until) continue;
      const Administration& given = *dose->administration;
      const std::string_view name = given.drug == "other" ? std::string_view(given.drug_name) : std::string_view(given.drug);
      if (std::find(episode.therapies.begin(), episode.therapies.end(), name) == episode.therapies.end()) {
        episode.therapies.emplace_back(name);
      }
    }
  }
}

}  // namespace

// The grader's state between two updates: both sweeps checkpointed at the horizon (every moment
// before it is final), the changes at or after it, and the course as last graded.
struct CrsCourseGrader::Sweep {
  Sweep(const CrsRules& r, std::optional<double> age)
      : rules(r), age_years(age), episodes_at_horizon(rules, age), moments_at_horizon(rules, age) {}
  // The sweeps point at `rules`: a copy would point into the original.
  Sweep(const Sweep&) = delete;
  Sweep& operator=(const Sweep&) = delete;

  CrsRules rules;
  std::optional<double> age_years;
  std::size_t events_seen = 0;
  std::int64_t horizon = kNoTime;
  std::vector<Change> pending;  // the changes at or after the horizon, in the order they take effect
  std::vector<Change> added, merged;  // scratch of update(), kept for its capacity
  EpisodeSearch episodes_at_horizon;
  MomentSweep moments_at_horizon;
  std::size_t final_moments = 0;           // moments before the horizon
  std::vector<std::vector<std::string>> final_therapies;  // of the episodes resolved before the horizon
  std::vector<EpisodeDay> episode_days;    // per study day (aligned with course.days), the episode moments
  std::vector<std::size_t> episode_day_start;  // index into episode_days of each day's first entry
  std::int64_t last_seen_time = kNoTime;   // of the last event seen, to tell an append from another record
  bool outcome_seen = false;               // an outcome was graded: what follows is graded from the start
  std::optional<std::int64_t> extra_moment;  // a moment asked for at a time of its own (crs_grade_at)
  const CrsCourse* course = nullptr;       // what the last update wrote, to tell it was left as it was
  std::size_t course_moments = 0;
  std::size_t course_days = 0;
};

CrsCourseGrader::CrsCourseGrader(const CrsRules& rules) : rules_(rules) {}
CrsCourseGrader::~CrsCourseGrader() = default;
CrsCourseGrader::CrsCourseGrader(CrsCourseGrader&&) noexcept = default;
CrsCourseGrader& CrsCourseGrader::operator=(CrsCourseGrader&&) noexcept = default;


bool CrsCourseGrader::extends_last(const Timeline& timeline, const CrsCourse& course) const {
  if (!sweep_ || sweep_->outcome_seen || timeline.events().size() < sweep_->events_seen) return false;
  // An outcome that records no death only moves the end of the record on, as a later event would:
  // the moments before the horizon stand. A death adds moments of its own.
  if (const auto& outcome = timeline.outcome();
      outcome && (outcome->vital_status == VitalStatus::dead || outcome->death_time)) {
    return false;
  }
  if (sweep_->course != &course || course.moments.size() != sweep_->course_moments ||
      course.days.size() != sweep_->course_days) {
    return false;
  }
  const bool same_last = sweep_->events_seen == 0 ||
                         timeline.events()[sweep_->events_seen - 1].time.seconds_since_infusion == sweep_->last_seen_time;
  return same_last && timeline.patient().age_years == sweep_->age_years;
}

void CrsCourseGrader::update(const Timeline& timeline, CrsCourse& course) {
  bool appended = false;
  if (extends_last(timeline, course)) {
    Sweep& s = *sweep_;
    appended = appended_changes(timeline, s.events_seen, s.last_seen_time, s.added) &&
               std::none_of(s.added.begin(), s.added.end(), [&](const Change& c) { return c.t < s.horizon; });
  }
  if (!appended) {
    // Not an append to what was graded (or one that reaches into it): grade from the start.
    sweep_ = std::make_unique<Sweep>(rules_, timeline.patient().age_years);
    sweep_->pending = changes_of(timeline);
    ++graded_from_start_;
  }
  Sweep& s = *sweep_;
  s.merged.clear();
  std::merge(s.pending.begin(), s.pending.end(), s.added.begin(), s.added.end(), std::back_inserter(s.merged),
             takes_effect_before);
  std::swap(s.pending, s.merged);
  s.events_seen = timeline.events().size();
  s.outcome_seen = timeline.outcome().has_value();
  if (s.events_seen > 0) s.last_seen_time = timeline.events().back().time.seconds_since_infusion;
  if (s.course != &course) course = CrsCourse{};
  regrade(timeline, course);
  s.course = &course;
  s.course_moments = course.moments.size();
  s.course_days = course.days.size();
}

void CrsCourseGrader::regrade(const Timeline& timeline, CrsCourse& course) {
  Sweep& s = *sweep_;
  const auto died = death_time(timeline);
  const std::span<const Change> pending(s.pending);
  const auto groups = [&](auto&& visit) {
    for (std::size_t i = 0; i < pending.size();) {
      std::size_t j = i;
      while (j < pending.size() && pending[j].t == pending[i].t) ++j;
      visit(pending.subspan(i, j - i));
      i = j;
    }
  };

  // Pass 1 over the changes after the horizon; then where the next horizon lies: a moment may still
  // change from the latest time recorded on (more may be recorded then) and, while an episode's
  // resolution is pending, from the start of its CRS-free period. Pending as the record stands at its
  // latest time: a later dose of a repeat schedule may close the episode now, but a fever recorded
  // before that dose would undo it.
  const bool has_events = !timeline.events().empty();
  const std::int64_t latest = has_events ? timeline.events().back().time.seconds_since_infusion : s.horizon;
  EpisodeSearch search = s.episodes_at_horizon;
  std::optional<std::int64_t> candidate_at_latest = search.resolution_candidate();
  groups([&](std::span<const Change> group) {
    search.group(timeline, group, died);
    if (group.front().t <= latest) candidate_at_latest = search.resolution_candidate();
  });
  std::int64_t next_horizon = latest;
  if (candidate_at_latest) next_horizon = std::min(next_horizon, *candidate_at_latest);
  std::vector<CrsEpisode> episodes = std::move(search).finished(timeline, died);
  // Not checkpointed past the horizon: what follows an outcome, or a moment of its own, is graded from the start.
  if (timeline.outcome() || s.extra_moment) next_horizon = s.horizon;
  // Everything before the old horizon is final already (it only moves on).
  next_horizon = std::max(next_horizon, s.horizon);

  // Pass 2: the moments from the horizon on, at every change and day start (and death from CRS).
  const std::int64_t end = timeline.end_of_record();
  const bool crs_death = died && timeline.outcome() && names_crs(timeline.outcome()->death_cause);
  const MomentSweep::Record record{end, crs_death ? died : std::nullopt};
  auto& moments = course.moments;
  moments.resize(s.final_moments);
  MomentSweep sweep = s.moments_at_horizon;
  EpisodeSearch search_at_next = s.episodes_at_horizon;
  bool checkpointed = false;
  const auto checkpoint_before = [&](std::int64_t t) {
    if (checkpointed || t < next_horizon) return;
    s.moments_at_horizon = sweep;
    s.final_moments = moments.size();
    checkpointed = true;
  };
  int day = std::max(0, s.horizon == kNoTime ? 0 : timeline.study_day(s.horizon));
  if (timeline.day_start(day) < s.horizon) ++day;
  const int last_day = timeline.study_day(end);
  std::optional<std::int64_t> death_moment = record.crs_death;
  std::optional<std::int64_t> extra_moment = s.extra_moment;
  const auto next_extra = [&]() -> std::int64_t {
    std::int64_t next = day <= last_day ? timeline.day_start(day) : INT64_MAX;
    if (death_moment) next = std::min(next, *death_moment);
    if (extra_moment) next = std::min(next, *extra_moment);
    return next;
  };
  // The moments at day starts (and the like) up to t; one at t itself is the moment of t's changes.
  const auto extras_through = [&](std::int64_t t) {
    for (std::int64_t x = next_extra(); x <= t; x = next_extra()) {
      checkpoint_before(x);
      if (x != t) sweep.step(timeline, x, {}, episodes, record, moments);
      if (day <= last_day && timeline.day_start(day) == x) ++day;
      if (death_moment && *death_moment == x) death_moment.reset();
      if (extra_moment && *extra_moment == x) extra_moment.reset();
    }
  };
  groups([&](std::span<const Change> group) {
    const std::int64_t t = group.front().t;
    extras_through(t);
    checkpoint_before(t);
    sweep.step(timeline, t, group, episodes, record, moments);
    if (t < next_horizon) search_at_next.group(timeline, group, died);
  });
  // The day starts after the last change, then the checkpoint if no moment reached the horizon.
  extras_through(INT64_MAX - 1);
  checkpoint_before(INT64_MAX);
  s.episodes_at_horizon = search_at_next;
  std::erase_if(s.pending, [&](const Change& c) { return c.t < next_horizon; });
  const std::int64_t old_horizon = s.horizon;
  s.horizon = next_horizon;

  aggregate(timeline, std::move(episodes), old_horizon, course);
}

void CrsCourseGrader::aggregate(const Timeline& timeline, std::vector<CrsEpisode> episodes,
                                std::int64_t regraded_from, CrsCourse& course) {
  Sweep& s = *sweep_;
  const auto& moments = course.moments;
  const int last_day = timeline.study_day(timeline.end_of_record());

  // Days before the one where moments were regraded stand; the rest are rebuilt.
  int first_day = regraded_from == kNoTime ? 0 : std::max(0, timeline.study_day(regraded_from));
  first_day = std::min(first_day, static_cast<int>(course.days.size()));
  course.days.resize(static_cast<std::size_t>(first_day));
  s.episode_days.resize(first_day < static_cast<int>(s.episode_day_start.size())
                            ? s.episode_day_start[static_cast<std::size_t>(first_day)]
                            : s.episode_days.size());
  s.episode_day_start.resize(static_cast<std::size_t>(first_day));
  auto m = std::lower_bound(moments.begin(), moments.end(), timeline.day_start(first_day),
                            [](const CrsMoment& moment, std::int64_t t) { return moment.t < t; });
  for (int day = first_day; day <= last_day; ++day) {
    const TimeWindow window = timeline.day_window(day);
    CrsDayGrade row;
    row.day = day;
    s.episode_day_start.push_back(s.episode_days.size());
    const auto first_of_day = m;
    for (; m != moments.end() && m->t < window.to; ++m) {
      const CrsMoment& moment = *m;
      if (moment.t < window.from) continue;
      ++row.moments;
      if (row.moments == 1 || worse(moment, row.worst)) row.worst = moment;
      if (moment.episode > 0) {
        // A day's moments run through its episodes in order, so each episode's moments are contiguous.
        if (s.episode_days.size() == s.episode_day_start.back() || s.episode_days.back().episode != moment.episode) {
          s.episode_days.push_back({moment.episode, moment, {}});
        } else if (worse(moment, s.episode_days.back().worst)) {
          s.episode_days.back().worst = moment;
        }
        const auto possible = static_cast<std::size_t>(std::clamp(highest_possible_grade(moment), 0, 5));
        s.episode_days.back().missing_by_possible.at(possible) |= moment.missing;
      }
    }
    for (auto i = first_of_day; i != m; ++i) {
      if (i->t < window.from) continue;
      row.review |= i->review;
      if (row.worst.grade >= 0 && could_exceed(*i, row.worst.grade)) row.missing |= i->missing;
    }
    course.days.push_back(row);
  }

  // Episodes: as pass 1 found them, with their maxima from the day table.
  const std::size_t kept = std::min(s.final_therapies.size(), episodes.size());
  course.episodes = std::move(episodes);
  for (const EpisodeDay& in_day : s.episode_days) {
    if (in_day.worst.grade < 0) continue;
    CrsEpisode& episode = course.episodes.at(static_cast<std::size_t>(in_day.episode - 1));
    ++episode.days_at_grade.at(static_cast<std::size_t>(in_day.worst.grade));
    if (episode.worst.episode == 0 || worse(in_day.worst, episode.worst)) episode.worst = in_day.worst;
  }
  for (const EpisodeDay& in_day : s.episode_days) {
    CrsEpisode& episode = course.episodes.at(static_cast<std::size_t>(in_day.episode - 1));
    if (episode.worst.grade < 0) continue;
    for (auto p = static_cast<std::size_t>(episode.worst.grade + 1); p < in_day.missing_by_possible.size(); ++p) {
      episode.missing |= in_day.missing_by_possible.at(p);
    }
  }
  for (std::size_t e = 0; e < kept; ++e) course.episodes[e].therapies = s.final_therapies[e];
  record_therapies(timeline, s.rules, course.episodes, kept);
  // An episode resolved before the horizon keeps its therapies: no dose can join it any more.
  s.final_therapies.resize(kept);
  for (std::size_t e = kept; e < course.episodes.size(); ++e) {
    const CrsEpisode& episode = course.episodes[e];
    if (!episode.resolution || *episode.resolution >= s.horizon) break;
    s.final_therapies.push_back(episode.therapies);
  }
}

CrsCourse grade_crs_course(const Timeline& timeline, const CrsRules& rules) {
  CrsCourse course;
  CrsCourseGrader(rules).update(timeline, course);
  return course;
}

CrsMoment CrsCourseGrader::moment_at(const Timeline& timeline, const CrsRules& rules, std::int64_t t) {
  CrsCourseGrader grader(rules);
  grader.sweep_ = std::make_unique<Sweep>(grader.rules_, timeline.patient().age_years);
  grader.sweep_->pending = changes_of(timeline);
  grader.sweep_->extra_moment = t;
  CrsCourse course;
  grader.regrade(timeline, course);
  const auto& moments = course.moments;
  const auto at = std::find_if(moments.begin(), moments.end(), [t](const CrsMoment& m) { return m.t == t; });
  if (at != moments.end()) return *at;
  CrsMoment outside;  // before infusion or after the record: nothing to grade
  outside.t = t;
  outside.missing = kMissingTemperature;
  return outside;
}

CrsMoment crs_grade_at(const Timeline& timeline, const CrsRules& rules, std::int64_t t) {
  return CrsCourseGrader::moment_at(timeline, rules, t);
}

}  // namespace crsguard
