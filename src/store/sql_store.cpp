// The store's logic, written once over SqlDatabase for both back ends (docs/store.md). Every operation
// is one transaction run by `transact`, which retries it from the start when the database reports a
// busy lock or a serialization failure. Writes hold the write lock for their whole transaction, so the
// audit chain's tail can be kept in memory while the transaction runs.
#include <openssl/evp.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <array>
#include <chrono>
#include <ctime>
#include <map>
#include <random>
#include <thread>

#include "core/time.hpp"
#include "io/timeline_json.hpp"
#include "store/sql_database.hpp"
#include "store/store.hpp"

namespace crsguard {

namespace {

using nlohmann::json;

std::string sha256_hex(std::string_view text) {
  // Fetched once: EVP_sha256() looks the algorithm up again on every call (3 % of an import).
  static EVP_MD* const kSha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (kSha256 == nullptr || EVP_Digest(text.data(), text.size(), digest.data(), &length, kSha256, nullptr) != 1) {
    throw StoreError("SHA-256 failed");
  }
  static constexpr char kHexDigits[] = "0123456789abcdef";
  std::string hex(2 * length, '0');
  for (unsigned int i = 0; i < length; ++i) {
    hex[2 * i] = kHexDigits[digest[i] >> 4];
    hex[2 * i + 1] = kHexDigits[digest[i] & 0x0f];
  }
  return hex;
}

std::string utc_now() {
  const auto now = std::chrono::system_clock::now();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  const auto seconds = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:03d}Z", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms % 1000));
}

std::string local_today() {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  return fmt::format("{:04d}-{:02d}-{:02d}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

// The canonical JSON an audit hash covers, chained to the entry before by its hash.
// The JSON object is written out directly, keys in sorted order and strings escaped as nlohmann::json
// escapes them: the same bytes as json{...}.dump(), without building the object for every entry.
std::string audit_hash(std::string_view prev_hash, const AuditEntry& entry) {
  const auto quoted = [](const std::string& text) { return json(text).dump(); };
  const std::string text = fmt::format(
      "{}\n{{\"action\":{},\"actor\":{},\"at\":{},\"detail\":{},\"patient_id\":{},\"record\":{},\"seq\":{}}}", prev_hash,
      quoted(entry.action), quoted(entry.actor), quoted(entry.at), quoted(entry.detail_json), quoted(entry.patient_id),
      quoted(entry.record), entry.seq);
  return sha256_hex(text);
}

constexpr std::string_view kGenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";
constexpr std::string_view kHeaderRecord = "patient_header";
constexpr std::string_view kAccountRecordPrefix = "account:";  // audit record of an account version
constexpr std::string_view kDecisionRecordPrefix = "decision:";  // audit record of an answer to a recommendation

std::string owned(std::string_view text) { return std::string(text); }

bool blank(const std::string& text) { return text.find_first_not_of(" \t\r\n") == std::string::npos; }

class SqlStore final : public Store {
 public:
  explicit SqlStore(std::unique_ptr<SqlDatabase> database) : db_(std::move(database)) { migrate(); }

  ImportSummary import_timelines(const std::vector<Timeline>& timelines, const std::string& actor, const std::string& source,
                                 const ImportProgress& progress) override {
    ImportSummary summary;
    transact_write([&] {
      summary = {};
      for (std::size_t i = 0; i < timelines.size(); ++i) {
        import_one(timelines[i], actor, source, summary);
        if (progress) progress(i + 1, timelines.size());
      }
      append_audit(actor, "import", "", source,
                   json{{"patients", timelines.size()},
                        {"events_added", summary.events_added},
                        {"events_already_present", summary.events_already_present}}
                       .dump());
    });
    return summary;
  }

  std::optional<Timeline> read_timeline(const std::string& patient_id, const std::optional<std::string>& as_of) override {
    std::optional<Timeline> out;
    transact_read([&] {
      out.reset();
      auto document = timeline_document(patient_id, as_of ? std::string_view(*as_of) : kEndOfTime);
      if (document) out = std::move(read_timelines_json(document->dump(), "store:" + patient_id).front());
    });
    return out;
  }

  std::vector<StoredEvent> events(const std::string& patient_id) override {
    std::vector<StoredEvent> out;
    transact_read([&] {
      out.clear();
      db_->query(R"(SELECT e.event_uid, v.version, v.body_json, v.recorded_at, v.recorded_by, v.reason
                    FROM patients p JOIN events e ON e.patient_pk = p.patient_pk
                    JOIN event_versions v ON v.event_pk = e.event_pk
                    WHERE p.patient_id = ? AND v.version = (SELECT MAX(version) FROM event_versions
                                                            WHERE event_pk = e.event_pk)
                    ORDER BY e.event_pk)",
                 {patient_id}, [&](const SqlRow& row) {
                   out.push_back({owned(row.text(0)), static_cast<int>(row.integer(1)), row.is_null(2),
                                  owned(row.text(2)), owned(row.text(3)), owned(row.text(4)), owned(row.text(5))});
                 });
    });
    return out;
  }

  void amend_event(const std::string& patient_id, const std::string& event_uid, const std::string& event_json,
                   const std::string& actor, const std::string& reason) override {
    require_reason("amendment", event_uid, reason);
    transact_write([&] {
      const CheckedEvent checked = check_event(patient_id, event_json, "amendment of event " + event_uid);
      add_event_version(patient_id, event_uid, checked.body, checked.seconds_since_infusion, actor, reason, "amend");
    });
  }

  void retract_event(const std::string& patient_id, const std::string& event_uid, const std::string& actor,
                     const std::string& reason) override {
    require_reason("retraction", event_uid, reason);
    transact_write([&] { add_event_version(patient_id, event_uid, std::nullopt, std::nullopt, actor, reason, "retract"); });
  }

  std::string append_event(const std::string& patient_id, const std::string& event_json, const std::string& actor) override {
    return append_events(patient_id, {event_json}, actor).front();
  }

  std::vector<std::string> append_events(const std::string& patient_id, const std::vector<std::string>& event_jsons,
                                         const std::string& actor) override {
    if (event_jsons.empty()) throw std::invalid_argument("new events: the list is empty");
    std::vector<std::string> uids;
    transact_write([&] {
      uids.clear();
      // All checked together first, so that every problem of the list is reported at its place in it.
      if (event_jsons.size() > 1) (void)check_events(patient_id, event_jsons, "new events");
      std::optional<std::int64_t> patient_pk;
      for (const std::string& event_json : event_jsons) {
        const CheckedEvent checked = check_event(patient_id, event_json, "new event");  // throws for an unknown patient
        if (!patient_pk) patient_pk = find_patient(patient_id).value();
        // A reading identical to one already recorded is a second reading: the next free ordinal.
        for (int ordinal = 0;; ++ordinal) {
          std::string uid = event_uid(patient_id, checked.body, ordinal);
          if (insert_event(*patient_pk, patient_id, uid, checked.body, checked.seconds_since_infusion, actor, "append")) {
            uids.push_back(std::move(uid));
            break;
          }
        }
      }
    });
    return uids;
  }

  std::vector<PatientListing> list_patients(const PatientFilter& filter) override {
    const std::string on_date = filter.on_date.empty() ? local_today() : filter.on_date;
    const auto on = parse_date(on_date);
    if (!on) throw std::invalid_argument(fmt::format("list filter: \"{}\" is not a date (YYYY-MM-DD)", on_date));
    std::vector<PatientListing> out;
    transact_read([&] {
      out.clear();
      db_->query(R"(SELECT p.patient_id, p.created_at,
                           (SELECT header_json FROM patient_versions WHERE patient_pk = p.patient_pk
                            ORDER BY version DESC LIMIT 1),
                           COUNT(v.event_pk), MAX(v.seconds_since_infusion)
                    FROM patients p
                    LEFT JOIN events e ON e.patient_pk = p.patient_pk
                    LEFT JOIN event_versions v ON v.event_pk = e.event_pk AND v.body_json IS NOT NULL
                         AND v.version = (SELECT MAX(version) FROM event_versions WHERE event_pk = e.event_pk)
                    GROUP BY p.patient_pk, p.patient_id, p.created_at
                    ORDER BY p.patient_id)",
                 {}, [&](const SqlRow& row) {
                   PatientListing listing = describe(row, *on);
                   if (matches(filter, listing)) out.push_back(std::move(listing));
                 });
    });
    return out;
  }

  std::vector<AuditEntry> history(const std::string& patient_id) override {
    std::vector<AuditEntry> out;
    transact_read([&] {
      out.clear();
      db_->query("SELECT seq, at, actor, action, patient_id, record, detail_json FROM audit WHERE patient_id = ? ORDER BY seq",
                 {patient_id}, [&](const SqlRow& row) { out.push_back(audit_entry(row)); });
    });
    return out;
  }

  void add_account(const Account& account, const std::string& actor) override {
    const std::string body = account_body(account);
    transact_write([&] {
      if (latest_account_version(account.username) > 0) {
        throw std::invalid_argument(fmt::format("account \"{}\": the name is taken", account.username));
      }
      insert_account_version(account.username, 1, body, actor, "");
    });
  }

  void change_account(const Account& account, const std::string& actor, const std::string& reason) override {
    const std::string body = account_body(account);
    if (blank(reason)) throw std::invalid_argument(fmt::format("change of account \"{}\": a reason is required", account.username));
    transact_write([&] {
      const std::int64_t latest = latest_account_version(account.username);
      if (latest == 0) throw std::invalid_argument(fmt::format("no account \"{}\"", account.username));
      insert_account_version(account.username, latest + 1, body, actor, reason);
    });
  }

  std::optional<Account> find_account(const std::string& username) override {
    std::optional<Account> out;
    transact_read([&] {
      out.reset();
      db_->query("SELECT username, version, body_json, recorded_at, recorded_by FROM account_versions WHERE username = ? "
                 "ORDER BY version DESC LIMIT 1",
                 {username}, [&](const SqlRow& row) { out = account_of(row); });
    });
    return out;
  }

  std::vector<Account> accounts() override {
    std::vector<Account> out;
    transact_read([&] {
      out.clear();
      db_->query(R"(SELECT a.username, a.version, a.body_json, a.recorded_at, a.recorded_by FROM account_versions a
                    WHERE a.version = (SELECT MAX(version) FROM account_versions WHERE username = a.username)
                    ORDER BY a.username)",
                 {}, [&](const SqlRow& row) { out.push_back(account_of(row)); });
    });
    return out;
  }

  std::int64_t record_decision(const std::string& patient_id, const std::string& decision_json, const std::string& actor) override {
    const json parsed = json::parse(decision_json, nullptr, false);
    if (!parsed.is_object()) throw std::invalid_argument("a decision must be a JSON object");
    const std::string body = parsed.dump();
    std::int64_t number = 0;
    transact_write([&] {
      const auto patient_pk = find_patient(patient_id);
      if (!patient_pk) throw std::invalid_argument(fmt::format("no patient \"{}\" in the store", patient_id));
      db_->query("SELECT COALESCE(MAX(decision_pk), 0) + 1 FROM decisions", {}, [&](const SqlRow& row) { number = row.integer(0); });
      const AuditEntry entry = append_audit(actor, "decision", patient_id, fmt::format("{}{}", kDecisionRecordPrefix, number),
                                            json{{"version", 1}, {"body_sha256", sha256_hex(body)}}.dump());
      db_->execute("INSERT INTO decisions (decision_pk, patient_pk, body_json, recorded_at, recorded_by, audit_seq) "
                   "VALUES (?, ?, ?, ?, ?, ?)",
                   {number, *patient_pk, body, entry.at, actor, entry.seq});
    });
    return number;
  }

  std::vector<StoredDecision> decisions(const std::string& patient_id) override {
    std::vector<StoredDecision> out;
    transact_read([&] {
      out.clear();
      db_->query("SELECT d.decision_pk, d.body_json, d.recorded_at, d.recorded_by FROM decisions d "
                 "JOIN patients p ON p.patient_pk = d.patient_pk WHERE p.patient_id = ? ORDER BY d.decision_pk",
                 {patient_id}, [&](const SqlRow& row) {
                   out.push_back({row.integer(0), owned(row.text(1)), owned(row.text(2)), owned(row.text(3))});
                 });
    });
    return out;
  }

  std::optional<std::int64_t> latest_change(const std::string& patient_id) override {
    std::optional<std::int64_t> out;
    transact_read([&] {
      out.reset();
      db_->query("SELECT MAX(seq) FROM audit WHERE patient_id = ?", {patient_id}, [&](const SqlRow& row) {
        if (!row.is_null(0)) out = row.integer(0);
      });
    });
    return out;
  }

  std::map<std::string, std::int64_t> latest_changes() override {
    std::map<std::string, std::int64_t> out;
    transact_read([&] {
      out.clear();
      db_->query("SELECT patient_id, MAX(seq) FROM audit WHERE patient_id <> '' GROUP BY patient_id", {},
                 [&](const SqlRow& row) { out[owned(row.text(0))] = row.integer(1); });
    });
    return out;
  }

  std::int64_t last_audit_seq() override {
    std::int64_t out = 0;
    transact_read([&] {
      db_->query("SELECT COALESCE(MAX(seq), 0) FROM audit", {}, [&](const SqlRow& row) { out = row.integer(0); });
    });
    return out;
  }

  AuditVerification verify_audit(const std::string& noted_head) override {
    AuditVerification out;
    transact_read([&] {
      out = {};
      verify_chain(out, noted_head);
      verify_versions(out);
    });
    return out;
  }

 private:
  static constexpr std::string_view kEndOfTime = "9999";  // ISO 8601 UTC strings compare in time order

  struct CheckedEvent {
    std::string body;  // canonical event JSON
    std::int64_t seconds_since_infusion = 0;
  };

  // ---- transactions -------------------------------------------------------------------------------

  template <class Work>
  void transact_write(Work work) {
    run_transaction(true, work);
  }
  template <class Work>
  void transact_read(Work work) {
    run_transaction(false, work);
  }

  // Runs `work` in one transaction; when the database is busy or reports a serialization failure, rolls
  // back and runs it again after a jittered, growing pause (at most 20 tries, about a minute in all).
  template <class Work>
  void run_transaction(bool write, Work& work) {
    constexpr int kMaxAttempts = 20;
    std::mt19937 random(std::random_device{}());
    for (int attempt = 1;; ++attempt) {
      try {
        if (write) {
          db_->begin_write();
          audit_tail_.reset();
          next_event_pk_.reset();
          // One recording time for everything the transaction writes: it commits at once, so a read
          // "as of" any moment sees all of it or none of it.
          transaction_time_ = utc_now();
        } else {
          db_->begin_read();
        }
        work();
        db_->commit();
        return;
      } catch (const RetryableStoreError&) {
        db_->rollback();
        if (attempt >= kMaxAttempts) throw;
        std::uniform_int_distribution<int> jitter(0, 10 << std::min(attempt, 8));
        std::this_thread::sleep_for(std::chrono::milliseconds(10 + jitter(random)));
      } catch (...) {
        db_->rollback();
        throw;
      }
    }
  }

  // Brings the schema up to this program's version. A store already there is only read, so a role that
  // may not create tables can open it; the check is repeated under the write lock, where two programs
  // opening a new store at once are put in line.
  void migrate() {
    const auto known = static_cast<std::int64_t>(db_->migrations().size());
    std::int64_t have = 0;
    transact_read([&] { have = schema_version(known); });
    if (have == known) return;
    transact_write([&] {
      db_->execute_script("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL PRIMARY KEY, "
                          "applied_at TEXT NOT NULL)");
      for (std::int64_t version = schema_version(known) + 1; version <= known; ++version) {
        db_->execute_script(db_->migrations()[static_cast<std::size_t>(version - 1)].text);
        db_->execute("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)", {version, transaction_time_});
      }
    });
  }

  std::int64_t schema_version(std::int64_t known) {
    std::int64_t have = 0;
    if (!db_->has_table("schema_version")) return have;
    db_->query("SELECT COALESCE(MAX(version), 0) FROM schema_version", {}, [&](const SqlRow& row) { have = row.integer(0); });
    if (have > known) {
      throw StoreError(fmt::format("the database has schema version {}, newer than this crsguard knows ({}); "
                                   "use a newer crsguard",
                                   have, known));
    }
    return have;
  }

  // ---- writing ------------------------------------------------------------------------------------

  void import_one(const Timeline& timeline, const std::string& actor, const std::string& source, ImportSummary& summary) {
    json document = encode_timeline(timeline);
    const json events = std::move(document["events"]);
    document.erase("events");
    const std::string& patient_id = timeline.patient().id;
    const std::string reason = "import " + source;

    std::int64_t patient_pk = 0;
    if (const auto existing = find_patient(patient_id)) {
      patient_pk = *existing;
      ++summary.patients_existing;
    } else {
      db_->query("INSERT INTO patients (patient_id, created_at, created_by) VALUES (?, ?, ?) RETURNING patient_pk",
                 {patient_id, transaction_time_, actor}, [&](const SqlRow& row) { patient_pk = row.integer(0); });
      ++summary.patients_created;
    }
    add_header_version(patient_pk, patient_id, document.dump(), actor, reason);

    std::map<std::string, int, std::less<>> ordinal;  // identical events of one patient stay distinct
    const auto& recorded = timeline.events();
    for (std::size_t i = 0; i < events.size(); ++i) {
      const std::string body = events[i].dump();
      const std::string uid = event_uid(patient_id, body, ordinal[body]++);
      if (insert_event(patient_pk, patient_id, uid, body, recorded[i].time.seconds_since_infusion, actor, reason)) {
        ++summary.events_added;
      } else {
        ++summary.events_already_present;
      }
    }
  }

  static std::string event_uid(const std::string& patient_id, const std::string& body, int ordinal) {
    return sha256_hex(fmt::format("{}\n{}\n{}", patient_id, body, ordinal));
  }

  // Adds the event and its first version; false when an event with this identity exists already.
  bool insert_event(std::int64_t patient_pk, const std::string& patient_id, const std::string& uid, const std::string& body,
                    std::int64_t seconds_since_infusion, const std::string& actor, const std::string& reason) {
    // The key is numbered here rather than returned by the database: RETURNING made this insert, the most
    // frequent statement of an import, about 40 % slower on SQLite (bench/README.md).
    if (!next_event_pk_) {
      db_->query("SELECT COALESCE(MAX(event_pk), 0) FROM events", {},
                 [&](const SqlRow& row) { next_event_pk_ = row.integer(0) + 1; });
    }
    const std::int64_t event_pk = *next_event_pk_;
    if (db_->execute("INSERT INTO events (event_pk, patient_pk, event_uid) VALUES (?, ?, ?) "
                     "ON CONFLICT (event_uid) DO NOTHING",
                     {event_pk, patient_pk, uid}) == 0) {
      return false;
    }
    ++*next_event_pk_;
    insert_event_version(event_pk, 1, patient_id, uid, body, seconds_since_infusion, actor, reason, "append");
    return true;
  }

  void insert_event_version(std::int64_t event_pk, std::int64_t version, const std::string& patient_id,
                            const std::string& uid, const std::optional<std::string>& body,
                            std::optional<std::int64_t> seconds_since_infusion, const std::string& actor,
                            const std::string& reason, const std::string& action) {
    json detail{{"version", version}, {"body_sha256", body ? json(sha256_hex(*body)) : json(nullptr)}};
    if (action != "append") detail["reason"] = reason;
    const AuditEntry entry = append_audit(actor, action, patient_id, uid, detail.dump());
    const SqlValue body_value = body ? SqlValue(std::string_view(*body)) : SqlValue(nullptr);
    const SqlValue seconds_value = seconds_since_infusion ? SqlValue(*seconds_since_infusion) : SqlValue(nullptr);
    db_->execute("INSERT INTO event_versions (event_pk, version, body_json, seconds_since_infusion, recorded_at, "
                 "recorded_by, reason, audit_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                 {event_pk, version, body_value, seconds_value, entry.at, actor, reason, entry.seq});
  }

  void add_event_version(const std::string& patient_id, const std::string& uid, const std::optional<std::string>& body,
                         std::optional<std::int64_t> seconds_since_infusion, const std::string& actor,
                         const std::string& reason, const std::string& action) {
    std::optional<std::int64_t> event_pk;
    std::int64_t latest = 0;
    bool retracted = false;
    db_->query(R"(SELECT e.event_pk, v.version, CASE WHEN v.body_json IS NULL THEN 1 ELSE 0 END FROM patients p
                  JOIN events e ON e.patient_pk = p.patient_pk JOIN event_versions v ON v.event_pk = e.event_pk
                  WHERE p.patient_id = ? AND e.event_uid = ? ORDER BY v.version DESC LIMIT 1)",
               {patient_id, uid}, [&](const SqlRow& row) {
                 event_pk = row.integer(0);
                 latest = row.integer(1);
                 retracted = row.integer(2) != 0;
               });
    if (!event_pk) throw std::invalid_argument(fmt::format("no event {} for patient \"{}\"", uid, patient_id));
    if (retracted && !body) {
      throw std::invalid_argument(fmt::format("event {} of patient \"{}\" is retracted already", uid, patient_id));
    }
    insert_event_version(*event_pk, latest + 1, patient_id, uid, body, seconds_since_infusion, actor, reason, action);
  }

  void add_header_version(std::int64_t patient_pk, const std::string& patient_id, const std::string& header,
                          const std::string& actor, const std::string& reason) {
    std::int64_t version = 1;
    bool unchanged = false;
    db_->query("SELECT version, header_json FROM patient_versions WHERE patient_pk = ? ORDER BY version DESC LIMIT 1",
               {patient_pk}, [&](const SqlRow& row) {
                 unchanged = row.text(1) == header;
                 version = row.integer(0) + 1;
               });
    if (unchanged) return;
    const AuditEntry entry = append_audit(actor, version == 1 ? "create" : "amend_header", patient_id,
                                          std::string(kHeaderRecord),
                                          json{{"version", version}, {"body_sha256", sha256_hex(header)}}.dump());
    db_->execute("INSERT INTO patient_versions (patient_pk, version, header_json, recorded_at, recorded_by, reason, "
                 "audit_seq) VALUES (?, ?, ?, ?, ?, ?, ?)",
                 {patient_pk, version, header, entry.at, actor, reason, entry.seq});
  }

  // ---- accounts -----------------------------------------------------------------------------------

  // The canonical body of an account version, after checking what the store can check.
  static std::string account_body(const Account& account) {
    const std::string& name = account.username;
    const bool name_ok = !name.empty() && name.size() <= 64 &&
                         std::none_of(name.begin(), name.end(), [](char c) { return static_cast<unsigned char>(c) <= ' ' || c == 0x7f; });
    if (!name_ok) {
      throw std::invalid_argument(fmt::format("account \"{}\": a name is 1 to 64 characters without spaces or control characters", name));
    }
    if (blank(account.role)) throw std::invalid_argument(fmt::format("account \"{}\": a role is required", name));
    if (account.password_hash.rfind("$argon2id$", 0) != 0) {
      throw std::invalid_argument(fmt::format("account \"{}\": the password must come as an argon2id hash", name));
    }
    return json{{"active", account.active}, {"password_hash", account.password_hash}, {"role", account.role}}.dump();
  }

  static Account account_of(const SqlRow& row) {
    Account out;
    out.username = owned(row.text(0));
    out.version = static_cast<int>(row.integer(1));
    const json body = json::parse(row.text(2));
    out.active = body.at("active").get<bool>();
    out.password_hash = body.at("password_hash").get<std::string>();
    out.role = body.at("role").get<std::string>();
    out.recorded_at = owned(row.text(3));
    out.recorded_by = owned(row.text(4));
    return out;
  }

  std::int64_t latest_account_version(const std::string& username) {
    std::int64_t latest = 0;
    db_->query("SELECT COALESCE(MAX(version), 0) FROM account_versions WHERE username = ?", {username},
               [&](const SqlRow& row) { latest = row.integer(0); });
    return latest;
  }

  void insert_account_version(const std::string& username, std::int64_t version, const std::string& body,
                              const std::string& actor, const std::string& reason) {
    // The audit says who changed which account and to what role, never the password hash.
    const json parsed = json::parse(body);
    json detail{{"version", version}, {"body_sha256", sha256_hex(body)}, {"role", parsed["role"]}, {"active", parsed["active"]}};
    if (version > 1) detail["reason"] = reason;
    const AuditEntry entry = append_audit(actor, version == 1 ? "account_create" : "account_change", "",
                                          std::string(kAccountRecordPrefix) + username, detail.dump());
    db_->execute("INSERT INTO account_versions (username, version, body_json, recorded_at, recorded_by, reason, audit_seq) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?)",
                 {username, version, body, entry.at, actor, reason, entry.seq});
  }

  static void require_reason(std::string_view what, const std::string& uid, const std::string& reason) {
    if (blank(reason)) throw std::invalid_argument(fmt::format("{} of event {}: a reason is required", what, uid));
  }

  // One event in the timeline format, checked by the timeline reader as part of this patient's record
  // (units, plausibility, the study-day range against this patient's infusion).
  CheckedEvent check_event(const std::string& patient_id, const std::string& event_json, const std::string& what) {
    return check_events(patient_id, {event_json}, what).front();
  }

  // The events as the file reader reads them as the events of the patient's timeline (so a problem is
  // at /events/N); their canonical bodies in the timeline's order.
  std::vector<CheckedEvent> check_events(const std::string& patient_id, const std::vector<std::string>& event_jsons,
                                         const std::string& what) {
    auto document = timeline_document(patient_id, kEndOfTime, /*with_events=*/false);
    if (!document) throw std::invalid_argument(fmt::format("no patient \"{}\" in the store", patient_id));
    json events = json::array();
    for (std::size_t i = 0; i < event_jsons.size(); ++i) {
      try {
        events.push_back(json::parse(event_jsons[i]));
      } catch (const json::parse_error& error) {
        throw std::invalid_argument(fmt::format("{}: event {} is not JSON: {}", what, i, error.what()));
      }
    }
    (*document)["events"] = std::move(events);
    const Timeline checked = std::move(read_timelines_json(document->dump(), what).front());
    const json encoded = encode_timeline(checked)["events"];
    std::vector<CheckedEvent> out;
    for (std::size_t i = 0; i < encoded.size(); ++i) {
      out.push_back({encoded[i].dump(), checked.events()[i].time.seconds_since_infusion});
    }
    return out;
  }

  // Appends an audit entry after the chain's last one. The write lock is held for the whole transaction,
  // so the tail read at its first entry stays the tail.
  AuditEntry append_audit(const std::string& actor, const std::string& action, const std::string& patient_id,
                          const std::string& record, const std::string& detail_json) {
    if (!audit_tail_) {
      AuditTail tail{0, std::string(kGenesisHash)};
      db_->query("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", {}, [&](const SqlRow& row) {
        tail = {row.integer(0), owned(row.text(1))};
      });
      audit_tail_ = std::move(tail);
    }
    AuditEntry entry{audit_tail_->seq + 1, transaction_time_, actor, action, patient_id, record, detail_json};
    std::string hash = audit_hash(audit_tail_->hash, entry);
    db_->execute("INSERT INTO audit (seq, at, actor, action, patient_id, record, detail_json, prev_hash, hash) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                 {entry.seq, entry.at, actor, action, patient_id, record, detail_json, audit_tail_->hash, hash});
    audit_tail_ = AuditTail{entry.seq, std::move(hash)};
    return entry;
  }

  // ---- reading ------------------------------------------------------------------------------------

  std::optional<std::int64_t> find_patient(const std::string& patient_id) {
    std::optional<std::int64_t> patient_pk;
    db_->query("SELECT patient_pk FROM patients WHERE patient_id = ?", {patient_id},
               [&](const SqlRow& row) { patient_pk = row.integer(0); });
    return patient_pk;
  }

  // The timeline JSON document of a patient as the store held it at `until` (a recording time), or
  // nullopt when the patient did not exist then.
  std::optional<json> timeline_document(const std::string& patient_id, std::string_view until, bool with_events = true) {
    std::optional<std::int64_t> patient_pk;
    json document;
    db_->query(R"(SELECT p.patient_pk, v.header_json FROM patients p
                  JOIN patient_versions v ON v.patient_pk = p.patient_pk
                  WHERE p.patient_id = ? AND v.recorded_at <= ? ORDER BY v.version DESC LIMIT 1)",
               {patient_id, until}, [&](const SqlRow& row) {
                 patient_pk = row.integer(0);
                 document = json::parse(row.text(1));
               });
    if (!patient_pk) return std::nullopt;
    json events = json::array();
    if (with_events) {
      db_->query(R"(SELECT v.body_json FROM events e JOIN event_versions v ON v.event_pk = e.event_pk
                    WHERE e.patient_pk = ? AND v.version = (SELECT MAX(version) FROM event_versions
                                                            WHERE event_pk = e.event_pk AND recorded_at <= ?)
                      AND v.body_json IS NOT NULL
                    ORDER BY v.seconds_since_infusion, e.event_pk)",
                 {*patient_pk, until}, [&](const SqlRow& row) { events.push_back(json::parse(row.text(0))); });
    }
    document["events"] = std::move(events);
    return document;
  }

  static PatientListing describe(const SqlRow& row, LocalSeconds on) {
    PatientListing listing;
    listing.patient_id = owned(row.text(0));
    listing.created_at = owned(row.text(1));
    listing.events = static_cast<int>(row.integer(3));
    json document = json::parse(row.text(2));
    document["events"] = json::array();
    const Timeline header = std::move(read_timelines_json(document.dump(), "store:" + listing.patient_id).front());
    if (const auto& calendar = header.infusion().time.calendar) {
      const LocalSeconds infusion_day = floor_div(*calendar, kSecondsPerDay) * kSecondsPerDay;
      listing.infusion_date = format_date(infusion_day);
      listing.day_since_infusion = static_cast<int>(floor_div(on - infusion_day, kSecondsPerDay));
    }
    if (!row.is_null(4)) listing.last_recorded_day = header.study_day(row.integer(4));
    listing.died = header.outcome() && header.outcome()->vital_status == VitalStatus::dead;
    return listing;
  }

  static bool matches(const PatientFilter& filter, const PatientListing& listing) {
    const auto& day = listing.day_since_infusion;
    if (filter.active_only && (listing.died || !day || *day < 0 || *day > filter.active_days)) return false;
    if (filter.min_day && (!day || *day < *filter.min_day)) return false;
    if (filter.max_day && (!day || *day > *filter.max_day)) return false;
    return true;
  }

  static AuditEntry audit_entry(const SqlRow& row) {
    return {row.integer(0),     owned(row.text(1)), owned(row.text(2)), owned(row.text(3)),
            owned(row.text(4)), owned(row.text(5)), owned(row.text(6))};
  }

  // ---- verification -------------------------------------------------------------------------------

  void verify_chain(AuditVerification& out, const std::string& noted_head) {
    std::string prev(kGenesisHash);
    std::int64_t expected_seq = 1;
    bool noted_head_found = noted_head.empty();
    db_->query("SELECT seq, at, actor, action, patient_id, record, detail_json, prev_hash, hash FROM audit ORDER BY seq", {},
               [&](const SqlRow& row) {
                 const AuditEntry entry = audit_entry(row);
                 ++out.entries;
                 if (entry.seq != expected_seq) {
                   out.problems.push_back(
                       fmt::format("audit entries {} to {} are missing", expected_seq, entry.seq - 1));
                 }
                 if (row.text(7) != prev) {
                   out.problems.push_back(fmt::format("audit entry {}: does not follow the entry before it", entry.seq));
                 }
                 if (audit_hash(row.text(7), entry) != row.text(8)) {
                   out.problems.push_back(
                       fmt::format("audit entry {}: its content was changed after it was written", entry.seq));
                 }
                 prev = owned(row.text(8));
                 expected_seq = entry.seq + 1;
                 if (prev == noted_head) noted_head_found = true;
               });
    out.head_hash = prev;
    if (!noted_head_found) {
      out.problems.push_back(fmt::format("the entry noted as head ({}) is no longer in the audit chain: entries were "
                                         "removed from its end, or the chain was rewritten",
                                         noted_head));
    }
  }

  // Every stored version must point at an audit entry about the same record and version whose body hash
  // matches, and every audit entry that recorded a version must still have its row.
  void verify_versions(AuditVerification& out) {
    std::int64_t audited_versions = 0;
    db_->query("SELECT COUNT(*) FROM audit WHERE action IN ('create', 'amend_header', 'append', 'amend', 'retract', "
               "'account_create', 'account_change', 'decision')",
               {}, [&](const SqlRow& row) { audited_versions = row.integer(0); });
    const auto check = [&](const SqlRow& row) {
      ++out.versions_checked;
      const std::string record =
          row.text(1) == kHeaderRecord ? std::string("the record header") : fmt::format("event {}", row.text(1));
      const bool account = row.text(1).rfind(kAccountRecordPrefix, 0) == 0;
      const bool decision = row.text(1).rfind(kDecisionRecordPrefix, 0) == 0;
      const std::string what =
          account    ? fmt::format("account \"{}\", version {}", row.text(1).substr(kAccountRecordPrefix.size()), row.integer(2))
          : decision ? fmt::format("decision {} of patient \"{}\"", row.text(1).substr(kDecisionRecordPrefix.size()), row.text(0))
                     : fmt::format("{} of patient \"{}\", version {}", record, row.text(0), row.integer(2));
      if (row.is_null(4)) {
        out.problems.push_back(fmt::format("{}: its audit entry {} is missing", what, row.integer(5)));
        return;
      }
      const json detail = json::parse(row.text(6), nullptr, false);
      const json expected_hash = row.is_null(3) ? json(nullptr) : json(sha256_hex(row.text(3)));
      const bool same_record = row.text(4) == row.text(1) && row.text(7) == row.text(0);
      if (!same_record || !detail.is_object() || detail.value("version", json()) != json(row.integer(2)) ||
          detail.value("body_sha256", json("absent")) != expected_hash) {
        out.problems.push_back(fmt::format("{}: differs from what audit entry {} recorded (changed behind the store's back)",
                                           what, row.integer(5)));
      }
    };
    db_->query(R"(SELECT p.patient_id, e.event_uid, v.version, v.body_json, a.record, v.audit_seq, a.detail_json, a.patient_id
                  FROM event_versions v JOIN events e ON e.event_pk = v.event_pk
                  JOIN patients p ON p.patient_pk = e.patient_pk
                  LEFT JOIN audit a ON a.seq = v.audit_seq ORDER BY v.audit_seq)",
               {}, check);
    db_->query(R"(SELECT p.patient_id, 'patient_header', v.version, v.header_json, a.record, v.audit_seq, a.detail_json,
                         a.patient_id
                  FROM patient_versions v JOIN patients p ON p.patient_pk = v.patient_pk
                  LEFT JOIN audit a ON a.seq = v.audit_seq ORDER BY v.audit_seq)",
               {}, check);
    static_assert(kAccountRecordPrefix == "account:");  // written out in the query below
    db_->query(R"(SELECT '', 'account:' || v.username, v.version, v.body_json, a.record, v.audit_seq, a.detail_json,
                         a.patient_id
                  FROM account_versions v LEFT JOIN audit a ON a.seq = v.audit_seq ORDER BY v.audit_seq)",
               {}, check);
    static_assert(kDecisionRecordPrefix == "decision:");  // written out in the query below
    db_->query(R"(SELECT p.patient_id, 'decision:' || CAST(d.decision_pk AS TEXT), 1, d.body_json, a.record, d.audit_seq,
                         a.detail_json, a.patient_id
                  FROM decisions d JOIN patients p ON p.patient_pk = d.patient_pk
                  LEFT JOIN audit a ON a.seq = d.audit_seq ORDER BY d.audit_seq)",
               {}, check);
    if (audited_versions > out.versions_checked) {
      out.problems.push_back(fmt::format("{} version(s) recorded in the audit are missing from the store",
                                         audited_versions - out.versions_checked));
    } else if (audited_versions < out.versions_checked) {
      out.problems.push_back(fmt::format("{} version(s) in the store were never recorded in the audit",
                                         out.versions_checked - audited_versions));
    }
  }

  struct AuditTail {
    std::int64_t seq = 0;
    std::string hash;
  };

  std::unique_ptr<SqlDatabase> db_;
  // Valid within one write transaction:
  std::optional<AuditTail> audit_tail_;
  std::optional<std::int64_t> next_event_pk_;
  std::string transaction_time_;  // UTC, ISO 8601 with milliseconds
};

}  // namespace

std::unique_ptr<Store> open_store(const std::string& url) {
  if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
    return std::make_unique<SqlStore>(open_postgresql_database(url));
  }
  std::string path = url.rfind("sqlite:", 0) == 0 ? url.substr(7) : url;
  if (path.empty()) throw std::invalid_argument("--db: no database path or URL given");
  return std::make_unique<SqlStore>(open_sqlite_database(path));
}

}  // namespace crsguard
