// crsguard report: the example paediatric cohort and the platelet test cohort each become one
// self-contained HTML page whose every figure renders offline in headless Chromium without error.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "cli_run.hpp"

namespace {

using namespace crsguard::testing;

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Every <figure …> element of the rendered page, each up to its </figure>.
std::vector<std::string> figures_of(const std::string& dom) {
  std::vector<std::string> out;
  for (std::size_t at = dom.find("<figure id=\""); at != std::string::npos; at = dom.find("<figure id=\"", at + 1)) {
    out.push_back(dom.substr(at, dom.find("</figure>", at) - at));
  }
  return out;
}

void expect_report_renders(const std::vector<std::string>& arguments, std::size_t minimum_figures,
                           const std::vector<std::string>& expected_figure_ids) {
  const auto chromium = find_chromium();
  const TempFolder folder("report-cli");
  const auto page = folder.path() / "report.html";
  std::vector<std::string> command = arguments;
  command.insert(command.end(), {"--out", page.string()});
  const CliRun run = run_crsguard(command);
  ASSERT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("report of"), std::string::npos) << run.out;
  const std::string html = read_file(page);
  EXPECT_FALSE(fs::exists(page.string() + ".partial"));
  const std::size_t figures = count_of(html, "<figure id=\"");
  EXPECT_GE(figures, minimum_figures);
  for (const auto& id : expected_figure_ids) EXPECT_NE(html.find("<figure id=\"" + id + "\""), std::string::npos) << id;
  EXPECT_EQ(std::regex_search(html, std::regex(R"((src|href)\s*=\s*["']?(https?:)?//)")), false) << "a remote load";

  if (!chromium) {
    if (chromium_required()) FAIL() << "CRSGUARD_REQUIRE_CHROMIUM=1 but no Chromium found";
    GTEST_SKIP() << "Chromium not installed";
  }
  const std::string dom = dump_dom(*chromium, page, folder.path() / "profile");
  const std::string rendered = "data-figures-rendered=\"";
  const std::size_t rendered_at = dom.find(rendered);
  ASSERT_NE(rendered_at, std::string::npos) << "the page never finished rendering";
  EXPECT_EQ(std::stoul(dom.substr(rendered_at + rendered.size(), 8)), figures);
  const std::string errors_open = "<ul id=\"crsguard-errors\" hidden=\"\">";
  const std::size_t errors_at = dom.find(errors_open);
  ASSERT_NE(errors_at, std::string::npos);
  EXPECT_EQ(dom.substr(errors_at + errors_open.size(), dom.find("</ul>", errors_at) - errors_at - errors_open.size()), "")
      << "the page recorded errors";
  const auto elements = figures_of(dom);
  EXPECT_EQ(elements.size(), figures);
  for (const auto& element : elements) {
    const std::string id = element.substr(0, element.find('>'));
    EXPECT_NE(element.find("<svg"), std::string::npos) << id << ": no SVG";
    EXPECT_NE(element.find(" d=\"M"), std::string::npos) << id << ": no mark drawn";
  }
}

TEST(ReportCli, PaediatricCohortReportRendersOffline) {
  expect_report_renders({"report", source_path("examples/paediatric-cohort-pan2021").string(), "--conf-type", "log-log"},
                        2, {"swimmer", "kaplan-meier"});
}

TEST(ReportCli, PlateletCohortReportShowsThePlateletFigure) {
  expect_report_renders({"report", source_path("tests/data/platelets").string()}, 2, {"swimmer", "platelets"});
}

TEST(ReportCli, BadOptionsWriteNothing) {
  const TempFolder folder("report-bad");
  const auto page = folder.path() / "report.html";
  for (const std::vector<std::string>& arguments :
       {std::vector<std::string>{"--compare", "fisher:prior_hct"}, {"--compare", "fisher:prior_hct:age_years"},
        {"--conf-type", "cloglog"}}) {
    std::vector<std::string> command{"report", source_path("examples/paediatric-cohort-pan2021").string(), "--out",
                                     page.string()};
    command.insert(command.end(), arguments.begin(), arguments.end());
    const CliRun run = run_crsguard(command);
    EXPECT_EQ(run.status, 2) << arguments[1] << "\n" << run.out;
    EXPECT_FALSE(run.err.empty());
    EXPECT_FALSE(fs::exists(page)) << arguments[1];
  }
  const CliRun missing_folder = run_crsguard({"report", source_path("examples/paediatric-cohort-pan2021").string(),
                                              "--out", (folder.path() / "no-such-folder" / "r.html").string()});
  EXPECT_EQ(missing_folder.status, 2) << missing_folder.err;
}

}  // namespace
