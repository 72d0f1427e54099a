// Times crsguard's Kaplan–Meier (one curve per group) and log-rank test on a CSV file of subjects, for
// bench/survival_vs_r.sh, which times R's survfit + survdiff on the same file. Reading the file is not
// timed (nor is it in R). Prints the best time of the runs and the chi-square, so that the script can
// check both programs computed the same test.
//   survival_csv_bench FILE.csv [RUNS]     FILE: a header line, then time,status,group per line
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/survival.hpp"

namespace {

std::string_view unquoted(std::string_view text) {
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') return text.substr(1, text.size() - 2);
  return text;
}

double parse_number(std::string_view text, std::size_t line, const char* field) {
  text = unquoted(text);
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) {
    throw std::invalid_argument(fmt::format("line {}: {}: \"{}\" is not a number", line, field, text));
  }
  return value;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 3) {
    std::fprintf(stderr, "usage: survival_csv_bench FILE.csv [RUNS]\n");
    return 2;
  }
  const int runs = argc == 3 ? std::stoi(argv[2]) : 5;
  try {
    std::ifstream in(argv[1]);
    if (!in) throw std::invalid_argument(fmt::format("cannot open {}", argv[1]));
    std::vector<crsguard::SurvivalSubject> subjects;
    std::vector<std::string> group_of;
    std::string line;
    std::getline(in, line);  // header: time,status,group
    for (std::size_t number = 2; std::getline(in, line); ++number) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) continue;
      const std::string_view text(line);
      const auto first = text.find(',');
      const auto second = first == std::string_view::npos ? first : text.find(',', first + 1);
      if (second == std::string_view::npos) throw std::invalid_argument(fmt::format("line {}: expected time,status,group", number));
      const double time = parse_number(text.substr(0, first), number, "time");
      const double status = parse_number(text.substr(first + 1, second - first - 1), number, "status");
      subjects.push_back({time, status == 1});
      group_of.emplace_back(unquoted(text.substr(second + 1)));
    }
    // The curves are per group, as R's survfit(Surv(time, status) ~ group) computes them.
    std::map<std::string, std::vector<crsguard::SurvivalSubject>> by_group;
    for (std::size_t i = 0; i < subjects.size(); ++i) by_group[group_of[i]].push_back(subjects[i]);

    double best = 1e300;
    double chi_square = 0;
    std::size_t steps = 0;
    std::string all_runs;
    for (int run = 0; run < runs; ++run) {
      const auto start = std::chrono::steady_clock::now();
      steps = 0;
      for (const auto& [name, members] : by_group) steps += crsguard::kaplan_meier(members).steps.size();
      chi_square = crsguard::log_rank_test(subjects, group_of).chi_square;
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      best = std::min(best, seconds);
      all_runs += fmt::format("{}{:.4f}", run == 0 ? "" : " ", seconds);
    }
    fmt::print("subjects {} groups {} curve_rows {}\n", subjects.size(), by_group.size(), steps);
    fmt::print("runs {}\n", all_runs);
    fmt::print("seconds {:.6f}\n", best);
    fmt::print("chisq {:.17g}\n", chi_square);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "survival_csv_bench: %s\n", error.what());
    return 2;
  }
  return 0;
}
