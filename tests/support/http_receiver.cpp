#include "support/http_receiver.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>

namespace fff::testing {

std::optional<std::string> ReceivedRequest::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  if (it == headers.end()) return std::nullopt;
  return it->second;
}

HttpReceiver::HttpReceiver() {
  listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (listener_ < 0) throw std::runtime_error("http receiver: socket");
  int yes = 1;
  ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener_, 64) != 0)
    throw std::runtime_error("http receiver: bind/listen");
  socklen_t len = sizeof addr;
  ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  thread_ = std::thread([this] { serve(); });
}

HttpReceiver::~HttpReceiver() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
  ::close(listener_);
  for (auto& t : sessions_)
    if (t.joinable()) t.join();
}

void HttpReceiver::respond(int status, std::string body) {
  std::lock_guard lock(mutex_);
  status_ = status;
  body_ = std::move(body);
  location_.clear();
}

void HttpReceiver::hang(bool on) {
  std::lock_guard lock(mutex_);
  hang_ = on;
}

void HttpReceiver::redirect_to(const std::string& location) {
  std::lock_guard lock(mutex_);
  status_ = 302;
  body_ = "";
  location_ = location;
}

std::vector<ReceivedRequest> HttpReceiver::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

bool HttpReceiver::wait_for(size_t count, int timeout_ms) const {
  std::unique_lock lock(mutex_);
  return arrived_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                           [&] { return requests_.size() >= count; });
}

void HttpReceiver::serve() {
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

void HttpReceiver::session(int fd) {
  std::string buffer;
  auto read_more = [&]() -> bool {
    while (!stopping_) {
      pollfd p{fd, POLLIN, 0};
      int ready = ::poll(&p, 1, 100);
      if (ready <= 0) continue;
      char chunk[8192];
      ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) return false;
      buffer.append(chunk, static_cast<size_t>(n));
      return true;
    }
    return false;
  };
  size_t head_end;
  while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos)
    if (!read_more()) return;
  ReceivedRequest req;
  std::string head = buffer.substr(0, head_end);
  size_t line_end = head.find("\r\n");
  std::string first = head.substr(0, line_end);
  size_t sp1 = first.find(' ');
  size_t sp2 = first.find(' ', sp1 + 1);
  req.method = first.substr(0, sp1);
  req.target = first.substr(sp1 + 1, sp2 - sp1 - 1);
  size_t at = line_end == std::string::npos ? head.size() : line_end + 2;
  while (at < head.size()) {
    size_t end = head.find("\r\n", at);
    if (end == std::string::npos) end = head.size();
    std::string line = head.substr(at, end - at);
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string name = line.substr(0, colon);
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      size_t v = line.find_first_not_of(' ', colon + 1);
      req.headers[name] = v == std::string::npos ? "" : line.substr(v);
    }
    at = end + 2;
  }
  size_t length = 0;
  if (auto cl = req.header("content-length")) length = std::stoul(*cl);
  buffer.erase(0, head_end + 4);
  while (buffer.size() < length)
    if (!read_more()) return;
  req.body = buffer.substr(0, length);
  int status;
  std::string body, location;
  bool hang;
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(req);
    status = status_;
    body = body_;
    location = location_;
    hang = hang_;
  }
  arrived_.notify_all();
  if (hang) {
    while (!stopping_) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 100) > 0) {
        char c;
        if (::recv(fd, &c, 1, 0) <= 0) return;  // the client gave up
      }
    }
    return;
  }
  std::string out = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: text/plain\r\n";
  if (!location.empty()) out += "Location: " + location + "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
  (void)::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
}

}  // namespace fff::testing
