#include "support/smtp_sink.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>

namespace fff::testing {
namespace {

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string strip_brackets(std::string s) {
  size_t open = s.find('<');
  size_t close = s.rfind('>');
  if (open != std::string::npos && close != std::string::npos && close > open)
    return s.substr(open + 1, close - open - 1);
  return s;
}

// Line reader over a socket, with a poll so that stopping the sink ends sessions.
class Lines {
 public:
  Lines(int fd, const std::atomic<bool>& stopping) : fd_(fd), stopping_(stopping) {}
  std::optional<std::string> next() {
    while (true) {
      size_t end = buffer_.find("\r\n");
      if (end != std::string::npos) {
        std::string line = buffer_.substr(0, end);
        buffer_.erase(0, end + 2);
        return line;
      }
      pollfd p{fd_, POLLIN, 0};
      int ready = ::poll(&p, 1, 100);
      if (stopping_) return std::nullopt;
      if (ready <= 0) continue;
      char chunk[4096];
      ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) return std::nullopt;
      buffer_.append(chunk, static_cast<size_t>(n));
    }
  }

 private:
  int fd_;
  const std::atomic<bool>& stopping_;
  std::string buffer_;
};

void reply(int fd, const std::string& line) {
  std::string out = line + "\r\n";
  (void)::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
}

}  // namespace

std::optional<std::string> base64_decode(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    if (c == '=') break;
    int v = value(c);
    if (v < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xFF);
    }
  }
  return out;
}

SmtpSink::SmtpSink() : SmtpSink(Options{}) {}

SmtpSink::SmtpSink(Options options) : options_(std::move(options)) {
  listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (listener_ < 0) throw std::runtime_error("smtp sink: socket");
  int yes = 1;
  ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener_, 16) != 0)
    throw std::runtime_error("smtp sink: bind/listen");
  socklen_t len = sizeof addr;
  ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { serve(); });
}

SmtpSink::~SmtpSink() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  ::close(listener_);
  for (auto& t : sessions_)
    if (t.joinable()) t.join();
}

std::vector<SmtpMessage> SmtpSink::messages() const {
  std::lock_guard lock(mutex_);
  return messages_;
}

bool SmtpSink::wait_for(size_t count, int timeout_ms) const {
  std::unique_lock lock(mutex_);
  return arrived_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                           [&] { return messages_.size() >= count; });
}

void SmtpSink::serve() {
  while (!stopping_) {
    pollfd p{listener_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    int fd = ::accept(listener_, nullptr, nullptr);
    if (fd < 0) continue;
    sessions_.emplace_back([this, fd] {
      session(fd);
      ::close(fd);
    });
  }
}

void SmtpSink::session(int fd) {
  Lines lines(fd, stopping_);
  if (options_.hang) {
    while (lines.next()) {
    }
    return;
  }
  reply(fd, "220 sink.test ESMTP ready");
  SmtpMessage current;
  std::optional<std::string> user, password;
  auto check_auth = [&](const std::string& u, const std::string& p) {
    if (options_.user && (u != *options_.user || p != options_.password.value_or(""))) {
      reply(fd, "535 5.7.8 authentication failed");
      return;
    }
    user = u;
    password = p;
    reply(fd, "235 2.7.0 authenticated");
  };
  while (auto line = lines.next()) {
    std::string command = upper(line->substr(0, line->find(' ')));
    std::string rest =
        line->find(' ') == std::string::npos ? "" : line->substr(line->find(' ') + 1);
    if (command == "EHLO") {
      reply(fd, "250-sink.test");
      if (options_.advertise_auth) reply(fd, "250-AUTH PLAIN LOGIN");
      reply(fd, "250 8BITMIME");
    } else if (command == "HELO") {
      reply(fd, "250 sink.test");
    } else if (command == "STARTTLS") {
      reply(fd, "454 4.7.0 TLS not available");
    } else if (command == "AUTH") {
      std::string mechanism = upper(rest.substr(0, rest.find(' ')));
      std::string initial =
          rest.find(' ') == std::string::npos ? "" : rest.substr(rest.find(' ') + 1);
      if (mechanism == "PLAIN") {
        if (initial.empty()) {
          reply(fd, "334 ");
          auto next = lines.next();
          if (!next) return;
          initial = *next;
        }
        std::string decoded = base64_decode(initial).value_or("");
        // authzid NUL authcid NUL password
        size_t first = decoded.find('\0');
        size_t second =
            first == std::string::npos ? std::string::npos : decoded.find('\0', first + 1);
        if (second == std::string::npos) {
          reply(fd, "501 5.5.2 malformed");
          continue;
        }
        check_auth(decoded.substr(first + 1, second - first - 1), decoded.substr(second + 1));
      } else if (mechanism == "LOGIN") {
        std::string u;
        if (!initial.empty()) {
          u = base64_decode(initial).value_or("");
        } else {
          reply(fd, "334 VXNlcm5hbWU6");
          auto next = lines.next();
          if (!next) return;
          u = base64_decode(*next).value_or("");
        }
        reply(fd, "334 UGFzc3dvcmQ6");
        auto next = lines.next();
        if (!next) return;
        check_auth(u, base64_decode(*next).value_or(""));
      } else {
        reply(fd, "504 5.5.4 mechanism not supported");
      }
    } else if (command == "MAIL") {
      current = SmtpMessage{};
      current.mail_from = strip_brackets(rest.substr(rest.find(':') + 1));
      if (size_t space = current.mail_from.find(' '); space != std::string::npos)
        current.mail_from.resize(space);
      reply(fd, "250 2.1.0 ok");
    } else if (command == "RCPT") {
      current.rcpt_to.push_back(strip_brackets(rest.substr(rest.find(':') + 1)));
      reply(fd, "250 2.1.5 ok");
    } else if (command == "DATA") {
      reply(fd, "354 end with <CRLF>.<CRLF>");
      std::string data;
      while (auto d = lines.next()) {
        if (*d == ".") break;
        std::string text = *d;
        if (!text.empty() && text[0] == '.') text.erase(0, 1);
        data += text + "\r\n";
      }
      current.data = std::move(data);
      current.user = user;
      current.password = password;
      {
        std::lock_guard lock(mutex_);
        messages_.push_back(current);
      }
      arrived_.notify_all();
      reply(fd, "250 2.0.0 queued");
    } else if (command == "RSET") {
      current = SmtpMessage{};
      reply(fd, "250 ok");
    } else if (command == "NOOP") {
      reply(fd, "250 ok");
    } else if (command == "QUIT") {
      reply(fd, "221 bye");
      return;
    } else {
      reply(fd, "502 5.5.2 command not recognised");
    }
  }
}

}  // namespace fff::testing
