#pragma once
// The REST API (/api/v1, docs/api.md) as a function from a request to a response, apart from HTTP so
// that every route can be tested without a socket (http_server.hpp puts it on one). Its documents are
// the CLI's --json documents (grades, advice, timeline), so that the two never disagree. Every route
// but logging in needs a session; what a session may do is its account's role; every state-changing
// request carries the session's CSRF token; every write is in the store's audit trail with the user.
#include <nlohmann/json.hpp>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "clinical/course_grades.hpp"
#include "clinical/protocol_engine.hpp"
#include "core/rule_set.hpp"
#include "model/protocol.hpp"
#include "server/sessions.hpp"
#include "store/store.hpp"

namespace crsguard {

struct ApiRequest {
  std::string method;                         // "GET", "POST", ...
  std::string path;                           // decoded, without the query: "/api/v1/patients/p1/grades"
  std::multimap<std::string, std::string> query;
  std::string body;
  std::map<std::string, std::string> headers;  // names in lower case: "cookie", "x-csrf-token", "content-type"
  std::string client;                          // the client's address (the login throttle counts by it)
};

struct ApiResponse {
  ApiResponse() = default;
  ApiResponse(int status_code, nlohmann::json document, std::vector<std::pair<std::string, std::string>> extra = {})
      : status(status_code), body(std::move(document)), headers(std::move(extra)) {}
  int status = 200;
  nlohmann::json body;
  std::shared_ptr<const std::string> text;  // when set, the body already serialised (a cached document)
  std::vector<std::pair<std::string, std::string>> headers;  // "Set-Cookie" and the like
  // Bytes that are not UTF-8 (a query parameter's name echoed in an error) are written as U+FFFD: a
  // request can make the answer say what it sent, never make it fail.
  [[nodiscard]] std::string serialised() const {
    return text ? *text : body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
};

struct ApiOptions {
  bool secure_cookies = false;  // served over TLS: the session cookie is marked Secure
  std::chrono::minutes session_idle = std::chrono::hours(8);
};

inline constexpr const char* kSessionCookie = "crsguard_session";
inline constexpr const char* kCsrfHeader = "x-csrf-token";

// Thread-safe: requests may come from several threads at once. The store is used by one of them at a
// time; grading and advice run outside that lock.
class Api {
 public:
  Api(Store& store, std::vector<Protocol> protocols, RuleSet rules, ApiOptions options = {});
  [[nodiscard]] ApiResponse handle(const ApiRequest& request);
  // Reads and grades every patient's record into the cache, so that the first ward board after a
  // start is answered from it (a server may run this in a thread of its own while it already serves).
  std::size_t warm_cache();  // how many records
  // Makes a warm_cache() in progress return after the record it is reading (a server that stops).
  void stop_warming() { stop_warming_ = true; }

 private:
  ApiResponse route(const ApiRequest& request);
  ApiResponse log_in(const ApiRequest& request);
  ApiResponse log_out(const Session& session);
  ApiResponse list_patients(const ApiRequest& request);
  ApiResponse create_patient(const ApiRequest& request, const Session& session);
  ApiResponse patient_timeline(const ApiRequest& request, const std::string& patient);
  ApiResponse patient_grades(const ApiRequest& request, const std::string& patient);
  ApiResponse patient_recommendations(const ApiRequest& request, const std::string& patient);
  ApiResponse patient_history(const std::string& patient);
  ApiResponse append_event(const ApiRequest& request, const std::string& patient, const Session& session);
  ApiResponse amend_event(const ApiRequest& request, const std::string& patient, const std::string& event,
                          const Session& session);
  ApiResponse retract_event(const ApiRequest& request, const std::string& patient, const std::string& event,
                            const Session& session);
  ApiResponse record_decision(const ApiRequest& request, const std::string& patient, const Session& session);
  ApiResponse list_decisions(const std::string& patient);
  ApiResponse list_accounts();
  ApiResponse create_account(const ApiRequest& request, const Session& session);
  ApiResponse protocols() const;
  ApiResponse patient_figure(const std::string& patient, const std::string& figure);
  ApiResponse cohort_report_route(const ApiRequest& request);

  // A patient's record as the store holds it now, read again only when the store has changed it since
  // (Store::latest_change): its timeline, the timeline document already serialised, and its state at a
  // glance. Shared by the requests that read it; never changed once made.
  struct CachedPatient {
    CachedPatient(std::int64_t at_change, Timeline record) : change(at_change), timeline(std::move(record)) {}
    std::int64_t change = 0;
    Timeline timeline;
    std::shared_ptr<const std::string> timeline_text;
    CourseGrades grades;
    nlohmann::json glance;
    std::map<std::string, nlohmann::json> alerts;  // per protocol name
  };
  std::shared_ptr<const CachedPatient> cached(const std::string& patient, std::optional<std::int64_t> change);
  std::shared_ptr<const CachedPatient> current(const std::string& patient);
  Timeline timeline_of(const std::string& patient, const std::optional<std::string>& as_of);
  const Protocol& protocol_named(const ApiRequest& request) const;
  Session session_of(const ApiRequest& request);
  // Runs a store write under the lock, turning the store's refusals into 404 / 422 answers.
  template <class Write>
  void write_to_store(Write write);

  std::atomic<bool> stop_warming_{false};
  Store& store_;
  std::mutex store_mutex_;
  std::vector<Protocol> protocols_;
  RuleSet rules_;
  ProtocolRules protocol_rules_;
  ApiOptions options_;
  Sessions sessions_;
  LoginThrottle throttle_;
  std::string decoy_hash_;  // checked against when the user name is unknown: a login takes as long either way
  std::mutex cache_mutex_;
  std::mutex loading_mutex_;
  std::map<std::string, std::shared_ptr<const CachedPatient>> cache_;
  // Documents that change only with a write or the date (the ward board, the cohort report), kept with
  // the store's last audit entry they were built from: while it stands, so does the document.
  struct DocumentKey {
    std::string document;  // "board", "cohort-report"
    std::string date;
    bool active_only = false;
    std::string protocol;
    auto operator<=>(const DocumentKey&) const = default;
  };
  struct KeptDocument {
    std::int64_t audit_seq = -1;
    std::shared_ptr<const std::string> text;
  };
  std::map<DocumentKey, KeptDocument> kept_;
  std::int64_t store_audit_seq();
  std::optional<ApiResponse> kept_document(const DocumentKey& key, std::int64_t audit_seq);
  // Built from a store at least as new as audit_seq: a write in between only makes the next request
  // build it again. Only one date is kept, so the map stays small.
  ApiResponse keep_document(const DocumentKey& key, std::int64_t audit_seq, std::string text);
};

}  // namespace crsguard
