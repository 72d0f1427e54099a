#include "cli/server_commands.hpp"

#include <termios.h>
#include <unistd.h>

#include <fmt/format.h>

#include <pthread.h>

#include <chrono>
#include <csignal>
#include <ctime>
#include <filesystem>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <thread>

#include "cli/db_commands.hpp"
#include "core/problem.hpp"
#include "core/time.hpp"
#include "io/protocol_yaml.hpp"
#include "io/rules_json.hpp"
#include "server/accounts.hpp"
#include "server/api.hpp"
#include "server/demo.hpp"
#include "server/http_server.hpp"
#include "store/store.hpp"

namespace crsguard {
namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitBadInput = 2;


// One line from standard input; on a terminal, asked for without echo.
std::string read_password(const std::string& prompt) {
  const bool terminal = isatty(STDIN_FILENO) != 0;
  termios saved{};
  if (terminal) {
    std::cerr << prompt << std::flush;
    tcgetattr(STDIN_FILENO, &saved);
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  const bool got = static_cast<bool>(std::getline(std::cin, line));
  if (terminal) {
    tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << '\n';
  }
  if (!got) throw std::invalid_argument("no password given on standard input");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

int run_user_add(const ServerCommands& c) {
  std::string password = read_password(fmt::format("password for {}: ", c.username));
  if (isatty(STDIN_FILENO) != 0 && read_password("again: ") != password) {
    std::cerr << "crsguard: user add: the two passwords differ; nothing was stored\n";
    return kExitBadInput;
  }
  auto store = open_store(c.url);
  create_account(*store, c.username, c.role, password, c.actor.empty() ? login_name() : c.actor);
  std::cout << fmt::format("account {} ({}) added to {}\n", c.username, c.role, c.url);
  return kExitOk;
}

// A folder of its own under the temporary directory, removed when the demo stops.
class DemoFolder {
 public:
  DemoFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "crsguard-demo-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("cannot make a folder for the demo store in " + pattern);
    path_ = pattern;
  }
  DemoFolder(const DemoFolder&) = delete;
  DemoFolder& operator=(const DemoFolder&) = delete;
  ~DemoFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};


int run_serve(const ServerCommands& c) {
  if (c.certificate.empty() != c.key.empty()) {
    std::cerr << "crsguard: serve: --cert and --key go together\n";
    return kExitBadInput;
  }
  if (c.demo != c.url.empty()) {
    std::cerr << "crsguard: serve: give either --db URL or --demo\n";
    return kExitBadInput;
  }
  std::optional<DemoFolder> demo_folder;
  std::string url = c.url;
  if (c.demo) {
    demo_folder.emplace();
    url = "sqlite:" + (demo_folder->path() / "demo.db").string();
  }
  auto store = open_store(url);
  if (c.demo) {
    const DemoAccount account = seed_demo_store(*store, load_rules(c.rules_path), today_local());
    std::cerr << fmt::format("crsguard: demo store {} (removed when the server stops)\n"
                             "crsguard: log in as {} with password {}\n",
                             url, account.username, account.password);
  }
  if (store->accounts().empty()) {
    std::cerr << fmt::format("crsguard: serve: {} has no accounts yet; add the first admin with\n"
                             "  crsguard user add NAME --role admin --db {}\n",
                             c.url, c.url);
    return kExitBadInput;
  }
  ApiOptions api_options;
  api_options.secure_cookies = !c.certificate.empty();
  Api api(*store, shipped_protocols(), load_rules(c.rules_path), api_options);
  ServerOptions options;
  options.bind_address = c.bind;
  options.port = c.port;
  options.certificate_file = c.certificate;
  options.key_file = c.key;
  // SIGINT and SIGTERM are taken by one thread with sigwait (blocked in every other thread, which
  // inherit the mask), so that stopping the server runs as ordinary code, not in a signal handler.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  HttpServer server(api, options);
  const int port = server.bind();
  std::thread stopper([&] {
    int signal = 0;
    sigwait(&stop_signals, &signal);
    server.stop();
  });
  // The first ward board would otherwise read and grade every record while a nurse waits.
  std::thread warming([&api] {
    try {
      const auto start = std::chrono::steady_clock::now();
      const std::size_t records = api.warm_cache();
      const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
      std::cerr << fmt::format("crsguard: {} records read and graded ahead in {:.1f} s\n", records, took.count());
    } catch (const std::exception& error) {
      std::cerr << fmt::format("crsguard: serve: reading the store ahead failed ({}); records are read when asked for\n", error.what());
    }
  });
  std::cerr << fmt::format("crsguard: serving {}: the dashboard at {}://{}:{}/ and the API under /api/v1 (Ctrl-C stops)\n", url,
                           c.certificate.empty() ? "http" : "https", c.bind, port);
  server.serve();
  // serve() also returns when listening fails: the stopper is then woken by a signal of our own.
  pthread_kill(stopper.native_handle(), SIGTERM);
  stopper.join();
  api.stop_warming();
  warming.join();
  return kExitOk;
}

}  // namespace

void add_server_commands(CLI::App& app, ServerCommands& c) {
  c.serve = app.add_subcommand("serve", "Serve the REST API (docs/api.md) on the store");
  c.serve->add_option("--db", c.url, "store URL (sqlite:PATH or postgresql://…)");
  c.serve->add_flag("--demo", c.demo, "serve a temporary store seeded with the examples and virtual patients, with a demo account");
  c.serve->add_option("--bind", c.bind, "address to listen on (default 127.0.0.1: this machine only)");
  c.serve->add_option("--port", c.port, "port (default 8080; 0: any free port, printed)")->check(CLI::Range(0, 65535));
  c.serve->add_option("--cert", c.certificate, "TLS certificate (PEM); with --key, serves HTTPS")->check(CLI::ExistingFile);
  c.serve->add_option("--key", c.key, "TLS private key (PEM)")->check(CLI::ExistingFile);
  c.serve->add_option("--rules", c.rules_path, "rule overrides file (docs/grading.md)")->check(CLI::ExistingFile);

  auto* user = app.add_subcommand("user", "Accounts of crsguard serve");
  user->require_subcommand(1);
  c.user_add = user->add_subcommand("add", "Add an account; the password is read from standard input");
  c.user_add->add_option("name", c.username, "user name")->required();
  c.user_add->add_option("--role", c.role, "viewer, clinician or admin")->required()->check(CLI::IsMember({"viewer", "clinician", "admin"}));
  c.user_add->add_option("--db", c.url, "store URL")->required();
  c.user_add->add_option("--actor", c.actor, "who adds it (default: the login name)");
}

int run_server_command(const ServerCommands& c) {
  if ((c.serve == nullptr || !*c.serve) && (c.user_add == nullptr || !*c.user_add)) return -1;
  try {
    if (*c.user_add) return run_user_add(c);
    return run_serve(c);
  } catch (const InputError& error) {
    for (const std::string& line : error.lines()) std::cerr << "crsguard: " << line << '\n';
    return kExitBadInput;
  } catch (const std::invalid_argument& error) {
    std::cerr << "crsguard: " << error.what() << '\n';
    return kExitBadInput;
  } catch (const StoreError& error) {
    std::cerr << "crsguard: the store failed: " << error.what() << '\n';
    return kExitFailure;
  } catch (const std::runtime_error& error) {
    std::cerr << "crsguard: " << error.what() << '\n';
    return kExitFailure;
  }
}

}  // namespace crsguard
