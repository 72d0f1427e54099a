// A private, throwaway PostgreSQL server for the tests of the PostgreSQL store, so that they run against a
// real server without touching any server the machine may already have.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <memory>
#include <string>

namespace crsguard::testing {

// How the server is configured beyond its socket.
struct PostgresServerSettings {
  // false (the tests): fsync, full_page_writes and synchronous_commit off, since the data is thrown away.
  // true (the import benchmark): PostgreSQL's own durable defaults, so that a commit reaches the disk, as
  // the SQLite store's synchronous=FULL commit does.
  bool durable = false;
};

// initdb into a fresh folder /tmp/crsguard-pg-XXXXXX, then a server that listens only on a Unix socket in
// that folder (listen_addresses=''), with trust authentication for the superuser "crsguard". Durability is
// switched off (fsync, full_page_writes, synchronous_commit) because the data is thrown away, unless the
// settings ask for a durable server.
//
// Starting takes about two seconds: start one server per test process (gtest_discover_tests runs each test
// in a process of its own) and give each test its own database.
//
// The server runs under a small watcher process, which stops it (a fast shutdown, as pg_ctl stop -m fast)
// and deletes the folder when this object is destroyed, or when the test process dies in any way (a crash,
// the SIGKILL of a ctest timeout). So no server or folder outlives the tests.
//
// The PostgreSQL programs are looked for in $CRSGUARD_PG_BINDIR, then in /usr/lib/postgresql/<version>/bin
// (Debian's layout; the newest version), then on PATH. initdb and the server refuse to run as root: as root,
// they run as the user "postgres", or "nobody" where there is none.
class TemporaryPostgresServer {
 public:
  // The database that start() creates, so that url() with no argument can be connected to at once.
  static constexpr const char* default_database = "crsguard_test";

  // nullptr with `why` filled (what failed, with initdb's output or the end of the server's log) when
  // the server cannot start: programs missing, no unprivileged user to run them as, and so on.
  static std::unique_ptr<TemporaryPostgresServer> start(std::string& why, const PostgresServerSettings& settings = {});

  TemporaryPostgresServer(const TemporaryPostgresServer&) = delete;
  TemporaryPostgresServer& operator=(const TemporaryPostgresServer&) = delete;
  // Stops the server and deletes the folder; returns when both are done.
  ~TemporaryPostgresServer();

  // A libpq connection URI for `database` over the socket, e.g.
  // postgresql:///crsguard_test?host=/tmp/crsguard-pg-AbC123&port=5432&user=crsguard
  [[nodiscard]] std::string url(const std::string& database = default_database) const;

  // Creates an empty database and returns its URL. Throws std::runtime_error when PostgreSQL refuses
  // (for instance, the name is taken).
  std::string create_database(const std::string& name);

  // The folder holding the data directory, the socket and the server's log (server.log).
  [[nodiscard]] const std::filesystem::path& folder() const { return folder_; }

 private:
  explicit TemporaryPostgresServer(std::filesystem::path folder);

  std::filesystem::path folder_;
  pid_t owner_pid_;           // the process that started the server, the only one whose destructor stops it
  pid_t watcher_pid_ = -1;    // the process that runs the server and cleans up after it
  int watcher_stop_fd_ = -1;  // closing it tells the watcher to clean up
};

// True when the environment variable CRSGUARD_REQUIRE_POSTGRES is 1 (CI sets it): a test must then fail,
// not skip, when the server cannot start.
bool postgres_required();

}  // namespace crsguard::testing
