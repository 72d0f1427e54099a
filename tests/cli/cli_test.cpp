// The crsguard command as a user runs it: what it prints, where, and its exit status
// (0 ok, 2 bad input or usage, 1 internal failure).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <stdlib.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli_run.hpp"

namespace {

namespace fs = std::filesystem;
using namespace crsguard::testing;

const std::string kAdultCase = source_path("examples/adult-case-zi2021.timeline.json").string();
const std::string kPaediatricCohort = source_path("examples/paediatric-cohort-pan2021").string();
const std::string kManyProblems = source_path("tests/data/bad/many-problems.json").string();

TEST(Cli, VersionPrintsNameAndVersion) {
  const CliRun run = run_crsguard({"--version"});
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("crsguard 0.1.0"), std::string::npos) << run.out;
}

TEST(Cli, HelpExitsZeroAndNamesTheSubcommands) {
  const CliRun run = run_crsguard({"--help"});
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("validate"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("summary"), std::string::npos) << run.out;
}

TEST(Cli, NoSubcommandIsAUsageError) {
  const CliRun run = run_crsguard({});
  EXPECT_EQ(run.status, 2);
  EXPECT_FALSE(run.err.empty()) << "a usage error must say what is wrong";
}

TEST(Cli, UnknownSubcommandIsAUsageError) { EXPECT_EQ(run_crsguard({"frobnicate"}).status, 2); }

TEST(Cli, ValidateGoodFilePrintsOk) {
  const CliRun run = run_crsguard({"validate", kAdultCase});
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_EQ(run.out.rfind(kAdultCase + ": ok: zi2021-case", 0), 0u) << run.out;
  EXPECT_EQ(run.err, "");
}

TEST(Cli, ValidateFolderListsFourteenPatients) {
  const CliRun run = run_crsguard({"validate", kPaediatricCohort});
  EXPECT_EQ(run.status, 0) << run.err;
  const auto lines = lines_of(run.out);
  ASSERT_EQ(lines.size(), 15u) << run.out;
  EXPECT_EQ(lines[0], kPaediatricCohort + ": ok: cohort of 14 patients");
  for (int patient = 1; patient <= 14; ++patient) {
    const std::string number = (patient < 10 ? "0" : "") + std::to_string(patient);
    const std::string& line = lines[static_cast<std::size_t>(patient)];
    EXPECT_NE(line.find("patient-" + number + ".timeline.json: pan2021-p" + number + " "), std::string::npos) << line;
  }
}

TEST(Cli, ValidateBadFileExitsTwoWithOneLinePerProblem) {
  const CliRun run = run_crsguard({"validate", kManyProblems});
  EXPECT_EQ(run.status, 2);
  EXPECT_EQ(run.out.find(": ok"), std::string::npos) << run.out;
  const auto lines = lines_of(run.err);
  const std::vector<std::string> expected_places{
      ": at /infusion/targets, field \"targets\": ", ": at /patient/sex, field \"sex\": ",
      ": at /events/0/value, field \"value\": ", ": at /events/1/device, field \"device\": ",
      ": at /events/2/dose/value, field \"value\": "};
  ASSERT_EQ(lines.size(), expected_places.size()) << run.err;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_EQ(lines[i].rfind(kManyProblems + expected_places[i], 0), 0u) << lines[i];
    // After the place comes the reason: not empty.
    EXPECT_GT(lines[i].size(), kManyProblems.size() + expected_places[i].size()) << lines[i];
  }
}

TEST(Cli, ValidateGoodAndBadTogetherStillReportsTheGoodOne) {
  const std::string bad = source_path("tests/data/bad/unknown-unit.json").string();
  // The bad file first: one bad file must not stop the others from being checked.
  const CliRun run = run_crsguard({"validate", bad, kAdultCase});
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.out.find(kAdultCase + ": ok"), std::string::npos) << run.out;
  EXPECT_EQ(run.out.find(bad), std::string::npos) << run.out;
  EXPECT_EQ(run.err.rfind(bad + ": at /events/0/unit, field \"unit\": unknown unit \"degrees\"", 0), 0u) << run.err;
}

TEST(Cli, SummaryTableShowsTheDayOfTocilizumab) {
  const CliRun run = run_crsguard({"summary", kAdultCase});
  ASSERT_EQ(run.status, 0) << run.err;
  std::string day5;
  for (const auto& line : lines_of(run.out)) {
    std::istringstream words(line);
    std::string first;
    if (words >> first && first == "5") day5 = line;
  }
  ASSERT_FALSE(day5.empty()) << "no row for day 5:\n" << run.out;
  EXPECT_NE(day5.find("40.8"), std::string::npos) << day5;
  EXPECT_NE(day5.find("161"), std::string::npos) << day5;
  EXPECT_NE(day5.find("tocilizumab 400 mg"), std::string::npos) << day5;
}

TEST(Cli, SummaryJsonParsesWithTheDaysValues) {
  const CliRun run = run_crsguard({"summary", kAdultCase, "--json"});
  ASSERT_EQ(run.status, 0) << run.err;
  const auto summary = nlohmann::json::parse(run.out, nullptr, false);
  ASSERT_FALSE(summary.is_discarded()) << "not JSON:\n" << run.out;
  EXPECT_EQ(summary.value("patient", ""), "zi2021-case");
  ASSERT_TRUE(summary.contains("days") && summary["days"].is_array()) << run.out;
  const nlohmann::json* day6 = nullptr;
  const nlohmann::json* day7 = nullptr;
  for (const auto& day : summary["days"]) {
    if (day.value("day", 0) == 6) day6 = &day;
    if (day.value("day", 0) == 7) day7 = &day;
  }
  ASSERT_NE(day6, nullptr) << run.out;
  ASSERT_NE(day7, nullptr) << run.out;
  EXPECT_EQ((*day6)["min_systolic_bp"]["value"], 89) << day6->dump();
  bool ruxolitinib_found = false;
  for (const auto& drug : (*day7)["drugs"]) {
    if (drug.value("drug", "") != "ruxolitinib") continue;
    ruxolitinib_found = true;
    EXPECT_EQ(drug["doses"], 2) << drug.dump();
  }
  EXPECT_TRUE(ruxolitinib_found) << day7->dump();
}

TEST(Cli, SummaryOfMissingFileIsBadInput) {
  const std::string missing = source_path("examples/no-such-file.json").string();
  const CliRun run = run_crsguard({"summary", missing});
  EXPECT_EQ(run.status, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find(missing + ": no such file"), std::string::npos) << run.err;
}

TEST(Cli, CommandsWriteNothingToTheWorkingFolder) {
  const TempFolder working("nothing-written");
  const auto files_in = [&working] {
    std::set<std::string> names;
    for (const auto& entry : fs::recursive_directory_iterator(working.path())) names.insert(entry.path().string());
    return names;
  };
  std::ofstream(working.path() / "already-here.txt") << "a file the user had\n";
  const auto before = files_in();
  const std::vector<std::vector<std::string>> commands{
      {"--version"},
      {"--help"},
      {"validate", kAdultCase},
      {"validate", kPaediatricCohort},
      {"validate", kManyProblems},
      {"summary", kAdultCase},
      {"summary", "--json", kAdultCase},
      {"summary", "no-such-file.json"},
  };
  for (const auto& command : commands) {
    const CliRun run = run_crsguard(command, working.path());
    EXPECT_NE(run.status, -1) << command.front() << " did not exit normally";
  }
  EXPECT_EQ(files_in(), before);
  EXPECT_EQ(read_file(working.path() / "already-here.txt"), "a file the user had\n");
}

}  // namespace

// --- grade, episodes, scores (docs/grading.md) ---

// The line of a day in the grade table: "      6  2     n/a    CRS: ...".
std::string day_line(const std::string& table, const std::string& day) {
  for (const auto& line : lines_of(table)) {
    std::istringstream words(line);
    std::string first;
    words >> first;
    if (first == day && line.find("  ") == 0) return line;
  }
  return "";
}

TEST(CliGrade, AdultCaseDayByDayWithRationale) {
  const CliRun run = run_crsguard({"grade", kAdultCase});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_NE(day_line(run.out, "1").find("≥1"), std::string::npos) << run.out;
  const std::string day6 = day_line(run.out, "6");
  EXPECT_NE(day6.find("  2  "), std::string::npos) << day6;
  EXPECT_NE(day6.find("systolic 89 mmHg (< 90 mmHg), day 6 [astct2019.crs.hypotension.no_vasopressor]"),
            std::string::npos) << day6;
  EXPECT_NE(day_line(run.out, "7").find("n/a"), std::string::npos) << "nothing was recorded on day 7";
  EXPECT_NE(day_line(run.out, "8").find("  0  "), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("  9–28  n/a"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("episode 1: onset day 1"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("resolution day 8, duration 7.0 days"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("astct2019.crs.fever: ASTCT 2019"), std::string::npos) << "rules are cited";
}

TEST(CliGrade, JsonCarriesGradeAssessmentEvidenceAndMissing) {
  const CliRun run = run_crsguard({"grade", "--json", kAdultCase});
  ASSERT_EQ(run.status, 0) << run.err;
  const auto document = nlohmann::json::parse(run.out);
  EXPECT_EQ(document["scale"], "astct2019");
  EXPECT_EQ(document["max_crs_grade"], 2);
  const auto& days = document["days"];
  ASSERT_GE(days.size(), 9u);
  EXPECT_EQ(days[0]["crs"]["assessment"], "not_assessable");
  EXPECT_TRUE(days[0]["crs"]["grade"].is_null());
  EXPECT_EQ(days[1]["crs"]["grade"], 1);
  EXPECT_EQ(days[1]["crs"]["assessment"], "incomplete");
  EXPECT_EQ(days[1]["crs"]["missing"], nlohmann::json::array({"systolic_bp"}));
  const auto& reason = days[6]["crs"]["reasons"][0];
  EXPECT_EQ(reason["rule"], "astct2019.crs.hypotension.no_vasopressor");
  EXPECT_EQ(reason["evidence"][0]["item"], "systolic_bp");
  EXPECT_EQ(reason["evidence"][0]["value"], 89);
  EXPECT_EQ(reason["evidence"][0]["unit"], "mm[Hg]");
  EXPECT_EQ(reason["evidence"][0]["time"]["day"], 6);
  EXPECT_EQ(document["episodes"][0]["duration_days"], 7);
}

TEST(CliGrade, ByEventPrintsAMomentPerEvent) {
  const CliRun run = run_crsguard({"grade", "--by", "event", kAdultCase});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("after every event"), std::string::npos);
  EXPECT_NE(run.out.find("day 7 12:00  n/a"), std::string::npos) << "the second ruxolitinib dose of day 7";
}

TEST(CliGrade, CohortListsTheFourteenChildren) {
  const CliRun run = run_crsguard({"grade", kPaediatricCohort});
  ASSERT_EQ(run.status, 0) << run.err;
  int rows = 0;
  for (const auto& line : lines_of(run.out)) rows += line.rfind("pan2021-p", 0) == 0 ? 1 : 0;
  EXPECT_EQ(rows, 14) << run.out;
  EXPECT_NE(run.out.find("reported"), std::string::npos);
  const CliRun json_run = run_crsguard({"grade", "--json", kPaediatricCohort});
  ASSERT_EQ(json_run.status, 0) << json_run.err;
  EXPECT_EQ(nlohmann::json::parse(json_run.out)["patients"].size(), 14u);
}

TEST(CliGrade, UnknownScaleOrGranularityIsAUsageError) {
  EXPECT_EQ(run_crsguard({"grade", "--by", "week", kAdultCase}).status, 2);
  EXPECT_EQ(run_crsguard({"grade", "--scale", "nope", kAdultCase}).status, 2);
}

TEST(CliGrade, SiteRuleOverridesApplyAndAreRecorded) {
  const TempFolder folder("rules");
  const fs::path overrides = folder.path() / "site.json";
  std::ofstream(overrides) << R"({"format": "crsguard.rule-overrides/1", "parameters": {
    "astct.crs.hypotension.adult_sbp_below_mmhg": {"value": 85, "unit": "mm[Hg]", "source": "site SOP"}}})";
  const CliRun run = run_crsguard({"grade", "--json", "--rules", overrides.string(), kAdultCase});
  ASSERT_EQ(run.status, 0) << run.err;
  const auto document = nlohmann::json::parse(run.out);
  EXPECT_EQ(document["days"][6]["crs"]["grade"], 1) << "89 mmHg is not below a threshold of 85";
  EXPECT_EQ(document["rule_overrides"][0]["key"], "astct.crs.hypotension.adult_sbp_below_mmhg");
  EXPECT_EQ(document["rule_overrides"][0]["source"], "site SOP");
}

TEST(CliGrade, BadRuleOverridesAreBadInput) {
  const TempFolder folder("rules");
  const fs::path overrides = folder.path() / "site.json";
  std::ofstream(overrides) << R"({"format": "crsguard.rule-overrides/1", "parameters": {
    "astct.crs.fever_min_celsius": {"value": 100.4, "unit": "[degF]", "source": "site SOP"}}})";
  const CliRun run = run_crsguard({"grade", "--rules", overrides.string(), kAdultCase});
  EXPECT_EQ(run.status, 2);
  EXPECT_EQ(run.out, "");
  EXPECT_NE(run.err.find(overrides.string() + ": at /parameters/astct.crs.fever_min_celsius/unit"), std::string::npos)
      << run.err;
}

TEST(CliEpisodes, AdultCaseHasOneResolvedEpisode) {
  const CliRun run = run_crsguard({"episodes", "--json", kAdultCase});
  ASSERT_EQ(run.status, 0) << run.err;
  const auto episodes = nlohmann::json::parse(run.out)["patients"][0]["episodes"];
  ASSERT_EQ(episodes.size(), 1u);
  EXPECT_EQ(episodes[0]["onset"]["day"], 1);
  EXPECT_EQ(episodes[0]["resolution"]["day"], 8);
  EXPECT_EQ(episodes[0]["status"], "resolved");
  EXPECT_EQ(episodes[0]["max"]["grade"], 2);
  EXPECT_EQ(episodes[0]["days_at_grade"], nlohmann::json::array({0, 5, 1, 0, 0, 0}));
}

TEST(CliScores, ScoresNameTheirMissingInputs) {
  const CliRun run = run_crsguard({"scores", "--json", kAdultCase});
  ASSERT_EQ(run.status, 0) << run.err;
  const auto scores = nlohmann::json::parse(run.out)["patients"][0]["risk_scores"];
  ASSERT_FALSE(scores.empty());
  bool saw_hematotox = false;
  for (const auto& score : scores) {
    if (score["score"] != "car_hematotox") continue;
    saw_hematotox = true;
    EXPECT_TRUE(score["value"].is_null());
    EXPECT_NE(std::find(score["missing"].begin(), score["missing"].end(), "platelets"), score["missing"].end());
  }
  EXPECT_TRUE(saw_hematotox);
}

TEST(CliScores, HyperinflammationAndCtcaeAreNamedAndVersioned) {
  const CliRun run = run_crsguard({"scores", "--json", kAdultCase});
  ASSERT_EQ(run.status, 0) << run.err;
  const auto patient = nlohmann::json::parse(run.out)["patients"][0];
  ASSERT_EQ(patient["hyperinflammation"].size(), 3u);
  EXPECT_EQ(patient["hyperinflammation"][1]["criterion"], "cartox_hlh_mas_2018");
  EXPECT_TRUE(patient["hyperinflammation"][1]["met"].is_null()) << "no ferritin value was reported";
  bool saw_fever = false;
  for (const auto& lab : patient["ctcae"]) {
    EXPECT_EQ(lab["version"], "CTCAE v5.0");
    if (lab["term"] == "fever" && lab["grade"] == 3) saw_fever = true;
  }
  EXPECT_TRUE(saw_fever) << "40.8 °C on day 5 is CTCAE fever grade 3";
}

TEST(CliRules, ListsEveryParameterWithItsStatus) {
  const CliRun run = run_crsguard({"rules", "--json"});
  ASSERT_EQ(run.status, 0) << run.err;
  const auto parameters = nlohmann::json::parse(run.out)["parameters"];
  ASSERT_GT(parameters.size(), 50u);
  std::set<std::string> statuses;
  for (const auto& parameter : parameters) {
    statuses.insert(parameter["status"].get<std::string>());
    EXPECT_FALSE(parameter["source"].get<std::string>().empty()) << parameter["key"];
  }
  EXPECT_TRUE(statuses.count("confirmed") && statuses.count("unconfirmed")) << run.out;
  const CliRun table = run_crsguard({"rules"});
  EXPECT_NE(table.out.find("astct.crs.fever_min_celsius"), std::string::npos);
}

TEST(CliGrade, OlderScalesSideBySide) {
  const CliRun run = run_crsguard({"grade", "--scale", "all", "--json", kAdultCase});
  ASSERT_EQ(run.status, 0) << run.err;
  const auto document = nlohmann::json::parse(run.out);
  ASSERT_EQ(document["scales"].size(), 5u) << "Lee, Penn, MSKCC, CARTOX and CRES";
  const auto& day6 = document["days"][6];
  EXPECT_EQ(day6["astct2019"]["grade"], 2);
  for (const char* scale : {"lee2014", "penn2018", "mskcc2018", "cartox2018", "cres2018"}) {
    EXPECT_TRUE(day6.contains(scale)) << scale;
  }
  // No FiO2, vasopressor or neuro data: CRES cannot be assessed, never grade 0.
  EXPECT_TRUE(day6["cres2018"]["grade"].is_null());
  const CliRun text = run_crsguard({"grade", "--scale", "lee2014", kAdultCase});
  ASSERT_EQ(text.status, 0) << text.err;
  EXPECT_NE(text.out.find("Lee 2014"), std::string::npos);
  EXPECT_NE(text.out.find("[lee2014.crs."), std::string::npos) << text.out;
  EXPECT_EQ(run_crsguard({"grade", "--scale", "penn", "--by", "event", kAdultCase}).status, 2);
}

TEST(CliGrade, CohortOnEveryScale) {
  const CliRun run = run_crsguard({"grade", "--scale", "all", kPaediatricCohort});
  ASSERT_EQ(run.status, 0) << run.err;
  int rows = 0;
  for (const auto& line : lines_of(run.out)) rows += line.rfind("pan2021-p", 0) == 0 ? 1 : 0;
  EXPECT_EQ(rows, 14);
  EXPECT_NE(run.out.find("mskcc2018"), std::string::npos);
}

namespace {

// ---- advise, replay, protocols (docs/protocols.md) ----

TEST(CliProtocols, ListsTheThreeShippedProtocolsWithSources) {
  const CliRun run = run_crsguard({"protocols", "--json"});
  ASSERT_EQ(run.status, 0) << run.err;
  const auto document = nlohmann::json::parse(run.out);
  std::set<std::string> names;
  for (const auto& protocol : document.at("protocols")) {
    names.insert(protocol.at("name").get<std::string>());
    EXPECT_FALSE(protocol.at("sources").empty());
  }
  EXPECT_EQ(names, (std::set<std::string>{"astct-asco-2021", "pan2021-paediatric", "zi2021-adult"}));
}

TEST(CliProtocols, ReplayShowsTheProtocolStepsBesideTheDrugsGiven) {
  const CliRun run = run_crsguard({"replay", kAdultCase, "--protocol", "zi2021-adult", "--json"});
  ASSERT_EQ(run.status, 0) << run.err;
  const auto rows = nlohmann::json::parse(run.out).at("rows");
  std::vector<std::string> given;
  for (const auto& row : rows) {
    if (row.at("concordance") == "given") given.push_back(row.at("drug").get<std::string>() + " day " +
                                                          std::to_string(row.at("given_at").at("day").get<int>()));
  }
  EXPECT_EQ(given, (std::vector<std::string>{"tocilizumab day 5", "methylprednisolone day 6", "ruxolitinib day 7"}));
  const CliRun text = run_crsguard({"replay", kAdultCase, "--protocol", "zi2021-adult"});
  EXPECT_EQ(text.status, 0);
  EXPECT_NE(text.out.find("day 7 00:00: ruxolitinib 10 mg po every 12 h × 22"), std::string::npos) << text.out;
}

TEST(CliProtocols, AdviseAtDay7RecommendsRuxolitinib) {
  const CliRun run = run_crsguard({"advise", kAdultCase, "--protocol", "zi2021-adult", "--at", "7"});
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("GIVE ruxolitinib — actionable, OFF-LABEL"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("dose: 10 mg po every 12 h for 11 days"), std::string::npos) << run.out;
}

TEST(CliProtocols, BadInputsExitTwoAndPrintNothing) {
  const TempFolder folder("protocol");
  const fs::path bad = folder.path() / "bad.yaml";
  std::ofstream(bad) << "format: crsguard.protocol/1\nname: bad\ntitle: t\nsources: [s]\nsteps:\n  - id: x\n    titel: typo\n";
  for (const std::vector<std::string>& arguments :
       {std::vector<std::string>{"advise", kAdultCase, "--protocol", bad.string()},
        std::vector<std::string>{"advise", kAdultCase, "--protocol", "no-such-protocol"},
        std::vector<std::string>{"advise", kAdultCase, "--protocol", "zi2021-adult", "--at", "day seven"},
        std::vector<std::string>{"advise", kAdultCase, "--protocol", "zi2021-adult", "--override", "ruxolitinib-haemorrhage="},
        std::vector<std::string>{"advise", kAdultCase, "--protocol", "zi2021-adult", "--override", "nothing=reason"},
        std::vector<std::string>{"replay", kPaediatricCohort, "--protocol", "pan2021-paediatric"},
        std::vector<std::string>{"protocols", bad.string()}}) {
    const CliRun run = run_crsguard(arguments);
    EXPECT_EQ(run.status, 2) << arguments.at(arguments.size() - 1) << ": " << run.err;
    EXPECT_TRUE(run.out.empty()) << run.out;
    EXPECT_FALSE(run.err.empty());
  }
  const CliRun typo = run_crsguard({"protocols", bad.string()});
  EXPECT_NE(typo.err.find("line 7"), std::string::npos) << typo.err;
}

}  // namespace
