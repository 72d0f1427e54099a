#pragma once
// Parses JSON text strictly: syntax errors with line and column, duplicate keys and
// excessive nesting reported as problems. nlohmann-json alone keeps the last of two
// equal keys silently, which would let a typo overwrite a value unnoticed.
#include <nlohmann/json.hpp>

#include <optional>
#include <string_view>

#include "core/problem.hpp"

namespace crsguard {

// A timeline nests about five levels deep; anything much deeper is not a timeline.
inline constexpr int kMaxJsonDepth = 32;

// nullopt when the text is not valid JSON (problems logged); a document with duplicate
// keys is returned but the duplicates are logged.
std::optional<nlohmann::json> parse_strict_json(std::string_view text, ProblemLog& log);

// Line and column (1-based) of a byte offset in text.
InputLocation location_of_offset(std::string_view text, std::size_t offset);

}  // namespace crsguard
