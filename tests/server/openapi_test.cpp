// docs/openapi.yaml against itself and against docs/api.md: it is OpenAPI 3.1, every operation is named
// and has a success answer, every $ref resolves, state-changing operations ask for the CSRF token, and it
// lists exactly the routes of docs/api.md's route table, so that neither document gains a route the
// other lacks.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace crsguard {
namespace {

const std::string kSource = CRSGUARD_SOURCE_DIR;

const std::set<std::string> kMethods{"get", "put", "post", "delete", "options", "head", "patch", "trace"};

YAML::Node openapi() { return YAML::LoadFile(kSource + "/docs/openapi.yaml"); }

std::string upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

// Calls `visit(path, method, operation)` for every operation; a path item's other keys (parameters,
// summary) are not operations.
template <class Visit>
void for_each_operation(const YAML::Node& doc, Visit visit) {
  for (const auto& path : doc["paths"]) {
    for (const auto& entry : path.second) {
      const std::string method = entry.first.as<std::string>();
      if (kMethods.count(method)) visit(path.first.as<std::string>(), method, entry.second);
    }
  }
}

// Every "$ref" value anywhere in the document.
void collect_refs(const YAML::Node& node, std::vector<std::string>& refs) {
  if (node.IsMap()) {
    for (const auto& entry : node) {
      if (entry.first.as<std::string>() == "$ref") refs.push_back(entry.second.as<std::string>());
      else collect_refs(entry.second, refs);
    }
  } else if (node.IsSequence()) {
    for (const auto& item : node) collect_refs(item, refs);
  }
}

// Whether a local reference ("#/components/schemas/Glance") names a component of the document. Looks up
// through a const node, since indexing a non-const yaml-cpp node inserts the key it does not find.
bool names_component(const YAML::Node& doc, const std::string& ref) {
  const std::string prefix = "#/components/";
  if (ref.rfind(prefix, 0) != 0) return false;
  YAML::Node at = doc["components"];
  std::istringstream parts(ref.substr(prefix.size()));
  for (std::string part; std::getline(parts, part, '/');) {
    if (!at.IsMap()) return false;
    const YAML::Node next = std::as_const(at)[part];
    if (!next) return false;
    at.reset(next);  // not `at = next`, which would overwrite the node `at` refers to
  }
  return true;
}

// The route table of docs/api.md: rows whose first cell is backticked methods and a path,
// "| `GET /api/v1/patients` (viewer) | …" or "| `GET`, `POST`, `DELETE /api/v1/session` | …" (three
// methods on one path). Other tables whose first cell is code (the roles) have no path and are skipped.
std::set<std::string> routes_in_api_md() {
  std::ifstream in(kSource + "/docs/api.md");
  EXPECT_TRUE(in) << "docs/api.md";
  std::set<std::string> routes;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("| `", 0) != 0) continue;
    const std::string cell = line.substr(1, line.find('|', 1) - 1);
    std::vector<std::string> methods;
    std::string path;
    for (std::size_t open = cell.find('`'); open != std::string::npos;) {
      const std::size_t close = cell.find('`', open + 1);
      if (close == std::string::npos) break;
      std::istringstream words(cell.substr(open + 1, close - open - 1));
      std::string method;
      std::string rest;
      words >> method >> rest;
      methods.push_back(method);
      if (!rest.empty()) path = rest;
      open = cell.find('`', close + 1);
    }
    if (path.rfind("/api/", 0) != 0) continue;
    for (const std::string& method : methods) routes.insert(method + " " + path);
  }
  return routes;
}

TEST(OpenApi, IsOpenApi31) {
  const YAML::Node doc = openapi();
  EXPECT_EQ(doc["openapi"].as<std::string>().rfind("3.1", 0), 0u) << doc["openapi"].as<std::string>();
  EXPECT_TRUE(doc["paths"].IsMap());
  EXPECT_TRUE(doc["components"].IsMap());
}

TEST(OpenApi, EveryOperationIsNamedOnceAndAnswers) {
  const YAML::Node doc = openapi();
  for (const auto& path : doc["paths"]) {
    bool has_operation = false;
    for (const auto& entry : path.second) has_operation |= kMethods.count(entry.first.as<std::string>()) > 0;
    EXPECT_TRUE(has_operation) << path.first.as<std::string>();
  }
  std::set<std::string> ids;
  for_each_operation(doc, [&](const std::string& path, const std::string& method, const YAML::Node& operation) {
    const std::string where = upper(method) + " " + path;
    ASSERT_TRUE(operation["operationId"]) << where;
    EXPECT_TRUE(ids.insert(operation["operationId"].as<std::string>()).second) << where << ": operationId used twice";
    EXPECT_TRUE(operation["summary"]) << where;
    const YAML::Node responses = operation["responses"];
    EXPECT_TRUE(responses["200"] || responses["201"]) << where << ": no 200 or 201 response";
  });
}

TEST(OpenApi, EveryRefNamesAComponent) {
  const YAML::Node doc = openapi();
  std::vector<std::string> refs;
  collect_refs(doc, refs);
  EXPECT_FALSE(refs.empty());
  for (const std::string& ref : refs) EXPECT_TRUE(names_component(doc, ref)) << ref;
}

// The server refuses a state-changing request without the session's CSRF token (docs/api.md): the
// description must say so, except for logging in, which has no session yet.
TEST(OpenApi, StateChangingOperationsNeedTheCsrfToken) {
  const YAML::Node doc = openapi();
  for_each_operation(doc, [&](const std::string& path, const std::string& method, const YAML::Node& operation) {
    if (method == "get" || method == "head" || method == "options") return;
    const std::string where = upper(method) + " " + path;
    const YAML::Node security = operation["security"];
    ASSERT_TRUE(security && security.IsSequence()) << where << ": no security of its own";
    if (where == "POST /api/v1/session") {
      EXPECT_EQ(security.size(), 0u) << where;
      return;
    }
    ASSERT_EQ(security.size(), 1u) << where;
    EXPECT_TRUE(security[0]["cookieAuth"] && security[0]["csrfToken"]) << where;
  });
}

TEST(OpenApi, ListsTheRoutesOfApiMd) {
  std::set<std::string> described;
  for_each_operation(openapi(), [&](const std::string& path, const std::string& method, const YAML::Node&) {
    described.insert(upper(method) + " " + path);
  });
  const std::set<std::string> documented = routes_in_api_md();
  EXPECT_FALSE(documented.empty()) << "no route table found in docs/api.md";
  EXPECT_EQ(described, documented) << "docs/openapi.yaml (left) and docs/api.md's route table (right) differ";
}

}  // namespace
}  // namespace crsguard
