// The embedded SQLite driver. WAL with synchronous=FULL: a committed write survives power loss (NORMAL,
// in WAL mode, may lose the last commits). Writers take the lock at BEGIN IMMEDIATE, so a busy database
// shows at the start of a transaction, where the store can retry it, never half-way through.
#include <sqlite3.h>

#include <fmt/format.h>

#include <string>

#include "store/schema_files.hpp"
#include "store/sql_database.hpp"

namespace crsguard {

namespace {

class SqliteRow final : public SqlRow {
 public:
  explicit SqliteRow(sqlite3_stmt* statement) : statement_(statement) {}
  [[nodiscard]] bool is_null(int column) const override { return sqlite3_column_type(statement_, column) == SQLITE_NULL; }
  [[nodiscard]] std::int64_t integer(int column) const override { return sqlite3_column_int64(statement_, column); }
  [[nodiscard]] std::string_view text(int column) const override {
    const auto* data = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
    if (data == nullptr) return {};
    return {data, static_cast<std::size_t>(sqlite3_column_bytes(statement_, column))};
  }

 private:
  sqlite3_stmt* statement_;
};

class SqliteDatabase final : public SqlDatabase {
 public:
  explicit SqliteDatabase(std::string path) : path_(std::move(path)) {
    const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
    if (sqlite3_open_v2(path_.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
      const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw StoreError(fmt::format("{}: cannot open the database: {}", path_, message));
    }
    sqlite3_extended_result_codes(db_, 1);
    // Several processes may share the file: wait for a writer before reporting the database busy.
    sqlite3_busy_timeout(db_, 5000);
    try {
      execute_script(
          "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
          // 64 MiB of page cache: a large import touches the events index far more than the default 2 MiB holds.
          "PRAGMA cache_size=-65536;"
          // The WAL file is reused after each checkpoint; cap what it keeps on disk afterwards.
          "PRAGMA journal_size_limit=67108864;");
    } catch (...) {
      close();
      throw;
    }
  }
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;
  ~SqliteDatabase() override { close(); }

  [[nodiscard]] std::string_view dialect() const override { return "sqlite"; }
  [[nodiscard]] std::span<const EmbeddedFile> migrations() const override { return sqlite_schema_files(); }

  std::int64_t query(std::string_view sql, std::initializer_list<SqlValue> parameters,
                     const RowHandler& on_row) override {
    sqlite3_stmt* statement = prepared(sql);
    // Reset even when a handler throws, so the statement never holds a read lock past this call.
    struct ResetOnExit {
      sqlite3_stmt* statement;
      ~ResetOnExit() {
        sqlite3_reset(statement);
        sqlite3_clear_bindings(statement);
      }
    } reset{statement};
    int index = 1;
    for (const SqlValue& value : parameters) bind(statement, index++, value);
    const SqliteRow row(statement);
    for (;;) {
      const int rc = sqlite3_step(statement);
      if (rc == SQLITE_ROW) {
        on_row(row);
      } else if (rc == SQLITE_DONE) {
        return sqlite3_changes64(db_);
      } else {
        fail(rc, "statement failed", sql);
      }
    }
  }

  void execute_script(std::string_view sql) override {
    char* error = nullptr;
    const std::string text(sql);
    const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
    if (rc != SQLITE_OK) {
      const std::string message = error != nullptr ? error : sqlite3_errstr(rc);
      sqlite3_free(error);
      throw_error(rc, message);
    }
  }

  [[nodiscard]] bool has_table(std::string_view name) override {
    bool found = false;
    query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", {name}, [&](const SqlRow&) { found = true; });
    return found;
  }

  void begin_write() override { execute_script("BEGIN IMMEDIATE"); }
  void begin_read() override { execute_script("BEGIN DEFERRED"); }
  void commit() override { execute_script("COMMIT"); }
  void rollback() noexcept override { sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr); }

 private:
  sqlite3_stmt* prepared(std::string_view sql) {
    const auto found = statements_.find(sql);
    if (found != statements_.end()) return found->second;
    sqlite3_stmt* statement = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                      &statement, nullptr);
    if (rc != SQLITE_OK) fail(rc, "cannot prepare a statement", sql);
    statements_.emplace(std::string(sql), statement);
    return statement;
  }

  void bind(sqlite3_stmt* statement, int index, const SqlValue& value) {
    int rc = SQLITE_OK;
    if (std::holds_alternative<std::nullptr_t>(value)) {
      rc = sqlite3_bind_null(statement, index);
    } else if (const auto* number = std::get_if<std::int64_t>(&value)) {
      rc = sqlite3_bind_int64(statement, index, *number);
    } else {
      const auto text = std::get<std::string_view>(value);
      // The text lives until the statement has run (the caller's parameters outlive query()).
      rc = sqlite3_bind_text(statement, index, text.data(), static_cast<int>(text.size()), SQLITE_STATIC);
    }
    if (rc != SQLITE_OK) fail(rc, "cannot bind a parameter", sqlite3_sql(statement));
  }

  [[noreturn]] void fail(int rc, std::string_view what, std::string_view sql) {
    throw_error(rc, fmt::format("{}: {} ({})", what, sqlite3_errmsg(db_), sql));
  }

  [[noreturn]] void throw_error(int rc, const std::string& message) {
    const std::string text = fmt::format("{}: {}", path_, message);
    const int primary = rc & 0xff;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) throw RetryableStoreError(text);
    throw StoreError(text);
  }

  void close() noexcept {
    for (auto& [sql, statement] : statements_) sqlite3_finalize(statement);
    statements_.clear();
    sqlite3_close(db_);
    db_ = nullptr;
  }

  std::string path_;
  sqlite3* db_ = nullptr;
  SqlTextMap<sqlite3_stmt*> statements_;
};

}  // namespace

std::unique_ptr<SqlDatabase> open_sqlite_database(const std::string& path) {
  return std::make_unique<SqliteDatabase>(path);
}

}  // namespace crsguard
