#pragma once
// The patient store (issue 5, in progress on branch issue-5-store): timelines kept so that nothing is
// ever silently lost or overwritten, every write audited in a hash-chained, append-only log.
// Design: docs/store-design.md.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/timeline.hpp"

namespace crsguard {

struct ImportSummary {
  int patients_created = 0;
  int patients_existing = 0;
  int events_added = 0;
  int events_already_present = 0;  // same stable identity: importing a file twice adds nothing
};

struct PatientListing {
  std::string patient_id;
  std::string created_at;
  int events = 0;  // current (not retracted) events
};

struct StoredEvent {
  std::string event_uid;
  int version = 0;                 // the current version
  bool retracted = false;
  std::string body_json;           // canonical event JSON of the current version (empty when retracted)
  std::string recorded_at;
  std::string recorded_by;
  std::string reason;
};

struct AuditEntry {
  std::int64_t seq = 0;
  std::string at;
  std::string actor;
  std::string action;
  std::string patient_id;
  std::string record;
  std::string detail_json;
};

struct AuditVerification {
  std::int64_t entries = 0;
  std::vector<std::string> problems;  // empty: the chain is intact
};

class Store {
 public:
  virtual ~Store() = default;
  // All or nothing: one transaction for the whole list.
  virtual ImportSummary import_timelines(const std::vector<Timeline>& timelines, const std::string& actor,
                                         const std::string& source) = 0;
  // The timeline of a patient (amendments applied, retractions left out); nullopt if unknown. With
  // `as_of` (UTC, "2026-11-23T08:00:00.000Z"), as the store held it then: versions recorded later are
  // ignored. (Clinical time — what was known on study day 6 — is Timeline::known_at of the result.)
  virtual std::optional<Timeline> read_timeline(const std::string& patient_id,
                                                const std::optional<std::string>& as_of = std::nullopt) = 0;
  // Every event of a patient with its identity and current version, retracted ones included.
  virtual std::vector<StoredEvent> events(const std::string& patient_id) = 0;
  // A new version of an event: `event_json` (one event in the timeline format, checked by the reader)
  // replaces it; the old version stays readable. Throws InputError for a bad event, std::invalid_argument
  // for an unknown patient or event or an empty reason.
  virtual void amend_event(const std::string& patient_id, const std::string& event_uid, const std::string& event_json,
                           const std::string& actor, const std::string& reason) = 0;
  // A version with no body: the event no longer counts; every earlier version stays readable.
  virtual void retract_event(const std::string& patient_id, const std::string& event_uid, const std::string& actor,
                             const std::string& reason) = 0;
  virtual std::vector<PatientListing> list_patients() = 0;
  virtual std::vector<AuditEntry> history(const std::string& patient_id) = 0;
  virtual AuditVerification verify_audit() = 0;
};

// "sqlite:PATH" or a plain path: the embedded SQLite store (created and migrated when new).
std::unique_ptr<Store> open_store(const std::string& url);

}  // namespace crsguard
