-- crsguard store, schema version 2 (PostgreSQL): the same tables as schema/sqlite/002-accounts-and-decisions.sql (read
-- that file's comments).
CREATE TABLE account_versions (
  username     TEXT    COLLATE "C" NOT NULL,
  version      INTEGER NOT NULL,
  body_json    TEXT    NOT NULL,
  recorded_at  TEXT    COLLATE "C" NOT NULL,
  recorded_by  TEXT    NOT NULL,
  reason       TEXT    NOT NULL,
  audit_seq    BIGINT  NOT NULL REFERENCES audit (seq),
  PRIMARY KEY (username, version)
);
CREATE TRIGGER account_versions_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON account_versions
  FOR EACH STATEMENT EXECUTE FUNCTION crsguard_refuse_change();

CREATE TABLE decisions (
  decision_pk  BIGINT  PRIMARY KEY,
  patient_pk   BIGINT  NOT NULL REFERENCES patients (patient_pk),
  body_json    TEXT    NOT NULL,
  recorded_at  TEXT    COLLATE "C" NOT NULL,
  recorded_by  TEXT    NOT NULL,
  audit_seq    BIGINT  NOT NULL REFERENCES audit (seq)
);
CREATE INDEX decisions_by_patient ON decisions (patient_pk);
CREATE TRIGGER decisions_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON decisions
  FOR EACH STATEMENT EXECUTE FUNCTION crsguard_refuse_change();

-- The latest change of each patient (MAX(seq) per patient_id), which the server's cache of records is
-- checked against on every read (docs/api.md).
CREATE INDEX audit_by_patient_seq ON audit (patient_id, seq);
