#include "postgres_server.hpp"

#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

namespace crsguard::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* superuser = "crsguard";
// The socket is alone in its folder, so the default port cannot clash with another server; it is written
// into both the configuration and the URL so that a PGPORT in the environment changes neither.
constexpr const char* port = "5432";

// Who runs initdb, the server and the watcher when the tests run as root.
struct Account {
  uid_t uid = 0;
  gid_t gid = 0;
};

std::string error_text(int error_number) { return std::strerror(error_number); }

bool has_server_programs(const fs::path& folder) {
  return std::ranges::all_of(std::vector<std::string>{"initdb", "postgres"}, [&](const std::string& name) {
    return ::access((folder / name).c_str(), X_OK) == 0;
  });
}

std::optional<fs::path> find_bindir(std::string& why) {
  if (const char* chosen = std::getenv("CRSGUARD_PG_BINDIR"); chosen != nullptr && *chosen != '\0') {
    if (has_server_programs(chosen)) return fs::path(chosen);
    why = std::string("CRSGUARD_PG_BINDIR=") + chosen + " does not hold initdb and postgres";
    return std::nullopt;
  }
  // Debian and Ubuntu keep the server programs off PATH, in one folder per major version.
  std::optional<std::pair<int, fs::path>> newest;
  std::error_code ignored;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ignored)) {
    const std::string name = entry.path().filename().string();
    int version = 0;
    const auto [end, error] = std::from_chars(name.data(), name.data() + name.size(), version);
    if (error != std::errc() || end != name.data() + name.size()) continue;
    if (has_server_programs(entry.path() / "bin") && (!newest || version > newest->first)) {
      newest = std::pair(version, entry.path() / "bin");
    }
  }
  if (newest) return newest->second;
  if (const char* path = std::getenv("PATH"); path != nullptr) {
    std::istringstream folders(path);
    for (std::string folder; std::getline(folders, folder, ':');) {
      if (!folder.empty() && has_server_programs(folder)) return fs::path(folder);
    }
  }
  why = "no PostgreSQL server programs (initdb, postgres) in /usr/lib/postgresql/*/bin or on PATH: "
        "install postgresql-15 (scripts/setup.sh) or set CRSGUARD_PG_BINDIR";
  return std::nullopt;
}

std::optional<Account> unprivileged_account(std::string& why) {
  for (const char* name : {"postgres", "nobody"}) {
    passwd entry{};
    passwd* found = nullptr;
    std::vector<char> buffer(16384);
    if (::getpwnam_r(name, &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr &&
        found->pw_uid != 0) {
      return Account{found->pw_uid, found->pw_gid};
    }
  }
  why = "the tests run as root, which initdb refuses, and there is no user postgres or nobody to run it as";
  return std::nullopt;
}

// execv wants char* const[]; the strings stay owned by `arguments`, which must outlive the result.
std::vector<char*> argv_of(std::vector<std::string>& arguments) {
  std::vector<char*> pointers;
  for (auto& argument : arguments) pointers.push_back(argument.data());
  pointers.push_back(nullptr);
  return pointers;
}

[[noreturn]] void child_fails(const char* what, const char* program) {
  // write() only: see run_in_child.
  for (const char* part : {"crsguard test server: ", what, " ", program, "\n"}) {
    [[maybe_unused]] const ssize_t written = ::write(STDERR_FILENO, part, std::strlen(part));
  }
  ::_exit(127);
}

// The file descriptors a child starts with: standard input, standard output and error, and an optional
// fourth (descriptor 3). Every other descriptor is closed, so that no server or watcher holds a pipe of the
// test process open (a watcher that held its own stop pipe would never stop).
struct ChildFiles {
  int input = -1;
  int output = -1;
  int extra = -1;
};

// Between fork and exec, only async-signal-safe calls: the test process may have other threads, whose
// locks (malloc's included) the child inherits in whatever state they were.
[[noreturn]] void run_in_child(const ChildFiles& files, const std::optional<Account>& account, const char* folder,
                               char* const argv[]) {
  // Lifted above 0..3 first, so that no dup2 below overwrites a descriptor still to be moved.
  const int input = ::fcntl(files.input, F_DUPFD_CLOEXEC, 10);
  const int output = ::fcntl(files.output, F_DUPFD_CLOEXEC, 10);
  const int extra = files.extra < 0 ? -1 : ::fcntl(files.extra, F_DUPFD_CLOEXEC, 10);
  if (input < 0 || output < 0 || (files.extra >= 0 && extra < 0)) child_fails("cannot set up the files of", argv[0]);
  if (::dup2(input, STDIN_FILENO) < 0 || ::dup2(output, STDOUT_FILENO) < 0 || ::dup2(output, STDERR_FILENO) < 0 ||
      (extra >= 0 && ::dup2(extra, 3) < 0)) {
    child_fails("cannot set up the files of", argv[0]);
  }
  // Where this fails (kernels before 5.9), the pipes opened here still close on exec.
  ::close_range(extra >= 0 ? 4 : 3, ~0U, 0);
  if (::chdir(folder) != 0) child_fails("cannot enter the folder of", argv[0]);
  if (account && (::setgroups(1, &account->gid) != 0 || ::setgid(account->gid) != 0 || ::setuid(account->uid) != 0)) {
    child_fails("cannot become the unprivileged user for", argv[0]);
  }
  ::execv(argv[0], argv);
  child_fails("cannot execute", argv[0]);
}

struct ProgramRun {
  bool succeeded = false;
  std::string outcome;  // "exit status 1" and the like, for messages
  std::string output;   // standard output and error together
};

ProgramRun run_program(std::vector<std::string> arguments, const std::optional<Account>& account,
                       const fs::path& folder) {
  ProgramRun run;
  const std::vector<char*> argv = argv_of(arguments);
  const std::string folder_text = folder.string();
  const int null_input = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  int output_pipe[2];
  if (null_input < 0 || ::pipe2(output_pipe, O_CLOEXEC) != 0) {
    run.outcome = "not run: " + error_text(errno);
    if (null_input >= 0) ::close(null_input);
    return run;
  }
  const pid_t pid = ::fork();
  if (pid == 0) run_in_child({null_input, output_pipe[1], -1}, account, folder_text.c_str(), argv.data());
  const int fork_error = errno;
  ::close(null_input);
  ::close(output_pipe[1]);
  if (pid < 0) {
    ::close(output_pipe[0]);
    run.outcome = "not run: fork: " + error_text(fork_error);
    return run;
  }
  char buffer[4096];
  for (;;) {
    const ssize_t got = ::read(output_pipe[0], buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    run.output.append(buffer, static_cast<std::size_t>(got));
  }
  ::close(output_pipe[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  run.succeeded = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  run.outcome = WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                  : "killed by signal " + std::to_string(WTERMSIG(status));
  return run;
}

// The watcher: a shell that runs the server as its child and stops it when its standard input reaches end
// of file, which comes when the destructor closes the other end or when the test process dies in any way
// (a crash, the SIGKILL of a ctest timeout). It then stops the server with SIGINT (a fast shutdown, as
// `pg_ctl stop -m fast` does), waits for it, deletes the folder, and exits; the destructor waits for that.
// In a session of its own, so that a signal to the test's process group (Ctrl-C) leaves it to do its job.
// The server is its child, not an orphan as with `pg_ctl start`, so that it is reaped even where process 1
// reaps no orphans (many containers), and no dead postgres lingers in the process table.
struct Watcher {
  pid_t pid = -1;
  int stop_fd = -1;       // closing it tells the watcher to clean up
  pid_t postmaster = -1;  // as the watcher reports it on its descriptor 3
};

std::optional<Watcher> start_watcher(const fs::path& postgres, const fs::path& folder,
                                     const std::optional<Account>& account, std::string& why) {
  static constexpr const char* script =
      "\"$1\" -D \"$2\" </dev/null >>\"$3/server.log\" 2>&1 3>&- &\n"
      "server=$!\n"
      "echo \"$server\" >&3\n"
      "exec 3>&-\n"
      "cat >/dev/null\n"
      "kill -INT \"$server\" 2>/dev/null && wait \"$server\"\n"
      "rm -rf -- \"$3\"\n";
  std::vector<std::string> arguments{"/bin/sh", "-c", script, "crsguard-pg-watcher", postgres.string(),
                                     (folder / "data").string(), folder.string()};
  const std::vector<char*> argv = argv_of(arguments);
  int stop_pipe[2];
  int report_pipe[2];
  const int null_output = ::open("/dev/null", O_WRONLY | O_CLOEXEC);
  if (null_output < 0 || ::pipe2(stop_pipe, O_CLOEXEC) != 0) {
    why = "cannot start the server's watcher: " + error_text(errno);
    if (null_output >= 0) ::close(null_output);
    return std::nullopt;
  }
  if (::pipe2(report_pipe, O_CLOEXEC) != 0) {
    why = "cannot start the server's watcher: " + error_text(errno);
    for (const int fd : {null_output, stop_pipe[0], stop_pipe[1]}) ::close(fd);
    return std::nullopt;
  }
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::setsid();
    run_in_child({stop_pipe[0], null_output, report_pipe[1]}, account, "/", argv.data());
  }
  const int fork_error = errno;
  for (const int fd : {null_output, stop_pipe[0], report_pipe[1]}) ::close(fd);
  if (pid < 0) {
    why = "cannot start the server's watcher: fork: " + error_text(fork_error);
    ::close(stop_pipe[1]);
    ::close(report_pipe[0]);
    return std::nullopt;
  }
  std::string report;
  char buffer[64];
  for (;;) {
    const ssize_t got = ::read(report_pipe[0], buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    report.append(buffer, static_cast<std::size_t>(got));
  }
  ::close(report_pipe[0]);
  Watcher watcher{pid, stop_pipe[1]};
  const auto parsed = std::from_chars(report.data(), report.data() + report.size(), watcher.postmaster);
  if (parsed.ec != std::errc() || watcher.postmaster <= 0) {
    watcher.postmaster = -1;
    why = "the watcher did not start the server: " + report;
  }
  return watcher;
}

// A zombie counts as exited: it only waits for its parent to collect its exit status.
bool process_running(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const auto end_of_name = line.rfind(") ");
  return end_of_name == std::string::npos || line.compare(end_of_name + 2, 1, "Z") != 0;
}

std::string log_tail(const fs::path& log) {
  std::ifstream file(log, std::ios::binary);
  if (!file) return "(no server log at " + log.string() + ")";
  std::string text{std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
  constexpr std::size_t kept = 4000;
  return text.size() <= kept ? text : "..." + text.substr(text.size() - kept);
}

// RFC 3986 percent-encoding of a URI component. Slashes may stay in a query value (libpq reads them back
// as they are), which keeps the socket folder readable in the URL.
std::string percent_encoded(const std::string& text, bool keep_slashes = false) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string encoded;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    const bool unreserved = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                            c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved || (keep_slashes && c == '/')) {
      encoded += c;
    } else {
      encoded += '%';
      encoded += hex[byte >> 4];
      encoded += hex[byte & 0x0F];
    }
  }
  return encoded;
}

}  // namespace

TemporaryPostgresServer::TemporaryPostgresServer(fs::path folder)
    : folder_(std::move(folder)), owner_pid_(::getpid()) {}

std::unique_ptr<TemporaryPostgresServer> TemporaryPostgresServer::start(std::string& why,
                                                                       const PostgresServerSettings& settings) {
  const std::optional<fs::path> bindir = find_bindir(why);
  if (!bindir) return nullptr;
  std::optional<Account> account;
  if (::geteuid() == 0) {
    account = unprivileged_account(why);
    if (!account) return nullptr;
  }
  // In /tmp whatever TMPDIR says: the socket's path must fit in sockaddr_un (107 bytes).
  std::string pattern = "/tmp/crsguard-pg-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    why = "mkdtemp " + pattern + ": " + error_text(errno);
    return nullptr;
  }
  // From here on, a failure returns nullptr and the destructor cleans up.
  std::unique_ptr<TemporaryPostgresServer> server(new TemporaryPostgresServer(pattern));
  const fs::path& folder = server->folder_;
  if (account && ::chown(folder.c_str(), account->uid, account->gid) != 0) {
    why = "chown " + folder.string() + ": " + error_text(errno);
    return nullptr;
  }
  const fs::path data = folder / "data";
  const ProgramRun initdb = run_program({(*bindir / "initdb").string(), "-D", data.string(), "-U", superuser,
                                         "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync"},
                                        account, folder);
  if (!initdb.succeeded) {
    why = "initdb failed (" + initdb.outcome + "):\n" + initdb.output;
    return nullptr;
  }
  {
    std::ofstream configuration(data / "postgresql.conf", std::ios::app);
    configuration << "\n# The crsguard tests' throwaway server (tests/store/postgres_server.cpp): reachable only\n"
                     "# through its socket"
                  << (settings.durable ? ", durable (PostgreSQL's defaults).\n" : ", and durability traded for speed.\n")
                  << "listen_addresses = ''\n"
                  << "unix_socket_directories = '" << folder.string() << "'\n"
                  << "port = " << port << "\n";
    if (!settings.durable) configuration << "fsync = off\nfull_page_writes = off\nsynchronous_commit = off\n";
    if (!configuration.flush()) {
      why = "cannot append to " + (data / "postgresql.conf").string();
      return nullptr;
    }
  }
  const std::optional<Watcher> watcher = start_watcher(*bindir / "postgres", folder, account, why);
  if (!watcher) return nullptr;
  server->watcher_pid_ = watcher->pid;
  server->watcher_stop_fd_ = watcher->stop_fd;
  if (watcher->postmaster < 0) return nullptr;

  const fs::path log = folder / "server.log";
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  while (PQping(server->url("postgres").c_str()) != PQPING_OK) {
    if (!process_running(watcher->postmaster)) {
      why = "the server stopped while starting; end of " + log.string() + ":\n" + log_tail(log);
      return nullptr;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      why = "the server did not accept connections within a minute; end of " + log.string() + ":\n" + log_tail(log);
      return nullptr;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  try {
    server->create_database(default_database);
  } catch (const std::exception& error) {
    why = error.what();
    return nullptr;
  }
  return server;
}

TemporaryPostgresServer::~TemporaryPostgresServer() {
  if (watcher_stop_fd_ >= 0) ::close(watcher_stop_fd_);
  // A forked child that runs exit handlers (static destructors included) leaves the server to its parent,
  // which still holds the watcher back; the watcher is not its child to wait for.
  if (::getpid() != owner_pid_) return;
  if (watcher_pid_ > 0) {
    while (::waitpid(watcher_pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  // Gone already when the watcher ran; this is for a start that failed before.
  std::error_code ignored;
  fs::remove_all(folder_, ignored);
}

std::string TemporaryPostgresServer::url(const std::string& database) const {
  return "postgresql:///" + percent_encoded(database) + "?host=" + percent_encoded(folder_.string(), true) +
         "&port=" + port + "&user=" + superuser;
}

std::string TemporaryPostgresServer::create_database(const std::string& name) {
  const std::unique_ptr<PGconn, decltype(&PQfinish)> connection(PQconnectdb(url("postgres").c_str()), &PQfinish);
  if (PQstatus(connection.get()) != CONNECTION_OK) {
    throw std::runtime_error("cannot connect to the test server: " + std::string(PQerrorMessage(connection.get())));
  }
  const std::unique_ptr<char, decltype(&PQfreemem)> quoted(
      PQescapeIdentifier(connection.get(), name.data(), name.size()), &PQfreemem);
  if (!quoted) {
    throw std::runtime_error("bad database name " + name + ": " + PQerrorMessage(connection.get()));
  }
  const std::string statement = "CREATE DATABASE " + std::string(quoted.get());
  const std::unique_ptr<PGresult, decltype(&PQclear)> result(PQexec(connection.get(), statement.c_str()), &PQclear);
  if (PQresultStatus(result.get()) != PGRES_COMMAND_OK) {
    throw std::runtime_error(statement + ": " + PQerrorMessage(connection.get()));
  }
  return url(name);
}

bool postgres_required() {
  const char* value = std::getenv("CRSGUARD_REQUIRE_POSTGRES");
  return value != nullptr && std::string(value) == "1";
}

}  // namespace crsguard::testing
