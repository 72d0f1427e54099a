#include "server/api.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "cli/db_commands.hpp"
#include "cli/grading_output.hpp"
#include "cli/protocol_output.hpp"
#include "clinical/course_grades.hpp"
#include "clinical/crs_astct.hpp"
#include "core/problem.hpp"
#include "core/time.hpp"
#include "io/timeline_json.hpp"

namespace crsguard {
namespace {

using nlohmann::json;

// A request the API refuses: its HTTP status, what is wrong, and where (a query parameter, a path
// segment: "/query/protocol", "/path/patient").
struct ApiError : std::runtime_error {
  ApiError(int status_code, const std::string& message, std::string where_in_request = {})
      : std::runtime_error(message), status(status_code), where(std::move(where_in_request)) {}
  int status;
  std::string where;
};

ApiResponse error_response(int status, const std::string& message, const std::string& where = {},
                           json problems = json::array()) {
  json error{{"status", status}, {"message", message}};
  if (!where.empty()) error["where"] = where;
  if (!problems.empty()) error["problems"] = std::move(problems);
  return {status, json{{"error", std::move(error)}}};
}

std::vector<std::string> segments_of(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t slash = path.find('/', start);
    const std::size_t end = slash == std::string::npos ? path.size() : slash;
    if (end > start) out.push_back(path.substr(start, end - start));
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return out;
}

// The one value of a query parameter; a parameter given twice is refused rather than one of its values
// silently chosen.
std::optional<std::string> single(const ApiRequest& request, const std::string& name) {
  const auto [first, last] = request.query.equal_range(name);
  if (first == last) return std::nullopt;
  if (std::next(first) != last) throw ApiError(422, fmt::format("\"{}\" is given more than once", name), "/query/" + name);
  return first->second;
}

// Only the parameters a route reads: a misspelt one ("protocl") is an error, not ignored.
void accept_only(const ApiRequest& request, std::initializer_list<const char*> names) {
  for (const auto& [name, value] : request.query) {
    if (std::none_of(names.begin(), names.end(), [&](const char* known) { return name == known; })) {
      std::string known_list;
      for (const char* known : names) known_list += fmt::format("{}\"{}\"", known_list.empty() ? "" : ", ", known);
      throw ApiError(422, fmt::format("unknown query parameter \"{}\" (this route takes {})", name,
                                      known_list.empty() ? "none" : known_list),
                     "/query/" + name);
    }
  }
}

bool boolean_parameter(const ApiRequest& request, const std::string& name, bool absent) {
  const auto value = single(request, name);
  if (!value) return absent;
  if (*value == "true") return true;
  if (*value == "false") return false;
  throw ApiError(422, fmt::format("\"{}\" must be true or false, not \"{}\"", name, *value), "/query/" + name);
}

// The patient's state at a glance: the latest assessable CRS moment and ICANS assessment, the course
// maxima, the time of the last observation.
json glance_json(const Timeline& timeline, const CourseGrades& grades) {
  json out;
  json crs = nullptr;
  for (auto it = grades.crs.moments.rbegin(); it != grades.crs.moments.rend(); ++it) {
    if (it->grade < 0) continue;
    crs = {{"grade", it->grade}, {"lower_bound", highest_possible_grade(*it) > it->grade},
           {"at", time_json(timeline, it->t)}, {"episode", it->episode}};
    break;
  }
  json icans = nullptr;
  for (auto it = grades.icans.rbegin(); it != grades.icans.rend(); ++it) {
    if (!it->result.grade) continue;
    icans = {{"grade", *it->result.grade}, {"at", time_json(timeline, it->t)}};
    break;
  }
  out["crs_now"] = std::move(crs);
  out["icans_now"] = std::move(icans);
  const auto max_crs = grades.max_crs_grade();
  const auto max_icans = grades.max_icans_grade();
  out["crs_max"] = max_crs ? json(*max_crs) : json(nullptr);
  out["icans_max"] = max_icans ? json(*max_icans) : json(nullptr);
  const auto& events = timeline.events();
  out["last_observation"] =
      events.empty() ? json(nullptr) : time_json(timeline, events.back().time.seconds_since_infusion, events.back().time.form);
  return out;
}

json or_null(const std::optional<int>& value) { return value ? json(*value) : json(nullptr); }
json or_null(const std::optional<std::string>& value) { return value ? json(*value) : json(nullptr); }

}  // namespace

Api::Api(Store& store, std::vector<Protocol> protocols, RuleSet rules)
    : store_(store), protocols_(std::move(protocols)), rules_(std::move(rules)), protocol_rules_(ProtocolRules::from(rules_)) {}

ApiResponse Api::handle(const ApiRequest& request) {
  try {
    return route(request);
  } catch (const ApiError& error) {
    return error_response(error.status, error.what(), error.where);
  } catch (const InputError& error) {
    json problems = json::array();
    for (const Problem& p : error.problems()) {
      problems.push_back({{"pointer", p.where.json_pointer}, {"field", p.where.field}, {"reason", p.reason}});
    }
    return error_response(422, "the request's content is not valid", "/body", std::move(problems));
  } catch (const StoreError& error) {
    return error_response(503, fmt::format("the store failed: {}", error.what()));
  } catch (const std::exception& error) {
    return error_response(500, fmt::format("internal error: {}", error.what()));
  }
}

ApiResponse Api::route(const ApiRequest& request) {
  const std::vector<std::string> s = segments_of(request.path);
  if (s.size() < 3 || s[0] != "api" || s[1] != "v1") throw ApiError(404, fmt::format("no such resource: {}", request.path));
  // Reads only, so far (docs/api.md): any other method on a known resource is refused as such.
  const auto read = [&](auto&& answer) -> ApiResponse {
    if (request.method != "GET") {
      throw ApiError(405, fmt::format("{} is not allowed on {} (GET is)", request.method, request.path));
    }
    return answer();
  };
  if (s.size() == 3 && s[2] == "protocols") return read([&] { accept_only(request, {}); return protocols(); });
  if (s[2] != "patients") throw ApiError(404, fmt::format("no such resource: {}", request.path));
  if (s.size() == 3) return read([&] { return list_patients(request); });
  const std::string& patient = s[3];
  if (s.size() == 5) {
    if (s[4] == "timeline") return read([&] { return patient_timeline(request, patient); });
    if (s[4] == "grades") return read([&] { return patient_grades(request, patient); });
    if (s[4] == "recommendations") return read([&] { return patient_recommendations(request, patient); });
    if (s[4] == "history") return read([&] { accept_only(request, {}); return patient_history(patient); });
  }
  throw ApiError(404, fmt::format("no such resource: {}", request.path));
}

Timeline Api::timeline_of(const std::string& patient, const std::optional<std::string>& as_of) {
  std::optional<Timeline> timeline;
  {
    const std::lock_guard lock(store_mutex_);
    timeline = store_.read_timeline(patient, as_of);
  }
  if (!timeline) throw ApiError(404, fmt::format("no patient \"{}\" in the store{}", patient, as_of ? " at that time" : ""), "/path/patient");
  return std::move(*timeline);
}

const Protocol& Api::protocol_named(const ApiRequest& request) const {
  const auto name = single(request, "protocol");
  std::string names;
  for (const Protocol& p : protocols_) names += fmt::format("{}{}", names.empty() ? "" : ", ", p.name);
  if (!name) throw ApiError(422, fmt::format("\"protocol\" is required: one of {}", names), "/query/protocol");
  const auto it = std::find_if(protocols_.begin(), protocols_.end(), [&](const Protocol& p) { return p.name == *name; });
  if (it == protocols_.end()) {
    throw ApiError(422, fmt::format("no protocol \"{}\": one of {}", *name, names), "/query/protocol");
  }
  return *it;
}

ApiResponse Api::list_patients(const ApiRequest& request) {
  accept_only(request, {"active", "on"});
  PatientFilter filter;
  filter.active_only = boolean_parameter(request, "active", false);
  if (const auto on = single(request, "on")) {
    if (on->size() != 10 || !parse_date(*on)) throw ApiError(422, fmt::format("\"on\" must be a date YYYY-MM-DD, not \"{}\"", *on), "/query/on");
    filter.on_date = *on;
  }
  std::vector<PatientListing> listings;
  std::vector<Timeline> timelines;
  {
    const std::lock_guard lock(store_mutex_);
    listings = store_.list_patients(filter);
    for (const PatientListing& listing : listings) {
      auto timeline = store_.read_timeline(listing.patient_id);
      if (!timeline) throw StoreError(fmt::format("patient \"{}\" is listed but cannot be read", listing.patient_id));
      timelines.push_back(std::move(*timeline));
    }
  }
  const GradingRules grading = GradingRules::from(rules_);
  json patients = json::array();
  for (std::size_t i = 0; i < listings.size(); ++i) {
    const PatientListing& l = listings[i];
    json row{{"id", l.patient_id},
             {"events", l.events},
             {"infusion_date", or_null(l.infusion_date)},
             {"day_since_infusion", or_null(l.day_since_infusion)},
             {"last_recorded_day", or_null(l.last_recorded_day)},
             {"died", l.died}};
    row.update(glance_json(timelines[i], grade_course(timelines[i], grading)));
    patients.push_back(std::move(row));
  }
  return {200, json{{"patients", std::move(patients)}}};
}

ApiResponse Api::patient_timeline(const ApiRequest& request, const std::string& patient) {
  accept_only(request, {"as_of"});
  std::optional<std::string> as_of;
  if (const auto text = single(request, "as_of")) {
    as_of = stored_utc_time(*text);
    if (!as_of) {
      throw ApiError(422, fmt::format("\"as_of\" must be a UTC date or time (2026-11-23 or 2026-11-23T08:00:00Z), not \"{}\"", *text),
                     "/query/as_of");
    }
  }
  return {200, encode_timeline(timeline_of(patient, as_of))};
}

ApiResponse Api::patient_grades(const ApiRequest& request, const std::string& patient) {
  accept_only(request, {"granularity"});
  GradeGranularity granularity = GradeGranularity::day;
  if (const auto text = single(request, "granularity")) {
    if (*text == "event") granularity = GradeGranularity::event;
    else if (*text != "day") throw ApiError(422, fmt::format("\"granularity\" must be day or event, not \"{}\"", *text), "/query/granularity");
  }
  const Timeline timeline = timeline_of(patient, std::nullopt);
  const GradingRules grading = GradingRules::from(rules_);
  const GradedPatient graded{&timeline, grade_course(timeline, grading)};
  json out{{"grades", grades_json(graded, grading, granularity)}, {"episodes", episodes_json(graded, grading)}};
  out.update(glance_json(timeline, graded.grades));
  return {200, std::move(out)};
}

ApiResponse Api::patient_recommendations(const ApiRequest& request, const std::string& patient) {
  accept_only(request, {"protocol"});
  const Protocol& protocol = protocol_named(request);
  const Timeline timeline = timeline_of(patient, std::nullopt);
  const std::int64_t t = last_recorded_time(timeline) + 1;  // now: after everything recorded, as `crsguard advise`
  const Advice advice = ProtocolEngine(protocol, protocol_rules_).advise(timeline, t);
  return {200, advice_json(timeline, protocol, advice)};
}

ApiResponse Api::patient_history(const std::string& patient) {
  std::vector<AuditEntry> entries;
  {
    const std::lock_guard lock(store_mutex_);
    if (!store_.read_timeline(patient)) throw ApiError(404, fmt::format("no patient \"{}\" in the store", patient), "/path/patient");
    entries = store_.history(patient);
  }
  json out = json::array();
  for (const AuditEntry& e : entries) {
    out.push_back({{"seq", e.seq}, {"at", e.at}, {"actor", e.actor}, {"action", e.action}, {"record", e.record},
                   {"detail", json::parse(e.detail_json, nullptr, false)}});
  }
  return {200, json{{"history", std::move(out)}}};
}

ApiResponse Api::protocols() const { return {200, protocols_json(protocols_)}; }

}  // namespace crsguard
