#include "io/yaml_document.hpp"

#include <fmt/format.h>
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <sstream>
#include <unordered_map>
#include <utility>

#include "io/utf8.hpp"

namespace crsguard {
namespace {

// yaml-cpp's tags: "?" for a plain scalar or an untagged collection, "!" for a quoted or block
// scalar; anything else was written explicitly (!!str, !foo).
constexpr std::string_view kPlainTag = "?";
constexpr std::string_view kNonPlainTag = "!";

int one_based(int zero_based) { return zero_based < 0 ? 0 : zero_based + 1; }

InputLocation location_of(const YAML::Mark& mark) {
  InputLocation where;
  where.line = one_based(mark.line);
  where.column = one_based(mark.column);
  return where;
}

// Thrown from the event handler to stop yaml-cpp at the first construct this reader refuses.
struct Refusal {
  InputLocation where;
  std::string reason;
};

YamlNode node_at(YamlNode::Kind kind, const YAML::Mark& mark) {
  YamlNode node;
  node.kind = kind;
  node.line = one_based(mark.line);
  node.column = one_based(mark.column);
  return node;
}

void refuse_explicit_tag(const YAML::Mark& mark, const std::string& tag) {
  if (tag == kPlainTag || tag == kNonPlainTag) return;
  throw Refusal{location_of(mark), fmt::format("YAML tags ({}) are not supported: write the plain value", tag)};
}

// Builds the tree from parser events. Collections under construction sit on a stack; a finished
// node is moved into its parent (a list item, a mapping's key or a mapping's value).
class TreeBuilder final : public YAML::EventHandler {
 public:
  explicit TreeBuilder(ProblemLog& log) : log_(log) {}

  std::optional<YamlNode> take_root() { return std::move(root_); }

  void OnDocumentStart(const YAML::Mark& /*mark*/) override {}
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t /*anchor*/) override {
    finish(node_at(YamlNode::Kind::null, mark));
  }

  void OnAlias(const YAML::Mark& mark, YAML::anchor_t /*anchor*/) override {
    throw Refusal{location_of(mark), "YAML aliases (*name) are not supported: write the value out in full"};
  }

  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t /*anchor*/,
                const std::string& value) override {
    refuse_explicit_tag(mark, tag);
    YamlNode node = node_at(YamlNode::Kind::scalar, mark);
    node.text = value;
    node.plain = tag == kPlainTag;
    finish(std::move(node));
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t /*anchor*/,
                       YAML::EmitterStyle::value /*style*/) override {
    open(YamlNode::Kind::sequence, mark, tag);
  }
  void OnSequenceEnd() override { close(); }

  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t /*anchor*/,
                  YAML::EmitterStyle::value /*style*/) override {
    open(YamlNode::Kind::mapping, mark, tag);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Open {
    YamlNode node;
    std::string path;
    std::optional<YamlEntry> pending;             // a mapping's key, waiting for its value
    std::unordered_map<std::string, int> key_lines;  // a mapping's keys so far: where each was first written
  };

  [[nodiscard]] bool expecting_key() const {
    return !open_.empty() && open_.back().node.kind == YamlNode::Kind::mapping && !open_.back().pending;
  }

  // The pointer of the node about to be added to the innermost open collection.
  [[nodiscard]] std::string child_path() const {
    if (open_.empty()) return "";
    const Open& parent = open_.back();
    if (parent.node.kind == YamlNode::Kind::sequence) return fmt::format("{}/{}", parent.path, parent.node.items.size());
    return parent.path + "/" + pointer_escape(parent.pending ? parent.pending->key : std::string());
  }

  void open(YamlNode::Kind kind, const YAML::Mark& mark, const std::string& tag) {
    refuse_explicit_tag(mark, tag);
    if (expecting_key()) throw Refusal{location_of(mark), "a key must be plain text, not a list or a mapping"};
    if (open_.size() >= static_cast<std::size_t>(kMaxYamlDepth)) {
      throw Refusal{location_of(mark), fmt::format("the document is nested more than {} levels deep", kMaxYamlDepth)};
    }
    std::string path = child_path();
    open_.push_back(Open{node_at(kind, mark), std::move(path), std::nullopt, {}});
  }

  void close() {
    YamlNode done = std::move(open_.back().node);
    open_.pop_back();
    finish(std::move(done));
  }

  void finish(YamlNode node) {
    if (open_.empty()) {
      root_ = std::move(node);
      return;
    }
    Open& parent = open_.back();
    if (parent.node.kind == YamlNode::Kind::sequence) {
      parent.node.items.push_back(std::move(node));
    } else if (!parent.pending) {
      start_entry(parent, node);
    } else {
      add_entry(parent, std::move(node));
    }
  }

  static void start_entry(Open& mapping, const YamlNode& key) {
    if (key.kind != YamlNode::Kind::scalar || key.text.empty()) {
      InputLocation where;
      where.line = key.line;
      where.column = key.column;
      throw Refusal{std::move(where), "a key must be text; this one is empty or null"};
    }
    mapping.pending = YamlEntry{key.text, key.line, key.column, {}};
  }

  void add_entry(Open& mapping, YamlNode value) {
    YamlEntry entry = std::move(*mapping.pending);
    mapping.pending.reset();
    const auto [first, inserted] = mapping.key_lines.emplace(entry.key, entry.line);
    if (!inserted) {
      InputLocation where;
      where.line = entry.line;
      where.column = entry.column;
      where.json_pointer = mapping.path + "/" + pointer_escape(entry.key);
      where.field = entry.key;
      log_.add(std::move(where), fmt::format("key \"{}\" appears twice in this mapping (first at line {}); "
                                             "write it once",
                                             entry.key, first->second));
      return;
    }
    entry.value = std::move(value);
    mapping.node.entries.push_back(std::move(entry));
  }

  ProblemLog& log_;
  std::vector<Open> open_;
  std::optional<YamlNode> root_;
};

// Stops at the start of a second document: one file holds one protocol.
class SecondDocumentGuard final : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override {
    throw Refusal{location_of(mark), "the file holds a second YAML document (after ---); one file holds one document"};
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

// Line and column (in characters) of a byte offset.
InputLocation location_of_offset(std::string_view text, std::size_t offset) {
  const std::string_view before = text.substr(0, offset);
  const auto line_start = before.rfind('\n');
  const std::string_view line = line_start == std::string_view::npos ? before : before.substr(line_start + 1);
  InputLocation where;
  where.line = 1 + static_cast<int>(std::count(before.begin(), before.end(), '\n'));
  where.column = 1 + static_cast<int>(std::count_if(line.begin(), line.end(), [](char c) {
                   return (static_cast<unsigned char>(c) & 0xC0) != 0x80;  // count characters, not bytes
                 }));
  return where;
}

// yaml-cpp names what it met, not what was meant; these are the usual causes in hand-written files.
std::string syntax_error_reason(const std::string& message) {
  std::string reason = "YAML syntax error: " + message;
  if (message == YAML::ErrorMsg::MAP_VALUE) {
    reason += " (text holding \": \" must be in quotes; or is this line indented too far?)";
  } else if (message == YAML::ErrorMsg::END_OF_MAP || message == YAML::ErrorMsg::END_OF_SEQ ||
             message == YAML::ErrorMsg::BLOCK_ENTRY || message == YAML::ErrorMsg::MAP_KEY) {
    reason += " (check the indentation here and on the line before; indent with spaces, not tabs)";
  }
  return reason;
}

}  // namespace

std::optional<YamlNode> parse_yaml_document(std::string_view text, ProblemLog& log) {
  if (const auto bad = first_invalid_utf8(text)) {
    log.add(location_of_offset(text, *bad), "the file is not valid UTF-8 (save it as UTF-8)");
    return std::nullopt;
  }
  std::istringstream stream{std::string(text)};
  try {
    YAML::Parser parser(stream);
    TreeBuilder builder(log);
    if (!parser.HandleNextDocument(builder)) {
      InputLocation start;
      start.line = 1;
      start.column = 1;
      log.add(start, "the file is empty: it holds no YAML document");
      return std::nullopt;
    }
    SecondDocumentGuard guard;
    parser.HandleNextDocument(guard);
    return builder.take_root();
  } catch (const Refusal& refusal) {
    log.add(refusal.where, refusal.reason);
  } catch (const YAML::DeepRecursion& error) {
    log.add(location_of(error.mark), fmt::format("the document is nested more than {} levels deep", kMaxYamlDepth));
  } catch (const YAML::Exception& error) {
    log.add(location_of(error.mark), syntax_error_reason(error.msg));
  }
  return std::nullopt;
}

std::string describe_yaml_value(const YamlNode& node) {
  switch (node.kind) {
    case YamlNode::Kind::null: return "nothing (null)";
    case YamlNode::Kind::sequence: return "a list";
    case YamlNode::Kind::mapping: return "a mapping";
    case YamlNode::Kind::scalar: break;
  }
  constexpr std::size_t kShown = 40;  // enough to recognise the value; a long text is cut
  std::size_t cut = std::min(node.text.size(), kShown);
  while (cut < node.text.size() && cut > 0 && (static_cast<unsigned char>(node.text[cut]) & 0xC0) == 0x80) --cut;
  const std::string shown = cut < node.text.size() ? node.text.substr(0, cut) + "…" : node.text;
  return fmt::format("{} \"{}\"", node.plain ? "text" : "quoted text", shown);
}

InputLocation yaml_location(const YamlNode& node, std::string path, std::string field) {
  InputLocation where;
  where.line = node.line;
  where.column = node.column;
  where.json_pointer = path.empty() ? "/" : std::move(path);
  where.field = std::move(field);
  return where;
}

}  // namespace crsguard
