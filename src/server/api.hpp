#pragma once
// The REST API (/api/v1, docs/api.md) as a function from a request to a response, apart from HTTP so
// that every route can be tested without a socket (http_server.hpp puts it on one). Its documents are
// the CLI's --json documents (grades, advice, timeline), so that the two never disagree.
#include <nlohmann/json.hpp>

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "clinical/protocol_engine.hpp"
#include "core/rule_set.hpp"
#include "model/protocol.hpp"
#include "store/store.hpp"

namespace crsguard {

struct ApiRequest {
  std::string method;                         // "GET", "POST", ...
  std::string path;                           // decoded, without the query: "/api/v1/patients/p1/grades"
  std::multimap<std::string, std::string> query;
  std::string body;
};

struct ApiResponse {
  int status = 200;
  nlohmann::json body;
};

// Thread-safe: requests may come from several threads at once. The store is used by one of them at a
// time; grading and advice run outside that lock.
class Api {
 public:
  Api(Store& store, std::vector<Protocol> protocols, RuleSet rules);
  [[nodiscard]] ApiResponse handle(const ApiRequest& request);

 private:
  ApiResponse route(const ApiRequest& request);
  ApiResponse list_patients(const ApiRequest& request);
  ApiResponse patient_timeline(const ApiRequest& request, const std::string& patient);
  ApiResponse patient_grades(const ApiRequest& request, const std::string& patient);
  ApiResponse patient_recommendations(const ApiRequest& request, const std::string& patient);
  ApiResponse patient_history(const std::string& patient);
  ApiResponse protocols() const;

  Timeline timeline_of(const std::string& patient, const std::optional<std::string>& as_of);
  const Protocol& protocol_named(const ApiRequest& request) const;

  Store& store_;
  std::mutex store_mutex_;
  std::vector<Protocol> protocols_;
  RuleSet rules_;
  ProtocolRules protocol_rules_;
};

}  // namespace crsguard
