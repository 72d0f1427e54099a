#pragma once
// What the store needs of a SQL database, and nothing more: parameterised statements, a script runner,
// and transactions. The store's logic (store/sql_store.cpp) is written once against this; SQLite and
// PostgreSQL each implement it (sqlite_database.cpp, postgresql_database.cpp). Statements are written with
// `?` placeholders; a driver that numbers its parameters ($1, $2 …) rewrites them.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>

#include "io/embedded_file.hpp"
#include "store/store.hpp"

namespace crsguard {

// A busy database (SQLite) or a serialization failure or deadlock (PostgreSQL 40001, 40P01): the
// transaction was rolled back and may be run again.
class RetryableStoreError : public StoreError {
 public:
  using StoreError::StoreError;
};

using SqlValue = std::variant<std::nullptr_t, std::int64_t, std::string_view>;

// For the drivers' prepared-statement maps, keyed by SQL text and looked up by a string_view: no copy of
// the text for each statement run.
struct SqlTextHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
};
template <class Value>
using SqlTextMap = std::unordered_map<std::string, Value, SqlTextHash, std::equal_to<>>;

class SqlRow {
 public:
  virtual ~SqlRow() = default;
  [[nodiscard]] virtual bool is_null(int column) const = 0;
  [[nodiscard]] virtual std::int64_t integer(int column) const = 0;
  // Valid until the next row.
  [[nodiscard]] virtual std::string_view text(int column) const = 0;
};

class SqlDatabase {
 public:
  using RowHandler = std::function<void(const SqlRow&)>;

  virtual ~SqlDatabase() = default;
  // "sqlite" or "postgresql": names the schema folder and appears in messages.
  [[nodiscard]] virtual std::string_view dialect() const = 0;
  // The migrations of this dialect, in order (schema/DIALECT/NNN-*.sql, compiled in).
  [[nodiscard]] virtual std::span<const EmbeddedFile> migrations() const = 0;

  // One statement; `on_row` is called for each result row. Statements are prepared once per connection.
  // Returns the number of rows an INSERT, UPDATE or DELETE changed (meaningless for a SELECT).
  virtual std::int64_t query(std::string_view sql, std::initializer_list<SqlValue> parameters,
                             const RowHandler& on_row) = 0;
  std::int64_t execute(std::string_view sql, std::initializer_list<SqlValue> parameters = {}) {
    return query(sql, parameters, [](const SqlRow&) {});
  }
  // Several statements without parameters (a migration file).
  virtual void execute_script(std::string_view sql) = 0;
  // Whether the database has this table (in the schema the store uses), without creating anything: a
  // role that may read and write but not create tables can still open a migrated store.
  [[nodiscard]] virtual bool has_table(std::string_view name) = 0;

  // A transaction that will write: it holds the database's write lock from the start (SQLite BEGIN
  // IMMEDIATE, PostgreSQL an advisory lock), so that the audit chain has one writer at a time.
  virtual void begin_write() = 0;
  // A transaction that only reads: one consistent snapshot for several statements.
  virtual void begin_read() = 0;
  virtual void commit() = 0;
  virtual void rollback() noexcept = 0;
};

std::unique_ptr<SqlDatabase> open_sqlite_database(const std::string& path);
std::unique_ptr<SqlDatabase> open_postgresql_database(const std::string& url);

}  // namespace crsguard
