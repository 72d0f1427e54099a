#pragma once
// `crsguard serve` (the REST API on a socket, docs/api.md) and `crsguard user add` (its accounts).
#include <CLI/CLI.hpp>

#include <string>

namespace crsguard {

struct ServerCommands {
  CLI::App* serve = nullptr;
  CLI::App* user_add = nullptr;
  std::string url;             // --db
  bool demo = false;           // --demo: a temporary store seeded with examples and virtual patients
  std::string bind = "127.0.0.1";
  int port = 8080;
  std::string certificate;     // --cert (PEM); with --key: HTTPS
  std::string key;             // --key
  std::string rules_path;      // --rules
  std::string username;        // user add NAME
  std::string role;            // --role
  std::string actor;           // --actor
};

void add_server_commands(CLI::App& app, ServerCommands& commands);
// -1 when neither command was chosen; else the exit status (0 ok, 1 the store or socket failed, 2 bad input).
int run_server_command(const ServerCommands& commands);

}  // namespace crsguard
