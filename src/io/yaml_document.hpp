#pragma once
// One YAML document as plain data, built from yaml-cpp's parser events rather than its Node API so
// that the reader decides what yaml-cpp leaves open: every node keeps its line and column, a
// duplicate key is reported (yaml-cpp keeps both), aliases (which can make a node its own
// ancestor) and explicit tags are refused, and nesting is limited long before the stack is at risk.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/problem.hpp"

namespace crsguard {

struct YamlEntry;

struct YamlNode {
  enum class Kind : unsigned char { null, scalar, sequence, mapping };
  Kind kind = Kind::null;
  int line = 0;    // 1-based
  int column = 0;  // 1-based
  std::string text;                // scalar
  bool plain = false;              // scalar without quotes or | >: only these can be numbers or booleans
  std::vector<YamlNode> items;     // sequence
  std::vector<YamlEntry> entries;  // mapping, in file order, each key once
};

struct YamlEntry {
  std::string key;
  int line = 0;  // where the key is written
  int column = 0;
  YamlNode value;
};

// No protocol needs more than a dozen levels; deeper input is refused before it costs anything.
inline constexpr int kMaxYamlDepth = 64;

// Parses text that must hold exactly one YAML document. Logs each problem with its line and
// column: invalid UTF-8, an empty file, a syntax error, a second document, an alias, a tag, a key
// that is not text, nesting deeper than kMaxYamlDepth (these end the reading: nullopt) and
// duplicate keys (logged; the first of each is kept and the document returned).
std::optional<YamlNode> parse_yaml_document(std::string_view text, ProblemLog& log);

// "a mapping", "a list", "nothing (null)", "text \"8 mg\"": what a value was, for messages.
std::string describe_yaml_value(const YamlNode& node);

// The place of a node, for ProblemLog::add; `path` is the node's pointer ("/steps/0/when").
InputLocation yaml_location(const YamlNode& node, std::string path, std::string field);

}  // namespace crsguard
