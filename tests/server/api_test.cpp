// The REST API over real HTTP on loopback (server/http_server.hpp): an embedded SQLite store holding
// two shipped examples and one account of each role, one server on a free port for the whole suite,
// and clients that log in as each role (or not at all).
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "../io/test_files.hpp"
#include "../temp_folder.hpp"
#include "core/time.hpp"
#include "io/protocol_yaml.hpp"
#include "io/rules_json.hpp"
#include "io/timeline_json.hpp"
#include "server/accounts.hpp"
#include "server/api.hpp"
#include "server/demo.hpp"
#include "server/http_server.hpp"
#include "store/store.hpp"

namespace crsguard {
namespace {

using nlohmann::json;

constexpr const char* kPassword = "correct horse battery";
constexpr const char* kFever = R"({"kind": "observation", "code": "body_temperature", "value": 39.4, "unit": "Cel",
                                   "time": {"day": 9, "clock": "06:00"}})";

struct Reply {
  int status = 0;
  json body;
  std::string set_cookie;
};

// A browser-like client: keeps the session cookie and the CSRF token its login returned.
class Client {
 public:
  explicit Client(int port) : http_("127.0.0.1", port) {}
  Reply log_in(const std::string& username, const std::string& password = kPassword) {
    Reply r = send("POST", "/api/v1/session", json{{"username", username}, {"password", password}}.dump());
    if (r.status == 200) {
      cookie_ = r.set_cookie.substr(0, r.set_cookie.find(';'));
      csrf_ = r.body["csrf_token"].get<std::string>();
    }
    return r;
  }
  void forget_csrf() { csrf_.clear(); }
  Reply get(const std::string& path) { return send("GET", path, ""); }
  Reply send(const std::string& method, const std::string& path, const std::string& body,
             const std::string& content_type = "application/json") {
    httplib::Headers headers;
    if (!cookie_.empty()) headers.emplace("Cookie", cookie_);
    if (!csrf_.empty()) headers.emplace("X-CSRF-Token", csrf_);
    httplib::Result result = method == "GET"      ? http_.Get(path, headers)
                             : method == "POST"   ? http_.Post(path, headers, body, content_type)
                             : method == "PUT"    ? http_.Put(path, headers, body, content_type)
                                                  : http_.Delete(path, headers, body, content_type);
    EXPECT_TRUE(result) << method << ' ' << path;
    if (!result) return {};
    EXPECT_EQ(result->get_header_value("Content-Type"), "application/json") << path;
    EXPECT_EQ(result->get_header_value("Cache-Control"), "no-store") << path;
    return {result->status, json::parse(result->body), result->get_header_value("Set-Cookie")};
  }

 private:
  httplib::Client http_;
  std::string cookie_;
  std::string csrf_;
};

class ApiOverHttp : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    folder_ = new testing::TempFolder("api");
    store_ = open_store("sqlite:" + (folder_->path() / "store.db").string()).release();
    std::vector<Timeline> timelines;
    for (const char* file : {"examples/adult-case-zi2021.timeline.json", "examples/paediatric-cohort-pan2021/patient-03.timeline.json"}) {
      for (Timeline& t : read_timelines_json(testing::read_text(testing::source_path(file)), file)) timelines.push_back(std::move(t));
    }
    store_->import_timelines(timelines, "test", "api_test");
    for (const char* role : {"admin", "clinician", "viewer"}) create_account(*store_, role, role, kPassword, "test");
    api_ = new Api(*store_, shipped_protocols(), load_rules());
    ServerOptions options;
    options.port = 0;
    server_ = new HttpServer(*api_, options);
    port_ = server_->bind();
    thread_ = new std::thread([] { server_->serve(); });
    for (int i = 0; i < 500 && !server_->running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  static void TearDownTestSuite() {
    server_->stop();
    thread_->join();
    delete thread_;
    delete server_;
    delete api_;
    delete store_;
    delete folder_;
  }

  static Client as(const std::string& role) {
    Client client(port_);
    EXPECT_EQ(client.log_in(role).status, 200) << role;
    return client;
  }
  static std::string adult_id() { return "zi2021-case"; }
  static std::size_t audit_entries() { return static_cast<std::size_t>(store_->verify_audit().entries); }

  static inline testing::TempFolder* folder_ = nullptr;
  static inline Store* store_ = nullptr;
  static inline Api* api_ = nullptr;
  static inline HttpServer* server_ = nullptr;
  static inline std::thread* thread_ = nullptr;
  static inline int port_ = 0;
};

TEST_F(ApiOverHttp, LogsInWithAStrictHttpOnlyCookieAndOutAgain) {
  Client client(port_);
  const Reply in = client.log_in("clinician");
  ASSERT_EQ(in.status, 200);
  EXPECT_EQ(in.body["role"], "clinician");
  EXPECT_EQ(in.body["csrf_token"].get<std::string>().size(), 64U);
  EXPECT_NE(in.set_cookie.find("crsguard_session="), std::string::npos);
  EXPECT_NE(in.set_cookie.find("HttpOnly"), std::string::npos);
  EXPECT_NE(in.set_cookie.find("SameSite=Strict"), std::string::npos);
  EXPECT_EQ(in.set_cookie.find("Secure"), std::string::npos);  // no TLS here
  EXPECT_EQ(client.get("/api/v1/session").body["username"], "clinician");
  EXPECT_EQ(client.send("DELETE", "/api/v1/session", "").status, 200);
  EXPECT_EQ(client.get("/api/v1/patients").status, 401);  // the session has ended
}

TEST_F(ApiOverHttp, AWrongPasswordAnUnknownNameAndADisabledAccountAreRefusedAlike) {
  Client client(port_);
  const Reply wrong = client.log_in("viewer", "not the password");
  const Reply unknown = client.log_in("nobody");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(wrong.body["error"]["message"], unknown.body["error"]["message"]);
  EXPECT_TRUE(wrong.set_cookie.empty());
}

TEST_F(ApiOverHttp, RepeatedFailedLoginsAreThrottled) {
  // A fresh server (and throttle) of its own, so that the other tests' logins are not counted.
  const testing::TempFolder folder("api-throttle");
  auto store = open_store("sqlite:" + (folder.path() / "store.db").string());
  create_account(*store, "nurse", "clinician", kPassword, "test");
  Api api(*store, shipped_protocols(), load_rules());
  const auto attempt = [&](const std::string& password) {
    const json body{{"username", "nurse"}, {"password", password}};
    return api.handle({"POST", "/api/v1/session", {}, body.dump(), {{"content-type", "application/json"}}, "10.0.0.9"}).status;
  };
  for (int i = 0; i < 5; ++i) EXPECT_EQ(attempt("wrong password " + std::to_string(i)), 401);
  EXPECT_EQ(attempt(kPassword), 429);  // even the right password, until the window has passed
}

TEST_F(ApiOverHttp, EveryRouteNeedsASessionAndEachRoleOnlyWhatItMay) {
  Client anonymous(port_);
  Client viewer = as("viewer");
  Client clinician = as("clinician");
  const std::string p = "/api/v1/patients/" + adult_id();
  const std::size_t before = audit_entries();
  for (const std::string& path : {std::string("/api/v1/patients"), p + "/timeline", p + "/grades", p + "/history", p + "/days",
                                  p + "/figures/vitals", std::string("/api/v1/vocabulary"), std::string("/api/v1/cohort/report"),
                                  p + "/recommendations?protocol=zi2021-adult", std::string("/api/v1/protocols"),
                                  std::string("/api/v1/session")}) {
    EXPECT_EQ(anonymous.get(path).status, 401) << path;
    EXPECT_EQ(viewer.get(path).status, 200) << path;
  }
  const json account{{"username", "intruder"}, {"role", "admin"}, {"password", kPassword}};
  struct Write {
    std::string method, path, body;
  };
  for (const Write& w : std::vector<Write>{{"POST", p + "/events", kFever},
                                           {"PUT", p + "/events/abc", json{{"reason", "r"}, {"event", json::parse(kFever)}}.dump()},
                                           {"DELETE", p + "/events/abc", json{{"reason", "r"}}.dump()},
                                           {"POST", "/api/v1/patients", "{}"},
                                           {"POST", "/api/v1/accounts", account.dump()}}) {
    SCOPED_TRACE(w.method + " " + w.path);
    EXPECT_EQ(anonymous.send(w.method, w.path, w.body).status, 401);
    EXPECT_EQ(viewer.send(w.method, w.path, w.body).status, 403);
  }
  EXPECT_EQ(clinician.get("/api/v1/accounts").status, 403);
  EXPECT_EQ(clinician.send("POST", "/api/v1/accounts", account.dump()).status, 403);
  EXPECT_EQ(audit_entries(), before);  // nothing refused was written
  EXPECT_FALSE(store_->find_account("intruder"));
}

TEST_F(ApiOverHttp, AWriteWithoutTheCsrfTokenOrAsAFormIsRefusedAndChangesNothing) {
  Client clinician = as("clinician");
  const std::string events = "/api/v1/patients/" + adult_id() + "/events";
  const std::size_t before = audit_entries();
  EXPECT_EQ(clinician.send("POST", events, kFever, "application/x-www-form-urlencoded").status, 415);
  clinician.forget_csrf();
  const Reply no_token = clinician.send("POST", events, kFever);
  EXPECT_EQ(no_token.status, 403);
  EXPECT_EQ(no_token.body["error"]["where"], "/headers/x-csrf-token");
  EXPECT_EQ(audit_entries(), before);
}

TEST_F(ApiOverHttp, AClinicianRecordsAReadingThatRaisesTheGradeAndTheAuditNamesThem) {
  Client clinician = as("clinician");
  const std::string p = "/api/v1/patients/" + adult_id();
  const Reply appended = clinician.send("POST", p + "/events", kFever);
  ASSERT_EQ(appended.status, 201) << appended.body.dump();
  const std::string uid = appended.body["event_uid"];
  // Day 9 had no CRS in the record; a fever of 39.4 °C makes it grade 1 at least.
  const Reply grades = clinician.get(p + "/grades");
  ASSERT_EQ(grades.status, 200);
  EXPECT_GE(grades.body["crs_now"]["grade"].get<int>(), 1);
  const Reply history = clinician.get(p + "/history");
  EXPECT_EQ(history.body["history"].back()["actor"], "clinician");
  EXPECT_EQ(history.body["history"].back()["record"], uid);
  // Amended with a reason (the thermometer was wrong), then the amendment is the current reading.
  json corrected = json::parse(kFever);
  corrected["value"] = 37.2;
  json implausible = corrected;
  implausible["value"] = 60;
  const Reply refused = clinician.send("PUT", p + "/events/" + uid, json{{"reason", "probe fault"}, {"event", implausible}}.dump());
  ASSERT_EQ(refused.status, 422);
  EXPECT_EQ(refused.body["error"]["problems"][0]["pointer"], "/event/value");  // where it is in this body
  const Reply amended = clinician.send("PUT", p + "/events/" + uid, json{{"reason", "probe fault"}, {"event", corrected}}.dump());
  ASSERT_EQ(amended.status, 200) << amended.body.dump();
  EXPECT_NE(clinician.get(p + "/timeline").body.dump().find("37.2"), std::string::npos);
  const Reply retracted = clinician.send("DELETE", p + "/events/" + uid, json{{"reason", "wrong patient"}}.dump());
  EXPECT_EQ(retracted.status, 200);
  EXPECT_TRUE(store_->verify_audit().problems.empty());
}

TEST_F(ApiOverHttp, ABadEventIsRefusedAtItsFieldAndChangesNothing) {
  Client clinician = as("clinician");
  const std::string events = "/api/v1/patients/" + adult_id() + "/events";
  const std::size_t before = audit_entries();
  json implausible = json::parse(kFever);
  implausible["value"] = 60;  // °C: not a living patient's temperature
  const Reply refused = clinician.send("POST", events, implausible.dump());
  ASSERT_EQ(refused.status, 422);
  ASSERT_FALSE(refused.body["error"]["problems"].empty());
  EXPECT_EQ(refused.body["error"]["problems"][0]["pointer"], "/value");
  const Reply nobody = clinician.send("POST", "/api/v1/patients/nobody/events", kFever);
  EXPECT_EQ(nobody.status, 404) << nobody.body.dump();
  EXPECT_EQ(clinician.send("POST", events, "{not json").status, 422);
  EXPECT_EQ(clinician.send("PUT", events + "/no-such-event", json{{"reason", "r"}, {"event", json::parse(kFever)}}.dump()).status, 404);
  EXPECT_EQ(clinician.send("DELETE", events + "/no-such-event", json{{"reason", ""}}.dump()).status, 422);
  EXPECT_EQ(audit_entries(), before);
}

TEST_F(ApiOverHttp, AClinicianAnswersTheCurrentRecommendationAndTheAnswerIsInTheHistory) {
  Client clinician = as("clinician");
  Client viewer = as("viewer");
  const std::string p = "/api/v1/patients/" + adult_id();
  // Under pan2021-paediatric the adult case's record ends with ruxolitinib to be reduced to once daily.
  const Reply advice = clinician.get(p + "/recommendations?protocol=pan2021-paediatric");
  ASSERT_EQ(advice.status, 200);
  ASSERT_FALSE(advice.body["recommendations"].empty());
  const std::string step = advice.body["recommendations"][0]["step"];
  const auto answer = [&](Client& who, const std::string& step_id, const std::string& decision, const std::string& reason) {
    return who.send("POST", p + "/decisions",
                    json{{"protocol", "pan2021-paediatric"}, {"step", step_id}, {"decision", decision}, {"reason", reason}}.dump());
  };
  const std::size_t before = audit_entries();
  EXPECT_EQ(answer(viewer, step, "accepted", "").status, 403);
  EXPECT_EQ(answer(clinician, step, "declined", " ").status, 422);        // a refusal needs its reason
  EXPECT_EQ(answer(clinician, step, "maybe", "").status, 422);
  EXPECT_EQ(answer(clinician, "tocilizumab", "accepted", "").status, 409);  // not recommended now
  // An answer to advice the record has moved on from (its time is not the advice's now) is refused.
  const Reply stale = clinician.send("POST", p + "/decisions",
                                     json{{"protocol", "pan2021-paediatric"}, {"step", step}, {"decision", "accepted"}, {"advice_at", 1.5}}.dump());
  EXPECT_EQ(stale.status, 409) << stale.body.dump();
  EXPECT_EQ(stale.body["error"]["where"], "/body/advice_at");
  EXPECT_EQ(audit_entries(), before);
  const Reply accepted = clinician.send("POST", p + "/decisions",
                                        json{{"protocol", "pan2021-paediatric"}, {"step", step}, {"decision", "accepted"},
                                             {"advice_at", advice.body["at"]["hours_since_infusion"]}}.dump());
  ASSERT_EQ(accepted.status, 201) << accepted.body.dump();
  EXPECT_EQ(accepted.body["drug"], "ruxolitinib");
  ASSERT_FALSE(accepted.body["doses"].empty());  // what was accepted, dose included
  EXPECT_NE(accepted.body["doses"][0].get<std::string>().find("mg"), std::string::npos) << accepted.body.dump();
  const Reply listed = viewer.get(p + "/decisions");
  ASSERT_EQ(listed.status, 200);
  ASSERT_EQ(listed.body["decisions"].size(), 1U);
  EXPECT_EQ(listed.body["decisions"][0]["decision"], "accepted");
  EXPECT_EQ(listed.body["decisions"][0]["recorded_by"], "clinician");
  const Reply history = viewer.get(p + "/history");
  EXPECT_EQ(history.body["history"].back()["action"], "decision");
  EXPECT_EQ(history.body["history"].back()["actor"], "clinician");
  EXPECT_TRUE(store_->verify_audit().problems.empty());
}

TEST_F(ApiOverHttp, AnAdminAddsAnAccountThatCanThenLogIn) {
  Client admin = as("admin");
  const Reply weak = admin.send("POST", "/api/v1/accounts", json{{"username", "pharmacist"}, {"role", "viewer"}, {"password", "short"}}.dump());
  EXPECT_EQ(weak.status, 422);
  const Reply added =
      admin.send("POST", "/api/v1/accounts", json{{"username", "pharmacist"}, {"role", "viewer"}, {"password", kPassword}}.dump());
  ASSERT_EQ(added.status, 201) << added.body.dump();
  EXPECT_EQ(Client(port_).log_in("pharmacist").status, 200);
  const Reply listed = admin.get("/api/v1/accounts");
  ASSERT_EQ(listed.status, 200);
  EXPECT_EQ(listed.body.dump().find("argon2id"), std::string::npos);  // hashes never leave the store
  EXPECT_EQ(store_->find_account("pharmacist")->recorded_by, "admin");
}

TEST_F(ApiOverHttp, ReadsTheStoreAsTheCommandLineDoes) {
  Client viewer = as("viewer");
  const Reply list = viewer.get("/api/v1/patients");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.body["patients"].size(), 2U);
  const Reply advice = viewer.get("/api/v1/patients/" + adult_id() + "/recommendations?protocol=zi2021-adult");
  ASSERT_EQ(advice.status, 200);
  EXPECT_TRUE(advice.body.contains("recommendations"));
  const Reply days = viewer.get("/api/v1/patients/" + adult_id() + "/days");
  ASSERT_EQ(days.status, 200);
  ASSERT_FALSE(days.body["days"].empty());
  EXPECT_TRUE(days.body["days"][0].contains("max_temperature"));
  const Reply before = viewer.get("/api/v1/patients/" + adult_id() + "/timeline?as_of=2000-01-01");
  EXPECT_EQ(before.status, 404);
  EXPECT_EQ(before.body["error"]["where"], "/path/patient");
}

TEST_F(ApiOverHttp, RefusesBadRequestsSayingWhereAndWhy) {
  Client viewer = as("viewer");
  struct Case {
    std::string path;
    int status;
    std::string where;
  };
  const std::string p = "/api/v1/patients/" + adult_id();
  for (const Case& c : std::vector<Case>{
           {"/api/v1/patients/nobody/timeline", 404, "/path/patient"},
           {"/api/v1/nothing", 404, ""},
           {p + "/figures/histogram", 404, "/path/figure"},
           {"/api/v1/patients?protocol=no-such-protocol", 422, "/query/protocol"},
           {"/api/v1/cohort/report?active=maybe", 422, "/query/active"},
           {p + "/recommendations", 422, "/query/protocol"},
           {p + "/recommendations?protocol=no-such-protocol", 422, "/query/protocol"},
           {p + "/recommendations?protocol=zi2021-adult&protocol=astct-asco-2021", 422, "/query/protocol"},
           {p + "/timeline?as_of=yesterday", 422, "/query/as_of"},
           {p + "/grades?granularity=hour", 422, "/query/granularity"},
           {p + "/grades?protocl=zi2021-adult", 422, "/query/protocl"},
           {"/api/v1/patients?active=yes", 422, "/query/active"},
           {"/api/v1/patients?on=2026-13-01", 422, "/query/on"},
       }) {
    SCOPED_TRACE(c.path);
    const Reply r = viewer.get(c.path);
    EXPECT_EQ(r.status, c.status);
    EXPECT_EQ(r.body["error"]["status"], c.status);
    EXPECT_FALSE(r.body["error"]["message"].get<std::string>().empty());
    if (!c.where.empty()) {
      EXPECT_EQ(r.body["error"]["where"], c.where);
    }
  }
}

TEST_F(ApiOverHttp, AWriteByAnotherProcessOnTheStoreIsSeenByTheNextRead) {
  Client viewer = as("viewer");
  const std::string timeline = "/api/v1/patients/" + adult_id() + "/timeline";
  ASSERT_EQ(viewer.get(timeline).status, 200);  // cached now
  json reading = json::parse(kFever);
  reading["value"] = 38.15;
  // As `crsguard db import` or another server would: straight to the store, not through this API.
  const std::string uid = store_->append_event(adult_id(), reading.dump(), "another process");
  // The cache is checked against the store's latest change at every read: no staleness at all.
  EXPECT_NE(viewer.get(timeline).body.dump().find("38.15"), std::string::npos);
  EXPECT_NE(viewer.get("/api/v1/patients").body.dump().find("\"events\":" + std::to_string(store_->read_timeline(adult_id())->events().size())),
            std::string::npos);
  store_->retract_event(adult_id(), uid, "another process", "test reading");
}

TEST_F(ApiOverHttp, ServesTheDashboardFromTheBinaryUnderAStrictContentSecurityPolicy) {
  httplib::Client browser("127.0.0.1", port_);
  const httplib::Result page = browser.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  EXPECT_EQ(page->get_header_value("Content-Type"), "text/html; charset=utf-8");
  const std::string policy = page->get_header_value("Content-Security-Policy");
  EXPECT_NE(policy.find("default-src 'none'"), std::string::npos) << policy;
  EXPECT_NE(policy.find("connect-src 'self'"), std::string::npos) << policy;
  EXPECT_EQ(page->get_header_value("X-Frame-Options"), "DENY");
  EXPECT_NE(page->body.find("/assets/app.js"), std::string::npos);
  // Every script the page names is served, Vega's the same bytes as the report page inlines.
  for (const char* script : {"/assets/app.js", "/assets/vega.min.js", "/assets/vega-lite.min.js", "/assets/vega-embed.min.js"}) {
    EXPECT_NE(page->body.find(script), std::string::npos) << script;
    const httplib::Result file = browser.Get(script);
    ASSERT_TRUE(file) << script;
    EXPECT_EQ(file->status, 200) << script;
    EXPECT_EQ(file->get_header_value("Content-Type"), "text/javascript; charset=utf-8") << script;
    EXPECT_GT(file->body.size(), 1000U) << script;
  }
  const httplib::Result missing = browser.Get("/elsewhere");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST_F(ApiOverHttp, TheWardBoardGivesEachPatientsTrendAndAlertsUnderTheChosenProtocol) {
  Client viewer = as("viewer");
  for (const char* protocol : {"zi2021-adult", "pan2021-paediatric", "astct-asco-2021"}) {
    const Reply board = viewer.get(std::string("/api/v1/patients?protocol=") + protocol);
    ASSERT_EQ(board.status, 200) << protocol;
    for (const json& row : board.body["patients"]) {
      ASSERT_TRUE(row["alerts"].is_array()) << row.dump();
      for (const json& alert : row["alerts"]) {
        EXPECT_FALSE(alert["message"].get<std::string>().empty());
        EXPECT_TRUE(alert["kind"] == "new_grade_2_or_more" || alert["kind"] == "steroid_refractory" ||
                    alert["kind"] == "dose_limit_reached" || alert["kind"] == "platelets_below_ruxolitinib_threshold")
            << alert.dump();
      }
      EXPECT_TRUE(row.contains("crs_trend") && row.contains("icans_trend")) << row.dump();
    }
  }
}

TEST_F(ApiOverHttp, TheVocabularyOffersWhatTheReaderAccepts) {
  const Reply vocabulary = as("viewer").get("/api/v1/vocabulary");
  ASSERT_EQ(vocabulary.status, 200);
  const auto units_of = [&](const std::string& code) {
    for (const json& o : vocabulary.body["observations"]) {
      if (o["code"] == code) return o["units"];
    }
    return json();
  };
  const json temperature = units_of("body_temperature");
  ASSERT_TRUE(temperature.is_array());
  EXPECT_EQ(temperature[0], "Cel");  // the canonical unit first
  EXPECT_NE(std::find(temperature.begin(), temperature.end(), "[degF]"), temperature.end());
  const json creatinine = units_of("creatinine");
  EXPECT_NE(std::find(creatinine.begin(), creatinine.end(), "umol/L"), creatinine.end());  // converted by molar mass
  bool tocilizumab_per_kg = false;
  for (const json& d : vocabulary.body["drugs"]) {
    if (d["name"] == "tocilizumab") tocilizumab_per_kg = std::find(d["dose_units"].begin(), d["dose_units"].end(), "mg/kg") != d["dose_units"].end();
  }
  EXPECT_TRUE(tocilizumab_per_kg);
  EXPECT_FALSE(vocabulary.body["oxygen_devices"].empty());
}

TEST_F(ApiOverHttp, SeveralReadingsAreRecordedAllOrNothing) {
  Client clinician = as("clinician");
  const std::string events = "/api/v1/patients/" + adult_id() + "/events";
  json pulse = json::parse(kFever);
  pulse["code"] = "heart_rate";
  pulse["value"] = 128;
  pulse["unit"] = "/min";
  json implausible = json::parse(kFever);
  implausible["value"] = 60;
  const std::size_t before = audit_entries();
  const Reply refused = clinician.send("POST", events, json::array({pulse, implausible}).dump());
  ASSERT_EQ(refused.status, 422) << refused.body.dump();
  EXPECT_EQ(refused.body["error"]["problems"][0]["pointer"], "/1/value");
  EXPECT_EQ(audit_entries(), before);  // the good reading was not recorded either
  EXPECT_EQ(clinician.send("POST", events, "[]").status, 422);
  const Reply recorded = clinician.send("POST", events, json::array({pulse, json::parse(kFever)}).dump());
  ASSERT_EQ(recorded.status, 201) << recorded.body.dump();
  EXPECT_EQ(recorded.body["event_uids"].size(), 2U);
  EXPECT_EQ(audit_entries(), before + 2);
  for (const json& uid : recorded.body["event_uids"]) {
    EXPECT_EQ(clinician.send("DELETE", events + "/" + uid.get<std::string>(), json{{"reason", "test readings"}}.dump()).status, 200);
  }
}

TEST_F(ApiOverHttp, GivesEachPatientFigureAndTheCohortReportAsVegaLite) {
  Client viewer = as("viewer");
  const std::string p = "/api/v1/patients/" + adult_id();
  for (const char* figure : {"vitals", "grades", "cytokines", "car-t"}) {
    const Reply spec = viewer.get(p + "/figures/" + figure);
    ASSERT_EQ(spec.status, 200) << figure;
    EXPECT_EQ(spec.body["$schema"], "https://vega.github.io/schema/vega-lite/v6.json") << figure;
  }
  EXPECT_EQ(Client(port_).get("/api/v1/cohort/report").status, 401);
  const Reply report = viewer.get("/api/v1/cohort/report");
  ASSERT_EQ(report.status, 200) << report.body.dump();
  ASSERT_FALSE(report.body["sections"].empty());
  int figures = 0;
  int tables = 0;
  for (const json& section : report.body["sections"]) {
    for (const json& block : section["blocks"]) {
      if (block["type"] == "figure") {
        ++figures;
        EXPECT_TRUE(block["spec"].contains("$schema")) << block["id"];
      }
      if (block["type"] == "table") ++tables;
    }
  }
  EXPECT_GE(figures, 2);
  EXPECT_GE(tables, 1);
  // Kept until the next write: a patient added shows in the next report.
  const std::string subtitle = report.body["subtitle"];
  EXPECT_EQ(viewer.get("/api/v1/cohort/report").body["subtitle"], subtitle);
  const json added{{"format", "crsguard.timeline/1"}, {"patient", {{"id", "cohort-new"}, {"sex", "female"}}},
                   {"infusion", {{"product", "CD19 CAR-T"}, {"targets", {"CD19"}}}}, {"events", json::array()}};
  ASSERT_EQ(as("clinician").send("POST", "/api/v1/patients", added.dump()).status, 201);
  EXPECT_NE(viewer.get("/api/v1/cohort/report").body["subtitle"], subtitle);
}

// A self-signed certificate for 127.0.0.1 (P-256, one day), written as PEM files.
void write_self_signed_certificate(const std::filesystem::path& certificate, const std::filesystem::path& key) {
  EVP_PKEY* pkey = EVP_EC_gen("P-256");
  ASSERT_NE(pkey, nullptr);
  X509* x509 = X509_new();
  X509_set_version(x509, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x509), 1);
  X509_gmtime_adj(X509_getm_notBefore(x509), 0);
  X509_gmtime_adj(X509_getm_notAfter(x509), 24L * 3600);
  X509_set_pubkey(x509, pkey);
  X509_NAME* name = X509_get_subject_name(x509);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(x509, name);
  ASSERT_GT(X509_sign(x509, pkey, EVP_sha256()), 0);
  FILE* file = std::fopen(certificate.c_str(), "w");
  PEM_write_X509(file, x509);
  std::fclose(file);
  file = std::fopen(key.c_str(), "w");
  PEM_write_PrivateKey(file, pkey, nullptr, nullptr, 0, nullptr, nullptr);
  std::fclose(file);
  X509_free(x509);
  EVP_PKEY_free(pkey);
}

TEST(Tls, ServesHttpsWithASecureSessionCookie) {
  testing::TempFolder folder("api-tls");
  const auto certificate = folder.path() / "cert.pem";
  const auto key = folder.path() / "key.pem";
  write_self_signed_certificate(certificate, key);
  auto store = open_store("sqlite:" + (folder.path() / "store.db").string());
  create_account(*store, "nurse", "clinician", kPassword, "test");
  ApiOptions api_options;
  api_options.secure_cookies = true;
  Api api(*store, shipped_protocols(), load_rules(), api_options);
  ServerOptions options;
  options.port = 0;
  options.certificate_file = certificate.string();
  options.key_file = key.string();
  HttpServer server(api, options);
  const int port = server.bind();
  std::thread serving([&] { server.serve(); });
  for (int i = 0; i < 500 && !server.running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  httplib::SSLClient client("127.0.0.1", port);
  client.enable_server_certificate_verification(false);  // self-signed: the test checks the server, not a CA
  const httplib::Result login = client.Post("/api/v1/session", json{{"username", "nurse"}, {"password", kPassword}}.dump(), "application/json");
  ASSERT_TRUE(login);
  EXPECT_EQ(login->status, 200);
  const std::string cookie = login->get_header_value("Set-Cookie");
  EXPECT_NE(cookie.find("; Secure"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("HttpOnly"), std::string::npos) << cookie;
  const httplib::Result page = client.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->status, 200);
  // Plain HTTP on the TLS port gets no answer.
  httplib::Client plain("127.0.0.1", port);
  plain.set_read_timeout(std::chrono::seconds(2));
  const httplib::Result refused = plain.Get("/api/v1/session");
  EXPECT_TRUE(!refused || refused->status != 200);
  server.stop();
  serving.join();
}

TEST(Demo, SeedsTheExamplesVirtualPatientsInAnActiveCourseAndAnAccount) {
  const testing::TempFolder folder("api-demo");
  auto store = open_store("sqlite:" + (folder.path() / "demo.db").string());
  const LocalSeconds today = parse_date("2026-12-03").value();
  const DemoAccount account = seed_demo_store(*store, load_rules(), today);
  PatientFilter active;
  active.on_date = "2026-12-03";
  EXPECT_EQ(store->list_patients(active).size(), 18U);  // the adult case, 14 children, 3 virtual patients
  active.active_only = true;
  const auto on_the_ward = store->list_patients(active);
  ASSERT_EQ(on_the_ward.size(), 3U);
  EXPECT_EQ(on_the_ward[0].day_since_infusion, 2);
  EXPECT_EQ(on_the_ward[2].day_since_infusion, 6);
  const auto virtual_course = store->read_timeline("virtual-3");
  ASSERT_TRUE(virtual_course);
  EXPECT_FALSE(virtual_course->outcome().has_value());  // still in its course
  EXPECT_GT(virtual_course->events().size(), 50U);
  Api api(*store, shipped_protocols(), load_rules());
  const json login{{"username", account.username}, {"password", account.password}};
  EXPECT_EQ(api.handle({"POST", "/api/v1/session", {}, login.dump(), {{"content-type", "application/json"}}, "127.0.0.1"}).status, 200);
  EXPECT_EQ(store->find_account(account.username)->role, "admin");
}

TEST(Passwords, AreHashedWithArgon2idAndChecked) {
  const std::string hash = hash_password(kPassword);
  EXPECT_EQ(hash.rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0), 0U) << hash;
  EXPECT_NE(hash, hash_password(kPassword));  // a new salt each time
  EXPECT_TRUE(password_matches(hash, kPassword));
  EXPECT_FALSE(password_matches(hash, "correct horse battery!"));
  EXPECT_FALSE(password_matches("not a hash", kPassword));
  EXPECT_THROW(check_new_password("eleven char"), std::invalid_argument);
  EXPECT_NO_THROW(check_new_password("twelve chars"));
}

}  // namespace
}  // namespace crsguard
