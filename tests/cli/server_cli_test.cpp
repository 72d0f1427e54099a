// `crsguard user add` and the checks `crsguard serve` makes before it listens (the API itself is tested
// over HTTP in tests/server/api_test.cpp).
#include <gtest/gtest.h>

#include "cli_run.hpp"

namespace crsguard {
namespace {

using testing::run_crsguard;

TEST(ServerCli, ServeRefusesAStoreWithoutAccountsAndSaysHowToAddOne) {
  const testing::TempFolder folder("serve-cli");
  const std::string db = "sqlite:" + (folder.path() / "s.db").string();
  const auto run = run_crsguard({"serve", "--db", db, "--port", "18099"}, folder.path());
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("has no accounts yet"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("crsguard user add NAME --role admin --db " + db), std::string::npos) << run.err;
  const auto both = run_crsguard({"serve", "--db", db, "--demo"}, folder.path());
  EXPECT_EQ(both.status, 2);
  EXPECT_NE(both.err.find("either --db URL or --demo"), std::string::npos) << both.err;
  const auto half_tls = run_crsguard({"serve", "--db", db, "--cert", (folder.path() / "s.db").string()}, folder.path());
  EXPECT_EQ(half_tls.status, 2);
  EXPECT_NE(half_tls.err.find("--cert and --key go together"), std::string::npos) << half_tls.err;
}

TEST(ServerCli, UserAddHashesAGoodPasswordAndRefusesABadOneOrATakenName) {
  const testing::TempFolder folder("user-cli");
  const std::string db = "sqlite:" + (folder.path() / "s.db").string();
  const auto short_password = run_crsguard({"user", "add", "ward.admin", "--role", "admin", "--db", db}, folder.path(), "short\n");
  EXPECT_EQ(short_password.status, 2);
  EXPECT_NE(short_password.err.find("at least 12 characters"), std::string::npos) << short_password.err;
  const auto no_password = run_crsguard({"user", "add", "ward.admin", "--role", "admin", "--db", db}, folder.path(), "");
  EXPECT_EQ(no_password.status, 2);
  const auto bad_role = run_crsguard({"user", "add", "ward.admin", "--role", "root", "--db", db}, folder.path(), "a long enough password\n");
  EXPECT_EQ(bad_role.status, 2);
  const auto added = run_crsguard({"user", "add", "ward.admin", "--role", "admin", "--db", db, "--actor", "setup"}, folder.path(),
                                  "a long enough password\n");
  EXPECT_EQ(added.status, 0) << added.err;
  EXPECT_NE(added.out.find("account ward.admin (admin)"), std::string::npos) << added.out;
  const auto again = run_crsguard({"user", "add", "ward.admin", "--role", "viewer", "--db", db}, folder.path(), "another long password\n");
  EXPECT_EQ(again.status, 2);
  EXPECT_NE(again.err.find("the name is taken"), std::string::npos) << again.err;
  // The password never reaches the store or the audit trail in the clear.
  const auto audit = run_crsguard({"db", "history", "", "--db", db, "--json"}, folder.path());
  EXPECT_EQ(audit.out.find("long enough"), std::string::npos);
  EXPECT_EQ(testing::read_file(folder.path() / "s.db").find("long enough"), std::string::npos);
}

}  // namespace
}  // namespace crsguard
