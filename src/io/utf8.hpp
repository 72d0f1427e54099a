#pragma once
// Text files are read as UTF-8 only: a stray Latin-1 byte is reported, not passed on into names
// and messages.
#include <cstddef>
#include <optional>
#include <string_view>

namespace crsguard {

// Offset of the first byte that breaks UTF-8 (RFC 3629: no overlong forms, no surrogates,
// nothing above U+10FFFF); nullopt when the text is valid.
std::optional<std::size_t> first_invalid_utf8(std::string_view text);

}  // namespace crsguard
