#include "server/accounts.hpp"

#include <argon2.h>
#include <fmt/format.h>
#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace crsguard {
namespace {

// OWASP Password Storage Cheat Sheet, argon2id minimum configuration.
constexpr std::uint32_t kPasses = 2;
constexpr std::uint32_t kMemoryKiB = 19 * 1024;
constexpr std::uint32_t kLanes = 1;
constexpr std::size_t kSaltBytes = 16;
constexpr std::size_t kHashBytes = 32;
constexpr std::size_t kMinPasswordLength = 12;
constexpr std::size_t kMaxPasswordLength = 256;  // argon2 takes more; a cap keeps a login request cheap

}  // namespace

CRSGUARD_NAMES(Role, {Role::viewer, "viewer"}, {Role::clinician, "clinician"}, {Role::admin, "admin"})

std::string hash_password(const std::string& password) {
  std::array<unsigned char, kSaltBytes> salt{};
  if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) throw std::runtime_error("no random bytes for a salt (OpenSSL)");
  const std::size_t length = argon2_encodedlen(kPasses, kMemoryKiB, kLanes, kSaltBytes, kHashBytes, Argon2_id);
  std::string encoded(length, '\0');
  const int rc = argon2id_hash_encoded(kPasses, kMemoryKiB, kLanes, password.data(), password.size(), salt.data(),
                                       salt.size(), kHashBytes, encoded.data(), encoded.size());
  if (rc != ARGON2_OK) throw std::runtime_error(fmt::format("argon2id failed: {}", argon2_error_message(rc)));
  encoded.resize(encoded.find('\0'));  // the length given counts the terminating NUL
  return encoded;
}

bool password_matches(const std::string& encoded, const std::string& password) {
  if (encoded.rfind("$argon2id$", 0) != 0 || password.size() > kMaxPasswordLength) return false;
  return argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
}

void check_new_password(const std::string& password) {
  if (password.size() < kMinPasswordLength) {
    throw std::invalid_argument(fmt::format("a password has at least {} characters", kMinPasswordLength));
  }
  if (password.size() > kMaxPasswordLength) {
    throw std::invalid_argument(fmt::format("a password has at most {} characters", kMaxPasswordLength));
  }
}

void create_account(Store& store, const std::string& username, std::string_view role, const std::string& password,
                    const std::string& actor) {
  if (!from_name<Role>(role)) {
    throw std::invalid_argument(fmt::format("role \"{}\": one of viewer, clinician, admin", role));
  }
  check_new_password(password);
  Account account;
  account.username = username;
  account.role = std::string(role);
  account.password_hash = hash_password(password);
  store.add_account(account, actor);
}

}  // namespace crsguard
