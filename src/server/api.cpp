#include "server/api.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

#include "cli/day_summary_output.hpp"
#include "cli/db_commands.hpp"
#include "cli/grading_output.hpp"
#include "cli/protocol_output.hpp"
#include "clinical/course_grades.hpp"
#include "clinical/crs_astct.hpp"
#include "core/problem.hpp"
#include "core/time.hpp"
#include "io/timeline_json.hpp"
#include "analysis/figures.hpp"
#include "cli/cohort_report.hpp"
#include "cli/report_html.hpp"
#include "server/accounts.hpp"
#include "server/vocabulary.hpp"
#include "server/ward_board.hpp"

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

// A body the file reader refused: 422 with each problem's pointer into the request body. The reader
// checks events as the events of a timeline ("/events/N/..."); `in_body` says where that is in this
// request's body.
template <class PointerInBody>
ApiResponse invalid_content(const InputError& error, PointerInBody in_body) {
  json problems = json::array();
  for (const Problem& p : error.problems()) {
    problems.push_back({{"pointer", in_body(p.where.json_pointer)}, {"field", p.where.field}, {"reason", p.reason}});
  }
  return error_response(422, "the request's content is not valid", "/body", std::move(problems));
}

// "/events/N/rest" → "/N/rest" (the body is a list of events) or, with `one_event_at`, "/events/0/rest"
// → one_event_at + "/rest" (the body is one event, or holds it at that pointer).
std::string event_pointer_in_body(const std::string& pointer, bool list, const std::string& one_event_at) {
  constexpr std::string_view kEvents = "/events";
  if (pointer.rfind(kEvents, 0) != 0) return pointer;
  if (list) return pointer.substr(kEvents.size());
  constexpr std::string_view kFirst = "/events/0";
  if (pointer.rfind(kFirst, 0) == 0) return one_event_at + pointer.substr(kFirst.size());
  return pointer;
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
  for (const auto& parameter : request.query) {
    const std::string& name = parameter.first;
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

json or_null(const std::optional<int>& value) { return value ? json(*value) : json(nullptr); }
json or_null(const std::optional<std::string>& value) { return value ? json(*value) : json(nullptr); }

ApiError no_patient(const std::string& patient) {
  return ApiError(404, fmt::format("no patient \"{}\" in the store", patient), "/path/patient");
}

bool changes_state(const std::string& method) { return method != "GET" && method != "HEAD"; }

std::optional<std::string> header(const ApiRequest& request, const std::string& name) {
  const auto it = request.headers.find(name);
  if (it == request.headers.end()) return std::nullopt;
  return it->second;
}

// The value of one cookie in a Cookie header ("a=1; crsguard_session=…").
std::optional<std::string> cookie(const ApiRequest& request, std::string_view name) {
  const auto text = header(request, "cookie");
  if (!text) return std::nullopt;
  std::string_view rest = *text;
  while (!rest.empty()) {
    const std::size_t end = std::min(rest.find(';'), rest.size());
    std::string_view pair = rest.substr(0, end);
    rest.remove_prefix(std::min(end + 1, rest.size()));
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const std::size_t equals = pair.find('=');
    if (equals != std::string_view::npos && pair.substr(0, equals) == name) return std::string(pair.substr(equals + 1));
  }
  return std::nullopt;
}

// Compares without an early exit, so that how long it takes says nothing about where two tokens differ.
bool same_secret(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char difference = 0;
  for (std::size_t i = 0; i < a.size(); ++i) difference |= static_cast<unsigned char>(a[i] ^ b[i]);
  return difference == 0;
}

// A body is JSON or nothing: a cross-site form cannot send application/json without the browser asking
// the server first. (Checked before the query: a form body would otherwise read as query parameters.)
void require_json_content(const ApiRequest& request) {
  const auto type = header(request, "content-type");
  if (!type || type->rfind("application/json", 0) != 0) {
    throw ApiError(415, "the body must be JSON (Content-Type: application/json)", "/headers/content-type");
  }
}

// The request body as a JSON object.
json body_object(const ApiRequest& request) {
  require_json_content(request);
  json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded()) throw ApiError(422, "the body is not JSON", "/body");
  if (!body.is_object()) throw ApiError(422, "the body must be a JSON object", "/body");
  return body;
}

std::string string_field(const json& body, const std::string& name) {
  const auto it = body.find(name);
  if (it == body.end()) throw ApiError(422, fmt::format("\"{}\" is required", name), "/body/" + name);
  if (!it->is_string()) throw ApiError(422, fmt::format("\"{}\" must be a string", name), "/body/" + name);
  return it->get<std::string>();
}

void require_role(const Session& session, Role needed) {
  if (session.role < needed) {
    throw ApiError(403, fmt::format("{} may not do this (it needs {})", to_name(session.role), to_name(needed)));
  }
}

std::string session_cookie(const std::string& value, std::chrono::seconds max_age, bool secure) {
  return fmt::format("{}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}", kSessionCookie, value, max_age.count(),
                     secure ? "; Secure" : "");
}

}  // namespace

Api::Api(Store& store, std::vector<Protocol> protocols, RuleSet rules, ApiOptions options)
    : store_(store),
      protocols_(std::move(protocols)),
      rules_(std::move(rules)),
      protocol_rules_(ProtocolRules::from(rules_)),
      options_(options),
      sessions_(options.session_idle),
      decoy_hash_(hash_password(random_hex(16))) {
  if (protocols_.empty()) throw std::invalid_argument("the API needs at least one protocol");
  // The ward board's default protocol is the first by name: the same whatever order the files were read in.
  std::sort(protocols_.begin(), protocols_.end(), [](const Protocol& a, const Protocol& b) { return a.name < b.name; });
}

ApiResponse Api::handle(const ApiRequest& request) {
  try {
    return route(request);
  } catch (const ApiError& error) {
    return error_response(error.status, error.what(), error.where);
  } catch (const InputError& error) {
    return invalid_content(error, [](const std::string& pointer) { return pointer; });
  } catch (const StoreError& error) {
    return error_response(503, fmt::format("the store failed: {}", error.what()));
  } catch (const std::exception& error) {
    return error_response(500, fmt::format("internal error: {}", error.what()));
  }
}

ApiResponse Api::route(const ApiRequest& request) {
  const std::vector<std::string> s = segments_of(request.path);
  if (s.size() < 3 || s[0] != "api" || s[1] != "v1") throw ApiError(404, fmt::format("no such resource: {}", request.path));
  const std::string& method = request.method;
  const auto not_allowed = [&](const char* allowed) {
    return ApiError(405, fmt::format("{} is not allowed on {} ({} is)", method, request.path, allowed));
  };
  if (s.size() == 3 && s[2] == "session" && method == "POST") return log_in(request);

  // Everything else needs a session, and a state-changing request also its CSRF token.
  const Session session = session_of(request);
  if (changes_state(method)) {
    const auto token = header(request, kCsrfHeader);
    if (!token || !same_secret(*token, session.csrf_token)) {
      throw ApiError(403, "a state-changing request needs the session's CSRF token (X-CSRF-Token)", "/headers/x-csrf-token");
    }
    if (!request.body.empty()) require_json_content(request);
  }
  const auto reading = [&](const char* allowed) {
    if (method != "GET") throw not_allowed(allowed);
  };
  if (s.size() == 3 && s[2] == "session") {
    if (method == "DELETE") return log_out(session);
    reading("GET, POST, DELETE");
    return {200, json{{"username", session.username}, {"role", to_name(session.role)}, {"csrf_token", session.csrf_token}}};
  }
  if (s.size() == 3 && s[2] == "protocols") {
    reading("GET");
    accept_only(request, {});
    return protocols();
  }
  if (s.size() == 3 && s[2] == "accounts") {
    require_role(session, Role::admin);
    if (method == "POST") return create_account(request, session);
    reading("GET, POST");
    accept_only(request, {});
    return list_accounts();
  }
  if (s.size() == 3 && s[2] == "vocabulary") {
    reading("GET");
    accept_only(request, {});
    return {200, vocabulary_json()};
  }
  if (s.size() == 4 && s[2] == "cohort" && s[3] == "report") {
    reading("GET");
    return cohort_report_route(request);
  }
  if (s[2] != "patients") throw ApiError(404, fmt::format("no such resource: {}", request.path));
  if (s.size() == 3) {
    if (method == "POST") {
      require_role(session, Role::clinician);
      return create_patient(request, session);
    }
    reading("GET, POST");
    return list_patients(request);
  }
  const std::string& patient = s[3];
  if (s.size() == 5 && s[4] == "events") {
    if (method != "POST") throw not_allowed("POST");
    require_role(session, Role::clinician);
    return append_event(request, patient, session);
  }
  if (s.size() == 5 && s[4] == "decisions") {
    if (method == "POST") {
      require_role(session, Role::clinician);
      return record_decision(request, patient, session);
    }
    reading("GET, POST");
    accept_only(request, {});
    return list_decisions(patient);
  }
  if (s.size() == 6 && s[4] == "events") {
    require_role(session, Role::clinician);
    if (method == "PUT") return amend_event(request, patient, s[5], session);
    if (method == "DELETE") return retract_event(request, patient, s[5], session);
    throw not_allowed("PUT, DELETE");
  }
  if (s.size() == 5) {
    const auto read_route = [&](auto&& answer) -> ApiResponse {
      reading("GET");
      return answer();
    };
    if (s[4] == "timeline") return read_route([&] { return patient_timeline(request, patient); });
    if (s[4] == "grades") return read_route([&] { return patient_grades(request, patient); });
    if (s[4] == "recommendations") return read_route([&] { return patient_recommendations(request, patient); });
    if (s[4] == "history") return read_route([&] { accept_only(request, {}); return patient_history(patient); });
    if (s[4] == "days") {
      return read_route([&] {
        accept_only(request, {});
        return ApiResponse{200, day_summary_json(current(patient)->timeline)};
      });
    }
  }
  if (s.size() == 6 && s[4] == "figures") {
    reading("GET");
    accept_only(request, {});
    return patient_figure(patient, s[5]);
  }
  throw ApiError(404, fmt::format("no such resource: {}", request.path));
}

Session Api::session_of(const ApiRequest& request) {
  const auto id = cookie(request, kSessionCookie);
  if (!id) throw ApiError(401, "log in first (POST /api/v1/session)");
  auto session = sessions_.find(*id);
  if (!session) throw ApiError(401, "the session has ended: log in again");
  return std::move(*session);
}

ApiResponse Api::log_in(const ApiRequest& request) {
  accept_only(request, {});
  const json body = body_object(request);
  const std::string username = string_field(body, "username");
  const std::string password = string_field(body, "password");
  const std::string by_name = "user:" + username;
  const std::string by_client = "client:" + request.client;
  if (!throttle_.allows(by_name) || !throttle_.allows(by_client)) {
    return error_response(429, "too many failed logins: wait 15 minutes");
  }
  std::optional<Account> account;
  {
    const std::lock_guard lock(store_mutex_);
    account = store_.find_account(username);
  }
  // One message for an unknown name, a wrong password and a disabled account: a failed login tells
  // nothing about which accounts exist.
  const bool matches = password_matches(account ? account->password_hash : decoy_hash_, password);
  const auto role = account ? from_name<Role>(account->role) : std::nullopt;
  if (!account || !matches || !account->active || !role) {
    throttle_.failed(by_name);
    throttle_.failed(by_client);
    return error_response(401, "wrong user name or password, or the account is disabled");
  }
  throttle_.succeeded(by_name);
  const Session session = sessions_.open(username, *role);
  ApiResponse out{200, json{{"username", username}, {"role", to_name(*role)}, {"csrf_token", session.csrf_token}}, {}};
  const auto max_age = std::chrono::duration_cast<std::chrono::seconds>(options_.session_idle);
  out.headers.emplace_back("Set-Cookie", session_cookie(session.id, max_age, options_.secure_cookies));
  return out;
}

ApiResponse Api::log_out(const Session& session) {
  sessions_.close(session.id);
  ApiResponse out{200, json{{"logged_out", session.username}}, {}};
  out.headers.emplace_back("Set-Cookie", session_cookie("", std::chrono::seconds(0), options_.secure_cookies));
  return out;
}

template <class Write>
void Api::write_to_store(Write write) {
  try {
    const std::lock_guard lock(store_mutex_);
    write();
  } catch (const std::invalid_argument& error) {
    // The store's refusals: an unknown patient or event is not there (404); anything else is the request's fault.
    const std::string message = error.what();
    if (message.rfind("no patient", 0) == 0) throw ApiError(404, message, "/path/patient");
    if (message.rfind("no event", 0) == 0) throw ApiError(404, message, "/path/event");
    throw ApiError(422, message, "/body");
  }
}

ApiResponse Api::create_patient(const ApiRequest& request, const Session& session) {
  accept_only(request, {});
  (void)body_object(request);  // JSON, as every body
  std::vector<Timeline> timelines = read_timelines_json(request.body, "request body");
  if (timelines.size() != 1) throw ApiError(422, "the body must hold one patient's timeline, not a cohort", "/body");
  const std::string id = timelines.front().patient().id;
  ImportSummary summary;
  write_to_store([&] {
    if (store_.read_timeline(id)) throw ApiError(409, fmt::format("patient \"{}\" is in the store already", id), "/body/patient/id");
    summary = store_.import_timelines(timelines, session.username, "api");
  });
  return {201, json{{"id", id}, {"events", summary.events_added}}, {}};
}

// One event (an object), or several (an array) recorded all or nothing: an entry form's readings.
ApiResponse Api::append_event(const ApiRequest& request, const std::string& patient, const Session& session) {
  accept_only(request, {});
  require_json_content(request);
  const json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded()) throw ApiError(422, "the body is not JSON", "/body");
  const bool list = body.is_array();
  try {
    if (body.is_object()) {
      std::string uid;
      write_to_store([&] { uid = store_.append_event(patient, request.body, session.username); });
      return {201, json{{"event_uid", uid}}, {}};
    }
    if (!list || body.empty()) throw ApiError(422, "the body must be an event (an object) or a non-empty list of events", "/body");
    std::vector<std::string> events;
    for (const json& event : body) events.push_back(event.dump());
    std::vector<std::string> uids;
    write_to_store([&] { uids = store_.append_events(patient, events, session.username); });
    return {201, json{{"event_uids", uids}}, {}};
  } catch (const InputError& error) {
    return invalid_content(error, [&](const std::string& pointer) { return event_pointer_in_body(pointer, list, ""); });
  }
}

ApiResponse Api::amend_event(const ApiRequest& request, const std::string& patient, const std::string& event,
                             const Session& session) {
  accept_only(request, {});
  const json body = body_object(request);
  const std::string reason = string_field(body, "reason");
  const auto replacement = body.find("event");
  if (replacement == body.end() || !replacement->is_object()) throw ApiError(422, "\"event\" is required: the event as it should read", "/body/event");
  try {
    write_to_store([&] { store_.amend_event(patient, event, replacement->dump(), session.username, reason); });
  } catch (const InputError& error) {
    return invalid_content(error, [](const std::string& pointer) { return event_pointer_in_body(pointer, false, "/event"); });
  }
  return {200, json{{"event_uid", event}}, {}};
}

ApiResponse Api::retract_event(const ApiRequest& request, const std::string& patient, const std::string& event,
                               const Session& session) {
  accept_only(request, {});
  const json body = body_object(request);
  const std::string reason = string_field(body, "reason");
  write_to_store([&] { store_.retract_event(patient, event, session.username, reason); });
  return {200, json{{"event_uid", event}, {"retracted", true}}, {}};
}

// An answer to a recommendation the engine makes now: the step must be among the current advice's
// recommendations, so that what is recorded as accepted is what was on the screen.
ApiResponse Api::record_decision(const ApiRequest& request, const std::string& patient, const Session& session) {
  accept_only(request, {});
  const json body = body_object(request);
  const std::string protocol_name = string_field(body, "protocol");
  const std::string step = string_field(body, "step");
  const std::string decision = string_field(body, "decision");
  if (decision != "accepted" && decision != "declined") {
    throw ApiError(422, fmt::format("\"decision\" is accepted or declined, not \"{}\"", decision), "/body/decision");
  }
  std::string reason;
  if (body.contains("reason")) reason = string_field(body, "reason");
  if (decision == "declined" && reason.find_first_not_of(" \t\r\n") == std::string::npos) {
    throw ApiError(422, "a declined recommendation needs a reason", "/body/reason");
  }
  const auto protocol = std::find_if(protocols_.begin(), protocols_.end(), [&](const Protocol& p) { return p.name == protocol_name; });
  if (protocol == protocols_.end()) throw ApiError(422, fmt::format("no protocol \"{}\"", protocol_name), "/body/protocol");
  const auto entry = current(patient);
  const Timeline& timeline = entry->timeline;
  const std::int64_t t = last_recorded_time(timeline) + 1;
  // The answer is to the advice the clinician saw: if the record has changed since (a reading, a dose,
  // a weight), that advice may no longer stand, and the page must show the new one first.
  if (body.contains("advice_at")) {
    const auto& shown = body["advice_at"];
    if (!shown.is_number()) throw ApiError(422, "\"advice_at\" is the advice's hours_since_infusion (a number)", "/body/advice_at");
    const json now = time_json(timeline, t);
    if (std::abs(shown.get<double>() - now["hours_since_infusion"].get<double>()) > 1e-6) {
      throw ApiError(409, "the record has changed since this advice was given: reload and answer the current advice", "/body/advice_at");
    }
  }
  const Advice advice = ProtocolEngine(*protocol, protocol_rules_).advise(timeline, t);
  const auto recommended = std::find_if(advice.recommendations.begin(), advice.recommendations.end(),
                                        [&](const Recommendation& r) { return r.step_id == step; });
  if (recommended == advice.recommendations.end()) {
    throw ApiError(409, fmt::format("step \"{}\" of {} is not recommended now", step, protocol_name), "/body/step");
  }
  // A blocking safety check stands in the way of giving it: it can be declined, not accepted (the CLI
  // lifts a block only with --override and its reason).
  if (decision == "accepted" && recommended->status == RecommendationStatus::blocked) {
    throw ApiError(409, fmt::format("step \"{}\" is blocked by a safety check: it cannot be accepted", step), "/body/step");
  }
  json doses = json::array();
  for (const PhaseDose& phase : recommended->schedule) doses.push_back(phase.summary);
  const json record{{"protocol", protocol_name},
                    {"step", step},
                    {"drug", recommended->drug},
                    {"doses", std::move(doses)},
                    {"decision", decision},
                    {"reason", reason},
                    {"recommended_at", time_json(timeline, t)}};
  std::int64_t number = 0;
  write_to_store([&] { number = store_.record_decision(patient, record.dump(), session.username); });
  json out = record;
  out["number"] = number;
  return {201, std::move(out)};
}

ApiResponse Api::list_decisions(const std::string& patient) {
  std::vector<StoredDecision> decisions;
  {
    const std::lock_guard lock(store_mutex_);
    if (!store_.latest_change(patient)) throw no_patient(patient);  // one indexed query, not the whole record
    decisions = store_.decisions(patient);
  }
  json out = json::array();
  for (const StoredDecision& d : decisions) {
    json row = json::parse(d.body_json);
    row["number"] = d.number;
    row["recorded_at"] = d.recorded_at;
    row["recorded_by"] = d.recorded_by;
    out.push_back(std::move(row));
  }
  return {200, json{{"decisions", std::move(out)}}};
}

ApiResponse Api::list_accounts() {
  std::vector<Account> accounts;
  {
    const std::lock_guard lock(store_mutex_);
    accounts = store_.accounts();
  }
  json out = json::array();
  for (const Account& a : accounts) {
    out.push_back({{"username", a.username}, {"role", a.role}, {"active", a.active}, {"version", a.version},
                   {"recorded_at", a.recorded_at}, {"recorded_by", a.recorded_by}});
  }
  return {200, json{{"accounts", std::move(out)}}, {}};
}

ApiResponse Api::create_account(const ApiRequest& request, const Session& session) {
  accept_only(request, {});
  const json body = body_object(request);
  const std::string username = string_field(body, "username");
  const std::string role = string_field(body, "role");
  const std::string password = string_field(body, "password");
  write_to_store([&] { crsguard::create_account(store_, username, role, password, session.username); });
  return {201, json{{"username", username}, {"role", role}}, {}};
}

std::shared_ptr<const Api::CachedPatient> Api::cached(const std::string& patient, std::optional<std::int64_t> change) {
  if (!change) return nullptr;
  {
    const std::lock_guard lock(cache_mutex_);
    if (const auto it = cache_.find(patient); it != cache_.end() && it->second->change == *change) return it->second;
  }
  // One request at a time reads and grades a record that is not cached (readers of cached records do not
  // wait for it), so that a hundred screens asking at once do not all read the same record.
  const std::lock_guard loading(loading_mutex_);
  {
    const std::lock_guard lock(cache_mutex_);
    if (const auto it = cache_.find(patient); it != cache_.end() && it->second->change == *change) return it->second;
  }
  std::optional<Timeline> timeline;
  {
    const std::lock_guard lock(store_mutex_);
    timeline = store_.read_timeline(patient);
  }
  if (!timeline) return nullptr;
  auto entry = std::make_shared<CachedPatient>(*change, std::move(*timeline));
  entry->timeline_text = std::make_shared<const std::string>(encode_timeline(entry->timeline).dump());
  entry->grades = grade_course(entry->timeline, GradingRules::from(rules_));
  entry->glance = glance_json(entry->timeline, entry->grades);
  const std::int64_t now = last_recorded_time(entry->timeline) + 1;
  for (const Protocol& protocol : protocols_) {
    const Advice advice = ProtocolEngine(protocol, protocol_rules_).advise(entry->timeline, now);
    entry->alerts[protocol.name] = alerts_json(entry->grades, advice);
  }
  const std::lock_guard lock(cache_mutex_);
  cache_[patient] = entry;
  return entry;
}

// A write between reading the change and reading the record only makes the cached copy newer than its
// mark: the next request reads it again.
std::shared_ptr<const Api::CachedPatient> Api::current(const std::string& patient) {
  std::optional<std::int64_t> change;
  {
    const std::lock_guard lock(store_mutex_);
    change = store_.latest_change(patient);
  }
  auto entry = cached(patient, change);
  if (!entry) throw no_patient(patient);
  return entry;
}

Timeline Api::timeline_of(const std::string& patient, const std::optional<std::string>& as_of) {
  if (!as_of) return current(patient)->timeline;
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
  accept_only(request, {"active", "on", "protocol"});
  const std::string& protocol = request.query.count("protocol") ? protocol_named(request).name : protocols_.front().name;
  PatientFilter filter;
  filter.active_only = boolean_parameter(request, "active", false);
  if (const auto on = single(request, "on")) {
    if (on->size() != 10 || !parse_date(*on)) throw ApiError(422, fmt::format("\"on\" must be a date YYYY-MM-DD, not \"{}\"", *on), "/query/on");
    filter.on_date = *on;
  }
  // The board changes only with a write (or the date): while the store's last audit entry is the one
  // it was built at, the same answer stands.
  const DocumentKey key{"board", filter.on_date.empty() ? format_date(today_local()) : filter.on_date, filter.active_only, protocol};
  filter.on_date = key.date;
  const std::int64_t audit_seq = store_audit_seq();
  if (auto kept = kept_document(key, audit_seq)) return std::move(*kept);
  std::vector<PatientListing> listings;
  std::map<std::string, std::int64_t> changes;
  {
    const std::lock_guard lock(store_mutex_);
    listings = store_.list_patients(filter);
    changes = store_.latest_changes();
  }
  json patients = json::array();
  for (std::size_t i = 0; i < listings.size(); ++i) {
    const PatientListing& l = listings[i];
    json row{{"id", l.patient_id},
             {"events", l.events},
             {"infusion_date", or_null(l.infusion_date)},
             {"day_since_infusion", or_null(l.day_since_infusion)},
             {"last_recorded_day", or_null(l.last_recorded_day)},
             {"died", l.died}};
    const auto change = changes.find(l.patient_id);
    const auto entry = cached(l.patient_id, change == changes.end() ? std::nullopt : std::optional(change->second));
    if (!entry) throw StoreError(fmt::format("patient \"{}\" is listed but cannot be read", l.patient_id));
    row.update(entry->glance);
    row["alerts"] = entry->alerts.at(protocol);
    patients.push_back(std::move(row));
  }
  return keep_document(key, audit_seq, json{{"patients", std::move(patients)}}.dump());
}

std::int64_t Api::store_audit_seq() {
  const std::lock_guard lock(store_mutex_);
  return store_.last_audit_seq();
}

std::optional<ApiResponse> Api::kept_document(const DocumentKey& key, std::int64_t audit_seq) {
  const std::lock_guard lock(cache_mutex_);
  const auto it = kept_.find(key);
  if (it == kept_.end() || it->second.audit_seq != audit_seq) return std::nullopt;
  ApiResponse out{200, nullptr};
  out.text = it->second.text;
  return out;
}

ApiResponse Api::keep_document(const DocumentKey& key, std::int64_t audit_seq, std::string text) {
  ApiResponse out{200, nullptr};
  out.text = std::make_shared<const std::string>(std::move(text));
  const std::lock_guard lock(cache_mutex_);
  std::erase_if(kept_, [&](const auto& kept) { return kept.first.date != key.date; });
  kept_[key] = {audit_seq, out.text};
  return out;
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
  if (!as_of) {
    ApiResponse out{200, nullptr};
    out.text = current(patient)->timeline_text;
    return out;
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
  const auto entry = current(patient);
  const GradingRules grading = GradingRules::from(rules_);
  const GradedPatient graded{&entry->timeline, entry->grades};
  json out{{"grades", grades_json(graded, grading, granularity)}, {"episodes", episodes_json(graded, grading)}};
  out.update(entry->glance);
  return {200, std::move(out)};
}

ApiResponse Api::patient_recommendations(const ApiRequest& request, const std::string& patient) {
  accept_only(request, {"protocol"});
  const Protocol& protocol = protocol_named(request);
  const auto entry = current(patient);
  const Timeline& timeline = entry->timeline;
  const std::int64_t t = last_recorded_time(timeline) + 1;  // now: after everything recorded, as `crsguard advise`
  const Advice advice = ProtocolEngine(protocol, protocol_rules_).advise(timeline, t);
  return {200, advice_json(timeline, protocol, advice)};
}

ApiResponse Api::patient_history(const std::string& patient) {
  std::vector<AuditEntry> entries;
  {
    const std::lock_guard lock(store_mutex_);
    if (!store_.latest_change(patient)) throw no_patient(patient);  // one indexed query, not the whole record
    entries = store_.history(patient);
  }
  json out = json::array();
  for (const AuditEntry& e : entries) {
    out.push_back({{"seq", e.seq}, {"at", e.at}, {"actor", e.actor}, {"action", e.action}, {"record", e.record},
                   {"detail", json::parse(e.detail_json, nullptr, false)}});
  }
  return {200, json{{"history", std::move(out)}}};
}

std::size_t Api::warm_cache() {
  std::map<std::string, std::int64_t> changes;
  {
    const std::lock_guard lock(store_mutex_);
    changes = store_.latest_changes();
  }
  std::size_t read = 0;
  for (const auto& [patient, change] : changes) {
    if (stop_warming_) break;
    (void)cached(patient, change);
    ++read;
  }
  return read;
}

ApiResponse Api::protocols() const { return {200, protocols_json(protocols_)}; }

ApiResponse Api::patient_figure(const std::string& patient, const std::string& figure) {
  const auto entry = current(patient);
  const CohortPatient one{&entry->timeline, entry->grades};
  const std::span<const CohortPatient> cohort(&one, 1);
  if (figure == "vitals") return {200, vitals_panel(entry->timeline)};
  if (figure == "grades") return {200, swimmer_plot(cohort)};
  if (figure == "cytokines") return {200, cytokine_kinetics(cohort)};
  if (figure == "car-t") return {200, car_t_expansion(cohort)};
  throw ApiError(404, fmt::format("no figure \"{}\": vitals, grades, cytokines or car-t", figure), "/path/figure");
}

// The report of `crsguard report` over the patients in the store (the active ones, if asked), as JSON.
ApiResponse Api::cohort_report_route(const ApiRequest& request) {
  accept_only(request, {"active"});
  PatientFilter filter;
  filter.active_only = boolean_parameter(request, "active", false);
  filter.on_date = format_date(today_local());
  // Like the board, the report stands until the next write (or the next day): 2 s and 17 MB for 500
  // patients (bench/README.md) are built once, not at every visit.
  const DocumentKey key{"cohort-report", filter.on_date, filter.active_only, ""};
  const std::int64_t audit_seq = store_audit_seq();
  if (auto kept = kept_document(key, audit_seq)) return std::move(*kept);
  std::vector<PatientListing> listings;
  {
    const std::lock_guard lock(store_mutex_);
    listings = store_.list_patients(filter);
  }
  std::vector<std::shared_ptr<const CachedPatient>> entries;
  std::vector<CohortPatient> patients;
  for (const PatientListing& listing : listings) {
    entries.push_back(current(listing.patient_id));
    patients.push_back({&entries.back()->timeline, entries.back()->grades});
  }
  if (patients.empty()) {
    return {200, json{{"title", filter.active_only ? "Active patients" : "All patients in the store"},
                      {"subtitle", filter.on_date},
                      {"generated", ""},
                      {"sections", json::array({{{"heading", "Patients"},
                                                 {"blocks", json::array({{{"type", "paragraph"}, {"text", "No patient."}}})}}})}}};
  }
  CohortReportOptions options;
  options.title = filter.active_only ? "Active patients" : "All patients in the store";
  options.source = fmt::format("{} patient{}, {}", patients.size(), patients.size() == 1 ? "" : "s", filter.on_date);
  options.platelet_rules = PlateletRules::from(rules_);
  return keep_document(key, audit_seq, report_document_json(cohort_report(patients, options)).dump(-1, ' ', false, json::error_handler_t::replace));
}

}  // namespace crsguard
