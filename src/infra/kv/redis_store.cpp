// The Redis store (hiredis 0.14, blocking calls with timeouts): what several nodes share.
#include <hiredis/hiredis.h>

#include <mutex>
#include <vector>

#include "infra/kv/stores.hpp"

namespace fff::kv {
namespace {

constexpr timeval kConnectTimeout{1, 0};
constexpr timeval kCommandTimeout{1, 0};
constexpr size_t kMaxIdleConnections = 16;

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

struct ContextDeleter {
  void operator()(redisContext* c) const { redisFree(c); }
};
using Context = std::unique_ptr<redisContext, ContextDeleter>;

class RedisStore final : public KeyValueStore {
 public:
  RedisStore(std::string host, int port, int db) : host_(std::move(host)), port_(port), db_(db) {}

  Result<int64_t> increment(std::string_view key, int64_t by,
                            std::chrono::milliseconds ttl) override {
    if (auto ok = check(key, ttl); !ok) return ok.error();
    std::string px = std::to_string(ttl.count());
    std::string amount = std::to_string(by);
    // Two commands in one round trip: create the counter with its expiry if it is new (NX keeps
    // an existing window), then add.
    auto replies =
        run({{"SET", std::string(key), "0", "PX", px, "NX"}, {"INCRBY", std::string(key), amount}});
    if (!replies) return replies.error();
    const redisReply* r = (*replies)[1].get();
    if (r->type != REDIS_REPLY_INTEGER) return unexpected(r);
    return static_cast<int64_t>(r->integer);
  }

  Result<std::optional<std::string>> get(std::string_view key) override {
    if (auto ok = check_key(key); !ok) return ok.error();
    auto replies = run({{"GET", std::string(key)}});
    if (!replies) return replies.error();
    const redisReply* r = (*replies)[0].get();
    if (r->type == REDIS_REPLY_NIL) return std::optional<std::string>();
    if (r->type != REDIS_REPLY_STRING) return unexpected(r);
    return std::optional<std::string>(std::string(r->str, r->len));
  }

  Result<bool> set(std::string_view key, std::string_view value, std::chrono::milliseconds ttl,
                   bool only_if_absent) override {
    if (auto ok = check(key, ttl); !ok) return ok.error();
    std::vector<std::string> cmd{"SET", std::string(key), std::string(value), "PX",
                                 std::to_string(ttl.count())};
    if (only_if_absent) cmd.push_back("NX");
    auto replies = run({cmd});
    if (!replies) return replies.error();
    const redisReply* r = (*replies)[0].get();
    if (r->type == REDIS_REPLY_NIL) return false;
    if (r->type != REDIS_REPLY_STATUS) return unexpected(r);
    return true;
  }

  Result<void> remove(std::string_view key) override {
    if (auto ok = check_key(key); !ok) return ok.error();
    auto replies = run({{"DEL", std::string(key)}});
    if (!replies) return replies.error();
    return {};
  }

  Result<std::optional<std::chrono::milliseconds>> time_left(std::string_view key) override {
    if (auto ok = check_key(key); !ok) return ok.error();
    auto replies = run({{"PTTL", std::string(key)}});
    if (!replies) return replies.error();
    const redisReply* r = (*replies)[0].get();
    if (r->type != REDIS_REPLY_INTEGER) return unexpected(r);
    // -2: no such key; -1: no expiry, which this store never sets, so someone else's key.
    if (r->integer < 0) return std::optional<std::chrono::milliseconds>();
    return std::optional<std::chrono::milliseconds>(std::chrono::milliseconds(r->integer));
  }

  Result<void> ping() override {
    auto replies = run({{"PING"}});
    if (!replies) return replies.error();
    return {};
  }

  std::string_view kind() const override { return "redis"; }

  ~RedisStore() override = default;

 private:
  static Result<void> check(std::string_view key, std::chrono::milliseconds ttl) {
    if (auto ok = check_key(key); !ok) return ok;
    if (ttl.count() < 1)
      return Error::invalid("invalid_kv_ttl", "an expiry must be at least 1 ms", {{"ttl", "< 1"}});
    return {};
  }

  static Error unexpected(const redisReply* r) {
    std::string what = r->type == REDIS_REPLY_ERROR ? std::string(r->str, r->len)
                                                    : "reply of type " + std::to_string(r->type);
    return Error::unavailable("kv_unavailable", "redis answered unexpectedly: " + what);
  }

  Result<Context> connect() {
    Context c(redisConnectWithTimeout(host_.c_str(), port_, kConnectTimeout));
    if (!c || c->err)
      return Error::unavailable("kv_unavailable",
                                "cannot reach redis at " + host_ + ":" + std::to_string(port_) +
                                    (c ? std::string(": ") + c->errstr : std::string()));
    redisSetTimeout(c.get(), kCommandTimeout);
    if (db_ != 0) {
      Reply r(static_cast<redisReply*>(redisCommand(c.get(), "SELECT %d", db_)));
      if (!r || r->type == REDIS_REPLY_ERROR)
        return Error::unavailable("kv_unavailable", "redis refused SELECT " + std::to_string(db_));
    }
    return c;
  }

  // Sends the commands pipelined on one connection and reads every reply. A connection that
  // failed is dropped; the call is tried once more on a fresh one (the server may have closed an
  // idle connection), then the error is returned.
  Result<std::vector<Reply>> run(const std::vector<std::vector<std::string>>& commands) {
    for (int attempt = 0;; ++attempt) {
      Context c;
      {
        std::lock_guard lock(mutex_);
        if (!idle_.empty()) {
          c = std::move(idle_.back());
          idle_.pop_back();
        }
      }
      bool fresh = !c;
      if (!c) {
        auto made = connect();
        if (!made) return made.error();
        c = std::move(*made);
      }
      bool ok = true;
      for (const auto& cmd : commands) {
        std::vector<const char*> argv;
        std::vector<size_t> lens;
        for (const auto& a : cmd) {
          argv.push_back(a.data());
          lens.push_back(a.size());
        }
        if (redisAppendCommandArgv(c.get(), static_cast<int>(argv.size()), argv.data(),
                                   lens.data()) != REDIS_OK)
          ok = false;
      }
      std::vector<Reply> replies;
      for (size_t i = 0; ok && i < commands.size(); ++i) {
        void* raw = nullptr;
        if (redisGetReply(c.get(), &raw) != REDIS_OK || !raw) {
          ok = false;
          break;
        }
        replies.emplace_back(static_cast<redisReply*>(raw));
        if (replies.back()->type == REDIS_REPLY_ERROR) return unexpected(replies.back().get());
      }
      if (ok) {
        std::lock_guard lock(mutex_);
        if (idle_.size() < kMaxIdleConnections) idle_.push_back(std::move(c));
        return replies;
      }
      std::string why = c->errstr;
      if (fresh || attempt > 0)
        return Error::unavailable("kv_unavailable", "redis connection failed: " + why);
    }
  }

  std::string host_;
  int port_;
  int db_;
  std::mutex mutex_;
  std::vector<Context> idle_;
};

}  // namespace

std::unique_ptr<KeyValueStore> make_redis_store(std::string host, int port, int db) {
  return std::make_unique<RedisStore>(std::move(host), port, db);
}

}  // namespace fff::kv
