// `crsguard simulate` (cli/sim_commands.hpp) on a small scenario (8 patients, 10 days): patients.csv and
// summary.json byte-identical on 1 and 2 threads, the paired design visible in patients.csv (the same
// covariates in every arm), no ruxolitinib in the arm without it, timelines another command can read,
// nothing half-written left behind, and bad input refused with exit status 2, file, line and reason.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "cli_run.hpp"

namespace crsguard::testing {
namespace {

std::vector<std::string> fields(const std::string& line) {
  std::vector<std::string> out(1);
  for (const char c : line) {
    if (c == ',') {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

// Three arms: no ruxolitinib, ruxolitinib early (the shipped variant, by absolute path), and 10 mg ruxolitinib
// at grade ≥ 2 (a copy of the variant beside the scenario, by relative path): few virtual patients reach
// grade 3, so only the last arm makes sure that ruxolitinib is given at all.
fs::path write_scenario(const fs::path& folder) {
  std::string variant = read_file(source_path("scenarios/protocols/pan2021-rux-early.yaml"));
  const std::string from = "      crs_grade_min: 3\n      not_given: [ruxolitinib]";
  variant.replace(variant.find(from), from.size(), "      crs_grade_min: 2\n      not_given: [ruxolitinib]");
  std::ofstream(folder / "rux-grade-2.yaml") << variant;
  const fs::path file = folder / "small.yaml";
  std::ofstream(file) << "format: crsguard.sim-scenario/1\nname: small\ntitle: A small trial\ndays: 10\npatients: 8\nseed: 9\n"
                         "population:\n"
                         "  age_years: {distribution: uniform, min: 3, max: 18}\n"
                         "  weight_kg: {distribution: by_age, cv_percent: 15}\n"
                         "  height_cm: {distribution: by_age, cv_percent: 5}\n"
                         "  marrow_blasts_percent: {distribution: uniform, min: 5, max: 95}\n"
                         "  car_t_cells_per_kg: {distribution: log_uniform, min: 3.0e6, max: 1.0e7}\n"
                         "  female_fraction: 0.5\n"
                         "  parameters: {variability_scale: 0.5}\n"
                         "arms:\n"
                         "  - name: no-rux\n    protocol: pan2021-paediatric\n"
                         "    remove_steps: [ruxolitinib, ruxolitinib-once-daily, ruxolitinib-stop]\n"
                         "  - name: rux-early\n    protocol: "
                      << source_path("scenarios/protocols/pan2021-rux-early.yaml").string()
                      << "\n  - name: rux-grade-2\n    protocol: rux-grade-2.yaml\n    step_dose: {ruxolitinib: {mg: 10}}\n";
  return file;
}

TEST(SimulateCli, OutputIsTheSameWhateverTheThreadCount) {
  const TempFolder folder("simulate");
  const fs::path scenario = write_scenario(folder.path());
  const CliRun one = run_crsguard({"simulate", scenario.string(), "--threads", "1", "--bootstrap", "200", "--out",
                                   (folder.path() / "one").string()});
  ASSERT_EQ(one.status, 0) << one.err;
  const CliRun two = run_crsguard({"simulate", scenario.string(), "--threads", "2", "--bootstrap", "200", "--out",
                                   (folder.path() / "two").string()});
  ASSERT_EQ(two.status, 0) << two.err;
  // The same tables; only the last line (the folder written) differs.
  EXPECT_EQ(one.out.substr(0, one.out.rfind("written:")), two.out.substr(0, two.out.rfind("written:")));
  const std::string csv = read_file(folder.path() / "one" / "patients.csv");
  EXPECT_EQ(lines_of(csv).size(), 1 + 8 * 3u);
  EXPECT_EQ(csv, read_file(folder.path() / "two" / "patients.csv"));
  EXPECT_EQ(read_file(folder.path() / "one" / "summary.json"), read_file(folder.path() / "two" / "summary.json"));
  // No progress bar when stderr is not a terminal.
  EXPECT_EQ(one.err.find('\r'), std::string::npos);
  EXPECT_NE(one.out.find("Paired differences"), std::string::npos);
  EXPECT_NE(one.out.find("CRS grade ≥ 3"), std::string::npos);
}

TEST(SimulateCli, PairedDesignAndNoRuxolitinibWithoutIt) {
  const TempFolder folder("simulate");
  const fs::path scenario = write_scenario(folder.path());
  const fs::path out = folder.path() / "out";
  const CliRun run = run_crsguard({"simulate", scenario.string(), "--threads", "2", "--bootstrap", "50", "--out", out.string(),
                                   "--timelines", "2"});
  ASSERT_EQ(run.status, 0) << run.err;
  const auto rows = lines_of(read_file(out / "patients.csv"));
  ASSERT_GT(rows.size(), 1u);
  const auto header = fields(rows[0]);
  std::map<std::string, std::size_t> column;
  for (std::size_t i = 0; i < header.size(); ++i) column[header[i]] = i;
  ASSERT_TRUE(column.count("first_ruxolitinib_day") && column.count("solved"));
  std::map<std::string, std::string> covariates_of;  // patient → its covariate columns
  int ruxolitinib_given = 0;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const auto f = fields(rows[r]);
    ASSERT_EQ(f.size(), header.size()) << rows[r];
    std::string covariates;
    for (std::size_t c = column["sex"]; c <= column["car_t_dose_cells"]; ++c) covariates += f[c] + ",";
    const auto [it, first] = covariates_of.emplace(f[0], covariates);
    if (!first) {
      EXPECT_EQ(it->second, covariates) << "patient " << f[0] << " differs between arms";
    }
    if (f[1] == "no-rux") {
      EXPECT_EQ(f[column["first_ruxolitinib_day"]], "") << rows[r];
    }
    if (f[1] == "rux-grade-2" && !f[column["first_ruxolitinib_day"]].empty()) ++ruxolitinib_given;
  }
  EXPECT_EQ(covariates_of.size(), 8u);
  EXPECT_GT(ruxolitinib_given, 0);
  for (const char* arm : {"no-rux", "rux-early", "rux-grade-2"}) {
    const fs::path timelines = out / "timelines" / arm;
    EXPECT_TRUE(fs::exists(timelines / "vp-00001.timeline.json")) << arm;
    EXPECT_TRUE(fs::exists(timelines / "vp-00002.timeline.json")) << arm;
    EXPECT_FALSE(fs::exists(timelines / "vp-00003.timeline.json")) << arm;
    const CliRun validate = run_crsguard({"validate", timelines.string()});
    EXPECT_EQ(validate.status, 0) << validate.out << validate.err;
  }
  for (const auto& entry : fs::recursive_directory_iterator(out)) {
    EXPECT_EQ(entry.path().string().find(".partial"), std::string::npos) << entry.path();
  }
  EXPECT_NE(read_file(out / "summary.json").find("\"difference_from_first\""), std::string::npos);
}

TEST(SimulateCli, BadInputExitsTwoWithFileLineAndReason) {
  const TempFolder folder("simulate");
  const fs::path scenario = write_scenario(folder.path());
  std::string text = read_file(scenario);
  text.replace(text.find("remove_steps: [ruxolitinib,"), 27, "remove_steps: [no-such-step,");
  const fs::path bad = folder.path() / "bad.yaml";
  std::ofstream(bad) << text;
  const fs::path out = folder.path() / "out";
  const CliRun run = run_crsguard({"simulate", bad.string(), "--out", out.string()});
  EXPECT_EQ(run.status, 2);
  EXPECT_NE(run.err.find(bad.string() + ": line 18"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("no step \"no-such-step\""), std::string::npos) << run.err;
  EXPECT_FALSE(fs::exists(out));
  const CliRun missing = run_crsguard({"simulate", (folder.path() / "nowhere.yaml").string()});
  EXPECT_EQ(missing.status, 2);
  EXPECT_NE(missing.err.find("nowhere.yaml"), std::string::npos) << missing.err;
}

}  // namespace
}  // namespace crsguard::testing
