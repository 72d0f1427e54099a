#pragma once
// The protocol engine's results as people read them (text) and as programs read them (JSON; keys
// documented in docs/protocols.md): advice at a moment, a replay of a whole record, the protocol list.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "clinical/protocol_engine.hpp"
#include "clinical/protocol_replay.hpp"
#include "model/protocol.hpp"
#include "model/timeline.hpp"

namespace crsguard {

std::string advice_text(const Timeline& timeline, const Protocol& protocol, const Advice& advice);
nlohmann::json advice_json(const Timeline& timeline, const Protocol& protocol, const Advice& advice);

std::string replay_text(const Timeline& timeline, const Protocol& protocol, const Replay& replay);
nlohmann::json replay_json(const Timeline& timeline, const Protocol& protocol, const Replay& replay);

std::string protocols_text(const std::vector<Protocol>& protocols);
nlohmann::json protocols_json(const std::vector<Protocol>& protocols);

}  // namespace crsguard
