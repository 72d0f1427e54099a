#pragma once
// `crsguard db ...`: the patient store from the command line (docs/store-design.md).
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace crsguard {

struct DbOptions {
  std::string action;               // init, import, export, list, show, history, verify, amend, retract
  std::string url;                  // --db
  std::string actor;                // --actor (default: the login name)
  std::vector<std::string> files;   // import
  std::string patient;              // export, show, history, amend, retract
  std::string event_uid;            // amend, retract
  std::string event_json;           // amend --event
  std::string reason;               // amend, retract
  std::string as_of;                // export --as-of
  bool as_json = false;
};

// Adds `db` with its subcommands; the chosen one is written to options.action when parsed.
CLI::App* add_db_command(CLI::App& app, DbOptions& options);
// Exit status: 0 ok, 2 bad input or usage, 3 audit verification failed.
int run_db_command(const DbOptions& options);

}  // namespace crsguard
