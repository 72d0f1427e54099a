#include "sim/parameter_file.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "core/problem.hpp"
#include "io/json_fields.hpp"
#include "io/strict_json.hpp"
#include "io/timeline_files.hpp"

namespace crsguard {
namespace {

constexpr std::string_view kFormat = "crsguard.sim-parameters/1";
// Cell counts reach 10^12 and more; anything past this is a typo, not a patient.
constexpr double kLargestValue = 1e15;
constexpr double kLargestCvPercent = 1000;

std::optional<Confidence> parse_confidence(std::string_view tag) {
  if (tag == "C") return Confidence::confirmed;
  if (tag == "S") return Confidence::secondary;
  if (tag == "M") return Confidence::memory;
  if (tag == "A") return Confidence::assumed;
  return std::nullopt;
}

bool valid_name(std::string_view name) {
  if (name.empty() || name.front() == '_') return false;
  for (const char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

void read_references(ObjectReader& root, ParameterFile& out) {
  const auto* references = root.get("references", Presence::required);
  if (references == nullptr) return;
  if (!references->is_object()) {
    root.log().add_at_pointer("/references", "expected an object of key → citation, found " + json_type_name(*references));
    return;
  }
  for (const auto& [key, value] : references->items()) {
    const auto citation = read_string(value, "/references/" + pointer_escape(key), root.log());
    if (citation && citation->empty()) {
      root.log().add_at_pointer("/references/" + pointer_escape(key), "a reference needs its citation");
    } else if (citation) {
      out.references.emplace(key, *citation);
    }
  }
}

void read_parameter(const std::string& name, ObjectReader& entry, ParameterFile& out) {
  ProblemLog& log = entry.log();
  if (!valid_name(name)) {
    log.add_at_pointer(entry.pointer(), "a parameter name is lower-case words joined by '_'");
    return;
  }
  SimParameter p;
  p.name = name;
  const auto value = entry.number("value", -kLargestValue, kLargestValue, Presence::required);
  const auto unit = entry.string("unit", Presence::required);
  const auto cv = entry.number("cv_percent", 0, kLargestCvPercent);
  const auto source = entry.string("source", Presence::required);
  const auto confidence = entry.string("confidence", Presence::required);
  p.symbol = entry.string("symbol").value_or("");
  p.note = entry.string("note").value_or("");
  entry.finish("parameter");
  if (!value || !unit || !source || !confidence) return;
  if (unit->empty()) log.add_at_pointer(entry.child("unit"), "a parameter needs its unit (\"1\" when dimensionless)");
  if (!out.references.contains(*source)) {
    log.add_at_pointer(entry.child("source"), fmt::format("source \"{}\" is not among the file's references", *source));
  }
  const auto tag = parse_confidence(*confidence);
  if (!tag) log.add_at_pointer(entry.child("confidence"), fmt::format("unknown confidence \"{}\"; expected one of: C, S, M, A", *confidence));
  if (cv && *cv > 0 && *value <= 0) {
    log.add_at_pointer(entry.child("cv_percent"), "log-normal variability needs a positive typical value");
  }
  p.value = *value;
  p.unit = *unit;
  p.cv_percent = cv.value_or(0);
  p.source = *source;
  p.confidence = tag.value_or(Confidence::assumed);
  out.parameters.push_back(std::move(p));
}

void read_correlations(ObjectReader& root, ParameterFile& out) {
  const auto* correlations = root.get("correlations");
  if (correlations == nullptr) return;
  ProblemLog& log = root.log();
  if (!correlations->is_array()) {
    log.add_at_pointer("/correlations", "expected a list of correlations, found " + json_type_name(*correlations));
    return;
  }
  std::set<std::pair<std::string, std::string>> seen;
  for (std::size_t i = 0; i < correlations->size(); ++i) {
    ObjectReader entry((*correlations)[i], fmt::format("/correlations/{}", i), log);
    if (!entry.ok()) continue;
    const auto names = entry.string_array("between", Presence::required);
    const auto r = entry.number("r", -1, 1, Presence::required);
    const auto source = entry.string("source", Presence::required);
    entry.finish("correlation");
    if (!names || !r || !source) continue;
    if (names->size() != 2 || (*names)[0] == (*names)[1]) {
      log.add_at_pointer(entry.child("between"), "a correlation is between two different parameters");
      continue;
    }
    if (std::abs(*r) >= 1) log.add_at_pointer(entry.child("r"), "a correlation must lie strictly between −1 and 1");
    if (!out.references.contains(*source)) {
      log.add_at_pointer(entry.child("source"), fmt::format("source \"{}\" is not among the file's references", *source));
    }
    for (const auto& name : *names) {
      const SimParameter* p = out.find(name);
      if (p == nullptr) {
        log.add_at_pointer(entry.child("between"), fmt::format("unknown parameter \"{}\"", name));
      } else if (p->cv_percent <= 0) {
        log.add_at_pointer(entry.child("between"), fmt::format("\"{}\" has no variability to correlate", name));
      }
    }
    auto key = std::minmax((*names)[0], (*names)[1]);
    if (!seen.emplace(key.first, key.second).second) {
      log.add_at_pointer(entry.child("between"), "this pair is correlated twice");
    }
    out.correlations.push_back({(*names)[0], (*names)[1], *r, *source});
  }
}

}  // namespace

std::string_view confidence_tag(Confidence confidence) {
  switch (confidence) {
    case Confidence::confirmed: return "C";
    case Confidence::secondary: return "S";
    case Confidence::memory: return "M";
    case Confidence::assumed: return "A";
  }
  return "A";
}

const SimParameter* ParameterFile::find(std::string_view name) const {
  for (const auto& p : parameters) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

ParameterFile read_parameter_file(std::string_view text, const std::string& file) {
  ProblemLog log(file);
  ParameterFile out;
  out.file = file;
  const auto document = parse_strict_json(text, log);
  if (!document || !log.empty()) {
    log.throw_if_any();
    return out;
  }
  ObjectReader root(*document, "", log);
  root.expect_format(kFormat);
  out.model = root.string("model", Presence::required).value_or("");
  out.version = root.string("version", Presence::required).value_or("");
  out.title = root.string("title").value_or("");
  root.string("note");
  read_references(root, out);
  const auto* parameters = root.get("parameters", Presence::required);
  if (parameters != nullptr && !parameters->is_object()) {
    log.add_at_pointer("/parameters", "expected an object of parameters, found " + json_type_name(*parameters));
  } else if (parameters != nullptr) {
    for (const auto& [name, value] : parameters->items()) {
      ObjectReader entry(value, "/parameters/" + pointer_escape(name), log);
      if (entry.ok()) read_parameter(name, entry, out);
    }
  }
  read_correlations(root, out);
  root.finish("parameter file");
  log.throw_if_any();
  return out;
}

ParameterFile load_parameter_file(const std::string& name_or_path) {
  for (const auto& shipped : shipped_model_files()) {
    if (shipped.name == name_or_path) return read_parameter_file(shipped.text, std::string(shipped.name));
  }
  return read_parameter_file(read_input_file(name_or_path), name_or_path);
}

std::vector<double> expected_values(const ParameterFile& file, std::string_view model, std::string_view model_words,
                                    std::span<const ExpectedParameter> expected, ProblemLog& log) {
  if (file.model != model) {
    log.add_at_pointer("/model", fmt::format("{} reads a file with model \"{}\", found \"{}\"", model_words, model, file.model));
  }
  std::vector<double> values;
  values.reserve(expected.size());
  std::set<std::string_view> known;
  for (const ExpectedParameter& e : expected) {
    known.insert(e.name);
    const SimParameter* p = file.find(e.name);
    values.push_back(p != nullptr ? p->value : 0);
    if (p == nullptr) {
      log.add_at_pointer("/parameters", fmt::format("parameter \"{}\" ({}) is missing", e.name, e.unit));
      continue;
    }
    const std::string pointer = "/parameters/" + pointer_escape(p->name);
    if (p->unit != e.unit) {
      log.add_at_pointer(pointer + "/unit", fmt::format("\"{}\" is kept in {}, found \"{}\"", e.name, e.unit, p->unit));
    }
    if (!std::isfinite(p->value) || p->value < 0) {
      log.add_at_pointer(pointer + "/value", fmt::format("\"{}\" cannot be negative", e.name));
    }
  }
  for (const auto& p : file.parameters) {
    if (!known.contains(p.name)) {
      log.add_at_pointer("/parameters/" + pointer_escape(p.name), fmt::format("{} has no parameter \"{}\"", model_words, p.name));
    }
  }
  return values;
}

ParameterFile with_values(ParameterFile file, const std::map<std::string, double>& values, const std::string& where) {
  ProblemLog log(where);
  for (const auto& entry : values) {
    const std::string& name = entry.first;
    const double value = entry.second;
    auto it = std::find_if(file.parameters.begin(), file.parameters.end(), [&](const SimParameter& p) { return p.name == name; });
    if (it == file.parameters.end()) {
      log.add({where, "", 0, 0, name}, fmt::format("unknown parameter \"{}\" of {}", name, file.file));
    } else if (!std::isfinite(value) || value < 0 || (it->value > 0 && value == 0)) {
      log.add({where, "", 0, 0, name}, fmt::format("\"{}\" must be a number ≥ 0 (> 0 where the model's value is), found {}", name, value));
    } else {
      it->value = value;
    }
  }
  log.throw_if_any();
  return file;
}

}  // namespace crsguard
