#pragma once
// The API on a socket (cpp-httplib): JSON in and out, loopback unless told otherwise, a cap on request
// bodies, keep-alive for a ward board that polls.
#include <memory>
#include <string>

#include "server/api.hpp"

namespace crsguard {

struct ServerOptions {
  std::string bind_address = "127.0.0.1";  // another address only when asked for (docs/api.md)
  int port = 8080;                         // 0: any free port (tests)
  std::size_t max_body_bytes = 1 << 20;
  // cpp-httplib serves a kept-alive connection on one pool thread until it closes: the pool must
  // outnumber the connections a ward's screens hold open, or the rest wait for a thread.
  std::size_t threads = 128;
  std::string certificate_file;  // PEM; with key_file, HTTPS (OpenSSL)
  std::string key_file;
};

class HttpServer {
 public:
  HttpServer(Api& api, ServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the socket; returns the port (the one chosen, with port 0). Throws std::runtime_error when
  // the address or port cannot be had, or the certificate or key cannot be read.
  int bind();
  // Serves until stop(), from the calling thread; bind() first.
  void serve();
  // From any thread: serve() returns once the requests in flight are answered.
  void stop();
  [[nodiscard]] bool running() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace crsguard
