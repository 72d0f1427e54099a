// The REST API over real HTTP on loopback (server/http_server.hpp): an embedded SQLite store holding
// the shipped examples, one server on a free port for the whole suite, and a client that asks it.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <thread>

#include "../io/test_files.hpp"
#include "../temp_folder.hpp"
#include "io/protocol_yaml.hpp"
#include "io/rules_json.hpp"
#include "io/timeline_json.hpp"
#include "server/api.hpp"
#include "server/http_server.hpp"
#include "store/store.hpp"

namespace crsguard {
namespace {

using nlohmann::json;

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

  // status, parsed body
  static std::pair<int, json> get(const std::string& path) {
    httplib::Client client("127.0.0.1", port_);
    const auto response = client.Get(path);
    EXPECT_TRUE(response) << path;
    if (!response) return {0, nullptr};
    EXPECT_EQ(response->get_header_value("Content-Type"), "application/json") << path;
    EXPECT_EQ(response->get_header_value("Cache-Control"), "no-store") << path;
    return {response->status, json::parse(response->body)};
  }

  static std::string adult_id() {
    static const std::string id =
        read_timelines_json(testing::read_text(testing::source_path("examples/adult-case-zi2021.timeline.json")), "adult")
            .front()
            .patient()
            .id;
    return id;
  }

  static inline testing::TempFolder* folder_ = nullptr;
  static inline Store* store_ = nullptr;
  static inline Api* api_ = nullptr;
  static inline HttpServer* server_ = nullptr;
  static inline std::thread* thread_ = nullptr;
  static inline int port_ = 0;
};

TEST_F(ApiOverHttp, ListsEveryPatientWithTheirStateAtAGlance) {
  const auto [status, body] = get("/api/v1/patients");
  ASSERT_EQ(status, 200);
  ASSERT_EQ(body["patients"].size(), 2U);
  const auto adult = std::find_if(body["patients"].begin(), body["patients"].end(),
                                  [](const json& p) { return p["id"] == adult_id(); });
  ASSERT_NE(adult, body["patients"].end());
  // The adult case: CRS at most grade 2 (hypotension without vasopressors), ended by ruxolitinib.
  EXPECT_EQ((*adult)["crs_max"], 2);
  EXPECT_TRUE((*adult)["crs_now"].is_object());
  EXPECT_EQ((*adult)["crs_now"]["grade"], 0);
  EXPECT_TRUE((*adult)["last_observation"].contains("day"));
}

TEST_F(ApiOverHttp, GivesATimelineAsTheFileFormatWritesIt) {
  const auto [status, body] = get("/api/v1/patients/" + adult_id() + "/timeline");
  ASSERT_EQ(status, 200);
  const auto stored = store_->read_timeline(adult_id());
  ASSERT_TRUE(stored);
  EXPECT_EQ(body, encode_timeline(*stored));
  // As the store held it before anything was imported: no such patient then.
  const auto [before_status, before] = get("/api/v1/patients/" + adult_id() + "/timeline?as_of=2000-01-01");
  EXPECT_EQ(before_status, 404);
  EXPECT_EQ(before["error"]["where"], "/path/patient");
}

TEST_F(ApiOverHttp, GradesAndRecommendationsAreTheCommandLinesDocuments) {
  const auto [status, grades] = get("/api/v1/patients/" + adult_id() + "/grades");
  ASSERT_EQ(status, 200);
  EXPECT_TRUE(grades["grades"].is_object() || grades["grades"].is_array());
  EXPECT_EQ(grades["crs_max"], 2);
  const auto [advice_status, advice] = get("/api/v1/patients/" + adult_id() + "/recommendations?protocol=zi2021-adult");
  ASSERT_EQ(advice_status, 200);
  EXPECT_TRUE(advice.contains("recommendations"));
  EXPECT_TRUE(advice.contains("state"));
  const auto [history_status, history] = get("/api/v1/patients/" + adult_id() + "/history");
  ASSERT_EQ(history_status, 200);
  ASSERT_FALSE(history["history"].empty());
  EXPECT_EQ(history["history"][0]["actor"], "test");
  const auto [protocols_status, protocols] = get("/api/v1/protocols");
  EXPECT_EQ(protocols_status, 200);
  EXPECT_FALSE(protocols.empty());
}

TEST_F(ApiOverHttp, RefusesBadRequestsSayingWhereAndWhy) {
  struct Case {
    std::string path;
    int status;
    std::string where;
  };
  const std::string p = "/api/v1/patients/" + adult_id();
  for (const Case& c : std::vector<Case>{
           {"/api/v1/patients/nobody/timeline", 404, "/path/patient"},
           {"/api/v1/nothing", 404, ""},
           {"/elsewhere", 404, ""},
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
    const auto [status, body] = get(c.path);
    EXPECT_EQ(status, c.status);
    EXPECT_EQ(body["error"]["status"], c.status);
    EXPECT_FALSE(body["error"]["message"].get<std::string>().empty());
    if (!c.where.empty()) {
      EXPECT_EQ(body["error"]["where"], c.where);
    }
  }
}

TEST_F(ApiOverHttp, WritesAreNotYetAcceptedAndChangeNothing) {
  const auto before = store_->history(adult_id()).size();
  httplib::Client client("127.0.0.1", port_);
  const auto response = client.Post("/api/v1/patients/" + adult_id() + "/timeline", R"({"kind":"observation"})", "application/json");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 405);
  EXPECT_EQ(store_->history(adult_id()).size(), before);
}

TEST(Api, AnswersWithoutASocket) {
  // The routes are a function of the request: the same answers without HTTP (what the HTTP tests rely on).
  const testing::TempFolder folder("api-direct");
  auto store = open_store("sqlite:" + (folder.path() / "store.db").string());
  Api api(*store, shipped_protocols(), load_rules());
  const ApiResponse empty = api.handle({"GET", "/api/v1/patients", {}, ""});
  EXPECT_EQ(empty.status, 200);
  EXPECT_TRUE(empty.body["patients"].empty());
  const ApiResponse wrong = api.handle({"DELETE", "/api/v1/patients", {}, ""});
  EXPECT_EQ(wrong.status, 405);
}

}  // namespace
}  // namespace crsguard
