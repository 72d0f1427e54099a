#include "server/http_server.hpp"

#include <fmt/format.h>
#include <httplib.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <utility>

#include "server/web_assets.hpp"

namespace crsguard {
namespace {

// A ward board polls: connections are kept for many requests (cpp-httplib's default of 5 costs a new
// connection every few polls; DESIGN.md measured ≈ 300 → ≈ 32 000 requests/s with a raised count).
constexpr std::size_t kKeepAliveRequests = 10'000;

ApiRequest to_api(const httplib::Request& request) {
  ApiRequest out;
  out.method = request.method;
  out.path = request.path;
  out.query.insert(request.params.begin(), request.params.end());
  out.body = request.body;
  for (const auto& [name, value] : request.headers) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    out.headers.emplace(std::move(lower), value);
  }
  out.client = request.remote_addr;
  return out;
}

}  // namespace

struct HttpServer::Impl {
  Api& api;
  ServerOptions options;
  std::unique_ptr<httplib::Server> owned_server;
  httplib::Server& server;
  bool bound = false;

  static std::unique_ptr<httplib::Server> make_server(const ServerOptions& o) {
    if (o.certificate_file.empty()) return std::make_unique<httplib::Server>();
    auto tls = std::make_unique<httplib::SSLServer>(o.certificate_file.c_str(), o.key_file.c_str());
    if (!tls->is_valid()) {
      throw std::runtime_error(fmt::format("cannot serve HTTPS with certificate {} and key {} (not readable PEM, or not a pair)",
                                           o.certificate_file, o.key_file));
    }
    return tls;
  }

  Impl(Api& a, ServerOptions o) : api(a), options(std::move(o)), owned_server(make_server(options)), server(*owned_server) {
    server.set_tcp_nodelay(true);
    server.set_keep_alive_max_count(kKeepAliveRequests);
    server.set_payload_max_length(options.max_body_bytes);
    const std::size_t threads = options.threads;
    server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    const auto answer = [this](const httplib::Request& request, httplib::Response& response) {
      const ApiResponse result = api.handle(to_api(request));
      response.status = result.status;
      for (const auto& [name, value] : result.headers) response.set_header(name, value);
      response.set_header("Cache-Control", "no-store");  // patient data: never kept by a browser or proxy
      response.set_header("X-Content-Type-Options", "nosniff");
      response.set_content(result.serialised(), "application/json");
    };
    // The dashboard's page and files: any GET outside /api/.
    const auto page = [](const httplib::Request& request, httplib::Response& response) {
      response.set_header("X-Content-Type-Options", "nosniff");
      const auto asset = find_web_asset(request.path);
      if (!asset) {
        response.status = 404;
        response.set_content("not found: " + request.path + "\n", "text/plain; charset=utf-8");
        return;
      }
      response.set_header("Content-Security-Policy", std::string(kDashboardContentSecurityPolicy));
      response.set_header("X-Frame-Options", "DENY");
      response.set_header("Referrer-Policy", "no-referrer");
      response.set_header("Cache-Control", "no-cache");  // kept, but checked again: a new binary serves a new page
      response.set_content(asset->body.data(), asset->body.size(), std::string(asset->content_type));
    };
    // Every other path and method goes to the API, which routes it (and answers 404 and 405 as JSON).
    constexpr const char* kEveryPath = "/.*";
    server.Get("/api/.*", answer);
    server.Get(kEveryPath, page);
    server.Post(kEveryPath, answer);
    server.Put(kEveryPath, answer);
    server.Patch(kEveryPath, answer);
    server.Delete(kEveryPath, answer);
  }
};

HttpServer::HttpServer(Api& api, ServerOptions options) : impl_(std::make_unique<Impl>(api, std::move(options))) {}
HttpServer::~HttpServer() { stop(); }

int HttpServer::bind() {
  const ServerOptions& o = impl_->options;
  int port = o.port;
  if (o.port == 0) {
    port = impl_->server.bind_to_any_port(o.bind_address);
    if (port < 0) throw std::runtime_error(fmt::format("cannot listen on {} (any port)", o.bind_address));
  } else if (!impl_->server.bind_to_port(o.bind_address, o.port)) {
    throw std::runtime_error(fmt::format("cannot listen on {}:{} (in use, or not an address of this machine)", o.bind_address, o.port));
  }
  impl_->bound = true;
  return port;
}

void HttpServer::serve() {
  if (!impl_->bound) throw std::logic_error("HttpServer::serve before bind");
  impl_->server.listen_after_bind();
}

void HttpServer::stop() { impl_->server.stop(); }
bool HttpServer::running() const { return impl_->server.is_running(); }

}  // namespace crsguard
