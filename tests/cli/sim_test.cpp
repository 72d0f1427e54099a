// `crsguard twin` and `crsguard invitro` as a user runs them.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cli_run.hpp"

namespace crsguard::testing {
namespace {

TEST(TwinCommand, PrintsTheTwinBesideTheReportedCourse) {
  const CliRun run = run_crsguard({"twin", "zi2021-adult"});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("CRS rep"), std::string::npos);
  EXPECT_NE(run.out.find("ruxolitinib"), std::string::npos);
  EXPECT_NE(run.out.find("CRS grade agrees on"), std::string::npos);
}

TEST(TwinCommand, JsonHasEveryDayAndTheSummary) {
  const CliRun run = run_crsguard({"twin", "zi2021-adult", "--json"});
  ASSERT_EQ(run.status, 0) << run.err;
  const auto document = nlohmann::json::parse(run.out);
  EXPECT_EQ(document["days"].size(), 29U);
  EXPECT_EQ(document["days"][6]["reported"]["crs_grade"], 2);
  EXPECT_TRUE(document["summary"]["first_ruxolitinib_day"].is_number());
}

TEST(TwinCommand, WritesTheSimulatedTimelineForTheOtherCommands) {
  const TempFolder folder("twin");
  const auto file = folder.path() / "twin.timeline.json";
  ASSERT_EQ(run_crsguard({"twin", "zi2021-adult", "--timeline-out", file.string()}).status, 0);
  const CliRun graded = run_crsguard({"grade", file.string()});
  EXPECT_EQ(graded.status, 0) << graded.err;
}

TEST(TwinCommand, BadInputExitsTwoWithTheReason) {
  const CliRun unknown = run_crsguard({"twin", "no-such-case"});
  EXPECT_EQ(unknown.status, 2);
  EXPECT_NE(unknown.err.find("no-such-case"), std::string::npos) << unknown.err;
  const CliRun solver = run_crsguard({"twin", "zi2021-adult", "--solver", "euler"});
  EXPECT_EQ(solver.status, 2);
  EXPECT_NE(solver.err.find("--solver euler"), std::string::npos) << solver.err;
}

TEST(InVitroCommand, ReproducesTheReportedDirections) {
  const CliRun run = run_crsguard({"invitro", "--json"});
  ASSERT_EQ(run.status, 0) << run.err;
  const auto conditions = nlohmann::json::parse(run.out)["conditions"];
  ASSERT_EQ(conditions.size(), 5U);  // control, ruxolitinib 1 and 10, dexamethasone 1 and 10
  EXPECT_EQ(conditions[0]["drug"], "none");
  EXPECT_LT(conditions[2]["car_t_fold_expansion"].get<double>(), conditions[1]["car_t_fold_expansion"].get<double>());
  EXPECT_LT(conditions[1]["ifn_gamma_pg_per_ml"].get<double>(), conditions[0]["ifn_gamma_pg_per_ml"].get<double>());
}

TEST(InVitroCommand, RefusesANegativeConcentration) {
  const CliRun run = run_crsguard({"invitro", "--drug", "rux", "--conc", "-1"});
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find("concentration"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace crsguard::testing
