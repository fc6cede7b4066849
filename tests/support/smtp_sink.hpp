// tests/support/smtp_sink: a small SMTP server on loopback for tests, started by the test
// itself. It speaks just enough ESMTP for libcurl: EHLO/HELO, AUTH PLAIN and LOGIN (with or
// without an initial response), MAIL FROM, RCPT TO, DATA (dot-unstuffed), RSET, NOOP, QUIT, and
// refuses STARTTLS (it has no TLS). What arrived is kept for the test to read.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace fff::testing {

struct SmtpMessage {
  std::string mail_from;             // as in MAIL FROM:<…>, brackets removed
  std::vector<std::string> rcpt_to;  // likewise
  std::string data;                  // the message text, CRLF line ends, dots unstuffed
  std::optional<std::string> user;   // AUTH user and password, when the client authenticated
  std::optional<std::string> password;
};

class SmtpSink {
 public:
  struct Options {
    bool advertise_auth = true;
    bool hang = false;  // accept connections but never greet (for timeouts)
    std::optional<std::string> user =
        std::nullopt;  // when set, AUTH must match user/password (else 535)
    std::optional<std::string> password = std::nullopt;
  };
  SmtpSink();  // default options
  explicit SmtpSink(Options options);
  ~SmtpSink();
  SmtpSink(const SmtpSink&) = delete;
  SmtpSink& operator=(const SmtpSink&) = delete;

  uint16_t port() const { return port_; }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }
  std::vector<SmtpMessage> messages() const;
  // Waits up to `timeout_ms` until at least `count` messages arrived; true when they did.
  bool wait_for(size_t count, int timeout_ms = 5000) const;

 private:
  void serve();
  void session(int fd);

  Options options_;
  int listener_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  mutable std::mutex mutex_;
  mutable std::condition_variable arrived_;
  std::vector<SmtpMessage> messages_;
  std::vector<std::thread> sessions_;
};

// Base64 decoding for tests (RFC 4648, padding optional); nullopt on a bad character.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace fff::testing
