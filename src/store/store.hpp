#pragma once
// The patient store: timelines kept so that nothing is ever silently lost or overwritten, every write
// audited in a hash-chained, append-only log. One interface, two back ends (SQLite, PostgreSQL) chosen by
// URL. Behaviour and schema: docs/store.md.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/timeline.hpp"

namespace crsguard {

// The database failed: it cannot be opened, a statement failed, its schema is newer than this program.
// (Bad input is an InputError from the readers; an unknown patient or event is std::invalid_argument.)
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ImportSummary {
  int patients_created = 0;
  int patients_existing = 0;
  int events_added = 0;
  int events_already_present = 0;  // same stable identity: importing a file twice adds nothing
};

struct PatientListing {
  std::string patient_id;
  std::string created_at;
  int events = 0;                               // current (not retracted) events
  std::optional<std::string> infusion_date;     // "2024-03-01", when the record has a calendar date
  std::optional<int> day_since_infusion;        // on the filter's date; needs infusion_date
  std::optional<int> last_recorded_day;         // study day of the latest current event
  bool died = false;
};

// Which patients `list_patients` returns. Every condition given must hold.
struct PatientFilter {
  // "YYYY-MM-DD": the date day_since_infusion counts to; empty: today (local time).
  std::string on_date;
  // Alive and within the monitoring period: day since infusion 0 … active_days on on_date.
  bool active_only = false;
  int active_days = 28;  // the four weeks a CAR-T recipient stays near the treating centre
  std::optional<int> min_day;  // day since infusion at least / at most (patients without a date never match)
  std::optional<int> max_day;
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
  std::int64_t versions_checked = 0;      // patient and event versions matched against their audit entries
  std::string head_hash;                  // the last entry's hash: note it elsewhere to detect a cut tail
  std::vector<std::string> problems;      // empty: the chain and the data it covers are intact
};

// An account of `crsguard serve` (docs/api.md). The store keeps it as it keeps events: every change a new
// version, audited. It does not judge roles or hash passwords (the server does): it refuses an empty name
// or role and any password_hash that is not an argon2id encoded hash, so a password never reaches it.
struct Account {
  std::string username;       // 1–64 characters, no whitespace or control characters
  std::string role;           // "admin", "clinician" or "viewer" (checked by the server)
  std::string password_hash;  // "$argon2id$v=19$m=…,t=…,p=…$salt$hash"
  bool active = true;         // false: disabled, cannot log in
  int version = 0;            // given by the store: 1, 2, … (read only)
  std::string recorded_at;    // of this version (read only)
  std::string recorded_by;
};

// A clinician's answer to a recommendation, as the store keeps it (the server checks its content).
struct StoredDecision {
  std::int64_t number = 0;   // 1, 2, … across the store, in the order recorded
  std::string body_json;     // canonical JSON object
  std::string recorded_at;
  std::string recorded_by;
};

// Import progress: called after each patient with (patients done, patients in all).
using ImportProgress = std::function<void(std::size_t done, std::size_t total)>;

class Store {
 public:
  virtual ~Store() = default;
  // All or nothing: one transaction for the whole list.
  virtual ImportSummary import_timelines(const std::vector<Timeline>& timelines, const std::string& actor,
                                         const std::string& source, const ImportProgress& progress = {}) = 0;
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
  // A new event (checked as amend_event checks one) for a patient already in the store; returns its
  // identity. An event identical to one already recorded is a second event (a second identical reading).
  virtual std::string append_event(const std::string& patient_id, const std::string& event_json,
                                   const std::string& actor) = 0;
  // Several new events, all or nothing: every event is checked first (a bad one is reported at
  // /events/N, its place in the list) and then all are recorded in one transaction. Returns their
  // identities in the order given.
  virtual std::vector<std::string> append_events(const std::string& patient_id, const std::vector<std::string>& event_jsons,
                                                 const std::string& actor) = 0;
  virtual std::vector<PatientListing> list_patients(const PatientFilter& filter = {}) = 0;
  virtual std::vector<AuditEntry> history(const std::string& patient_id) = 0;
  // The audit entry of the latest write about a patient (any change to its record, or a decision):
  // what a cache of the patient's record is checked against. nullopt for an unknown patient.
  virtual std::optional<std::int64_t> latest_change(const std::string& patient_id) = 0;
  // The same for every patient in the store, in one query.
  virtual std::map<std::string, std::int64_t> latest_changes() = 0;
  // The last audit entry of the whole store (0 when empty): any write moves it on.
  virtual std::int64_t last_audit_seq() = 0;
  // Walks the audit chain (each entry's hash and link, no gaps) and matches every stored version against
  // the audit entry that recorded it (its body's SHA-256), so that an edit behind the store's back shows.
  // A chain cut at its end is still a valid chain: give the head_hash noted at an earlier verification as
  // `noted_head`, and its absence from the chain is reported.
  virtual AuditVerification verify_audit(const std::string& noted_head = {}) = 0;

  // A new account (version 1). Throws std::invalid_argument when the name is taken or a field is not valid.
  virtual void add_account(const Account& account, const std::string& actor) = 0;
  // A new version of an existing account (its role, password hash or active flag); a reason is required.
  virtual void change_account(const Account& account, const std::string& actor, const std::string& reason) = 0;
  // The current version; nullopt for an unknown name.
  virtual std::optional<Account> find_account(const std::string& username) = 0;
  // Every account's current version, by name.
  virtual std::vector<Account> accounts() = 0;

  // Records an answer to a recommendation (`decision_json`, a JSON object) for a patient in the store;
  // returns its number. Throws std::invalid_argument for an unknown patient or a body that is not an object.
  virtual std::int64_t record_decision(const std::string& patient_id, const std::string& decision_json,
                                       const std::string& actor) = 0;
  // A patient's answers, in the order recorded.
  virtual std::vector<StoredDecision> decisions(const std::string& patient_id) = 0;
};

// "sqlite:PATH" or a plain path: the embedded SQLite store; "postgresql://…" or "postgres://…" (a libpq
// connection URI): PostgreSQL. A new database is created (SQLite) and migrated to this program's schema.
std::unique_ptr<Store> open_store(const std::string& url);

}  // namespace crsguard
