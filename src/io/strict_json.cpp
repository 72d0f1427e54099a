#include "io/strict_json.hpp"

#include <set>
#include <string>
#include <vector>

namespace crsguard {
namespace {

struct TooDeep {};

// Follows the parser through the document to know the JSON pointer of each key.
class KeyTracker {
 public:
  explicit KeyTracker(ProblemLog& log) : log_(log) {}

  bool on_event(int depth, nlohmann::json::parse_event_t event, const nlohmann::json& parsed) {
    using E = nlohmann::json::parse_event_t;
    switch (event) {
      case E::object_start:
      case E::array_start:
        if (depth >= kMaxJsonDepth) throw TooDeep{};
        frames_.push_back(Frame{event == E::array_start, 0, {}, {}});
        break;
      case E::key: {
        Frame& frame = frames_.back();
        frame.key = parsed.get<std::string>();
        if (!frame.keys.insert(frame.key).second) {
          log_.add_at_pointer(pointer_to_current_key(),
                              "key \"" + frame.key + "\" appears twice in the same object; each field may be given once");
        }
        break;
      }
      case E::value:
        advance_array();
        break;
      case E::object_end:
      case E::array_end:
        frames_.pop_back();
        advance_array();
        break;
    }
    return true;
  }

 private:
  struct Frame {
    bool is_array;
    std::size_t index;
    std::string key;
    std::set<std::string> keys;
  };

  void advance_array() {
    if (!frames_.empty() && frames_.back().is_array) ++frames_.back().index;
  }

  std::string pointer_to_current_key() const {
    std::string pointer;
    for (const Frame& frame : frames_) {
      pointer += '/';
      pointer += frame.is_array ? std::to_string(frame.index) : pointer_escape(frame.key);
    }
    return pointer;
  }

  ProblemLog& log_;
  std::vector<Frame> frames_;
};

// nlohmann's message without its "[json.exception.parse_error.101] parse error at line 1, column 2: " prefix.
std::string plain_parse_message(const std::string& what) {
  std::string message = what;
  if (const auto bracket = message.find("] "); message.rfind("[json.exception", 0) == 0 && bracket != std::string::npos) {
    message = message.substr(bracket + 2);
  }
  if (const auto colon = message.find(": "); message.rfind("parse error", 0) == 0 && colon != std::string::npos) {
    message = message.substr(colon + 2);
  }
  return message;
}

// First occurrence of `token` that is not inside a JSON string (a note may quote the number).
std::size_t find_outside_strings(std::string_view text, std::string_view token) {
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (text.compare(i, token.size(), token) == 0) {
      return i;
    }
  }
  return std::string_view::npos;
}

}  // namespace

InputLocation location_of_offset(std::string_view text, std::size_t offset) {
  InputLocation where;
  where.line = 1;
  where.column = 1;
  const std::size_t end = std::min(offset, text.size());
  for (std::size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++where.line;
      where.column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {  // count characters, not UTF-8 bytes
      ++where.column;
    }
  }
  return where;
}

std::optional<nlohmann::json> parse_strict_json(std::string_view text, ProblemLog& log) {
  KeyTracker tracker(log);
  try {
    return nlohmann::json::parse(
        text.begin(), text.end(),
        [&tracker](int depth, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
          return tracker.on_event(depth, event, parsed);
        });
  } catch (const nlohmann::json::parse_error& error) {
    // nlohmann counts `byte` from 1, pointing at the character that broke the syntax.
    const std::size_t offset = error.byte > 0 ? error.byte - 1 : 0;
    log.add(location_of_offset(text, offset), "malformed JSON: " + plain_parse_message(error.what()));
  } catch (const nlohmann::json::out_of_range& error) {
    // A number beyond double's range ("1e400"): nlohmann names the literal but not its place.
    const std::string message = error.what();
    const auto open = message.find('\'');
    const auto close = message.rfind('\'');
    const std::string literal = open != std::string::npos && close > open ? message.substr(open + 1, close - open - 1) : "";
    const auto at = literal.empty() ? std::string_view::npos : find_outside_strings(text, literal);
    log.add(at == std::string_view::npos ? InputLocation{} : location_of_offset(text, at),
            "number " + literal + " is too large to represent");
  } catch (const TooDeep&) {
    log.add(InputLocation{}, "JSON nested more than " + std::to_string(kMaxJsonDepth) +
                                 " levels deep; a timeline is never nested like this");
  }
  return std::nullopt;
}

}  // namespace crsguard
