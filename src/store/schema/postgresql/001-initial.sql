-- crsguard store, schema version 1, PostgreSQL dialect: the same tables, columns and meaning as
-- schema/sqlite/001-initial.sql (read that file's comments); only the types and the append-only
-- triggers are written the PostgreSQL way. Timestamps stay ISO 8601 text, as in SQLite, so that the
-- audit hashes are the same on both back ends; text that is compared or sorted is COLLATE "C", so that
-- it orders byte by byte as SQLite orders it, whatever the server's locale.

CREATE TABLE audit (
  seq         BIGINT  PRIMARY KEY,
  at          TEXT    COLLATE "C" NOT NULL,
  actor       TEXT    NOT NULL,
  action      TEXT    NOT NULL,
  patient_id  TEXT    COLLATE "C" NOT NULL,
  record      TEXT    NOT NULL,
  detail_json TEXT    NOT NULL,
  prev_hash   TEXT    NOT NULL,
  hash        TEXT    NOT NULL
);
CREATE INDEX audit_by_patient ON audit (patient_id);

CREATE TABLE patients (
  patient_pk  BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  patient_id  TEXT    COLLATE "C" NOT NULL UNIQUE,
  created_at  TEXT    COLLATE "C" NOT NULL,
  created_by  TEXT    NOT NULL
);

CREATE TABLE patient_versions (
  patient_pk   BIGINT  NOT NULL REFERENCES patients (patient_pk),
  version      INTEGER NOT NULL,
  header_json  TEXT    NOT NULL,
  recorded_at  TEXT    COLLATE "C" NOT NULL,
  recorded_by  TEXT    NOT NULL,
  reason       TEXT    NOT NULL,
  audit_seq    BIGINT  NOT NULL REFERENCES audit (seq),
  PRIMARY KEY (patient_pk, version)
);

CREATE TABLE events (
  event_pk     BIGINT  PRIMARY KEY,          -- given by the store (the next number under the write lock)
  patient_pk   BIGINT  NOT NULL REFERENCES patients (patient_pk),
  event_uid    TEXT    NOT NULL UNIQUE
);
CREATE INDEX events_by_patient ON events (patient_pk);

CREATE TABLE event_versions (
  event_pk      BIGINT  NOT NULL REFERENCES events (event_pk),
  version       INTEGER NOT NULL,
  body_json     TEXT,
  seconds_since_infusion BIGINT,
  recorded_at   TEXT    COLLATE "C" NOT NULL,
  recorded_by   TEXT    NOT NULL,
  reason        TEXT    NOT NULL,
  audit_seq     BIGINT  NOT NULL REFERENCES audit (seq),
  PRIMARY KEY (event_pk, version)
);

CREATE FUNCTION crsguard_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END
$$;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit
  FOR EACH STATEMENT EXECUTE FUNCTION crsguard_refuse_change();
CREATE TRIGGER patients_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON patients
  FOR EACH STATEMENT EXECUTE FUNCTION crsguard_refuse_change();
CREATE TRIGGER patient_versions_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON patient_versions
  FOR EACH STATEMENT EXECUTE FUNCTION crsguard_refuse_change();
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION crsguard_refuse_change();
CREATE TRIGGER event_versions_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON event_versions
  FOR EACH STATEMENT EXECUTE FUNCTION crsguard_refuse_change();
