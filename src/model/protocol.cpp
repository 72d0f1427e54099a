#include "model/protocol.hpp"

namespace crsguard {

CRSGUARD_NAMES(ResponseState, {ResponseState::improving, "improving"}, {ResponseState::unchanged, "unchanged"},
               {ResponseState::worse, "worse"}, {ResponseState::unknown, "unknown"})
CRSGUARD_NAMES(ActionKind, {ActionKind::give, "give"}, {ActionKind::consider, "consider"},
               {ActionKind::reduce, "reduce"}, {ActionKind::stop, "stop"}, {ActionKind::supportive, "supportive"})
CRSGUARD_NAMES(SafetyCheckKind, {SafetyCheckKind::platelets_below, "platelets_below"},
               {SafetyCheckKind::neutrophils_below, "neutrophils_below"},
               {SafetyCheckKind::creatinine_clearance_below, "creatinine_clearance_below"},
               {SafetyCheckKind::bilirubin_above, "bilirubin_above"},
               {SafetyCheckKind::strong_cyp3a4_inhibitor, "strong_cyp3a4_inhibitor"},
               {SafetyCheckKind::haemorrhage, "haemorrhage"}, {SafetyCheckKind::icans_without_crs, "icans_without_crs"},
               {SafetyCheckKind::dose_limits, "dose_limits"})
CRSGUARD_NAMES(Severity, {Severity::warn, "warn"}, {Severity::block, "block"})
CRSGUARD_NAMES(Population, {Population::any, "any"}, {Population::adult, "adult"},
               {Population::paediatric, "paediatric"})

}  // namespace crsguard
