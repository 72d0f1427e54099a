-- crsguard store, schema version 2 (PostgreSQL): the same table as schema/sqlite/002-accounts.sql (read
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
