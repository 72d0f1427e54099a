// The PostgreSQL driver, on libpq (bookworm's libpqxx is the old 6.x API; libpq's C API is stable and
// small). Writers serialise on one transaction-scoped advisory lock, as SQLite's BEGIN IMMEDIATE does, so
// the audit chain has one writer at a time; serialization failures, deadlocks and lock time-outs are
// reported as retryable. Results are read in single-row mode, so that verifying a large store does not
// hold every row in memory.
#include <libpq-fe.h>

#include <fmt/format.h>

#include <charconv>
#include <string>
#include <vector>

#include "store/schema_files.hpp"
#include "store/sql_database.hpp"

namespace crsguard {

namespace {

// Any number the store's tables never use for anything else: the key of the writers' advisory lock.
constexpr std::int64_t kWriterLockKey = 0x6372736775617264;  // "crsguard"

// The URL without its password, for messages.
std::string without_password(const std::string& url) {
  const auto scheme_end = url.find("://");
  const auto at = url.find('@');
  if (scheme_end == std::string::npos || at == std::string::npos || at < scheme_end) return url;
  const auto colon = url.find(':', scheme_end + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon) + ":***" + url.substr(at);
}

// "?" placeholders (outside quoted literals) to PostgreSQL's $1, $2 …
std::string numbered_parameters(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int next = 1;
  char quote = 0;
  for (const char c : sql) {
    if (quote != 0) {
      if (c == quote) quote = 0;
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '?') {
      out += fmt::format("${}", next++);
    } else {
      out += c;
    }
  }
  return out;
}

class PostgresRow final : public SqlRow {
 public:
  explicit PostgresRow(const PGresult* result) : result_(result) {}
  [[nodiscard]] bool is_null(int column) const override { return PQgetisnull(result_, 0, column) != 0; }
  [[nodiscard]] std::int64_t integer(int column) const override {
    const std::string_view value = text(column);
    std::int64_t number = 0;
    const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), number);
    if (error != std::errc() || end != value.data() + value.size()) {
      throw StoreError(fmt::format("PostgreSQL returned \"{}\" where a whole number was expected", value));
    }
    return number;
  }
  [[nodiscard]] std::string_view text(int column) const override {
    return {PQgetvalue(result_, 0, column), static_cast<std::size_t>(PQgetlength(result_, 0, column))};
  }

 private:
  const PGresult* result_;
};

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

class PostgresDatabase final : public SqlDatabase {
 public:
  explicit PostgresDatabase(const std::string& url) : where_(without_password(url)) {
    connection_ = PQconnectdb(url.c_str());
    if (connection_ == nullptr || PQstatus(connection_) != CONNECTION_OK) {
      const std::string message = connection_ != nullptr ? PQerrorMessage(connection_) : "out of memory";
      PQfinish(connection_);
      throw StoreError(fmt::format("{}: cannot connect to PostgreSQL: {}", where_, trimmed(message)));
    }
    // Notices ("relation already exists, skipping") are not errors and must not reach the terminal.
    PQsetNoticeProcessor(connection_, [](void*, const char*) {}, nullptr);
    try {
      // A writer waiting longer than this for the lock gets a retryable error rather than waiting forever
      // (the same 5 s as SQLite's busy timeout, so both back ends give up after about two minutes).
      execute_script("SET lock_timeout = '5s'; SET client_encoding = 'UTF8'");
    } catch (...) {
      PQfinish(connection_);
      throw;
    }
  }
  PostgresDatabase(const PostgresDatabase&) = delete;
  PostgresDatabase& operator=(const PostgresDatabase&) = delete;
  ~PostgresDatabase() override { PQfinish(connection_); }

  [[nodiscard]] std::string_view dialect() const override { return "postgresql"; }
  [[nodiscard]] std::span<const EmbeddedFile> migrations() const override { return postgresql_schema_files(); }

  std::int64_t query(std::string_view sql, std::initializer_list<SqlValue> parameters,
                     const RowHandler& on_row) override {
    const std::string& name = prepared(sql);
    // Whole numbers go as text; text goes in binary format, which for text is its bytes with a length,
    // so that no copy with a terminating NUL is needed.
    std::vector<std::string> numbers;
    numbers.reserve(parameters.size());
    std::vector<const char*> values;
    std::vector<int> lengths;
    std::vector<int> formats;
    for (const SqlValue& value : parameters) {
      if (std::holds_alternative<std::nullptr_t>(value)) {
        values.push_back(nullptr);
        lengths.push_back(0);
        formats.push_back(0);
      } else if (const auto* number = std::get_if<std::int64_t>(&value)) {
        numbers.push_back(std::to_string(*number));
        values.push_back(numbers.back().c_str());
        lengths.push_back(0);
        formats.push_back(0);
      } else {
        const auto text = std::get<std::string_view>(value);
        values.push_back(text.data());
        lengths.push_back(static_cast<int>(text.size()));
        formats.push_back(1);
      }
    }
    if (PQsendQueryPrepared(connection_, name.c_str(), static_cast<int>(values.size()), values.data(), lengths.data(),
                            formats.data(), 0) != 1 ||
        PQsetSingleRowMode(connection_) != 1) {
      throw StoreError(fmt::format("{}: cannot send a statement: {}", where_, trimmed(PQerrorMessage(connection_))));
    }
    try {
      return read_results(sql, on_row);
    } catch (...) {
      drain();
      throw;
    }
  }

  void execute_script(std::string_view sql) override {
    const Result result(PQexec(connection_, std::string(sql).c_str()));
    check(result.get(), sql);
  }

  [[nodiscard]] bool has_table(std::string_view name) override {
    bool found = false;
    query("SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?", {name},
          [&](const SqlRow&) { found = true; });
    return found;
  }

  void begin_write() override {
    execute_script(fmt::format("BEGIN; SELECT pg_advisory_xact_lock({})", kWriterLockKey));
  }
  void begin_read() override { execute_script("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); }
  void commit() override { execute_script("COMMIT"); }
  void rollback() noexcept override {
    if (PQtransactionStatus(connection_) == PQTRANS_IDLE) return;
    PQclear(PQexec(connection_, "ROLLBACK"));
  }

 private:
  const std::string& prepared(std::string_view sql) {
    const auto found = statements_.find(sql);
    if (found != statements_.end()) return found->second;
    std::string name = fmt::format("crsguard_{}", statements_.size() + 1);
    const Result result(PQprepare(connection_, name.c_str(), numbered_parameters(sql).c_str(), 0, nullptr));
    check(result.get(), sql);
    return statements_.emplace(std::string(sql), std::move(name)).first->second;
  }

  // The rows go to `on_row`; returns the number of rows the statement changed.
  std::int64_t read_results(std::string_view sql, const RowHandler& on_row) {
    std::int64_t changed = 0;
    for (;;) {
      const Result result(PQgetResult(connection_));
      if (!result) return changed;
      if (PQresultStatus(result.get()) == PGRES_SINGLE_TUPLE) {
        on_row(PostgresRow(result.get()));
      } else {
        check(result.get(), sql);
        const std::string_view tuples = PQcmdTuples(result.get());
        std::from_chars(tuples.data(), tuples.data() + tuples.size(), changed);
      }
    }
  }

  // What is left of a statement's results after a failure, so that the connection can run ROLLBACK.
  void drain() noexcept {
    while (PGresult* rest = PQgetResult(connection_)) PQclear(rest);
  }

  void check(const PGresult* result, std::string_view sql) {
    const ExecStatusType status = PQresultStatus(result);
    if (result != nullptr && (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)) return;
    const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
    const std::string code = state != nullptr ? state : "";
    const std::string message = result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(connection_);
    const std::string text = fmt::format("{}: {} ({})", where_, trimmed(message), sql);
    // serialization_failure, deadlock_detected, lock_not_available: the transaction may simply be run again.
    if (code == "40001" || code == "40P01" || code == "55P03") throw RetryableStoreError(text);
    throw StoreError(text);
  }

  static std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
  }

  std::string where_;
  PGconn* connection_ = nullptr;
  SqlTextMap<std::string> statements_;  // SQL → prepared statement name
};

}  // namespace

std::unique_ptr<SqlDatabase> open_postgresql_database(const std::string& url) {
  return std::make_unique<PostgresDatabase>(url);
}

}  // namespace crsguard
