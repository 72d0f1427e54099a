-- crsguard store, schema version 2 (SQLite): the accounts that `crsguard serve` logs people in with
-- (docs/api.md). Append-only like every other table: a changed role or password, or a disabled account,
-- is a new version; the latest is current. body_json is canonical JSON {"active", "password_hash",
-- "role"}, the password an argon2id encoded hash ("$argon2id$v=19$m=…"), never the password itself. The
-- audit entry that recorded a version carries the SHA-256 of its body, not the hash.
CREATE TABLE account_versions (
  username     TEXT    NOT NULL,
  version      INTEGER NOT NULL,
  body_json    TEXT    NOT NULL,
  recorded_at  TEXT    NOT NULL,
  recorded_by  TEXT    NOT NULL,
  reason       TEXT    NOT NULL,
  audit_seq    INTEGER NOT NULL REFERENCES audit (seq),
  PRIMARY KEY (username, version)
);

CREATE TRIGGER account_versions_no_update BEFORE UPDATE ON account_versions
  BEGIN SELECT RAISE(ABORT, 'account_versions is append-only'); END;
CREATE TRIGGER account_versions_no_delete BEFORE DELETE ON account_versions
  BEGIN SELECT RAISE(ABORT, 'account_versions is append-only'); END;

-- What a clinician answered to a recommendation of the protocol engine: accepted or declined, and why
-- (docs/api.md). body_json is canonical JSON {decision, drug, protocol, reason, recommended_at, step}; the
-- audit entry that recorded it carries the SHA-256 of the body. One row per answer, never changed.
CREATE TABLE decisions (
  decision_pk  INTEGER PRIMARY KEY,
  patient_pk   INTEGER NOT NULL REFERENCES patients (patient_pk),
  body_json    TEXT    NOT NULL,
  recorded_at  TEXT    NOT NULL,
  recorded_by  TEXT    NOT NULL,
  audit_seq    INTEGER NOT NULL REFERENCES audit (seq)
);
CREATE INDEX decisions_by_patient ON decisions (patient_pk);

CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions BEGIN SELECT RAISE(ABORT, 'decisions is append-only'); END;
CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions BEGIN SELECT RAISE(ABORT, 'decisions is append-only'); END;

-- The latest change of each patient (MAX(seq) per patient_id), which the server's cache of records is
-- checked against on every read (docs/api.md).
CREATE INDEX audit_by_patient_seq ON audit (patient_id, seq);
