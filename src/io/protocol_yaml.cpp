#include "io/protocol_yaml.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <map>
#include <utility>

#include "io/protocol_yaml_parts.hpp"
#include "io/timeline_files.hpp"
#include "io/yaml_document.hpp"

namespace crsguard {
namespace protocol_yaml {
namespace {

constexpr std::string_view kFormat = "crsguard.protocol/1";
constexpr std::size_t kMaxIdLength = 64;
// The largest protocol is a few kilobytes; a larger file is refused before it is parsed, so no
// input can make the reader build a tree of millions of nodes.
constexpr std::size_t kMaxProtocolBytes = 1024 * 1024;
constexpr Bounds kMethylprednisoloneMgPerKgPerDay{0, 30, true};
constexpr Bounds kDexamethasoneMgPerDay{0, 400, true};
constexpr Bounds kAnyThreshold{0, 1e6, true};  // each lab kind's own ceiling is checked afterwards
constexpr int kMaxDosesPer24h = 100;
constexpr int kMaxDosesPerEpisode = 1000;

// The lab checks: their threshold is required, positive and at most a value no lab reports
// (a threshold above it is a unit error: platelets in /µL rather than 10^9/L).
struct LabThreshold {
  SafetyCheckKind kind;
  double max;
  std::string_view unit;
};
constexpr std::array kLabThresholds = {
    LabThreshold{SafetyCheckKind::platelets_below, 1000, "× 10^9/L"},
    LabThreshold{SafetyCheckKind::neutrophils_below, 50, "× 10^9/L"},
    LabThreshold{SafetyCheckKind::creatinine_clearance_below, 200, "mL/min"},
    LabThreshold{SafetyCheckKind::bilirubin_above, 50, "mg/dL"},
};

const LabThreshold* lab_threshold(std::optional<SafetyCheckKind> kind) {
  const auto found = std::find_if(kLabThresholds.begin(), kLabThresholds.end(),
                                  [&](const LabThreshold& lab) { return kind && lab.kind == *kind; });
  return found == kLabThresholds.end() ? nullptr : &*found;
}

// Names and ids: lower-case letters, digits and '-', so they can be file names and cited as is.
bool is_identifier(std::string_view text) {
  return !text.empty() && text.size() <= kMaxIdLength && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

std::optional<std::string> read_identifier(MappingReader& map, std::string_view key) {
  const auto value = map.get(key, Presence::required);
  if (!value) return std::nullopt;
  auto text = value->text();
  if (text && !is_identifier(*text)) {
    value->report(fmt::format("\"{}\" is not a valid {}: use 1–{} lower-case letters, digits and '-'", *text, key,
                              kMaxIdLength));
    return std::nullopt;
  }
  return text;
}

// Ids must be unique within their list; the second use is reported, citing the first.
class IdRegister {
 public:
  explicit IdRegister(std::string_view what) : what_(what) {}
  // The mapping's id ("" when it is missing or invalid), registered.
  std::string read(MappingReader& map) {
    auto id = read_identifier(map, "id");
    if (!id) return "";
    const auto [first, inserted] = lines_.emplace(*id, map.node().line);
    if (!inserted) map.report("id", fmt::format("{} id \"{}\" is used twice (first at line {})", what_, *id, first->second));
    return std::move(*id);
  }

 private:
  std::string_view what_;
  std::map<std::string, int> lines_;
};

bool needs_schedule(ActionKind action) { return action == ActionKind::give || action == ActionKind::consider; }

class ProtocolReader {
 public:
  ProtocolReader(ProblemLog& log, std::optional<std::string_view> expected_name)
      : reading_{log, {}}, expected_name_(expected_name) {}

  Protocol read(const YamlNode& root) {
    Protocol protocol;
    MappingReader map(root, "", reading_.log, "protocol");
    if (!map.ok()) return protocol;
    read_header(map, protocol);
    if (const auto definition = map.get("steroid_refractory")) protocol.steroid_refractory = read_refractory(*definition);
    IdRegister step_ids("step");
    map.for_each_item("steps", Presence::required,
                      [&](const YamlValue& item) { protocol.steps.push_back(read_step(item, step_ids)); });
    IdRegister check_ids("check");
    map.for_each_item("checks", Presence::optional,
                      [&](const YamlValue& item) { protocol.checks.push_back(read_check(item, check_ids)); });
    map.finish();
    if (!map.has("steroid_refractory")) report_undefined_refractory_uses();
    return protocol;
  }

 private:
  void read_header(MappingReader& map, Protocol& protocol) {
    const auto format = map.text("format", Presence::required);
    if (format && *format != kFormat) {
      map.report("format", fmt::format("unknown format \"{}\"; expected \"{}\"", *format, kFormat));
    }
    protocol.name = read_identifier(map, "name").value_or("");
    if (expected_name_ && !protocol.name.empty() && protocol.name != *expected_name_) {
      map.report("name", fmt::format("a shipped protocol is named after its file: expected \"{}\", found \"{}\"",
                                     *expected_name_, protocol.name));
    }
    protocol.title = map.text("title", Presence::required).value_or("");
    protocol.version = map.text("version").value_or("");
    protocol.population = map.enumeration<Population>("population", "population").value_or(Population::any);
    protocol.sources = map.text_list("sources", Presence::required).value_or(std::vector<std::string>{});
    protocol.note = map.text("note").value_or("");
    protocol.on_therapy_hours = map.number("on_therapy_hours", kWeekHours).value_or(protocol.on_therapy_hours);
    protocol.stale_after_hours = map.number("stale_after_hours", kWeekHours).value_or(protocol.stale_after_hours);
  }

  SteroidRefractoryDefinition read_refractory(const YamlValue& value) {
    using Definition = SteroidRefractoryDefinition;
    return read_mapping<Definition>(value, "steroid_refractory definition", [](MappingReader& map, Definition& definition) {
      definition.after_hours = map.number("after_hours", kWeekHours, Presence::required).value_or(definition.after_hours);
      if (auto states = read_response_states(map, "is")) definition.is = std::move(*states);
      definition.methylprednisolone_mg_per_kg_per_day =
          map.number("methylprednisolone_mg_per_kg_per_day", kMethylprednisoloneMgPerKgPerDay);
      definition.dexamethasone_mg_per_day = map.number("dexamethasone_mg_per_day", kDexamethasoneMgPerDay);
      definition.requires_given = read_drug_references(map, "requires_given");
      definition.source = map.text("source", Presence::required).value_or("");
    });
  }

  ProtocolStep read_step(const YamlValue& value, IdRegister& ids) {
    return read_mapping<ProtocolStep>(value, "step", [&](MappingReader& map, ProtocolStep& step) {
      step.id = ids.read(map);
      step.title = map.text("title", Presence::required).value_or("");
      if (const auto when = map.get("when", Presence::required)) step.when = read_condition(*when, reading_);
      const auto action = map.enumeration<ActionKind>("action", "action", Presence::required);
      step.action = action.value_or(ActionKind::give);
      const DrugInfo* drug = read_step_drug(map);
      if (drug != nullptr) step.drug = std::string(drug->name);
      step.route = map.enumeration<Route>("route", "route");
      step.schedule = read_schedule(map, drug);
      if (const auto repeat = map.get("repeat")) step.repeat = read_repeat(*repeat);
      step.instruction = map.text("instruction").value_or("");
      step.source = map.text("source", Presence::required).value_or("");
      step.note = map.text("note").value_or("");
      step.off_label = map.boolean("off_label").value_or(false);
      if (action) check_step_action(map, *action);
      if (step.off_label && !map.has("note")) map.report_missing("note", "an off-label step gives its evidence in note");
    });
  }

  // Which keys an action needs or forbids.
  static void check_step_action(MappingReader& map, ActionKind action) {
    const bool supportive = action == ActionKind::supportive;
    if (!supportive && !map.has("drug")) map.report_missing("drug", "every step but a supportive one names its drug");
    if (needs_schedule(action) && !map.has("schedule")) {
      map.report_missing("schedule", fmt::format("a {} step says how much to give", to_name(action)));
    }
    // A source may say "taper" without the steps: the reduction is then given in words.
    if (action == ActionKind::reduce && !map.has("schedule") && !map.has("instruction")) {
      map.report_missing("schedule", "a reduce step gives the reduced doses, or an instruction when the source "
                                     "gives none");
    }
    if (supportive && map.has("schedule")) {
      map.report("schedule", "a supportive step gives no doses; say what to do in instruction");
    }
    if (supportive && !map.has("instruction")) map.report_missing("instruction", "a supportive step says what to do");
  }

  static RepeatRule read_repeat(const YamlValue& value) {
    return read_mapping<RepeatRule>(value, "repeat rule", [](MappingReader& map, RepeatRule& repeat) {
      repeat.after_hours = map.number("after_hours", kWeekHours, Presence::required).value_or(0);
      repeat.while_response = read_response_states(map, "while_response", Presence::required).value_or(
          std::vector<ResponseState>{});
    });
  }

  static SafetyCheck read_check(const YamlValue& value, IdRegister& ids) {
    return read_mapping<SafetyCheck>(value, "check", [&](MappingReader& map, SafetyCheck& check) {
      check.id = ids.read(map);
      if (const auto drug = map.get("drug", Presence::required)) check.drug = read_drug_reference(*drug).value_or("");
      const auto kind = map.enumeration<SafetyCheckKind>("kind", "check kind", Presence::required);
      check.kind = kind.value_or(SafetyCheckKind::platelets_below);
      check.threshold = map.number("threshold", kAnyThreshold);
      check.within_hours = map.number("within_hours", kMonthHours).value_or(check.within_hours);
      check.severity = map.enumeration<Severity>("severity", "severity", Presence::required).value_or(Severity::warn);
      check.min_interval_hours = map.number("min_interval_hours", kWeekHours);
      check.max_per_24h = map.integer("max_per_24h", 1, kMaxDosesPer24h);
      check.max_per_episode = map.integer("max_per_episode", 1, kMaxDosesPerEpisode);
      check.advice = map.text("advice", Presence::required).value_or("");
      check.source = map.text("source", Presence::required).value_or("");
      if (kind) {
        check_threshold(map, *kind, check.threshold);
        check_dose_limits(map, *kind);
      }
    });
  }

  static void check_threshold(MappingReader& map, SafetyCheckKind kind, std::optional<double> threshold) {
    const LabThreshold* lab = lab_threshold(kind);
    if (lab == nullptr) {
      if (map.has("threshold")) map.report("threshold", fmt::format("a {} check has no threshold", to_name(kind)));
      return;
    }
    if (!map.has("threshold")) {
      map.report_missing("threshold", fmt::format("a {} check needs its threshold in {}", to_name(kind), lab->unit));
    } else if (threshold && *threshold > lab->max) {
      map.report("threshold", fmt::format("threshold {} is implausible for {}: at most {} {} (a value in the wrong "
                                          "unit is rejected, never guessed at)",
                                          *threshold, to_name(kind), lab->max, lab->unit));
    }
  }

  static void check_dose_limits(MappingReader& map, SafetyCheckKind kind) {
    constexpr std::array<std::string_view, 3> kLimitKeys = {"min_interval_hours", "max_per_24h", "max_per_episode"};
    const bool limits = kind == SafetyCheckKind::dose_limits;
    const bool any = std::any_of(kLimitKeys.begin(), kLimitKeys.end(), [&](std::string_view key) { return map.has(key); });
    if (limits && !any) {
      map.report_missing("max_per_24h", "a dose_limits check names at least one of min_interval_hours, max_per_24h, "
                                        "max_per_episode");
    }
    if (limits) return;
    for (const std::string_view key : kLimitKeys) {
      if (map.has(key)) map.report(key, fmt::format("only a dose_limits check has {}", key));
    }
  }

  // A condition on steroid_refractory needs the protocol's definition of it.
  void report_undefined_refractory_uses() {
    for (const InputLocation& where : reading_.steroid_refractory_uses) {
      reading_.log.add(where, "the condition steroid_refractory needs the protocol's definition: add a top-level "
                              "steroid_refractory (after_hours, source, …)");
    }
  }

  Reading reading_;
  std::optional<std::string_view> expected_name_;
};

// The problems in file order, though some are found late (a duplicate key while parsing, an
// undefined steroid_refractory once everything is read).
[[noreturn]] void throw_in_file_order(const ProblemLog& log) {
  std::vector<Problem> problems = log.problems();
  std::stable_sort(problems.begin(), problems.end(), [](const Problem& a, const Problem& b) {
    return std::pair(a.where.line, a.where.column) < std::pair(b.where.line, b.where.column);
  });
  throw InputError(std::move(problems), log.dropped());
}

Protocol read_protocol(std::string_view text, const std::string& file, std::optional<std::string_view> expected_name) {
  ProblemLog log(file);
  Protocol protocol;
  if (text.size() > kMaxProtocolBytes) {
    InputLocation where;
    where.line = 1;
    where.column = 1;
    log.add(where, fmt::format("the file is {} bytes; a protocol file is at most {} bytes", text.size(),
                               kMaxProtocolBytes));
  } else if (const auto document = parse_yaml_document(text, log)) protocol = ProtocolReader(log, expected_name).read(*document);
  if (!log.empty()) throw_in_file_order(log);
  protocol.file = file;
  return protocol;
}

std::string file_stem(std::string_view name) { return std::filesystem::path(name).stem().string(); }

Protocol read_shipped(const EmbeddedFile& file) {
  const std::string stem = file_stem(file.name);
  return read_protocol(file.text, std::string(file.name), stem);
}

bool is_protocol_path(const std::string& name_or_path) {
  const std::string extension = std::filesystem::path(name_or_path).extension().string();
  return extension == ".yaml" || extension == ".yml";
}

}  // namespace
}  // namespace protocol_yaml

Protocol read_protocol_yaml(std::string_view text, const std::string& file) {
  return protocol_yaml::read_protocol(text, file, std::nullopt);
}

std::vector<Protocol> shipped_protocols() {
  std::vector<Protocol> protocols;
  for (const EmbeddedFile& file : shipped_protocol_files()) protocols.push_back(protocol_yaml::read_shipped(file));
  return protocols;
}

Protocol load_protocol(const std::string& name_or_path) {
  if (protocol_yaml::is_protocol_path(name_or_path)) {
    return read_protocol_yaml(read_input_file(name_or_path), name_or_path);
  }
  std::string names;
  for (const EmbeddedFile& file : shipped_protocol_files()) {
    const std::string stem = protocol_yaml::file_stem(file.name);
    if (stem == name_or_path) return protocol_yaml::read_shipped(file);
    names += (names.empty() ? "" : ", ") + stem;
  }
  InputLocation where;
  where.file = name_or_path;
  throw InputError(Problem{where, fmt::format("unknown protocol \"{}\"; the shipped protocols are: {} (or give the "
                                              "path of a .yaml file)",
                                              name_or_path, names)});
}

}  // namespace crsguard
