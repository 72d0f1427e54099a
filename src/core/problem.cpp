#include "core/problem.hpp"

#include <fmt/format.h>

#include <utility>

namespace crsguard {

std::string Problem::to_string() const {
  // "FILE: line 3, column 5, at /a/b, field \"b\": reason", leaving out what is not known.
  std::string place;
  auto append = [&place](const std::string& part) { place += (place.empty() ? " " : ", ") + part; };
  if (where.line > 0) append(fmt::format("line {}", where.line));
  if (where.line > 0 && where.column > 0) append(fmt::format("column {}", where.column));
  if (!where.json_pointer.empty()) append("at " + where.json_pointer);
  if (!where.field.empty()) append(fmt::format("field \"{}\"", where.field));
  const std::string file = where.file.empty() ? std::string("<input>") : where.file;
  return place.empty() ? file + ": " + reason : file + ":" + place + ": " + reason;
}

ProblemLog::ProblemLog(std::string file, std::size_t limit) : file_(std::move(file)), limit_(limit) {}

void ProblemLog::add(InputLocation where, std::string reason) {
  if (full()) {
    ++dropped_;
    return;
  }
  if (where.file.empty()) where.file = file_;
  problems_.push_back(Problem{std::move(where), std::move(reason)});
}

void ProblemLog::add_at_pointer(const std::string& json_pointer, std::string reason) {
  InputLocation where;
  where.json_pointer = json_pointer.empty() ? "/" : json_pointer;
  where.field = pointer_field(json_pointer);
  add(std::move(where), std::move(reason));
}

void ProblemLog::throw_if_any() const {
  if (!empty()) throw InputError(problems_, dropped_);
}

namespace {
std::string summarize(const std::vector<Problem>& problems) {
  if (problems.empty()) return "invalid input";
  std::string first = problems.front().to_string();
  if (problems.size() == 1) return first;
  return fmt::format("{} (and {} more problems)", first, problems.size() - 1);
}
}  // namespace

InputError::InputError(std::vector<Problem> problems, std::size_t dropped)
    : std::runtime_error(summarize(problems)), problems_(std::move(problems)), dropped_(dropped) {}

InputError::InputError(Problem problem) : InputError(std::vector<Problem>{std::move(problem)}) {}

std::vector<std::string> InputError::lines() const {
  std::vector<std::string> out;
  out.reserve(problems_.size() + 1);
  for (const auto& p : problems_) out.push_back(p.to_string());
  if (dropped_ > 0) {
    // In a folder the dropped problems may belong to any of its files, so none is named.
    out.push_back(fmt::format("{} more problems not shown (at most {} are listed per file)", dropped_,
                              ProblemLog::kDefaultLimit));
  }
  return out;
}

std::string pointer_field(const std::string& json_pointer) {
  const auto slash = json_pointer.rfind('/');
  std::string segment = slash == std::string::npos ? json_pointer : json_pointer.substr(slash + 1);
  std::string out;
  for (std::size_t i = 0; i < segment.size(); ++i) {
    if (segment[i] == '~' && i + 1 < segment.size()) {
      out += segment[i + 1] == '1' ? '/' : '~';
      ++i;
    } else {
      out += segment[i];
    }
  }
  return out;
}

std::string pointer_escape(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

}  // namespace crsguard
