#include "io/timeline_csv.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <array>
#include <charconv>
#include <map>
#include <optional>
#include <set>

#include "core/problem.hpp"
#include "io/csv_table.hpp"
#include "io/timeline_decoder.hpp"
#include "io/timeline_json.hpp"

namespace crsguard {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 10> kColumns{"patient_id", "day", "clock", "datetime", "kind",
                                                    "item", "value", "unit", "detail", "note"};
enum Column : std::size_t { patient_id, day, clock, datetime, kind, item, value, unit, detail, note };

enum class ValueType { string, number, integer, boolean, quantity, time, string_list, death, hct };

struct FieldSpec {
  std::string_view kind;
  std::string_view item;
  ValueType type;
  std::string_view key;  // JSON key (differs for "target" -> "targets")
};

// Rows that set a field of the patient, infusion, baseline, reported course, outcome or source.
constexpr std::array kFields = {
    FieldSpec{"patient", "sex", ValueType::string, "sex"},
    FieldSpec{"patient", "age", ValueType::quantity, "age"},
    FieldSpec{"patient", "birth_date", ValueType::string, "birth_date"},
    FieldSpec{"patient", "weight", ValueType::quantity, "weight"},
    FieldSpec{"patient", "height", ValueType::quantity, "height"},
    FieldSpec{"patient", "bsa_formula", ValueType::string, "bsa_formula"},
    FieldSpec{"infusion", "product", ValueType::string, "product"},
    FieldSpec{"infusion", "target", ValueType::string_list, "targets"},
    FieldSpec{"infusion", "time", ValueType::time, "time"},
    FieldSpec{"infusion", "cell_dose", ValueType::quantity, "cell_dose"},
    FieldSpec{"infusion", "cell_source", ValueType::string, "cell_source"},
    FieldSpec{"infusion", "lymphodepletion", ValueType::string, "lymphodepletion"},
    FieldSpec{"infusion", "trial", ValueType::string, "trial"},
    FieldSpec{"baseline", "diagnosis", ValueType::string, "diagnosis"},
    FieldSpec{"baseline", "genetics", ValueType::string_list, "genetics"},
    FieldSpec{"baseline", "complex_karyotype", ValueType::boolean, "complex_karyotype"},
    FieldSpec{"baseline", "disease_status", ValueType::string, "disease_status"},
    FieldSpec{"baseline", "marrow_blasts_morphology_percent", ValueType::number, "marrow_blasts_morphology_percent"},
    FieldSpec{"baseline", "marrow_morphologic_remission", ValueType::boolean, "marrow_morphologic_remission"},
    FieldSpec{"baseline", "marrow_blasts_flow_percent", ValueType::number, "marrow_blasts_flow_percent"},
    FieldSpec{"baseline", "prior_therapy_months", ValueType::number, "prior_therapy_months"},
    FieldSpec{"baseline", "prior_hct", ValueType::boolean, "prior_hct"},
    FieldSpec{"baseline", "months_since_hct", ValueType::number, "months_since_hct"},
    FieldSpec{"baseline", "gvhd_before_cart", ValueType::string, "gvhd_before_cart"},
    FieldSpec{"reported", "crs_max_grade", ValueType::integer, "crs_max_grade"},
    FieldSpec{"reported", "icans_max_grade", ValueType::integer, "icans_max_grade"},
    FieldSpec{"reported", "severe_crs", ValueType::boolean, "severe_crs"},
    FieldSpec{"reported", "steroid_refractory_crs", ValueType::boolean, "steroid_refractory_crs"},
    FieldSpec{"reported", "tocilizumab_doses", ValueType::integer, "tocilizumab_doses"},
    FieldSpec{"reported", "ruxolitinib_given", ValueType::boolean, "ruxolitinib_given"},
    FieldSpec{"reported", "max_steroid_dose", ValueType::quantity, "max_steroid_dose"},
    FieldSpec{"outcome", "last_followup", ValueType::time, "last_followup"},
    FieldSpec{"outcome", "vital_status", ValueType::string, "vital_status"},
    FieldSpec{"outcome", "death", ValueType::death, "death"},
    FieldSpec{"outcome", "hct_after_cart", ValueType::hct, "hct_after_cart"},
    FieldSpec{"source", "citation", ValueType::string, "citation"},
    FieldSpec{"source", "doi", ValueType::string, "doi"},
    FieldSpec{"source", "url", ValueType::string, "url"},
    FieldSpec{"source", "converted_by", ValueType::string, "converted_by"},
    FieldSpec{"timeline", "note", ValueType::string, "note"},
};

// Where each JSON pointer of the assembled document came from in the CSV.
using LocationMap = std::map<std::string, CsvCell>;

struct PatientDocument {
  json document;
  LocationMap locations;
  std::map<std::string, std::size_t> neuro_by_time;  // time (as JSON text) -> event index
};

std::optional<double> parse_number(std::string_view text) {
  double out = 0;
  const auto* begin = text.data();
  const auto* end = text.data() + text.size();
  if (begin != end && *begin == '+') ++begin;
  const auto result = std::from_chars(begin, end, out);
  if (result.ec != std::errc() || result.ptr != end || begin == end) return std::nullopt;
  return out;
}

std::optional<std::int64_t> parse_integer(std::string_view text) {
  std::int64_t out = 0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), out);
  if (result.ec != std::errc() || result.ptr != text.data() + text.size() || text.empty()) return std::nullopt;
  return out;
}

class CsvAssembler {
 public:
  explicit CsvAssembler(ProblemLog& log) : log_(log) {}

  bool read_header(const CsvRow& header) {
    column_of_.fill(-1);
    for (const CsvCell& cell : header) {
      const auto found = std::find(kColumns.begin(), kColumns.end(), cell.text);
      if (found == kColumns.end()) {
        problem(cell, fmt::format("unknown column \"{}\"; the columns are patient_id, day, clock, datetime, kind, "
                                  "item, value, unit, detail, note",
                                  cell.text));
        continue;
      }
      auto& slot = column_of_[static_cast<std::size_t>(found - kColumns.begin())];
      if (slot >= 0) problem(cell, fmt::format("column \"{}\" appears twice", cell.text));
      slot = cell.column - 1;
    }
    for (const auto required : {Column::patient_id, Column::kind, Column::item}) {
      if (column_of_[required] < 0) {
        InputLocation where;
        where.line = header.empty() ? 1 : header.front().line;
        log_.add(where, fmt::format("the header has no \"{}\" column", kColumns[required]));
      }
    }
    return log_.empty();
  }

  void add_row(const CsvRow& row) {
    if (row.size() != header_width_) {
      problem(row.back(), fmt::format("row has {} fields but the header has {}", row.size(), header_width_));
      return;
    }
    row_ = &row;
    const std::string& id = text(Column::patient_id);
    if (id.empty()) {
      problem(cell(Column::patient_id), "patient_id is empty");
      return;
    }
    auto [entry, inserted] = patients_.try_emplace(id);
    if (inserted) {
      order_.push_back(id);
      entry->second.document = json{{"format", kTimelineFormat},
                                    {"patient", json{{"id", id}}},
                                    {"infusion", json::object()},
                                    {"events", json::array()}};
      entry->second.locations["/patient/id"] = cell(Column::patient_id);
      entry->second.locations[""] = cell(Column::patient_id);
    }
    current_ = &entry->second;
    const std::string& kind = text(Column::kind);
    if (kind.empty()) {
      problem(cell(Column::kind), "kind is empty");
      return;
    }
    if (kind == "neuro") return add_neuro();
    for (const auto& spec : kFields) {
      if (spec.kind == kind && spec.item == text(Column::item)) return add_field(spec);
    }
    if (kind == "patient" || kind == "infusion" || kind == "baseline" || kind == "reported" || kind == "outcome" ||
        kind == "source" || kind == "timeline") {
      return add_field(FieldSpec{kind, text(Column::item), ValueType::string, text(Column::item)});
    }
    add_event();
  }

  void set_header_width(std::size_t width) { header_width_ = width; }

  std::vector<std::pair<PatientDocument*, std::string>> documents() {
    std::vector<std::pair<PatientDocument*, std::string>> out;
    for (const auto& id : order_) out.emplace_back(&patients_.at(id), id);
    return out;
  }

 private:
  const CsvCell& cell(Column column) const {
    static const CsvCell kEmpty{"", 0, 0};
    const int index = column_of_[column];
    if (index < 0 || static_cast<std::size_t>(index) >= row_->size()) return kEmpty;
    return (*row_)[static_cast<std::size_t>(index)];
  }
  const std::string& text(Column column) const { return cell(column).text; }
  CsvCell located(Column column) const {
    CsvCell out = cell(column);
    if (out.line == 0 && !row_->empty()) {
      out.line = row_->front().line;
      out.column = column_of_[column] >= 0 ? column_of_[column] + 1 : 0;
    }
    return out;
  }

  void problem(const CsvCell& at, std::string reason) {
    InputLocation where;
    where.line = at.line;
    where.column = at.column;
    log_.add(where, std::move(reason));
  }

  void locate(const std::string& pointer, Column column) { current_->locations[pointer] = located(column); }

  std::optional<json> time_value() {
    const std::string& datetime_text = text(Column::datetime);
    const std::string& day_text = text(Column::day);
    const std::string& clock_text = text(Column::clock);
    if (!datetime_text.empty()) {
      if (!day_text.empty() || !clock_text.empty()) {
        problem(located(Column::datetime), "give either datetime or day (and clock), not both");
        return std::nullopt;
      }
      return json(datetime_text);
    }
    if (day_text.empty()) {
      if (!clock_text.empty()) problem(located(Column::clock), "a clock time needs its day");
      return json();  // no time in this row
    }
    const auto day_number = parse_integer(day_text);
    if (!day_number) {
      problem(located(Column::day), fmt::format("day \"{}\" is not a whole number", day_text));
      return std::nullopt;
    }
    json out{{"day", *day_number}};
    if (!clock_text.empty()) out["clock"] = clock_text;
    return out;
  }

  std::optional<json> typed_value(ValueType type, const std::string& raw) {
    switch (type) {
      case ValueType::number:
      case ValueType::integer: {
        if (const auto number = parse_number(raw)) return canonical_number(*number);
        problem(located(Column::value), fmt::format("\"{}\" is not a number", raw));
        return std::nullopt;
      }
      case ValueType::boolean:
        if (raw == "true") return json(true);
        if (raw == "false") return json(false);
        problem(located(Column::value), fmt::format("\"{}\" is not true or false", raw));
        return std::nullopt;
      default: return json(raw);
    }
  }

  // value + unit cells as a quantity object; nullopt when the value cell is empty.
  std::optional<json> quantity_value() {
    const std::string& raw = text(Column::value);
    if (raw.empty()) {
      if (!text(Column::unit).empty()) problem(located(Column::unit), "a unit without a value");
      return std::nullopt;
    }
    const auto number = parse_number(raw);
    if (!number) {
      problem(located(Column::value), fmt::format("\"{}\" is not a number", raw));
      return std::nullopt;
    }
    json out{{"value", canonical_number(*number)}};
    if (!text(Column::unit).empty()) out["unit"] = text(Column::unit);
    return out;
  }

  void add_field(const FieldSpec& spec) {
    std::string section = std::string(spec.kind);
    json* target = nullptr;
    std::string base;
    if (spec.kind == "timeline") {
      target = &current_->document;
      base = "";
    } else {
      if (!current_->document.contains(section)) current_->document[section] = json::object();
      target = &current_->document[section];
      base = "/" + section;
      if (!current_->locations.count(base)) locate(base, Column::kind);
    }
    const std::string pointer = base + "/" + std::string(spec.key);
    const std::string& raw = text(Column::value);
    locate(pointer, Column::value);
    switch (spec.type) {
      case ValueType::time:
      case ValueType::death:
      case ValueType::hct: {
        const auto time = time_value();
        if (!time) return;
        if (spec.type == ValueType::time) {
          (*target)[spec.key] = *time;
          locate(pointer, time->is_null() ? Column::value : (text(Column::datetime).empty() ? Column::day : Column::datetime));
          return;
        }
        json object = json::object();
        if (spec.type == ValueType::hct && raw == "time_unknown") object["time_unknown"] = true;
        else if (!time->is_null()) object["time"] = *time;
        if (spec.type == ValueType::death && !raw.empty()) object["cause"] = raw;
        (*target)[spec.key] = object;
        locate(pointer + "/time", text(Column::datetime).empty() ? Column::day : Column::datetime);
        return;
      }
      case ValueType::quantity: {
        locate(pointer + "/unit", Column::unit);
        if (auto quantity = quantity_value()) (*target)[spec.key] = *quantity;
        else if (raw.empty()) problem(located(Column::value), fmt::format("{} needs a value", spec.item));
        return;
      }
      case ValueType::string_list: {
        json& list = (*target)[spec.key];
        if (!list.is_array()) list = json::array();
        locate(pointer + "/" + std::to_string(list.size()), Column::value);
        list.push_back(raw);
        return;
      }
      default:
        if (target->contains(spec.key)) {
          problem(located(Column::item), fmt::format("{} {} is given twice for patient {}", spec.kind, spec.item,
                                                     text(Column::patient_id)));
          return;
        }
        if (auto typed = typed_value(spec.type, raw)) (*target)[spec.key] = *typed;
    }
  }

  // key=value;key=value
  std::optional<std::vector<std::pair<std::string, std::string>>> detail_pairs() {
    std::vector<std::pair<std::string, std::string>> pairs;
    const std::string& raw = text(Column::detail);
    std::size_t start = 0;
    while (start < raw.size()) {
      const std::size_t end = std::min(raw.find(';', start), raw.size());
      const std::string part = raw.substr(start, end - start);
      start = end + 1;
      if (part.empty()) continue;
      const auto equals = part.find('=');
      if (equals == std::string::npos || equals == 0) {
        problem(located(Column::detail), fmt::format("detail \"{}\" is not key=value", part));
        return std::nullopt;
      }
      pairs.emplace_back(part.substr(0, equals), part.substr(equals + 1));
    }
    return pairs;
  }

  void add_event() {
    const std::string& kind = text(Column::kind);
    json event{{"kind", kind}};
    const std::string pointer = "/events/" + std::to_string(current_->document["events"].size());
    locate(pointer, Column::kind);
    locate(pointer + "/kind", Column::kind);
    const auto time = time_value();
    if (!time) return;
    if (!time->is_null()) event["time"] = *time;
    locate(pointer + "/time", text(Column::datetime).empty() ? Column::day : Column::datetime);
    locate(pointer + "/time/day", Column::day);
    locate(pointer + "/time/clock", Column::clock);
    if (!text(Column::note).empty()) event["note"] = text(Column::note);
    const auto pairs = detail_pairs();
    if (!pairs) return;

    static const std::map<std::string, std::string> kItemKey{
        {"observation", "code"}, {"oxygen", "device"}, {"vasopressor", "agent"}, {"administration", "drug"},
        {"transfusion", "product"}, {"response", "status"}};
    static const std::map<std::string, std::string> kQuantityKey{
        {"oxygen", "flow"}, {"vasopressor", "dose"}, {"administration", "dose"}, {"transfusion", "amount"}};
    const auto item_key = kItemKey.find(kind);
    if (item_key == kItemKey.end()) {
      problem(located(Column::kind), fmt::format("unknown kind \"{}\"; expected patient, infusion, baseline, reported, "
                                                 "outcome, source, timeline, observation, oxygen, vasopressor, neuro, "
                                                 "administration, transfusion or response",
                                                 kind));
      return;
    }
    event[item_key->second] = text(Column::item);
    locate(pointer + "/" + item_key->second, Column::item);

    if (kind == "observation") {
      add_observation_value(event, pointer);
    } else if (const auto quantity_key = kQuantityKey.find(kind); quantity_key != kQuantityKey.end()) {
      locate(pointer + "/" + quantity_key->second, Column::value);
      locate(pointer + "/" + quantity_key->second + "/unit", Column::unit);
      if (auto quantity = quantity_value()) event[quantity_key->second] = *quantity;
    } else if (!text(Column::value).empty()) {
      problem(located(Column::value), fmt::format("a {} row takes no value", kind));
      return;
    }
    for (const auto& [key, raw] : *pairs) {
      if (!add_detail(event, pointer, kind, key, raw)) return;
    }
    current_->document["events"].push_back(std::move(event));
  }

  void add_observation_value(json& event, const std::string& pointer) {
    std::string raw = text(Column::value);
    locate(pointer + "/value", Column::value);
    locate(pointer + "/comparator", Column::value);
    locate(pointer + "/unit", Column::unit);
    locate(pointer + "/interpretation", Column::value);
    if (!text(Column::unit).empty()) event["unit"] = text(Column::unit);
    if (raw == "normal" || raw == "abnormal" || raw == "high" || raw == "low") {
      event["interpretation"] = raw;
      return;
    }
    for (const std::string_view comparator : {">=", "<=", ">", "<"}) {
      if (raw.rfind(comparator, 0) == 0) {
        event["comparator"] = std::string(comparator);
        raw = raw.substr(comparator.size());
        break;
      }
    }
    if (raw.empty()) return;  // the decoder reports the missing value
    if (const auto number = parse_number(raw)) event["value"] = canonical_number(*number);
    else problem(located(Column::value), fmt::format("\"{}\" is not a number or normal/abnormal/high/low", raw));
  }

  bool add_detail(json& event, const std::string& pointer, const std::string& kind, const std::string& key,
                  const std::string& raw) {
    auto number = [&]() -> std::optional<json> {
      if (const auto parsed = parse_number(raw)) return canonical_number(*parsed);
      problem(located(Column::detail), fmt::format("detail {}: \"{}\" is not a number", key, raw));
      return std::nullopt;
    };
    auto set = [&](const std::string& json_key, json value) {
      event[json_key] = std::move(value);
      locate(pointer + "/" + json_key, Column::detail);
    };
    if (kind == "observation" && (key == "reference_low" || key == "reference_high")) {
      const auto value = number();
      if (!value) return false;
      event["reference_range"][key == "reference_low" ? "low" : "high"] = *value;
      locate(pointer + "/reference_range", Column::detail);
      return true;
    }
    if (key == "fio2" || key == "duration_min" || key == "repeat_every_h" || key == "mrd_flow_percent" ||
        key == "repeat_count") {
      const auto value = number();
      if (!value) return false;
      if (key == "fio2") set("fio2", json{{"value", *value}, {"unit", "%"}});
      else if (key == "duration_min") set("duration", json{{"value", *value}, {"unit", "min"}});
      else if (key == "repeat_every_h") event["repeat"]["every"] = json{{"value", *value}, {"unit", "h"}};
      else if (key == "repeat_count") event["repeat"]["count"] = *value;
      else set(key, *value);
      if (key.rfind("repeat_", 0) == 0) locate(pointer + "/repeat", Column::detail);
      return true;
    }
    if (key == "mrd_negative") {
      if (raw != "true" && raw != "false") {
        problem(located(Column::detail), fmt::format("detail mrd_negative: \"{}\" is not true or false", raw));
        return false;
      }
      set(key, raw == "true");
      return true;
    }
    // Any other key is passed through as text; the decoder rejects keys the kind does not have.
    set(key, raw);
    return true;
  }

  void add_neuro() {
    const auto time = time_value();
    if (!time) return;
    json& events = current_->document["events"];
    const std::string time_key = time->dump();
    auto found = current_->neuro_by_time.find(time_key);
    if (found == current_->neuro_by_time.end()) {
      found = current_->neuro_by_time.emplace(time_key, events.size()).first;
      json event{{"kind", "neuro"}};
      if (!time->is_null()) event["time"] = *time;
      events.push_back(std::move(event));
      const std::string pointer = "/events/" + std::to_string(found->second);
      locate(pointer, Column::kind);
      locate(pointer + "/time", Column::day);
    }
    json& event = events[found->second];
    const std::string pointer = "/events/" + std::to_string(found->second);
    const std::string& item = text(Column::item);
    const std::string& raw = text(Column::value);
    if (!text(Column::note).empty()) {
      const std::string existing = event.value("note", "");
      event["note"] = existing.empty() ? text(Column::note) : existing + "; " + text(Column::note);
    }
    auto integer = [&]() -> std::optional<json> { return typed_value(ValueType::integer, raw); };
    static const std::map<std::string, std::string> kIceItems{
        {"ice_total", "total"}, {"ice_orientation", "orientation"}, {"ice_naming", "naming"},
        {"ice_commands", "commands"}, {"ice_writing", "writing"}, {"ice_attention", "attention"}};
    if (const auto ice = kIceItems.find(item); ice != kIceItems.end()) {
      if (auto value = integer()) event["ice"][ice->second] = *value;
      locate(pointer + "/ice/" + ice->second, Column::value);
      locate(pointer + "/ice", Column::item);
    } else if (item == "capd_total") {
      if (auto value = integer()) event["capd"]["total"] = *value;
      locate(pointer + "/capd/total", Column::value);
      locate(pointer + "/capd", Column::item);
    } else if (item == "capd_items") {
      json items = json::array();
      std::size_t start = 0;
      while (start < raw.size()) {
        const std::size_t end = std::min(raw.find(' ', start), raw.size());
        const auto part = raw.substr(start, end - start);
        start = end + 1;
        if (part.empty()) continue;
        const auto parsed = parse_number(part);
        if (!parsed) {
          problem(located(Column::value), fmt::format("CAPD item \"{}\" is not a number", part));
          return;
        }
        items.push_back(canonical_number(*parsed));
      }
      event["capd"]["items"] = items;
      locate(pointer + "/capd", Column::value);
    } else if (item == "icp_finding") {
      if (!event.contains("icp_findings")) event["icp_findings"] = json::array();
      locate(pointer + "/icp_findings/" + std::to_string(event["icp_findings"].size()), Column::value);
      event["icp_findings"].push_back(raw);
    } else if (item == "seizure") {
      json seizure{{"type", raw}};
      const auto pairs = detail_pairs();
      if (!pairs) return;
      for (const auto& [key, detail_raw] : *pairs) {
        if (key == "duration_min") {
          if (const auto parsed = parse_number(detail_raw)) seizure[key] = canonical_number(*parsed);
          else problem(located(Column::detail), fmt::format("duration_min \"{}\" is not a number", detail_raw));
        } else if (key == "repetitive") {
          if (detail_raw != "true" && detail_raw != "false") {
            problem(located(Column::detail), fmt::format("repetitive \"{}\" is not true or false", detail_raw));
            return;
          }
          seizure[key] = detail_raw == "true";
        } else {
          seizure[key] = detail_raw;
        }
      }
      event["seizure"] = seizure;
      locate(pointer + "/seizure", Column::detail);
      locate(pointer + "/seizure/type", Column::value);
    } else if (item == "global_aphasia" || item == "sedated" || item == "intracranial_haemorrhage") {
      if (auto value = typed_value(ValueType::boolean, raw)) event[item] = *value;
      locate(pointer + "/" + item, Column::value);
    } else {
      event[item] = raw;
      locate(pointer + "/" + item, Column::item);
    }
  }

  ProblemLog& log_;
  std::array<int, kColumns.size()> column_of_{};
  std::size_t header_width_ = 0;
  const CsvRow* row_ = nullptr;
  PatientDocument* current_ = nullptr;
  std::map<std::string, PatientDocument> patients_;
  std::vector<std::string> order_;
};

// The CSV cell a decoder problem points at: the longest recorded prefix of its pointer.
const CsvCell* find_cell(const LocationMap& locations, std::string pointer) {
  while (true) {
    if (const auto found = locations.find(pointer); found != locations.end()) return &found->second;
    const auto slash = pointer.rfind('/');
    if (slash == std::string::npos) return nullptr;
    pointer.resize(slash);
  }
}

}  // namespace

std::vector<Timeline> read_timelines_csv(std::string_view text, const std::string& file) {
  ProblemLog log(file);
  const auto rows = parse_csv(text, log);
  log.throw_if_any();
  if (rows.empty()) {
    log.add(InputLocation{}, "the file is empty; a CSV timeline starts with a header row");
    log.throw_if_any();
  }
  CsvAssembler assembler(log);
  if (!assembler.read_header(rows.front())) log.throw_if_any();
  assembler.set_header_width(rows.front().size());
  for (std::size_t i = 1; i < rows.size() && !log.full(); ++i) assembler.add_row(rows[i]);
  log.throw_if_any();

  std::vector<TimelineRecord> records;
  for (auto& [document, id] : assembler.documents()) {
    ProblemLog decoder_log(file);
    TimelineRecord record = decode_timeline(document->document, "", decoder_log);
    for (const Problem& problem : decoder_log.problems()) {
      InputLocation where;
      where.field = problem.where.field;
      if (const CsvCell* cell = find_cell(document->locations, problem.where.json_pointer)) {
        where.line = cell->line;
        where.column = cell->column;
      }
      log.add(where, fmt::format("patient {}: {}", id, problem.reason));
    }
    log.add_dropped(decoder_log.dropped());
    records.push_back(std::move(record));
  }
  log.throw_if_any();
  std::vector<Timeline> out;
  out.reserve(records.size());
  for (auto& record : records) out.emplace_back(std::move(record));
  return out;
}

}  // namespace crsguard
