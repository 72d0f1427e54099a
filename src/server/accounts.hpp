#pragma once
// Who may use `crsguard serve`, and how a password is kept (docs/api.md, Accounts): three roles, and
// passwords hashed with argon2id (libargon2) before they reach the store, which keeps only the hash.
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/enum_names.hpp"
#include "store/store.hpp"

namespace crsguard {

// Each role may do what the one before it may: a viewer reads, a clinician also records (events,
// patients, answers to recommendations), an admin also manages accounts.
enum class Role : unsigned char { viewer, clinician, admin };

std::span<const EnumName<Role>> names(Role);  // to_name / from_name (core/enum_names.hpp)

// argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane), a 16-byte random salt and a
// 32-byte hash, in the encoded form ("$argon2id$v=19$m=19456,t=2,p=1$salt$hash") that carries its
// parameters, so that stronger ones can be adopted without breaking old hashes.
std::string hash_password(const std::string& password);
// Whether `password` is the one `encoded` was made from (false for a malformed hash).
bool password_matches(const std::string& encoded, const std::string& password);

// A password a ward may use: 12 to 256 characters. Throws std::invalid_argument saying why not.
void check_new_password(const std::string& password);

// A new account: name and role checked, password checked and hashed. Throws std::invalid_argument.
void create_account(Store& store, const std::string& username, std::string_view role, const std::string& password,
                    const std::string& actor);

}  // namespace crsguard
