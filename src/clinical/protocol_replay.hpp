#pragma once
// The quality-review view: walk a whole record moment by moment, ask the protocol engine at each
// moment, and set each recommendation beside what was actually given and when.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "clinical/protocol_engine.hpp"

namespace crsguard {

enum class Concordance : unsigned char {
  given,                         // recommended, then given (delay from the first recommendation)
  given_despite_block,           // given while a safety check blocked it (no override in the record)
  given_same_class,              // another drug of the recommended class given instead (methylprednisolone for dexamethasone)
  not_given,                     // recommended, never given while it was recommended
  given_without_recommendation,  // a line begun that the protocol did not recommend at that moment
  advice_only,                   // reduce / stop / supportive: shown, not matched to a dose
};
std::span<const EnumName<Concordance>> names(Concordance);

struct ReplayRow {
  std::string step_id;   // empty for a dose given without a recommendation
  ActionKind action = ActionKind::give;
  std::string drug;
  std::optional<std::int64_t> recommended_from;   // first moment it was recommended
  std::optional<std::int64_t> recommended_until;  // first moment it no longer was (nullopt: to the end)
  std::string recommended;                        // the first phase as computed then
  RecommendationStatus status = RecommendationStatus::actionable;      // at the first moment
  RecommendationStatus status_now = RecommendationStatus::actionable;  // at the last moment asked (when given)
  std::vector<std::string> because;               // at the first moment
  std::optional<std::int64_t> given_at;
  std::optional<std::size_t> given_event;
  std::string given;                              // the dose as recorded
  std::optional<double> delay_hours;              // given − recommended_from
  Concordance concordance = Concordance::not_given;
};

struct Replay {
  std::string protocol;
  std::int64_t step_s = 0;
  int moments = 0;                 // moments at which the engine was asked
  std::vector<ReplayRow> rows;     // in time order
};

// Asks the engine at every event time and every `step_s` from infusion to the last event or dose (or
// death).
Replay replay_protocol(const Timeline& timeline, const Protocol& protocol, const ProtocolRules& rules,
                       std::int64_t step_s = 3600);

}  // namespace crsguard
