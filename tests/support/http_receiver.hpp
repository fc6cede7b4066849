// tests/support/http_receiver: a loopback HTTP/1.1 server for tests that need something to call
// (webhook deliveries). Records every request (method, target, headers, body) and answers with
// a status the test sets, or hangs without answering (for timeouts). One request per connection.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace fff::testing {

struct ReceivedRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  std::optional<std::string> header(const std::string& lower_name) const;
};

class HttpReceiver {
 public:
  HttpReceiver();
  ~HttpReceiver();
  HttpReceiver(const HttpReceiver&) = delete;
  HttpReceiver& operator=(const HttpReceiver&) = delete;

  uint16_t port() const { return port_; }
  std::string url(const std::string& path = "/hook") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  // What the next requests get: status and body; `hang` keeps the connection open unanswered
  // until the receiver is destroyed or the client gives up.
  void respond(int status, std::string body = "ok");
  void hang(bool on);
  void redirect_to(const std::string& location);  // 302 with Location

  std::vector<ReceivedRequest> requests() const;
  bool wait_for(size_t count, int timeout_ms = 5000) const;

 private:
  void serve();
  void session(int fd);

  int listener_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  mutable std::mutex mutex_;
  mutable std::condition_variable arrived_;
  int status_ = 200;
  std::string body_ = "ok";
  bool hang_ = false;
  std::string location_;
  std::vector<ReceivedRequest> requests_;
  std::vector<std::thread> sessions_;
};

}  // namespace fff::testing
