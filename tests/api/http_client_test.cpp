// The raw test client (tests/support/http_client) against a canned loopback peer: the API tests
// are only as trustworthy as its parsing of what the server sends.
#include "support/http_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cerrno>
#include <string>
#include <thread>

namespace fff::testing {
namespace {

// Accepts one connection, reads the request head, writes `reply`, and closes unless `keep_open`
// (then it waits for the client to close first).
class CannedPeer {
 public:
  CannedPeer(std::string reply, bool keep_open) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listener_, 1) != 0 ||
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      throw std::runtime_error("cannot listen on loopback");
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this, reply = std::move(reply), keep_open] {
      int fd = ::accept(listener_, nullptr, nullptr);
      if (fd < 0) return;
      std::string got;
      char buf[1024];
      while (got.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        got.append(buf, static_cast<std::size_t>(n));
      }
      ::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
      if (keep_open) {
        while (::recv(fd, buf, sizeof buf, 0) > 0) {
        }
      }
      ::close(fd);
    });
  }
  ~CannedPeer() {
    ::shutdown(listener_, SHUT_RDWR);
    thread_.join();
    ::close(listener_);
  }
  uint16_t port() const { return port_; }

 private:
  int listener_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
};

TEST(HttpClient, ReadsContentLengthBodiesAndKeepsWhatFollows) {
  CannedPeer peer(
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\n\r\nhello"
      "HTTP/1.1 404 Not Found\r\ncontent-length: 2\r\n\r\nno",
      true);
  HttpConnection conn(peer.port());
  HttpResponse first = conn.get("/");
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(first.reason, "OK");
  EXPECT_EQ(first.body, "hello");
  EXPECT_EQ(first.header("x-a"), "1");
  HttpResponse second = conn.read_response(Millis(2000));
  EXPECT_EQ(second.status, 404);
  EXPECT_EQ(second.body, "no");
  EXPECT_FALSE(conn.closed_by_peer());
}

TEST(HttpClient, DecodesChunkedBodiesWithExtensionsAndTrailers) {
  CannedPeer peer(
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
      "4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nX-Trailer: t\r\n\r\n",
      true);
  HttpConnection conn(peer.port());
  HttpResponse r = conn.get("/");
  EXPECT_TRUE(r.chunked);
  EXPECT_EQ(r.body, "Wikipedia");
  EXPECT_TRUE(conn.buffered().empty());
}

TEST(HttpClient, HeadResponseHasNoBodyDespiteContentLength) {
  CannedPeer peer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", true);
  HttpConnection conn(peer.port());
  HttpResponse r = conn.request({"HEAD", "/", {}, ""}, Millis(2000));
  EXPECT_EQ(r.header("Content-Length"), "10");
  EXPECT_EQ(r.body, "");
}

TEST(HttpClient, BodyWithoutLengthRunsToClose) {
  CannedPeer peer("HTTP/1.0 200 OK\r\n\r\nuntil the end", false);
  HttpConnection conn(peer.port());
  HttpResponse r = conn.get("/");
  EXPECT_EQ(r.body, "until the end");
  EXPECT_TRUE(conn.closed_by_peer());
  EXPECT_TRUE(conn.closed_at().has_value());
}

TEST(HttpClient, CloseBeforeACompleteResponseIsAnError) {
  CannedPeer peer("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort", false);
  HttpConnection conn(peer.port());
  ASSERT_TRUE(conn.send({"GET", "/", {}, ""}));
  std::string error;
  EXPECT_FALSE(conn.try_read_response(Millis(2000), false, &error).has_value());
  EXPECT_NE(error.find("closed by the server"), std::string::npos) << error;
  EXPECT_NE(error.find("short"), std::string::npos) << error;
}

TEST(HttpClient, SilenceIsATimeout) {
  CannedPeer peer("", true);
  HttpConnection conn(peer.port());
  ASSERT_TRUE(conn.send({"GET", "/", {}, ""}));
  std::string error;
  auto start = SteadyClock::now();
  EXPECT_FALSE(conn.try_read_response(Millis(200), false, &error).has_value());
  EXPECT_GE(SteadyClock::now() - start, Millis(200));
  EXPECT_NE(error.find("timed out"), std::string::npos) << error;
  EXPECT_FALSE(conn.wait_for_close(Millis(50)));
}

TEST(HttpClient, MalformedStatusLineIsAnError) {
  CannedPeer peer("HTTX/1.1 two hundred\r\n\r\n", true);
  HttpConnection conn(peer.port());
  EXPECT_THROW(conn.get("/"), HttpError);
}

TEST(HttpClient, RequestGetsHostAndContentLength) {
  HttpRequest r{"POST", "/x", {{"Content-Type", "application/json"}}, "{}"};
  EXPECT_EQ(r.serialize(),
            "POST /x HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            "Content-Length: 2\r\n\r\n{}");
  HttpRequest chunked{"POST", "/x", {{"Transfer-Encoding", "chunked"}}, "0\r\n\r\n"};
  EXPECT_EQ(chunked.serialize().find("Content-Length"), std::string::npos);
}

TEST(HttpClient, ConnectingWhereNothingListensIsRefused) {
  uint16_t port;
  {
    CannedPeer peer("", false);
    port = peer.port();
    HttpConnection unblock(port);  // lets the peer's accept return so it can close
  }
  int err = 0;
  EXPECT_FALSE(HttpConnection::try_connect(port, Millis(1000), &err).has_value());
  EXPECT_EQ(err, ECONNREFUSED);
}

}  // namespace
}  // namespace fff::testing
