-- crsguard store, schema version 1, SQLite dialect (schema/postgresql/001-initial.sql is the same
-- schema for PostgreSQL). The migrator creates schema_version itself and records each file it applies.
--
-- Nothing is updated or deleted: a change is a new version row that names the one it replaces, and every
-- table refuses UPDATE and DELETE by trigger. Every version row names the audit entry that recorded it,
-- and that entry carries the SHA-256 of the body, so `crsguard db verify` finds a row changed behind the
-- store's back as well as an edited or deleted audit entry. See docs/store.md.

-- Append-only, hash-chained: hash = SHA-256(prev_hash "\n" canonical JSON of the other columns).
CREATE TABLE audit (
  seq         INTEGER PRIMARY KEY,           -- 1, 2, 3 … with no gap; a gap is a deleted entry
  at          TEXT    NOT NULL,              -- UTC, ISO 8601 with milliseconds
  actor       TEXT    NOT NULL,
  action      TEXT    NOT NULL,              -- import | create | append | amend | retract | amend_header
  patient_id  TEXT    NOT NULL,              -- '' for an entry about no one patient (an import)
  record      TEXT    NOT NULL,              -- event_uid, "patient_header" or the import's source
  detail_json TEXT    NOT NULL,
  prev_hash   TEXT    NOT NULL,
  hash        TEXT    NOT NULL
);
CREATE INDEX audit_by_patient ON audit (patient_id);

CREATE TABLE patients (
  patient_pk  INTEGER PRIMARY KEY,
  patient_id  TEXT    NOT NULL UNIQUE,       -- the timeline's patient.id
  created_at  TEXT    NOT NULL,
  created_by  TEXT    NOT NULL
);

-- Everything of a timeline that is not an event (patient, infusion, baseline, reported course, outcome,
-- source, note) as canonical timeline JSON without "events"; a new version when any of it changes.
CREATE TABLE patient_versions (
  patient_pk   INTEGER NOT NULL REFERENCES patients (patient_pk),
  version      INTEGER NOT NULL,
  header_json  TEXT    NOT NULL,
  recorded_at  TEXT    NOT NULL,
  recorded_by  TEXT    NOT NULL,
  reason       TEXT    NOT NULL,
  audit_seq    INTEGER NOT NULL REFERENCES audit (seq),
  PRIMARY KEY (patient_pk, version)
);

-- One row per event identity. event_uid is stable across imports (SHA-256 of the patient id, the
-- event's canonical JSON and its ordinal among identical events of the patient), so importing the same
-- file twice adds nothing.
CREATE TABLE events (
  event_pk     INTEGER PRIMARY KEY,          -- given by the store (the next number under the write lock)
  patient_pk   INTEGER NOT NULL REFERENCES patients (patient_pk),
  event_uid    TEXT    NOT NULL UNIQUE
);
CREATE INDEX events_by_patient ON events (patient_pk);

-- Every version of every event; the latest is current. An amendment adds a version with a new body, a
-- retraction a version whose body is NULL. Old versions stay readable.
CREATE TABLE event_versions (
  event_pk      INTEGER NOT NULL REFERENCES events (event_pk),
  version       INTEGER NOT NULL,
  body_json     TEXT,                        -- canonical event JSON; NULL: retracted
  seconds_since_infusion INTEGER,            -- the order of a timeline's events; NULL when retracted
  recorded_at   TEXT    NOT NULL,
  recorded_by   TEXT    NOT NULL,
  reason        TEXT    NOT NULL,
  audit_seq     INTEGER NOT NULL REFERENCES audit (seq),
  PRIMARY KEY (event_pk, version)
);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER patients_no_update BEFORE UPDATE ON patients BEGIN SELECT RAISE(ABORT, 'patients is append-only'); END;
CREATE TRIGGER patients_no_delete BEFORE DELETE ON patients BEGIN SELECT RAISE(ABORT, 'patients is append-only'); END;
CREATE TRIGGER patient_versions_no_update BEFORE UPDATE ON patient_versions
  BEGIN SELECT RAISE(ABORT, 'patient_versions is append-only'); END;
CREATE TRIGGER patient_versions_no_delete BEFORE DELETE ON patient_versions
  BEGIN SELECT RAISE(ABORT, 'patient_versions is append-only'); END;
CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events is append-only'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events is append-only'); END;
CREATE TRIGGER event_versions_no_update BEFORE UPDATE ON event_versions
  BEGIN SELECT RAISE(ABORT, 'event_versions is append-only'); END;
CREATE TRIGGER event_versions_no_delete BEFORE DELETE ON event_versions
  BEGIN SELECT RAISE(ABORT, 'event_versions is append-only'); END;
