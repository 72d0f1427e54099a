#include "cli/db_commands.hpp"

#include <pwd.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <map>
#include <stdexcept>

#include "cli/grading_output.hpp"
#include "cli/text_table.hpp"
#include "clinical/course_grades.hpp"
#include "clinical/crs_astct.hpp"
#include "core/problem.hpp"
#include "core/time.hpp"
#include "io/fhir/fhir_import.hpp"
#include "io/rules_json.hpp"
#include "io/timeline_files.hpp"
#include "io/timeline_json.hpp"
#include "store/store.hpp"

namespace crsguard {

std::string login_name() {
  if (const passwd* entry = getpwuid(getuid()); entry != nullptr && entry->pw_name != nullptr) return entry->pw_name;
  return fmt::format("uid {}", getuid());
}

// Stored times compare as strings ("2026-11-23T08:00:00.000Z"). Digits of a second beyond
// the millisecond are dropped: stored times have none, so "recorded at or before" keeps its meaning.
std::optional<std::string> stored_utc_time(std::string_view text) {
  if (text.size() == 10) {
    if (!parse_date(text)) return std::nullopt;
    return std::string(text) + "T00:00:00.000Z";
  }
  if (text.empty() || text.back() != 'Z') return std::nullopt;
  text.remove_suffix(1);
  std::string milliseconds = "000";
  if (const auto dot = text.find('.'); dot != std::string_view::npos) {
    const std::string_view fraction = text.substr(dot + 1);
    if (fraction.empty() || dot != 19 ||
        !std::all_of(fraction.begin(), fraction.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return std::nullopt;
    }
    milliseconds.replace(0, std::min<std::size_t>(3, fraction.size()), fraction.substr(0, 3));
    text = text.substr(0, dot);
  }
  const auto seconds = parse_local_datetime(text);
  if (!seconds) return std::nullopt;
  const auto second_of_day = *seconds - floor_div(*seconds, kSecondsPerDay) * kSecondsPerDay;
  return fmt::format("{}T{:02}:{:02}:{:02}.{}Z", format_date(*seconds), second_of_day / kSecondsPerHour,
                     second_of_day / kSecondsPerMinute % 60, second_of_day % 60, milliseconds);
}

namespace {

using nlohmann::json;

constexpr int kExitOk = 0;
constexpr int kExitStoreFailure = 1;
constexpr int kExitBadInput = 2;
constexpr int kExitVerificationFailed = 3;


json or_null(const std::optional<int>& value) { return value ? json(*value) : json(nullptr); }

void print_json(const json& document) { std::cout << document.dump(2) << '\n'; }

// ---- arguments ----------------------------------------------------------------------------------

std::optional<int> whole_number(std::string_view text) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// --day N, N..M, N.. or ..M: the day since infusion, inclusive.
void parse_day_range(const std::string& text, PatientFilter& filter) {
  const auto bad = [&](std::string_view why) {
    return std::invalid_argument(fmt::format("--day \"{}\": {}", text, why));
  };
  constexpr std::string_view kExpected = "expected a day since infusion or a range MIN..MAX (0..7, 7.., ..28)";
  const auto dots = text.find("..");
  if (dots == std::string::npos) {
    filter.min_day = filter.max_day = whole_number(text);
    if (!filter.min_day) throw bad(kExpected);
    return;
  }
  const std::string_view low = std::string_view(text).substr(0, dots);
  const std::string_view high = std::string_view(text).substr(dots + 2);
  if (low.empty() && high.empty()) throw bad(kExpected);
  if (!low.empty() && !(filter.min_day = whole_number(low))) throw bad(kExpected);
  if (!high.empty() && !(filter.max_day = whole_number(high))) throw bad(kExpected);
  if (filter.min_day && filter.max_day && *filter.min_day > *filter.max_day) throw bad("the first day is after the last");
}

// A hash as `db verify` prints it: 64 hexadecimal digits.
std::string noted_head(const std::string& text) {
  std::string head = text;
  std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (!head.empty() && (head.size() != 64 || head.find_first_not_of("0123456789abcdef") != std::string::npos)) {
    throw std::invalid_argument(
        fmt::format("--head \"{}\": expected the 64 hexadecimal digits of a head hash printed by `db verify`", text));
  }
  return head;
}

// Every file is read and checked before the store is opened: one bad file, nothing imported.
void read_import_files(const DbOptions& options, std::vector<Timeline>& timelines, std::string& sources) {
  std::map<std::string, std::string, std::less<>> file_of_patient;
  for (const std::string& file : options.files) {
    for (auto& loaded : load_timelines(file)) {
      const auto [first, inserted] = file_of_patient.emplace(loaded.timeline.patient().id, loaded.file);
      if (!inserted) {
        throw std::invalid_argument(fmt::format("patient \"{}\" is in both {} and {}: import each patient once",
                                                first->first, first->second, loaded.file));
      }
      timelines.push_back(std::move(loaded.timeline));
    }
    sources += (sources.empty() ? "" : ", ") + file;
  }
}

// import-fhir: every Bundle (a file, or the *.json files of a folder in name order), read and checked.
std::vector<std::pair<std::string, FhirImport>> read_fhir_files(const DbOptions& options) {
  std::vector<std::pair<std::string, FhirImport>> out;
  FhirImportOptions fhir;
  fhir.strict = options.strict;
  std::vector<Problem> problems;
  std::size_t dropped = 0;
  std::map<std::string, std::string> file_of_patient;
  for (const std::string& argument : options.files) {
    std::vector<std::filesystem::path> files;
    if (std::filesystem::is_directory(argument)) {
      for (const auto& entry : std::filesystem::directory_iterator(argument)) {
        if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
      }
      std::sort(files.begin(), files.end());
      if (files.empty()) throw std::invalid_argument(fmt::format("{}: no *.json Bundle in this folder", argument));
    } else {
      files.emplace_back(argument);
    }
    for (const auto& file : files) {
      // Every Bundle is read before anything is written, and every problem of every Bundle reported.
      try {
        out.emplace_back(file.string(), import_fhir_bundle(read_input_file(file), file.string(), fhir));
      } catch (const InputError& error) {
        problems.insert(problems.end(), error.problems().begin(), error.problems().end());
        dropped += error.dropped();
        continue;
      }
      // A FHIR id is only its server's: the same id in two Bundles may be two patients.
      for (const Timeline& timeline : out.back().second.timelines) {
        const auto [first, inserted] = file_of_patient.emplace(timeline.patient().id, file.string());
        if (!inserted) {
          throw std::invalid_argument(fmt::format("Patient \"{}\" is in both {} and {}: import each patient once (ids are only their server's)",
                                                  first->first, first->second, file.string()));
        }
      }
    }
  }
  if (!problems.empty()) throw InputError(std::move(problems), dropped);
  return out;
}

// The arguments that need more than CLI11's checks, checked before the store is opened.
struct Arguments {
  std::optional<std::string> as_of;  // export --as-of, in the stored form
  PatientFilter filter;              // list
  std::string head;                  // verify --head, lower case
  std::vector<Timeline> timelines;   // import: every file read and checked
  std::string sources;               // import: the files, for the audit trail
  std::vector<std::pair<std::string, FhirImport>> bundles;  // import-fhir: file, what it holds
};

Arguments check_arguments(const DbOptions& options) {
  Arguments out;
  if (!options.as_of.empty()) {
    out.as_of = stored_utc_time(options.as_of);
    if (!out.as_of) {
      throw std::invalid_argument(fmt::format("--as-of \"{}\": expected a UTC time YYYY-MM-DDTHH:MM[:SS[.mmm]]Z "
                                              "(e.g. 2026-11-23T08:00Z) or a date YYYY-MM-DD (its start, UTC)",
                                              options.as_of));
    }
  }
  if (!options.on_date.empty() && !parse_date(options.on_date)) {
    throw std::invalid_argument(fmt::format("--on \"{}\": expected a date YYYY-MM-DD", options.on_date));
  }
  out.filter.on_date = options.on_date;
  out.filter.active_only = options.active;
  if (!options.days.empty()) parse_day_range(options.days, out.filter);
  out.head = noted_head(options.head);
  if (options.action == "import") read_import_files(options, out.timelines, out.sources);
  if (options.action == "import-fhir") out.bundles = read_fhir_files(options);
  return out;
}

// Only `init` and `import` create a store: any other command given a SQLite file that does not exist
// (a mistyped path) says so, rather than leaving a new empty database behind.
void require_existing_sqlite_file(const DbOptions& options) {
  if (options.action == "init" || options.action == "import" || options.action == "import-fhir") return;
  if (options.url.rfind("postgresql://", 0) == 0 || options.url.rfind("postgres://", 0) == 0) return;
  const std::string path = options.url.rfind("sqlite:", 0) == 0 ? options.url.substr(7) : options.url;
  if (path.empty() || path == ":memory:") return;
  std::error_code error;
  if (!std::filesystem::exists(path, error) && !error) {
    throw StoreError(fmt::format("{}: no such store (crsguard db init or db import creates one)", path));
  }
}

[[noreturn]] void throw_no_patient(const std::string& patient_id) {
  throw std::invalid_argument(fmt::format("no patient \"{}\" in the store", patient_id));
}

void require_patient(Store& store, const std::string& patient_id) {
  if (!store.read_timeline(patient_id)) throw_no_patient(patient_id);
}

// ---- import -------------------------------------------------------------------------------------

// "importing: 412/1000 patients" on standard error, one line rewritten in place, and only when standard
// error is a terminal (a log file gets the final count only). Cleared when done or abandoned.
class ProgressLine {
 public:
  ProgressLine() : enabled_(isatty(STDERR_FILENO) == 1) {}
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;
  ~ProgressLine() { clear(); }

  [[nodiscard]] ImportProgress callback() {
    if (!enabled_) return {};
    return [this](std::size_t done, std::size_t total) { show(done, total); };
  }

  void clear() {
    if (width_ == 0) return;
    std::cerr << '\r' << std::string(width_, ' ') << '\r' << std::flush;
    width_ = 0;
  }

 private:
  void show(std::size_t done, std::size_t total) {
    using namespace std::chrono_literals;
    const auto now = std::chrono::steady_clock::now();
    if (width_ > 0 && done < total && now - shown_at_ < 100ms) return;  // a few updates a second is enough
    shown_at_ = now;
    std::string text = fmt::format("importing: {}/{} patients", done, total);
    const std::size_t width = std::max(width_, text.size());
    text.resize(width, ' ');
    std::cerr << '\r' << text << std::flush;
    width_ = width;
  }

  bool enabled_;
  std::size_t width_ = 0;
  std::chrono::steady_clock::time_point shown_at_;
};

int import_files(Store& store, const DbOptions& options, const std::vector<Timeline>& timelines,
                 const std::string& sources, const std::string& actor) {
  ProgressLine progress;
  const ImportSummary summary = store.import_timelines(timelines, actor, sources, progress.callback());
  progress.clear();
  if (options.as_json) {
    print_json({{"patients", timelines.size()}, {"patients_new", summary.patients_created},
                {"patients_existing", summary.patients_existing}, {"events_added", summary.events_added},
                {"events_already_present", summary.events_already_present}});
    return kExitOk;
  }
  std::cout << fmt::format("imported {} patient{} ({} new), {} new event{}, {} already present\n", timelines.size(),
                           timelines.size() == 1 ? "" : "s", summary.patients_created, summary.events_added,
                           summary.events_added == 1 ? "" : "s", summary.events_already_present);
  return kExitOk;
}

// ---- reading ------------------------------------------------------------------------------------

int export_timeline(Store& store, const DbOptions& options, const std::optional<std::string>& as_of) {
  const auto timeline = store.read_timeline(options.patient, as_of);
  if (!timeline) {
    if (as_of && store.read_timeline(options.patient)) {
      throw std::invalid_argument(fmt::format("patient \"{}\" was not yet in the store at {}", options.patient, *as_of));
    }
    throw_no_patient(options.patient);
  }
  std::cout << write_timeline_json(*timeline);
  return kExitOk;
}

// The ASTCT CRS grade at the end of a patient's record (its last event, dose, follow-up or death).
GradeResult crs_grade_now(const Timeline& timeline, const GradingRules& rules) {
  return explain_crs_moment(timeline, rules.crs, crs_grade_at(timeline, rules.crs, timeline.end_of_record()));
}

int list_patients(Store& store, const DbOptions& options, const PatientFilter& filter) {
  struct Row {
    PatientListing listing;
    std::optional<json> crs_json;  // with --crs-grade-min only
    std::string crs_text;
  };
  std::vector<Row> rows;
  const auto patients = store.list_patients(filter);
  if (options.crs_grade_min) {
    const auto rules = GradingRules::from(load_rules(options.rules_path));
    for (const PatientListing& listing : patients) {
      const auto timeline = store.read_timeline(listing.patient_id);
      if (!timeline) continue;
      const GradeResult crs = crs_grade_now(*timeline, rules);
      // A lower bound (≥1) counts as its number; not assessable never matches.
      if (!crs.grade || *crs.grade < *options.crs_grade_min) continue;
      rows.push_back({listing, grade_result_json(*timeline, crs), grade_cell(crs)});
    }
  } else {
    for (const PatientListing& listing : patients) rows.push_back({listing, std::nullopt, {}});
  }

  if (options.as_json) {
    json out = json::array();
    for (const Row& row : rows) {
      const PatientListing& p = row.listing;
      json item{{"patient", p.patient_id},
                {"created_at", p.created_at},
                {"events", p.events},
                {"infusion_date", p.infusion_date ? json(*p.infusion_date) : json(nullptr)},
                {"day_since_infusion", or_null(p.day_since_infusion)},
                {"last_recorded_day", or_null(p.last_recorded_day)},
                {"died", p.died}};
      if (row.crs_json) item["crs_now"] = *row.crs_json;
      out.push_back(std::move(item));
    }
    print_json(out);
    return kExitOk;
  }
  std::vector<std::string> headers{"patient", "day", "last day"};
  if (options.crs_grade_min) headers.emplace_back("CRS now");
  headers.insert(headers.end(), {"events", "created"});
  std::vector<std::vector<std::string>> table;
  const auto day_cell = [](const std::optional<int>& day) { return day ? std::to_string(*day) : std::string("—"); };
  for (const Row& row : rows) {
    const PatientListing& p = row.listing;
    std::vector<std::string> cells{p.patient_id, day_cell(p.day_since_infusion) + (p.died ? " (died)" : ""),
                                   day_cell(p.last_recorded_day)};
    if (options.crs_grade_min) cells.push_back(row.crs_text);
    cells.insert(cells.end(), {std::to_string(p.events), p.created_at});
    table.push_back(std::move(cells));
  }
  std::cout << format_text_table(headers, table, 0);
  return kExitOk;
}

// A patient's items (events, audit entries), one JSON object or one table row each. No items and no such
// patient: bad input.
template <class Item, class ToJson, class ToCells>
int print_patient_items(Store& store, const DbOptions& options, const std::vector<Item>& items, ToJson to_json,
                        const std::vector<std::string>& headers, ToCells to_cells, std::size_t right_aligned) {
  if (items.empty()) require_patient(store, options.patient);
  if (options.as_json) {
    json out = json::array();
    for (const Item& item : items) out.push_back(to_json(item));
    print_json(out);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const Item& item : items) rows.push_back(to_cells(item));
  std::cout << format_text_table(headers, rows, right_aligned);
  return kExitOk;
}

int show_events(Store& store, const DbOptions& options) {
  return print_patient_items(
      store, options, store.events(options.patient),
      [](const StoredEvent& e) {
        return json{{"event", e.event_uid}, {"version", e.version}, {"retracted", e.retracted},
                    {"body", e.retracted ? json(nullptr) : json::parse(e.body_json)},
                    {"recorded_at", e.recorded_at}, {"recorded_by", e.recorded_by}, {"reason", e.reason}};
      },
      {"event", "version", "current", "by", "reason"},
      [](const StoredEvent& e) {
        return std::vector<std::string>{e.event_uid.substr(0, 12), std::to_string(e.version),
                                        e.retracted ? "(retracted)" : e.body_json, e.recorded_by, e.reason};
      },
      0);
}

int show_history(Store& store, const DbOptions& options) {
  return print_patient_items(
      store, options, store.history(options.patient),
      [](const AuditEntry& e) {
        return json{{"seq", e.seq},       {"at", e.at},         {"actor", e.actor},
                    {"action", e.action}, {"patient", e.patient_id}, {"record", e.record},
                    {"detail", json::parse(e.detail_json)}};
      },
      {"seq", "at", "actor", "action", "record", "detail"},
      [](const AuditEntry& e) {
        return std::vector<std::string>{std::to_string(e.seq), e.at, e.actor, e.action, e.record.substr(0, 12),
                                        e.detail_json};
      },
      1);
}

// ---- writing ------------------------------------------------------------------------------------

// An event given by the first characters of its identity, as `db show` prints it.
std::string full_event_uid(Store& store, const DbOptions& options) {
  const auto events = store.events(options.patient);
  if (events.empty()) require_patient(store, options.patient);
  std::string found;
  for (const StoredEvent& e : events) {
    if (e.event_uid.rfind(options.event_uid, 0) != 0) continue;
    if (!found.empty()) throw std::invalid_argument(fmt::format("event \"{}\" is ambiguous: give more characters", options.event_uid));
    found = e.event_uid;
  }
  if (found.empty()) throw std::invalid_argument(fmt::format("no event \"{}\" for patient \"{}\"", options.event_uid, options.patient));
  return found;
}

// Each Bundle in one transaction of its own; what was not imported (codes not mapped, resources not
// read) said on standard error, never dropped silently.
int import_fhir_files(Store& store, const DbOptions& options, const std::vector<std::pair<std::string, FhirImport>>& bundles,
                      const std::string& actor) {
  json summaries = json::array();
  for (const auto& [file, bundle] : bundles) {
    for (const UnmappedCode& code : bundle.unmapped) {
      std::cerr << fmt::format("crsguard db import-fhir: {}: not imported: {} {}: no mapping for {}\n", file, code.resource, code.path, code.codes);
    }
    for (const std::string& skipped : bundle.skipped) std::cerr << fmt::format("crsguard db import-fhir: {}: {}\n", file, skipped);
    const ImportSummary summary = store.import_timelines(bundle.timelines, actor, "fhir:" + file);
    if (options.as_json) {
      summaries.push_back({{"file", file}, {"patients", bundle.timelines.size()}, {"patients_new", summary.patients_created},
                           {"events_added", summary.events_added}, {"events_already_present", summary.events_already_present},
                           {"codes_not_mapped", bundle.unmapped.size()}, {"resources_not_read", bundle.skipped.size()}});
      continue;
    }
    std::cout << fmt::format("{}: imported {} patient{} ({} new), {} new event{}, {} already present; {} code{} not mapped, {} resource{} not read\n",
                             file, bundle.timelines.size(), bundle.timelines.size() == 1 ? "" : "s", summary.patients_created,
                             summary.events_added, summary.events_added == 1 ? "" : "s", summary.events_already_present,
                             bundle.unmapped.size(), bundle.unmapped.size() == 1 ? "" : "s", bundle.skipped.size(),
                             bundle.skipped.size() == 1 ? "" : "s");
  }
  if (options.as_json) print_json(summaries);
  return kExitOk;
}

int verify(Store& store, const DbOptions& options, const std::string& head) {
  const AuditVerification result = store.verify_audit(head);
  const bool intact = result.problems.empty();
  if (options.as_json) {
    print_json({{"intact", intact}, {"entries", result.entries}, {"versions_checked", result.versions_checked},
                {"head", result.head_hash}, {"problems", result.problems}});
  }
  for (const std::string& problem : result.problems) std::cerr << "crsguard db verify: " << problem << '\n';
  if (!intact) {
    std::cerr << fmt::format("crsguard db verify: the audit trail is NOT intact: {} problem{} ({} entries, {} versions checked)\n",
                             result.problems.size(), result.problems.size() == 1 ? "" : "s", result.entries,
                             result.versions_checked);
    return kExitVerificationFailed;
  }
  if (!options.as_json) {
    std::cout << fmt::format("audit trail intact ({} entries, {} versions checked); head {}\n", result.entries,
                             result.versions_checked, result.head_hash);
  }
  return kExitOk;
}

int run_action(Store& store, const DbOptions& options, const Arguments& arguments, const std::string& actor) {
  const std::string& action = options.action;
  if (action == "init") {
    std::cout << "store ready\n";
    return kExitOk;
  }
  if (action == "import") return import_files(store, options, arguments.timelines, arguments.sources, actor);
  if (action == "import-fhir") return import_fhir_files(store, options, arguments.bundles, actor);
  if (action == "export") return export_timeline(store, options, arguments.as_of);
  if (action == "list") return list_patients(store, options, arguments.filter);
  if (action == "show") return show_events(store, options);
  if (action == "history") return show_history(store, options);
  if (action == "append") {
    std::cout << store.append_event(options.patient, options.event_json, actor) << '\n';
    return kExitOk;
  }
  if (action == "amend") {
    store.amend_event(options.patient, full_event_uid(store, options), options.event_json, actor, options.reason);
    std::cout << "amended\n";
    return kExitOk;
  }
  if (action == "retract") {
    store.retract_event(options.patient, full_event_uid(store, options), actor, options.reason);
    std::cout << "retracted\n";
    return kExitOk;
  }
  if (action == "verify") return verify(store, options, arguments.head);
  throw std::invalid_argument("no action given");
}

}  // namespace

CLI::App* add_db_command(CLI::App& app, DbOptions& options) {
  auto* db = app.add_subcommand(
      "db", "The patient store: init, import, export, list, show, history, append, amend, retract, verify");
  db->require_subcommand(1);
  const auto common = [&](CLI::App* command) {
    command->add_option("--db", options.url,
                        "store URL: a file path or sqlite:PATH (SQLite), or postgresql://USER@HOST/DATABASE "
                        "(a libpq connection URI)")
        ->required();
    command->add_option("--actor", options.actor, "who is acting, for the audit trail (default: the login name)");
    command->final_callback([&options, command] { options.action = command->get_name(); });
    return command;
  };
  const auto json_flag = [&](CLI::App* command) { command->add_flag("--json", options.as_json, "print JSON"); };
  const auto patient = [&](CLI::App* command) { command->add_option("PATIENT", options.patient, "patient id")->required(); };

  common(db->add_subcommand("init", "Create the store, or upgrade it to this crsguard's schema"));

  auto* imported = common(db->add_subcommand("import", "Import timeline files or cohort folders, all or nothing"));
  imported->add_option("FILE", options.files, "timeline file, cohort file or folder")->required();
  json_flag(imported);

  auto* fhir = common(db->add_subcommand("import-fhir", "Import FHIR R4 Bundles (docs/fhir.md), each all or nothing"));
  fhir->add_option("FILE", options.files, "Bundle file, or a folder of *.json Bundles")->required();
  fhir->add_flag("--strict", options.strict, "a code not in mappings/fhir_codes.csv is an error, not a note");
  json_flag(fhir);

  auto* exported = common(db->add_subcommand("export", "Write a patient's timeline (amendments applied) as JSON"));
  patient(exported);
  exported->add_option("--as-of", options.as_of,
                       "as the store held it at this UTC time: YYYY-MM-DDTHH:MM[:SS[.mmm]]Z, or YYYY-MM-DD (its start)");

  auto* listed = common(db->add_subcommand("list", "List the patients, with filters"));
  listed->add_flag("--active", options.active, "alive and on day 0 to 28 since infusion");
  listed->add_option("--day", options.days, "day since infusion: N, or a range MIN..MAX, MIN.. or ..MAX");
  listed->add_option("--on", options.on_date, "the date days since infusion count to, YYYY-MM-DD (default: today)");
  auto* grade_min = listed->add_option("--crs-grade-min", options.crs_grade_min,
                                       "the ASTCT CRS grade at the end of the record is at least N (≥N counts; n/a "
                                       "never matches); adds the grade to the table");
  grade_min->check(CLI::Range(0, 5));
  listed->add_option("--rules", options.rules_path, "site overrides of rule parameters for --crs-grade-min (docs/grading.md)")
      ->needs(grade_min);
  json_flag(listed);

  auto* shown = common(db->add_subcommand("show", "A patient's events with their identities and versions"));
  patient(shown);
  json_flag(shown);

  auto* history = common(db->add_subcommand("history", "A patient's audit trail"));
  patient(history);
  json_flag(history);

  auto* append = common(db->add_subcommand("append", "Add a new event to a patient's record; prints its identity"));
  patient(append);
  append->add_option("--event", options.event_json, "the event, as JSON in the timeline format")->required();

  auto* amend = common(db->add_subcommand("amend", "Replace an event by a new version, with a reason"));
  patient(amend);
  amend->add_option("EVENT", options.event_uid, "event identity (or its first characters, as `db show` prints it)")->required();
  amend->add_option("--event", options.event_json, "the new event, as JSON in the timeline format")->required();
  amend->add_option("--reason", options.reason, "why")->required();

  auto* retract = common(db->add_subcommand("retract", "Retract an event (it stays readable in the history), with a reason"));
  patient(retract);
  retract->add_option("EVENT", options.event_uid, "event identity (or its first characters)")->required();
  retract->add_option("--reason", options.reason, "why")->required();

  auto* verified = common(db->add_subcommand(
      "verify", "Check the audit trail's hash chain and every stored version against it; exit status 3 if not intact"));
  verified->add_option("--head", options.head, "the head hash noted at an earlier verification: a cut tail is reported");
  json_flag(verified);
  return db;
}

int run_db_command(const DbOptions& options) {
  const std::string actor = options.actor.empty() ? login_name() : options.actor;
  const std::string command = "crsguard db " + options.action;
  try {
    const Arguments arguments = check_arguments(options);
    require_existing_sqlite_file(options);
    auto store = open_store(options.url);
    return run_action(*store, options, arguments, actor);
  } catch (const InputError& error) {
    for (const auto& line : error.lines()) std::cerr << line << '\n';
    return kExitBadInput;
  } catch (const StoreError& error) {
    std::cerr << command << ": " << error.what() << '\n';
    return kExitStoreFailure;
  } catch (const std::invalid_argument& error) {
    std::cerr << command << ": " << error.what() << '\n';
    return kExitBadInput;
  } catch (const json::exception& error) {
    std::cerr << command << ": not JSON: " << error.what() << '\n';
    return kExitBadInput;
  }
}

}  // namespace crsguard
