#include "clinical/protocol_replay.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "core/drugs.hpp"
#include "core/time.hpp"

namespace crsguard {

CRSGUARD_NAMES(Concordance, {Concordance::given, "given"}, {Concordance::given_despite_block, "given_despite_block"},
               {Concordance::given_same_class, "given_same_class"}, {Concordance::not_given, "not_given"},
               {Concordance::given_without_recommendation, "given_without_recommendation"},
               {Concordance::advice_only, "advice_only"})

namespace {

// From infusion to the last clinical fact (not the last follow-up, which may be years later), or death.
std::vector<std::int64_t> moments_to_ask(const Timeline& timeline, std::int64_t step_s) {
  std::int64_t end = last_recorded_time(timeline);
  if (const auto& outcome = timeline.outcome(); outcome && outcome->death_time) {
    end = std::min(end, outcome->death_time->seconds_since_infusion);
  }
  std::set<std::int64_t> times;
  for (const Event& event : timeline.events()) {
    const std::int64_t t = event.time.seconds_since_infusion;
    if (t >= 0 && t <= end) times.insert(t);
  }
  for (std::int64_t t = 0; t <= end; t += step_s) times.insert(t);
  return {times.begin(), times.end()};
}

std::string recorded_dose(const Administration& administration) {
  std::string out = administration.display_name();
  if (administration.dose) {
    out += fmt::format(" {:g} {}", administration.dose->value, dose_unit_code(administration.dose->basis));
  }
  if (administration.route) out += fmt::format(" {}", to_name(*administration.route));
  if (administration.repeat) {
    out += fmt::format(" every {:g} h × {}", administration.repeat->every_hours, administration.repeat->count);
  }
  return out;
}

bool protocol_names(const Protocol& protocol, const std::string& drug) {
  return std::any_of(protocol.steps.begin(), protocol.steps.end(),
                     [&](const ProtocolStep& step) { return !step.drug.empty() && names_drug(step.drug, drug); });
}

// A dose begins a line when the drug was not given in the on-therapy window before it.
bool begins_line(const Timeline& timeline, const std::string& drug, std::int64_t t, std::int64_t window_s) {
  return std::none_of(timeline.doses().begin(), timeline.doses().end(), [&](const DoseGiven& dose) {
    return dose.administration->display_name() == drug && dose.seconds_since_infusion < t &&
           dose.seconds_since_infusion >= t - window_s;
  });
}

ReplayRow row_of(const Recommendation& rec, std::int64_t t) {
  ReplayRow row;
  row.step_id = rec.step_id;
  row.action = rec.action;
  row.drug = rec.drug;
  row.recommended_from = t;
  if (!rec.schedule.empty()) row.recommended = rec.schedule.front().summary;
  else row.recommended = rec.instruction;
  row.status = rec.status;
  row.status_now = rec.status;
  row.because = rec.because;
  row.concordance = recommends_dose(rec.action) ? Concordance::not_given : Concordance::advice_only;
  return row;
}

}  // namespace

Replay replay_protocol(const Timeline& timeline, const Protocol& protocol, const ProtocolRules& rules,
                       std::int64_t step_s) {
  Replay replay;
  replay.protocol = protocol.name;
  replay.step_s = step_s;
  const ProtocolEngine engine(protocol, rules);
  const std::int64_t window_s = seconds_from_hours(protocol.on_therapy_hours);
  std::map<std::string, std::size_t> open;  // step id -> row
  const auto& events = timeline.events();
  std::size_t next_event = 0;
  for (const std::int64_t t : moments_to_ask(timeline, step_s)) {
    const Advice advice = engine.advise(timeline, t);
    ++replay.moments;
    for (auto it = open.begin(); it != open.end();) {
      const auto still = std::find_if(advice.recommendations.begin(), advice.recommendations.end(),
                                      [&](const Recommendation& r) { return r.step_id == it->first; });
      if (still != advice.recommendations.end()) {
        replay.rows[it->second].status_now = still->status;
        ++it;
        continue;
      }
      replay.rows[it->second].recommended_until = t;
      it = open.erase(it);
    }
    for (const Recommendation& rec : advice.recommendations) {
      if (open.contains(rec.step_id)) continue;
      open.emplace(rec.step_id, replay.rows.size());
      replay.rows.push_back(row_of(rec, t));
    }
    // Doses given at t come just after the advice at t (advice at t sees only doses before t).
    while (next_event < events.size() && events[next_event].time.seconds_since_infusion < t) ++next_event;
    for (; next_event < events.size() && events[next_event].time.seconds_since_infusion == t; ++next_event) {
      const auto* administration = events[next_event].as<Administration>();
      if (administration == nullptr || !treats_toxicity(*administration)) continue;
      const std::string drug = administration->display_name();
      const auto dosed_row = [&](const auto& entry, bool same_drug) {
        const ReplayRow& row = replay.rows[entry.second];
        if (!recommends_dose(row.action)) return false;
        return same_drug ? row.drug == drug : same_drug_class(row.drug, drug);
      };
      auto match = std::find_if(open.begin(), open.end(), [&](const auto& entry) { return dosed_row(entry, true); });
      bool alternative = false;
      if (match == open.end()) {
        match = std::find_if(open.begin(), open.end(), [&](const auto& entry) { return dosed_row(entry, false); });
        alternative = match != open.end();
      }
      if (match != open.end()) {
        ReplayRow& row = replay.rows[match->second];
        row.given_at = t;
        row.given_event = next_event;
        row.given = recorded_dose(*administration);
        row.delay_hours = static_cast<double>(t - *row.recommended_from) / static_cast<double>(kSecondsPerHour);
        row.concordance = row.status_now == RecommendationStatus::blocked ? Concordance::given_despite_block
                          : alternative                                   ? Concordance::given_same_class
                                                                          : Concordance::given;
        row.recommended_until = t;
        open.erase(match);
      } else if (protocol_names(protocol, drug) && begins_line(timeline, drug, t, window_s)) {
        ReplayRow row;
        row.drug = drug;
        row.given_at = t;
        row.given_event = next_event;
        row.given = recorded_dose(*administration);
        row.concordance = Concordance::given_without_recommendation;
        replay.rows.push_back(std::move(row));
      }
    }
  }
  return replay;
}

}  // namespace crsguard
