// The embedded SQLite store (docs/store-design.md). WAL with synchronous=FULL: a committed write
// survives power loss. Every multi-row write is one BEGIN IMMEDIATE transaction, retried on SQLITE_BUSY.
#include <openssl/evp.h>
#include <sqlite3.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <random>
#include <stdexcept>
#include <thread>

#include "io/timeline_json.hpp"
#include "store/schema_files.hpp"
#include "store/store.hpp"

namespace crsguard {

namespace {

using nlohmann::json;

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::string sha256_hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    throw StoreError("SHA-256 failed");
  }
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

std::string utc_now() {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:03d}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
}

// A prepared statement: bind by position (1-based), step, read columns.
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) != SQLITE_OK) {
      throw StoreError(fmt::format("SQL prepare failed: {} ({})", sqlite3_errmsg(db), sql));
    }
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }

  Statement& bind(int i, std::string_view text) {
    check(sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT));
    return *this;
  }
  Statement& bind(int i, std::int64_t value) {
    check(sqlite3_bind_int64(stmt_, i, value));
    return *this;
  }
  Statement& bind_null(int i) {
    check(sqlite3_bind_null(stmt_, i));
    return *this;
  }
  // True while a row is available.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    throw StoreError(fmt::format("SQL step failed: {}", sqlite3_errmsg(db_)));
  }
  void run() {
    while (step()) {
    }
    sqlite3_reset(stmt_);
  }
  std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
  bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }
  std::string text(int column) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return p == nullptr ? std::string() : std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
  }

 private:
  void check(int rc) const {
    if (rc != SQLITE_OK) throw StoreError(fmt::format("SQL bind failed: {}", sqlite3_errmsg(db_)));
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

void exec(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error != nullptr ? error : "unknown error";
    sqlite3_free(error);
    throw StoreError(fmt::format("SQL failed: {}", message));
  }
}

// The canonical JSON the audit hash covers, and the hash that chains it to the entry before.
std::string audit_hash(const std::string& prev_hash, const AuditEntry& entry) {
  const json body{{"seq", entry.seq},           {"at", entry.at},         {"actor", entry.actor},
                  {"action", entry.action},     {"patient_id", entry.patient_id}, {"record", entry.record},
                  {"detail", entry.detail_json}};
  return sha256_hex(prev_hash + "\n" + body.dump());
}

constexpr std::string_view kGenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr) !=
        SQLITE_OK) {
      const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw StoreError(fmt::format("{}: cannot open the database: {}", path, message));
    }
    sqlite3_busy_timeout(db_, 5000);
    exec(db_, "PRAGMA journal_mode=WAL");
    exec(db_, "PRAGMA synchronous=FULL");
    exec(db_, "PRAGMA foreign_keys=ON");
    migrate();
  }
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;
  ~SqliteStore() override { sqlite3_close(db_); }

  ImportSummary import_timelines(const std::vector<Timeline>& timelines, const std::string& actor,
                                 const std::string& source) override {
    ImportSummary summary;
    transact([&] {
      summary = {};
      for (const Timeline& timeline : timelines) import_one(timeline, actor, source, summary);
      append_audit(actor, "import", "", source,
                   json{{"patients", timelines.size()}, {"events_added", summary.events_added},
                        {"events_already_present", summary.events_already_present}}.dump());
    });
    return summary;
  }

  std::optional<Timeline> read_timeline(const std::string& patient_id, const std::optional<std::string>& as_of) override {
    const std::string until = as_of.value_or("9999");  // ISO 8601 UTC strings compare in time order
    Statement header(db_, R"(SELECT p.patient_pk, v.header_json FROM patients p JOIN patient_versions v USING (patient_pk)
                             WHERE p.patient_id = ? AND v.recorded_at <= ? ORDER BY v.version DESC LIMIT 1)");
    header.bind(1, patient_id).bind(2, until);
    if (!header.step()) return std::nullopt;
    const std::int64_t patient_pk = header.integer(0);
    json document = json::parse(header.text(1));
    json events = json::array();
    Statement current(db_, R"(SELECT v.body_json FROM events e JOIN event_versions v USING (event_pk)
                              WHERE e.patient_pk = ?1 AND v.version = (SELECT MAX(version) FROM event_versions
                                                                       WHERE event_pk = e.event_pk AND recorded_at <= ?2)
                                AND v.body_json IS NOT NULL
                              ORDER BY v.seconds_since_infusion, e.event_pk)");
    current.bind(1, patient_pk).bind(2, until);
    while (current.step()) events.push_back(json::parse(current.text(0)));
    document["events"] = std::move(events);
    auto timelines = read_timelines_json(document.dump(), "store:" + patient_id);
    return std::move(timelines.front());
  }

  std::vector<StoredEvent> events(const std::string& patient_id) override {
    std::vector<StoredEvent> out;
    Statement rows(db_, R"(SELECT e.event_uid, v.version, v.body_json, v.recorded_at, v.recorded_by, v.reason
                           FROM patients p JOIN events e USING (patient_pk) JOIN event_versions v USING (event_pk)
                           WHERE p.patient_id = ? AND v.version = (SELECT MAX(version) FROM event_versions
                                                                   WHERE event_pk = e.event_pk)
                           ORDER BY e.event_pk)");
    rows.bind(1, patient_id);
    while (rows.step()) {
      out.push_back({rows.text(0), static_cast<int>(rows.integer(1)), rows.is_null(2), rows.text(2), rows.text(3),
                     rows.text(4), rows.text(5)});
    }
    return out;
  }

  void amend_event(const std::string& patient_id, const std::string& event_uid, const std::string& event_json,
                   const std::string& actor, const std::string& reason) override {
    const auto current = read_timeline(patient_id, std::nullopt);
    if (!current) throw std::invalid_argument(fmt::format("no patient \"{}\" in the store", patient_id));
    // The reader checks the event as part of this patient's timeline (units, plausibility, the day range).
    json document = encode_timeline(*current);
    document["events"] = json::array({json::parse(event_json)});
    const Timeline checked = std::move(read_timelines_json(document.dump(), "amendment of " + event_uid).front());
    const json canonical = encode_timeline(checked)["events"].at(0);
    add_event_version(patient_id, event_uid, canonical.dump(), checked.events().front().time.seconds_since_infusion, actor,
                      reason, "amend");
  }

  void retract_event(const std::string& patient_id, const std::string& event_uid, const std::string& actor,
                     const std::string& reason) override {
    add_event_version(patient_id, event_uid, std::nullopt, std::nullopt, actor, reason, "retract");
  }

  std::vector<PatientListing> list_patients() override {
    std::vector<PatientListing> out;
    Statement list(db_, R"(SELECT p.patient_id, p.created_at,
                             (SELECT COUNT(*) FROM events e JOIN event_versions v USING (event_pk)
                              WHERE e.patient_pk = p.patient_pk AND v.body_json IS NOT NULL
                                AND v.version = (SELECT MAX(version) FROM event_versions WHERE event_pk = e.event_pk))
                           FROM patients p ORDER BY p.patient_id)");
    while (list.step()) out.push_back({list.text(0), list.text(1), static_cast<int>(list.integer(2))});
    return out;
  }

  std::vector<AuditEntry> history(const std::string& patient_id) override {
    std::vector<AuditEntry> out;
    Statement rows(db_, "SELECT seq, at, actor, action, patient_id, record, detail_json FROM audit "
                        "WHERE patient_id = ? ORDER BY seq");
    rows.bind(1, patient_id);
    while (rows.step()) {
      out.push_back({rows.integer(0), rows.text(1), rows.text(2), rows.text(3), rows.text(4), rows.text(5), rows.text(6)});
    }
    return out;
  }

  AuditVerification verify_audit() override {
    AuditVerification out;
    Statement rows(db_, "SELECT seq, at, actor, action, COALESCE(patient_id, ''), COALESCE(record, ''), detail_json, "
                        "prev_hash, hash FROM audit ORDER BY seq");
    std::string prev(kGenesisHash);
    std::int64_t expected_seq = 1;
    while (rows.step()) {
      AuditEntry entry{rows.integer(0), rows.text(1), rows.text(2), rows.text(3), rows.text(4), rows.text(5), rows.text(6)};
      ++out.entries;
      if (entry.seq != expected_seq) {
        out.problems.push_back(fmt::format("audit entries {} to {} are missing", expected_seq, entry.seq - 1));
      }
      if (rows.text(7) != prev) out.problems.push_back(fmt::format("audit entry {}: does not follow the entry before it", entry.seq));
      if (audit_hash(rows.text(7), entry) != rows.text(8)) {
        out.problems.push_back(fmt::format("audit entry {}: its content was changed after it was written", entry.seq));
      }
      prev = rows.text(8);
      expected_seq = entry.seq + 1;
    }
    return out;
  }

 private:
  void migrate() {
    transact([&] {
      exec(db_, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY, applied_at TEXT NOT NULL)");
      Statement current(db_, "SELECT COALESCE(MAX(version), 0) FROM schema_version");
      current.step();
      const std::int64_t have = current.integer(0);
      const auto files = store_schema_files();
      if (have > static_cast<std::int64_t>(files.size())) {
        throw StoreError(fmt::format("the database has schema version {}, newer than this crsguard ({})", have, files.size()));
      }
      for (std::size_t i = static_cast<std::size_t>(have); i < files.size(); ++i) {
        std::string sql(files[i].text);
        // The first migration creates schema_version itself; it exists already here.
        if (i == 0) {
          const auto at = sql.find("CREATE TABLE schema_version");
          const auto end = sql.find(");", at);
          if (at != std::string::npos && end != std::string::npos) sql.erase(at, end + 2 - at);
        }
        exec(db_, sql);
      }
    });
  }

  // Runs `work` in one BEGIN IMMEDIATE transaction; retries on SQLITE_BUSY with jittered back-off.
  template <class Work>
  void transact(Work work) {
    std::mt19937 random(std::random_device{}());
    for (int attempt = 0;; ++attempt) {
      try {
        exec(db_, "BEGIN IMMEDIATE");
      } catch (const StoreError&) {
        if (attempt >= 20) throw;
        std::uniform_int_distribution<int> jitter(0, 10 << std::min(attempt, 6));
        std::this_thread::sleep_for(std::chrono::milliseconds(10 + jitter(random)));
        continue;
      }
      try {
        work();
        exec(db_, "COMMIT");
        return;
      } catch (...) {
        sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
        throw;
      }
    }
  }

  void import_one(const Timeline& timeline, const std::string& actor, const std::string& source, ImportSummary& summary) {
    json document = encode_timeline(timeline);
    json events = std::move(document["events"]);
    document.erase("events");
    const std::string patient_id = timeline.patient().id;
    const std::string now = utc_now();

    std::int64_t patient_pk = 0;
    {
      Statement find(db_, "SELECT patient_pk FROM patients WHERE patient_id = ?");
      find.bind(1, patient_id);
      if (find.step()) {
        patient_pk = find.integer(0);
        ++summary.patients_existing;
      }
    }
    if (patient_pk == 0) {
      Statement insert(db_, "INSERT INTO patients (patient_id, created_at, created_by) VALUES (?, ?, ?)");
      insert.bind(1, patient_id).bind(2, now).bind(3, actor).run();
      patient_pk = sqlite3_last_insert_rowid(db_);
      ++summary.patients_created;
      append_audit(actor, "create", patient_id, "patient", json{{"source", source}}.dump());
    }
    add_header_version(patient_pk, patient_id, document.dump(), now, actor, source);

    std::map<std::string, int> ordinal;  // identical events of one patient stay distinct
    const auto& recorded = timeline.events();
    for (std::size_t i = 0; i < events.size(); ++i) {
      const std::string body = events[i].dump();
      const int k = ordinal[body]++;
      const std::string uid = sha256_hex(fmt::format("{}\n{}\n{}", patient_id, body, k));
      Statement exists(db_, "SELECT 1 FROM events WHERE event_uid = ?");
      exists.bind(1, uid);
      if (exists.step()) {
        ++summary.events_already_present;
        continue;
      }
      Statement insert(db_, "INSERT INTO events (patient_pk, event_uid) VALUES (?, ?)");
      insert.bind(1, patient_pk).bind(2, uid).run();
      const std::int64_t event_pk = sqlite3_last_insert_rowid(db_);
      Statement version(db_, "INSERT INTO event_versions (event_pk, version, body_json, seconds_since_infusion, "
                             "recorded_at, recorded_by, reason) VALUES (?, 1, ?, ?, ?, ?, ?)");
      version.bind(1, event_pk).bind(2, body).bind(3, recorded[i].time.seconds_since_infusion).bind(4, now).bind(5, actor)
          .bind(6, "import " + source).run();
      ++summary.events_added;
      append_audit(actor, "append", patient_id, uid, json{{"version", 1}}.dump());
    }
  }

  void add_event_version(const std::string& patient_id, const std::string& event_uid, const std::optional<std::string>& body,
                         std::optional<std::int64_t> seconds, const std::string& actor, const std::string& reason,
                         const std::string& action) {
    if (reason.find_first_not_of(" \t") == std::string::npos) {
      throw std::invalid_argument(fmt::format("{} of event {}: a reason is required", action, event_uid));
    }
    transact([&] {
      Statement find(db_, R"(SELECT e.event_pk, MAX(v.version) FROM patients p JOIN events e USING (patient_pk)
                             JOIN event_versions v USING (event_pk) WHERE p.patient_id = ? AND e.event_uid = ?
                             GROUP BY e.event_pk)");
      find.bind(1, patient_id).bind(2, event_uid);
      if (!find.step()) {
        throw std::invalid_argument(fmt::format("no event {} for patient \"{}\"", event_uid, patient_id));
      }
      const std::int64_t event_pk = find.integer(0);
      const std::int64_t version = find.integer(1) + 1;
      Statement insert(db_, "INSERT INTO event_versions (event_pk, version, body_json, seconds_since_infusion, "
                            "recorded_at, recorded_by, reason) VALUES (?, ?, ?, ?, ?, ?, ?)");
      insert.bind(1, event_pk).bind(2, version);
      if (body) insert.bind(3, *body);
      else insert.bind_null(3);
      if (seconds) insert.bind(4, *seconds);
      else insert.bind_null(4);
      insert.bind(5, utc_now()).bind(6, actor).bind(7, reason).run();
      append_audit(actor, action, patient_id, event_uid, json{{"version", version}, {"reason", reason}}.dump());
    });
  }

  void add_header_version(std::int64_t patient_pk, const std::string& patient_id, const std::string& header,
                          const std::string& now, const std::string& actor, const std::string& source) {
    Statement latest(db_, "SELECT version, header_json FROM patient_versions WHERE patient_pk = ? ORDER BY version DESC LIMIT 1");
    latest.bind(1, patient_pk);
    std::int64_t version = 1;
    if (latest.step()) {
      if (latest.text(1) == header) return;  // unchanged: no new version
      version = latest.integer(0) + 1;
    }
    Statement insert(db_, "INSERT INTO patient_versions (patient_pk, version, header_json, recorded_at, recorded_by, reason) "
                          "VALUES (?, ?, ?, ?, ?, ?)");
    insert.bind(1, patient_pk).bind(2, version).bind(3, header).bind(4, now).bind(5, actor).bind(6, "import " + source).run();
    append_audit(actor, version == 1 ? "create" : "amend", patient_id, "patient_header", json{{"version", version}}.dump());
  }

  void append_audit(const std::string& actor, const std::string& action, const std::string& patient_id,
                    const std::string& record, const std::string& detail_json) {
    Statement last(db_, "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1");
    std::int64_t seq = 1;
    std::string prev(kGenesisHash);
    if (last.step()) {
      seq = last.integer(0) + 1;
      prev = last.text(1);
    }
    const AuditEntry entry{seq, utc_now(), actor, action, patient_id, record, detail_json};
    Statement insert(db_, "INSERT INTO audit (seq, at, actor, action, patient_id, record, detail_json, prev_hash, hash) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    insert.bind(1, seq).bind(2, entry.at).bind(3, actor).bind(4, action).bind(5, patient_id).bind(6, record)
        .bind(7, detail_json).bind(8, prev).bind(9, audit_hash(prev, entry)).run();
  }

  sqlite3* db_ = nullptr;
};

}  // namespace

std::unique_ptr<Store> open_store(const std::string& url) {
  std::string path = url;
  if (path.rfind("sqlite:", 0) == 0) path = path.substr(7);
  if (path.rfind("postgresql://", 0) == 0 || path.rfind("postgres://", 0) == 0) {
    throw std::invalid_argument("the PostgreSQL back end is not built yet");
  }
  return std::make_unique<SqliteStore>(path);
}

}  // namespace crsguard
