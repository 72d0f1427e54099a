#pragma once
// `crsguard db ...`: the patient store from the command line (docs/store.md).
#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace crsguard {

struct DbOptions {
  std::string action;               // init, import, import-fhir, export, list, show, history, append, amend, retract, verify
  std::string url;                  // --db
  std::string actor;                // --actor (default: the login name)
  std::vector<std::string> files;   // import, import-fhir
  bool strict = false;              // import-fhir --strict: a code not in mappings/fhir_codes.csv is an error
  std::string patient;              // export, show, history, append, amend, retract
  std::string event_uid;            // amend, retract
  std::string event_json;           // append --event, amend --event
  std::string reason;               // amend, retract
  std::string as_of;                // export --as-of
  std::string head;                 // verify --head: the head hash noted at an earlier verification
  // list
  bool active = false;                    // --active
  std::string days;                       // --day MIN[..MAX]
  std::string on_date;                    // --on YYYY-MM-DD
  std::optional<int> crs_grade_min;       // --crs-grade-min
  std::string rules_path;                 // --rules (the grading rules behind --crs-grade-min)
  bool as_json = false;
};

// Adds `db` with its subcommands; the chosen one is written to options.action when parsed.
CLI::App* add_db_command(CLI::App& app, DbOptions& options);
// Exit status: 0 ok, 1 the database failed, 2 bad input or usage, 3 audit verification failed.
int run_db_command(const DbOptions& options);
// Who runs a command, for the audit trail when no --actor is given: the login name.
std::string login_name();
// A store time to read as of: "2026-11-23" (the start of that day, UTC) or "2026-11-23T08:00[:00[.000]]Z",
// in the store's own form ("2026-11-23T08:00:00.000Z"); nullopt when it is neither.
std::optional<std::string> stored_utc_time(std::string_view text);

}  // namespace crsguard
