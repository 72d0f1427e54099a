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
  // The current timeline of a patient (amendments applied, retractions left out); nullopt if unknown.
  virtual std::optional<Timeline> read_timeline(const std::string& patient_id) = 0;
  virtual std::vector<PatientListing> list_patients() = 0;
  virtual std::vector<AuditEntry> history(const std::string& patient_id) = 0;
  virtual AuditVerification verify_audit() = 0;
};

// "sqlite:PATH" or a plain path: the embedded SQLite store (created and migrated when new).
std::unique_ptr<Store> open_store(const std::string& url);

}  // namespace crsguard
