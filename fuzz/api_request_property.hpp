#pragma once
// The REST API (server/api.hpp) fed arbitrary requests: whatever the method, path, query, headers
// and body, the answer is a JSON error or document with a status the API documents (docs/api.md) and
// never an internal error (500). Shared by fuzz/api_request_fuzzer.cpp and the regression test
// (tests/server/api_fuzz_regression_test.cpp).
//
// Input: "METHOD\nPATH[?QUERY]\nFLAGS\nBODY". FLAGS may hold 's' (send the session cookie), 't' (the
// CSRF token) and 'j' (Content-Type: application/json); QUERY is name=value pairs joined by '&'.
#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "io/protocol_yaml.hpp"
#include "io/rules_json.hpp"
#include "io/timeline_json.hpp"
#include "server/accounts.hpp"
#include "server/api.hpp"
#include "store/store.hpp"

namespace crsguard::fuzz {

// A store holding one patient and one clinician, an API on it and that clinician's session.
class ApiBench {
 public:
  ApiBench(const std::filesystem::path& folder, const std::string& timeline_json) {
    store_ = open_store("sqlite:" + (folder / "fuzz.db").string());
    store_->import_timelines(read_timelines_json(timeline_json, "seed"), "fuzz", "fuzz");
    create_account(*store_, "nurse", "clinician", "fuzzing password", "fuzz");
    api_ = std::make_unique<Api>(*store_, shipped_protocols(), load_rules());
    ApiRequest login;
    login.method = "POST";
    login.path = "/api/v1/session";
    login.headers = {{"content-type", "application/json"}};
    login.body = R"({"username": "nurse", "password": "fuzzing password"})";
    login.client = "seed";
    const ApiResponse session = api_->handle(login);
    cookie_ = session.headers.at(0).second.substr(0, session.headers.at(0).second.find(';'));
    csrf_ = session.body.at("csrf_token").get<std::string>();
  }

  [[nodiscard]] ApiRequest request_from(std::string_view data) const {
    const auto line = [&data]() {
      const std::size_t end = std::min(data.find('\n'), data.size());
      std::string out(data.substr(0, end));
      data.remove_prefix(std::min(end + 1, data.size()));
      return out;
    };
    ApiRequest request;
    request.method = line();
    std::string target = line();
    const std::string flags = line();
    request.body = std::string(data);
    request.client = "fuzz";
    const std::size_t question = target.find('?');
    request.path = target.substr(0, question);
    if (question != std::string::npos) {
      std::string_view query = std::string_view(target).substr(question + 1);
      while (!query.empty()) {
        const std::size_t end = std::min(query.find('&'), query.size());
        const std::string_view pair = query.substr(0, end);
        const std::size_t equals = pair.find('=');
        request.query.emplace(std::string(pair.substr(0, equals)), equals == std::string_view::npos ? "" : std::string(pair.substr(equals + 1)));
        query.remove_prefix(std::min(end + 1, query.size()));
      }
    }
    if (flags.find('s') != std::string::npos) request.headers["cookie"] = cookie_;
    if (flags.find('t') != std::string::npos) request.headers["x-csrf-token"] = csrf_;
    if (flags.find('j') != std::string::npos) request.headers["content-type"] = "application/json";
    return request;
  }

  // nullopt when the answer is one the API may give; else what is wrong with it.
  [[nodiscard]] std::optional<std::string> failure(std::string_view data) {
    const ApiRequest request = request_from(data);
    const ApiResponse response = api_->handle(request);
    static const std::set<int> kDocumented{200, 201, 401, 403, 404, 405, 409, 415, 422, 429};
    const std::string text = response.serialised();
    if (!kDocumented.contains(response.status)) {
      return fmt::format("{} {} answered {}: {}", request.method, request.path, response.status, text.substr(0, 500));
    }
    const auto document = nlohmann::json::parse(text, nullptr, false);
    if (document.is_discarded() || !document.is_object()) return fmt::format("{} {}: the answer is not a JSON object", request.method, request.path);
    if (response.status >= 400 && !document.contains("error")) return fmt::format("{} {}: an error without \"error\"", request.method, request.path);
    return std::nullopt;
  }

 private:
  std::unique_ptr<Store> store_;
  std::unique_ptr<Api> api_;
  std::string cookie_;
  std::string csrf_;
};

}  // namespace crsguard::fuzz
