#pragma once
// Logged-in sessions and the login throttle of `crsguard serve` (docs/api.md, Sessions). Kept in the
// server's memory: a restart logs everyone out, which a ward can live with and which keeps session
// secrets out of the database and its backups.
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "server/accounts.hpp"

namespace crsguard {

using Clock = std::chrono::steady_clock;

struct Session {
  std::string id;          // the cookie's value: 32 random bytes, hex
  std::string csrf_token;  // sent back in X-CSRF-Token on every state-changing request: 32 random bytes, hex
  std::string username;
  Role role = Role::viewer;
  Clock::time_point last_seen;
};

// Thread-safe. A session ends at logout, or after `idle` without a request.
class Sessions {
 public:
  explicit Sessions(std::chrono::minutes idle = std::chrono::hours(8));
  Session open(const std::string& username, Role role, Clock::time_point now = Clock::now());
  // The session, still alive at `now` (its idle time then starts again); nullopt when unknown or expired.
  std::optional<Session> find(const std::string& id, Clock::time_point now = Clock::now());
  void close(const std::string& id);

 private:
  std::chrono::minutes idle_;
  std::mutex mutex_;
  std::map<std::string, Session> sessions_;
};

// Failed logins, per key (a user name, a client address): after `failures` within `window`, further
// attempts are refused until `window` has passed since the last failure. Thread-safe.
class LoginThrottle {
 public:
  explicit LoginThrottle(int failures = 5, std::chrono::minutes window = std::chrono::minutes(15));
  [[nodiscard]] bool allows(const std::string& key, Clock::time_point now = Clock::now());
  void failed(const std::string& key, Clock::time_point now = Clock::now());
  void succeeded(const std::string& key);

 private:
  struct Record {
    int failures = 0;
    Clock::time_point last;
  };
  int failures_;
  std::chrono::minutes window_;
  std::mutex mutex_;
  std::map<std::string, Record> records_;
};

// n random bytes (OpenSSL's CSPRNG) as 2n hex digits.
std::string random_hex(std::size_t bytes);

}  // namespace crsguard
