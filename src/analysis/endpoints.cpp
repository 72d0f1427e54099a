#include "analysis/endpoints.hpp"

#include <fmt/format.h>

#include <cmath>

namespace crsguard {

CRSGUARD_NAMES(Endpoint, {Endpoint::leukaemia_free_survival, "lfs"}, {Endpoint::overall_survival, "os"},
               {Endpoint::crs_onset, "crs-onset"}, {Endpoint::crs_resolution, "crs-resolution"})

std::string_view endpoint_title(Endpoint endpoint) {
  switch (endpoint) {
    case Endpoint::leukaemia_free_survival: return "leukaemia-free survival";
    case Endpoint::overall_survival: return "overall survival";
    case Endpoint::crs_onset: return "time to CRS onset";
    case Endpoint::crs_resolution: return "time to CRS resolution";
  }
  return "?";
}

namespace {

// A time recorded as a study day only counts as that whole day, so that "relapse on day 122" is
// 122 days whatever the clock of the infusion was; a clocked time counts to the second.
double days_since_infusion(const Timeline& timeline, const EventTime& time) {
  if (time.form == TimeForm::study_day) return timeline.study_day(time);
  return static_cast<double>(time.seconds_since_infusion) / static_cast<double>(kSecondsPerDay);
}

double days_of(std::int64_t seconds) { return static_cast<double>(seconds) / static_cast<double>(kSecondsPerDay); }

std::string day_text(double days) {
  return std::floor(days) == days ? fmt::format("day {}", days) : fmt::format("day {:.2f}", days);
}

struct Censoring {
  double days;
  std::string reason;
};

// Where follow-up ends for a survival endpoint: the last follow-up, or an HCT when asked to censor there.
std::optional<Censoring> end_of_follow_up(const Timeline& timeline, const EndpointOptions& options,
                                          std::string& why_not) {
  const auto& outcome = timeline.outcome();
  if (!outcome) {
    why_not = "no outcome recorded: the last follow-up is not known";
    return std::nullopt;
  }
  Censoring end{days_since_infusion(timeline, outcome->last_followup), ""};
  end.reason = fmt::format("censored at last follow-up on {}", day_text(end.days));
  if (options.censor_at_hct && outcome->hct_after_cart) {
    if (!outcome->hct_time) {
      why_not = "HCT after CAR-T recorded without its time: cannot censor at HCT";
      return std::nullopt;
    }
    const double hct = days_since_infusion(timeline, *outcome->hct_time);
    if (hct < end.days) end = {hct, fmt::format("censored at HCT on {}", day_text(hct))};
  }
  return end;
}

std::optional<double> death_day(const Timeline& timeline, std::string& why_not) {
  const auto& outcome = timeline.outcome();
  if (!outcome || outcome->vital_status != VitalStatus::dead) return std::nullopt;
  if (!outcome->death_time) {
    why_not = "death recorded without its time";
    return std::nullopt;
  }
  return days_since_infusion(timeline, *outcome->death_time);
}

PatientEndpoint survival_endpoint(const Timeline& timeline, Endpoint endpoint, const EndpointOptions& options) {
  PatientEndpoint result{timeline.patient().id, std::nullopt, ""};
  const bool lfs = endpoint == Endpoint::leukaemia_free_survival;
  std::optional<double> relapse;
  bool in_remission = false;
  for (const auto& event : timeline.events()) {
    const auto* response = event.as<Response>();
    if (response == nullptr) continue;
    if (response->status == ResponseStatus::cr || response->status == ResponseStatus::cri) in_remission = true;
    if (response->status == ResponseStatus::relapse && !relapse) relapse = days_since_infusion(timeline, event.time);
  }
  if (lfs && !in_remission) {
    result.reason = "no remission (CR/CRi) recorded: leukaemia-free survival is defined for patients in remission";
    return result;
  }
  std::string why_not;
  const auto end = end_of_follow_up(timeline, options, why_not);
  const auto death = death_day(timeline, why_not);
  if (!why_not.empty()) {
    result.reason = why_not;
    return result;
  }
  struct Candidate {
    double days;
    bool event;
    std::string reason;
  };
  std::vector<Candidate> candidates{{end->days, false, end->reason}};
  if (lfs && relapse) candidates.push_back({*relapse, true, fmt::format("relapse on {}", day_text(*relapse))});
  if (death) {
    const bool counts = !lfs || options.death_is_lfs_event;
    candidates.push_back({*death, counts,
                          counts ? fmt::format("death on {}", day_text(*death))
                                 : fmt::format("death without relapse on {}, censored", day_text(*death))});
  }
  // The earliest ends follow-up; at the same day an event beats a censoring (R's convention: the
  // censored are still at risk at an event time, and a death on the follow-up day is the death).
  const Candidate* first = &candidates.front();
  for (const auto& candidate : candidates) {
    if (candidate.days < first->days || (candidate.days == first->days && candidate.event && !first->event)) {
      first = &candidate;
    }
  }
  if (first->days < 0) {
    result.reason = fmt::format("follow-up ends before the infusion ({})", first->reason);
    return result;
  }
  result.subject = SurvivalSubject{first->days, first->event};
  result.reason = first->reason;
  return result;
}

// The end of what the record can tell about CRS: death, or the last thing recorded.
Censoring end_of_crs_observation(const Timeline& timeline) {
  const double end = days_of(timeline.end_of_record());
  return {end, fmt::format("censored at the end of the record on {}", day_text(end))};
}

PatientEndpoint crs_endpoint(const Timeline& timeline, Endpoint endpoint, const CrsCourse& crs) {
  PatientEndpoint result{timeline.patient().id, std::nullopt, ""};
  const CrsEpisode* first = crs.episodes.empty() ? nullptr : &crs.episodes.front();
  const auto end = end_of_crs_observation(timeline);
  if (endpoint == Endpoint::crs_onset) {
    if (first == nullptr) {
      result.subject = SurvivalSubject{end.days, false};
      result.reason = "no CRS episode; " + end.reason;
    } else {
      const double onset = days_of(first->onset);
      result.subject = SurvivalSubject{onset, true};
      result.reason = fmt::format("CRS onset on {}", day_text(onset));
    }
    return result;
  }
  if (first == nullptr) {
    result.reason = "no CRS episode: time to resolution is defined for patients with CRS";
    return result;
  }
  const double onset = days_of(first->onset);
  if (first->resolution) {
    const double resolved = days_of(*first->resolution);
    result.subject = SurvivalSubject{resolved - onset, true};
    result.reason = fmt::format("CRS from {} resolved on {}", day_text(onset), day_text(resolved));
  } else {
    result.subject = SurvivalSubject{end.days - onset, false};
    result.reason = fmt::format("CRS from {} unresolved; {}{}", day_text(onset), end.reason,
                                first->ended_by_death ? " (death)" : "");
  }
  return result;
}

}  // namespace

PatientEndpoint derive_endpoint(const Timeline& timeline, Endpoint endpoint, const EndpointOptions& options,
                                const CrsCourse* crs) {
  switch (endpoint) {
    case Endpoint::leukaemia_free_survival:
    case Endpoint::overall_survival: return survival_endpoint(timeline, endpoint, options);
    case Endpoint::crs_onset:
    case Endpoint::crs_resolution:
      if (crs == nullptr) throw std::logic_error("derive_endpoint: a CRS endpoint needs the graded CRS course");
      return crs_endpoint(timeline, endpoint, *crs);
  }
  throw std::logic_error("derive_endpoint: unknown endpoint");
}

}  // namespace crsguard
