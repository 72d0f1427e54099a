-- crsguard store, schema version 1 (draft for issue 5; SQLite dialect, PostgreSQL differences noted).
-- Nothing is updated in place: a change is a new version row that names the one it replaces, and the
-- audit table is append-only and hash-chained. See docs/store-design.md.

CREATE TABLE schema_version (
  version     INTEGER NOT NULL PRIMARY KEY,
  applied_at  TEXT    NOT NULL              -- UTC, ISO 8601 with milliseconds
);

CREATE TABLE patients (
  patient_pk  INTEGER PRIMARY KEY,          -- PostgreSQL: BIGINT GENERATED ALWAYS AS IDENTITY
  patient_id  TEXT    NOT NULL UNIQUE,      -- the timeline's patient.id
  created_at  TEXT    NOT NULL,
  created_by  TEXT    NOT NULL
);

-- Everything of a timeline that is not an event (patient, infusion, baseline, reported course, outcome,
-- source, note) as canonical timeline JSON without "events"; a new version when any of it changes.
CREATE TABLE patient_versions (
  patient_pk   INTEGER NOT NULL REFERENCES patients(patient_pk),
  version      INTEGER NOT NULL,
  header_json  TEXT    NOT NULL,
  recorded_at  TEXT    NOT NULL,
  recorded_by  TEXT    NOT NULL,
  reason       TEXT    NOT NULL,            -- "import FILE", or the amendment's reason
  PRIMARY KEY (patient_pk, version)
);

-- One row per event identity. event_uid is stable across imports: a hash of the patient id, the
-- event's canonical JSON and its ordinal among identical events of the patient, so importing the same
-- file twice adds nothing.
CREATE TABLE events (
  event_pk     INTEGER PRIMARY KEY,
  patient_pk   INTEGER NOT NULL REFERENCES patients(patient_pk),
  event_uid    TEXT    NOT NULL UNIQUE
);

-- Every version of every event; the latest is current. An amendment adds a version with a new body;
-- a retraction adds a version with body_json NULL. Old versions stay readable.
CREATE TABLE event_versions (
  event_pk      INTEGER NOT NULL REFERENCES events(event_pk),
  version       INTEGER NOT NULL,
  body_json     TEXT,                        -- canonical event JSON; NULL: retracted
  seconds_since_infusion INTEGER,            -- for ordering and clinical-time queries; NULL when retracted
  recorded_at   TEXT    NOT NULL,
  recorded_by   TEXT    NOT NULL,
  reason        TEXT    NOT NULL,
  PRIMARY KEY (event_pk, version)
);
CREATE INDEX event_versions_by_time ON event_versions (seconds_since_infusion);

-- Append-only, hash-chained: hash = SHA-256(prev_hash || canonical JSON of the other columns).
-- `crsguard db verify` recomputes the chain; an edited or deleted row breaks it.
CREATE TABLE audit (
  seq         INTEGER PRIMARY KEY,           -- gapless; a deleted row is a gap
  at          TEXT    NOT NULL,
  actor       TEXT    NOT NULL,
  action      TEXT    NOT NULL,              -- create | append | amend | retract | import | export | read
  patient_id  TEXT,
  record      TEXT,                          -- event_uid or "patient"
  detail_json TEXT    NOT NULL,
  prev_hash   TEXT    NOT NULL,
  hash        TEXT    NOT NULL UNIQUE
);

-- SQLite only: refuse UPDATE and DELETE on the audit table (PostgreSQL: a rule or REVOKE).
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;

INSERT INTO schema_version (version, applied_at) VALUES (1, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
