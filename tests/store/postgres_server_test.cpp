// The throwaway PostgreSQL server of the store tests (postgres_server.hpp): it starts, serves separate
// databases over its socket only, and leaves neither a server nor a folder behind, even when the test
// process is killed.
//
// Without PostgreSQL the tests are skipped, unless CRSGUARD_REQUIRE_POSTGRES=1 (CI), where they fail.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

#include "postgres_server.hpp"

namespace crsguard::testing {
namespace {

namespace fs = std::filesystem;

using Connection = std::unique_ptr<PGconn, decltype(&PQfinish)>;

Connection connect(const std::string& url) { return {PQconnectdb(url.c_str()), &PQfinish}; }

// The first value of the first row, or the error message prefixed with "error: ".
std::string single_value(PGconn* connection, const std::string& sql) {
  const std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(connection, sql.c_str()), &PQclear);
  const ExecStatusType status = PQresultStatus(result.get());
  if (status == PGRES_COMMAND_OK) return "";
  if (status != PGRES_TUPLES_OK) return std::string("error: ") + PQerrorMessage(connection);
  if (PQntuples(result.get()) == 0) return "error: no rows";
  return PQgetvalue(result.get(), 0, 0);
}

pid_t postmaster_pid(const fs::path& folder) {
  std::ifstream file(folder / "data" / "postmaster.pid");
  pid_t pid = 0;
  file >> pid;
  return pid;
}

// A zombie counts as gone: the postmaster, orphaned by pg_ctl, is reaped by whatever adopted it, if at all.
bool process_running(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const auto end_of_name = line.rfind(')');
  return end_of_name == std::string::npos || line.substr(end_of_name + 2, 1) != "Z";
}

template <typename Condition>
bool within_a_minute(const Condition& condition) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

// One server for the whole suite, as the store's tests use it; tests that end a server start their own.
class TemporaryPostgresServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { shared_server_ = TemporaryPostgresServer::start(why_not_started_); }
  static void TearDownTestSuite() { shared_server_.reset(); }

  void SetUp() override {
    if (shared_server_) return;
    if (postgres_required()) FAIL() << "CRSGUARD_REQUIRE_POSTGRES=1, and no test server: " << why_not_started_;
    GTEST_SKIP() << "no PostgreSQL test server: " << why_not_started_;
  }

  static TemporaryPostgresServer& server() { return *shared_server_; }

  // Another server can start where the shared one did: a failure here is a failure.
  static std::unique_ptr<TemporaryPostgresServer> start_another() {
    std::string why;
    auto another = TemporaryPostgresServer::start(why);
    EXPECT_NE(another, nullptr) << why;
    return another;
  }

 private:
  static inline std::unique_ptr<TemporaryPostgresServer> shared_server_;
  static inline std::string why_not_started_;
};

TEST_F(TemporaryPostgresServerTest, DefaultDatabaseTakesTheSuperuserOverTheSocketOnly) {
  const Connection connection = connect(server().url());
  ASSERT_EQ(PQstatus(connection.get()), CONNECTION_OK) << PQerrorMessage(connection.get());
  EXPECT_EQ(single_value(connection.get(), "SELECT 1"), "1");
  EXPECT_EQ(single_value(connection.get(), "SELECT current_database()"), TemporaryPostgresServer::default_database);
  EXPECT_EQ(single_value(connection.get(), "SELECT current_user"), "crsguard");
  EXPECT_EQ(single_value(connection.get(), "SHOW is_superuser"), "on");
  EXPECT_EQ(single_value(connection.get(), "SHOW listen_addresses"), "");
  EXPECT_EQ(single_value(connection.get(), "SHOW unix_socket_directories"), server().folder().string());
  EXPECT_EQ(single_value(connection.get(), "SHOW server_encoding"), "UTF8");
}

TEST_F(TemporaryPostgresServerTest, CreatedDatabasesAreSeparate) {
  const std::string alpha_url = server().create_database("alpha");
  const std::string beta_url = server().create_database("beta");
  EXPECT_NE(alpha_url, beta_url);
  EXPECT_EQ(alpha_url, server().url("alpha"));

  const Connection alpha = connect(alpha_url);
  const Connection beta = connect(beta_url);
  ASSERT_EQ(PQstatus(alpha.get()), CONNECTION_OK) << PQerrorMessage(alpha.get());
  ASSERT_EQ(PQstatus(beta.get()), CONNECTION_OK) << PQerrorMessage(beta.get());
  EXPECT_EQ(single_value(alpha.get(), "SELECT current_database()"), "alpha");
  EXPECT_EQ(single_value(beta.get(), "SELECT current_database()"), "beta");

  EXPECT_EQ(single_value(alpha.get(), "CREATE TABLE only_in_alpha (id integer)"), "");
  EXPECT_EQ(single_value(alpha.get(), "SELECT to_regclass('only_in_alpha') IS NOT NULL"), "t");
  EXPECT_EQ(single_value(beta.get(), "SELECT to_regclass('only_in_alpha') IS NULL"), "t");
}

TEST_F(TemporaryPostgresServerTest, NamesNeedingQuotesAndEncodingWork) {
  const std::string name = "Odd name/with \"quotes\"&?";
  const Connection connection = connect(server().create_database(name));
  ASSERT_EQ(PQstatus(connection.get()), CONNECTION_OK) << PQerrorMessage(connection.get());
  EXPECT_EQ(single_value(connection.get(), "SELECT current_database()"), name);
}

TEST_F(TemporaryPostgresServerTest, CreatingATakenNameThrows) {
  server().create_database("taken");
  EXPECT_THROW(server().create_database("taken"), std::runtime_error);
}

TEST_F(TemporaryPostgresServerTest, DestructionStopsTheServerAndDeletesTheFolder) {
  auto own = start_another();
  ASSERT_NE(own, nullptr);
  const fs::path folder = own->folder();
  const std::string url = own->url();
  const pid_t postmaster = postmaster_pid(folder);
  ASSERT_GT(postmaster, 0);
  ASSERT_TRUE(process_running(postmaster));
  ASSERT_EQ(PQping(url.c_str()), PQPING_OK);
  EXPECT_NE(folder, server().folder());

  own.reset();
  EXPECT_FALSE(fs::exists(folder));
  EXPECT_FALSE(process_running(postmaster));
  EXPECT_EQ(PQping(url.c_str()), PQPING_NO_RESPONSE);
  // The shared server is not affected.
  EXPECT_EQ(PQping(server().url().c_str()), PQPING_OK);
}

TEST_F(TemporaryPostgresServerTest, AKilledTestProcessLeavesNothingBehind) {
  int report[2];
  ASSERT_EQ(::pipe2(report, O_CLOEXEC), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Stands for a test executable that ctest kills on a timeout: it never gets to the destructor.
    std::string why;
    const auto own = TemporaryPostgresServer::start(why);
    const std::string message = own ? own->folder().string() + "\n" : "start failed: " + why + "\n";
    [[maybe_unused]] const ssize_t written = ::write(report[1], message.data(), message.size());
    for (;;) ::pause();
  }
  ::close(report[1]);
  std::string message;
  char c = 0;
  while (message.find('\n') == std::string::npos) {
    const ssize_t got = ::read(report[0], &c, 1);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    message += c;
  }
  ::close(report[0]);
  const fs::path folder = message.substr(0, message.find('\n'));
  const pid_t postmaster = folder.is_absolute() ? postmaster_pid(folder) : 0;
  ::kill(child, SIGKILL);
  while (::waitpid(child, nullptr, 0) < 0 && errno == EINTR) {
  }
  ASSERT_TRUE(folder.is_absolute()) << message;
  ASSERT_GT(postmaster, 0);

  EXPECT_TRUE(within_a_minute([&] { return !fs::exists(folder) && !process_running(postmaster); }))
      << folder << " exists: " << fs::exists(folder) << "; postmaster " << postmaster
      << " running: " << process_running(postmaster);
}

}  // namespace
}  // namespace crsguard::testing
