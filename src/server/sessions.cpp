#include "server/sessions.hpp"

#include <openssl/rand.h>

#include <stdexcept>
#include <vector>

namespace crsguard {

std::string random_hex(std::size_t bytes) {
  std::vector<unsigned char> raw(bytes);
  if (RAND_bytes(raw.data(), static_cast<int>(raw.size())) != 1) throw std::runtime_error("no random bytes (OpenSSL)");
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * bytes);
  for (const unsigned char b : raw) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
  return out;
}

Sessions::Sessions(std::chrono::minutes idle) : idle_(idle) {}

Session Sessions::open(const std::string& username, Role role, Clock::time_point now) {
  Session s{random_hex(32), random_hex(32), username, role, now};
  const std::lock_guard lock(mutex_);
  // Expired sessions go as new ones come, so the table does not grow with every login of a long run.
  std::erase_if(sessions_, [&](const auto& entry) { return now - entry.second.last_seen > idle_; });
  sessions_[s.id] = s;
  return s;
}

std::optional<Session> Sessions::find(const std::string& id, Clock::time_point now) {
  const std::lock_guard lock(mutex_);
  const auto it = sessions_.find(id);
  if (it == sessions_.end()) return std::nullopt;
  if (now - it->second.last_seen > idle_) {
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.last_seen = now;
  return it->second;
}

void Sessions::close(const std::string& id) {
  const std::lock_guard lock(mutex_);
  sessions_.erase(id);
}

LoginThrottle::LoginThrottle(int failures, std::chrono::minutes window) : failures_(failures), window_(window) {}

bool LoginThrottle::allows(const std::string& key, Clock::time_point now) {
  const std::lock_guard lock(mutex_);
  const auto it = records_.find(key);
  if (it == records_.end()) return true;
  if (now - it->second.last > window_) {
    records_.erase(it);
    return true;
  }
  return it->second.failures < failures_;
}

void LoginThrottle::failed(const std::string& key, Clock::time_point now) {
  const std::lock_guard lock(mutex_);
  const auto [it, fresh] = records_.try_emplace(key);
  Record& r = it->second;
  if (!fresh && now - r.last > window_) r.failures = 0;
  ++r.failures;
  r.last = now;
}

void LoginThrottle::succeeded(const std::string& key) {
  const std::lock_guard lock(mutex_);
  records_.erase(key);
}

}  // namespace crsguard
