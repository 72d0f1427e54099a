#pragma once
// Problems found in input, and the error that carries them out of a reader.
// A problem always says where (file, JSON pointer or CSV line/column, field) and why,
// so a clinician or data manager can fix the source without reading code.
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace crsguard {

struct InputLocation {
  std::string file;          // path as the user gave it
  std::string json_pointer;  // RFC 6901 pointer into the JSON document; empty when not JSON
  int line = 0;              // 1-based; 0 = not known
  int column = 0;            // 1-based; for CSV the field number
  std::string field;         // the field the problem is about, e.g. "unit"
};

struct Problem {
  InputLocation where;
  std::string reason;

  // One line: `FILE: at /events/3/unit, field "unit": unknown unit "x"`.
  [[nodiscard]] std::string to_string() const;
};

// Collects the problems of one input, up to a limit, so that one run reports them all.
class ProblemLog {
 public:
  static constexpr std::size_t kDefaultLimit = 50;
  explicit ProblemLog(std::string file, std::size_t limit = kDefaultLimit);

  void add(InputLocation where, std::string reason);
  void add_at_pointer(const std::string& json_pointer, std::string reason);
  // Counts problems another log could not list, so none is lost silently.
  void add_dropped(std::size_t count) { dropped_ += count; }

  [[nodiscard]] bool empty() const { return problems_.empty() && dropped_ == 0; }
  [[nodiscard]] bool full() const { return problems_.size() >= limit_; }
  [[nodiscard]] const std::vector<Problem>& problems() const { return problems_; }
  [[nodiscard]] std::size_t dropped() const { return dropped_; }
  [[nodiscard]] const std::string& file() const { return file_; }

  // Throws InputError if any problem was logged.
  void throw_if_any() const;

 private:
  std::string file_;
  std::size_t limit_;
  std::vector<Problem> problems_;
  std::size_t dropped_ = 0;
};

// Thrown by readers when the input is invalid; holds every problem found.
class InputError : public std::runtime_error {
 public:
  InputError(std::vector<Problem> problems, std::size_t dropped = 0);
  explicit InputError(Problem problem);
  [[nodiscard]] const std::vector<Problem>& problems() const { return problems_; }
  [[nodiscard]] std::size_t dropped() const { return dropped_; }
  // All problems, one per line, and a last line counting those not shown.
  [[nodiscard]] std::vector<std::string> lines() const;

 private:
  std::vector<Problem> problems_;
  std::size_t dropped_;
};

// Last segment of a JSON pointer, unescaped ("/events/3/unit" -> "unit").
std::string pointer_field(const std::string& json_pointer);
// Escapes a key for use as a JSON pointer segment (RFC 6901: ~ -> ~0, / -> ~1).
std::string pointer_escape(const std::string& key);

}  // namespace crsguard
