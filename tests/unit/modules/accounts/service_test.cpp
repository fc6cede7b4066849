// AccountService on every storage config: sessions (expiry, sliding, rotation), mailed tokens
// (single use, expiry), rehash on login, sealing at rest and re-sealing, staff accounts.
#include "modules/accounts/service.hpp"

#include "modules/accounts/api.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <mutex>

#include "infra/db/migrator.hpp"
#include "migrations/accounts.hpp"
#include "support/test_databases.hpp"

namespace fff::accounts {
namespace {

using namespace std::chrono_literals;

const std::string kKeyA = "k1:" + std::string(43, 'A');
const std::string kKeyB = "k2:" + std::string(42, 'B') + "A";
const std::string kPassword = "correct horse battery";

template <typename T>
std::string describe(const Result<T>& r) {
  if (r.ok()) return "ok";
  return r.error().code + ": " + r.error().message;
}

class TestClock : public Clock {
 public:
  Timestamp now() const override { return Timestamp(std::chrono::microseconds(us_.load())); }
  void advance(std::chrono::microseconds d) { us_ += d.count(); }

 private:
  std::atomic<int64_t> us_{std::chrono::duration_cast<std::chrono::microseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count()};
};

class RecordingMailer : public mail::Mailer {
 public:
  Result<void> send(const mail::MailMessage& m) override {
    std::lock_guard lock(mutex_);
    sent_.push_back(m);
    return {};
  }
  // The token in the link of the last mail to `to`.
  std::string last_token(const std::string& to) {
    std::lock_guard lock(mutex_);
    for (auto it = sent_.rbegin(); it != sent_.rend(); ++it) {
      if (it->to != to) continue;
      size_t at = it->text.find("token=");
      if (at == std::string::npos) return "";
      return it->text.substr(at + 6, 43);
    }
    return "";
  }
  std::string last_subject(const std::string& to) {
    std::lock_guard lock(mutex_);
    for (auto it = sent_.rbegin(); it != sent_.rend(); ++it)
      if (it->to == to) return it->subject;
    return "";
  }

 private:
  std::mutex mutex_;
  std::vector<mail::MailMessage> sent_;
};

class AccountServiceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    scratch_ = std::make_unique<fff::testing::ScratchDatabase>(GetParam());
    auto opened = db::Database::open(scratch_->url(), db::Options{});
    ASSERT_TRUE(opened.ok()) << describe(opened);
    db_ = std::move(opened).value();
    auto migrated = db::migrate(*db_, db::accounts_migrations());
    ASSERT_TRUE(migrated.ok()) << describe(migrated);
    kv_ = std::move(kv::KeyValueStore::open("memory:")).value();
    keys_ = std::make_unique<crypto::KeyRing>(std::move(crypto::KeyRing::parse(kKeyA)).value());
    service_ = make_service(HashCost::min, *keys_);
  }

  std::unique_ptr<AccountService> make_service(HashCost cost, const crypto::KeyRing& keys) {
    AccountSettings settings;
    settings.hash_cost = cost;
    settings.public_url = "https://shop.example/";
    return std::make_unique<AccountService>(
        *db_, *kv_, mailer_, keys, PasswordPolicy::with_list({"1234567890"}), settings, clock_);
  }

  NewSession signed_up(const std::string& email) {
    EXPECT_TRUE(service_->sign_up(email, kPassword, "Test Person").ok());
    auto s = service_->log_in(email, kPassword);
    EXPECT_TRUE(s.ok()) << describe(s);
    return s.ok() ? *s : NewSession{};
  }

  bool resolves(const std::string& token) {
    auto p = service_->resolve_session(token);
    EXPECT_TRUE(p.ok()) << describe(p);
    return p.ok() && p->has_value();
  }

  std::string single_text(const std::string& sql, const db::Params& params = {}) {
    auto r = db_->query(sql, params);
    EXPECT_TRUE(r.ok()) << describe(r);
    if (!r.ok() || r->rows.empty() || r->rows[0].is_null(0)) return "";
    return r->rows[0].text(0);
  }

  std::unique_ptr<fff::testing::ScratchDatabase> scratch_;
  std::unique_ptr<db::Database> db_;
  std::unique_ptr<kv::KeyValueStore> kv_;
  std::unique_ptr<crypto::KeyRing> keys_;
  RecordingMailer mailer_;
  TestClock clock_;
  std::unique_ptr<AccountService> service_;
};
INSTANTIATE_TEST_SUITE_P(, AccountServiceTest, ::testing::ValuesIn(fff::testing::storage_configs()),
                         [](const auto& p) { return p.param; });

TEST_P(AccountServiceTest, LoginGivesASessionTokenStoredOnlyAsItsHash) {
  auto s = signed_up("ann@example.com");
  EXPECT_TRUE(is_secret_token(s.token));
  EXPECT_TRUE(resolves(s.token));
  EXPECT_EQ(single_text("SELECT token_hash FROM sessions"), token_hash(s.token));
  auto r = db_->query("SELECT count(*) FROM sessions WHERE token_hash = $1", {s.token});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rows[0].int64(0), 0);
}

TEST_P(AccountServiceTest, ResolvedPrincipalCarriesAccountSessionAndKind) {
  auto s = signed_up("ann@example.com");
  auto p = service_->resolve_session(s.token);
  ASSERT_TRUE(p.ok() && p->has_value());
  EXPECT_EQ((*p)->kind, http::Principal::Kind::customer);
  EXPECT_EQ((*p)->account_id, s.account.id);
  EXPECT_EQ((*p)->session_id, s.session.id);
  EXPECT_TRUE((*p)->by_cookie);
  EXPECT_FALSE((*p)->second_factor);
}

TEST_P(AccountServiceTest, UnusedSessionExpiresAfterIdleDays) {
  auto s = signed_up("ann@example.com");
  clock_.advance(std::chrono::days(14) + 1s);
  EXPECT_FALSE(resolves(s.token));
}

TEST_P(AccountServiceTest, UseSlidesTheExpiry) {
  auto s = signed_up("ann@example.com");
  for (int i = 0; i < 4; ++i) {
    clock_.advance(std::chrono::days(10));
    EXPECT_TRUE(resolves(s.token)) << "after " << (i + 1) * 10 << " days";
  }
}

TEST_P(AccountServiceTest, NoSessionOutlivesMaxDays) {
  auto s = signed_up("ann@example.com");
  for (int i = 0; i < 8; ++i) {
    clock_.advance(std::chrono::days(11));
    EXPECT_TRUE(resolves(s.token));
  }
  clock_.advance(std::chrono::days(3));  // 91 days
  EXPECT_FALSE(resolves(s.token));
}

TEST_P(AccountServiceTest, SlidingIsWrittenAtMostOnceAMinute) {
  auto s = signed_up("ann@example.com");
  std::string first = single_text("SELECT last_seen_at FROM sessions");
  clock_.advance(30s);
  EXPECT_TRUE(resolves(s.token));
  EXPECT_EQ(single_text("SELECT last_seen_at FROM sessions"), first);
  clock_.advance(31s);
  EXPECT_TRUE(resolves(s.token));
  EXPECT_NE(single_text("SELECT last_seen_at FROM sessions"), first);
}

TEST_P(AccountServiceTest, LogoutEndsOnlyThatSessionAndEverywhereEndsAll) {
  auto a = signed_up("ann@example.com");
  auto b = service_->log_in("ann@example.com", kPassword);
  auto c = service_->log_in("ann@example.com", kPassword);
  ASSERT_TRUE(b.ok() && c.ok());
  ASSERT_TRUE(service_->log_out(a.session.id).ok());
  EXPECT_FALSE(resolves(a.token));
  EXPECT_TRUE(resolves(b->token));
  ASSERT_TRUE(service_->log_out_everywhere(a.account.id).ok());
  EXPECT_FALSE(resolves(b->token));
  EXPECT_FALSE(resolves(c->token));
}

TEST_P(AccountServiceTest, SecondFactorRotatesTheToken) {
  auto s = signed_up("ann@example.com");
  auto fresh = service_->confirm_second_factor(s.session.id);
  ASSERT_TRUE(fresh.ok()) << describe(fresh);
  EXPECT_FALSE(resolves(s.token));
  auto p = service_->resolve_session(*fresh);
  ASSERT_TRUE(p.ok() && p->has_value());
  EXPECT_TRUE((*p)->second_factor);
  EXPECT_EQ((*p)->session_id, s.session.id);
}

TEST_P(AccountServiceTest, WrongPasswordAndUnknownEmailFailAlike) {
  signed_up("ann@example.com");
  auto wrong = service_->log_in("ann@example.com", "not the password");
  auto unknown = service_->log_in("bob@example.com", "not the password");
  ASSERT_FALSE(wrong.ok());
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(wrong.error().code, "invalid_credentials");
  EXPECT_EQ(unknown.error().code, unknown.error().code);
  EXPECT_EQ(wrong.error().message, unknown.error().message);
}

TEST_P(AccountServiceTest, LockedLoginCarriesRetryAfter) {
  signed_up("ann@example.com");
  for (int i = 0; i < 5; ++i) EXPECT_FALSE(service_->log_in("ann@example.com", "nope nope!").ok());
  auto locked = service_->log_in("ann@example.com", kPassword);
  ASSERT_FALSE(locked.ok());
  EXPECT_EQ(locked.error().code, "account_locked");
  EXPECT_EQ(locked.error().kind, ErrorKind::rate_limited);
  EXPECT_GT(locked.error().retry_after, 0);
  EXPECT_LE(locked.error().retry_after, 60);
}

TEST_P(AccountServiceTest, HardLockMailsAnUnlockLinkThatWorks) {
  signed_up("ann@example.com");
  Lockout lockout(*kv_);
  for (int i = 0; i < 19; ++i) ASSERT_TRUE(lockout.record_failure("ann@example.com").ok());
  ASSERT_TRUE(lockout.lift("ann@example.com").ok());  // as if the 15-minute lock ran out
  EXPECT_FALSE(service_->log_in("ann@example.com", "nope nope!").ok());  // the 20th
  EXPECT_EQ(mailer_.last_subject("ann@example.com"), "Your FFF account is locked");
  auto locked = service_->log_in("ann@example.com", kPassword);
  ASSERT_FALSE(locked.ok());
  EXPECT_EQ(locked.error().code, "account_locked");
  EXPECT_GT(locked.error().retry_after, 86'400);
  ASSERT_TRUE(service_->unlock(mailer_.last_token("ann@example.com")).ok());
  EXPECT_TRUE(service_->log_in("ann@example.com", kPassword).ok());
}

TEST_P(AccountServiceTest, RehashesOnLoginWhenTheCostChanged) {
  signed_up("ann@example.com");
  std::string before = single_text("SELECT password_hash FROM accounts");
  auto interactive = make_service(HashCost::interactive, *keys_);
  ASSERT_TRUE(interactive->log_in("ann@example.com", kPassword).ok());
  std::string after = single_text("SELECT password_hash FROM accounts");
  EXPECT_NE(before, after);
  EXPECT_NE(after.find("m=65536"), std::string::npos) << after;
  // And the upgraded hash still lets the customer in.
  EXPECT_TRUE(interactive->log_in("ann@example.com", kPassword).ok());
}

TEST_P(AccountServiceTest, ResetTokenWorksOnceAndEndsSessions) {
  auto s = signed_up("ann@example.com");
  ASSERT_TRUE(service_->forgot_password("ann@example.com").ok());
  std::string token = mailer_.last_token("ann@example.com");
  ASSERT_TRUE(is_secret_token(token));
  EXPECT_EQ(single_text("SELECT token_hash FROM account_tokens WHERE purpose = 'reset_password'"),
            token_hash(token));
  ASSERT_TRUE(service_->reset_password(token, "a brand new passphrase").ok());
  EXPECT_FALSE(resolves(s.token));
  auto again = service_->reset_password(token, "another new passphrase");
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, "invalid_token");
  EXPECT_TRUE(service_->log_in("ann@example.com", "a brand new passphrase").ok());
}

TEST_P(AccountServiceTest, ResetTokenExpiresAfterAnHour) {
  signed_up("ann@example.com");
  ASSERT_TRUE(service_->forgot_password("ann@example.com").ok());
  std::string token = mailer_.last_token("ann@example.com");
  clock_.advance(61min);
  auto late = service_->reset_password(token, "a brand new passphrase");
  ASSERT_FALSE(late.ok());
  EXPECT_EQ(late.error().code, "invalid_token");
  EXPECT_TRUE(service_->log_in("ann@example.com", kPassword).ok());
}

TEST_P(AccountServiceTest, AnEarlierResetTokenDiesWithTheReset) {
  signed_up("ann@example.com");
  ASSERT_TRUE(service_->forgot_password("ann@example.com").ok());
  std::string first = mailer_.last_token("ann@example.com");
  ASSERT_TRUE(service_->forgot_password("ann@example.com").ok());
  std::string second = mailer_.last_token("ann@example.com");
  ASSERT_NE(first, second);
  ASSERT_TRUE(service_->reset_password(second, "a brand new passphrase").ok());
  EXPECT_FALSE(service_->reset_password(first, "another new passphrase").ok());
}

TEST_P(AccountServiceTest, VerificationLinkPointsAtThePublicUrl) {
  ASSERT_TRUE(service_->sign_up("ann@example.com", kPassword, "Ann").ok());
  std::string token = mailer_.last_token("ann@example.com");
  auto verified = service_->verify(token);
  ASSERT_TRUE(verified.ok()) << describe(verified);
  EXPECT_TRUE(verified->email_verified_at.has_value());
  EXPECT_FALSE(service_->verify(token).ok());
}

TEST_P(AccountServiceTest, CustomerListSearchesEmailAndNameNewestFirstInPages) {
  ASSERT_TRUE(service_->sign_up("ann@example.com", kPassword, "Ann Lee").ok());
  ASSERT_TRUE(service_->sign_up("bob@example.com", kPassword, "Bob 100%_Cotton").ok());
  ASSERT_TRUE(service_->sign_up("cat@shop.test", kPassword, "Cat Ng").ok());
  ASSERT_TRUE(
      service_->create_staff_account("sam@example.com", "Sam", kPassword, Role::staff, {}).ok());

  auto filter = [](std::optional<std::string> search, int limit = 50,
                   std::optional<std::string> after = std::nullopt) {
    CustomerFilter f;
    f.search = std::move(search);
    f.limit = limit;
    f.after = std::move(after);
    return f;
  };
  auto all = service_->customers(filter(std::nullopt));
  ASSERT_TRUE(all.ok()) << describe(all);
  ASSERT_EQ(all->items.size(), 3u);  // staff are not customers
  EXPECT_EQ(all->items[0].email, "cat@shop.test");
  EXPECT_FALSE(all->next.has_value());

  auto by_email = service_->customers(filter("EXAMPLE.com"));
  ASSERT_TRUE(by_email.ok());
  EXPECT_EQ(by_email->items.size(), 2u);
  auto by_name = service_->customers(filter("lee"));
  ASSERT_TRUE(by_name.ok());
  ASSERT_EQ(by_name->items.size(), 1u);
  EXPECT_EQ(by_name->items[0].email, "ann@example.com");
  auto literal = service_->customers(filter("0%_c"));  // % and _ are not wildcards
  ASSERT_TRUE(literal.ok());
  ASSERT_EQ(literal->items.size(), 1u);
  EXPECT_EQ(literal->items[0].email, "bob@example.com");
  EXPECT_TRUE(service_->customers(filter("a%n"))->items.empty());

  auto first = service_->customers(filter(std::nullopt, 2));
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->items.size(), 2u);
  ASSERT_TRUE(first->next.has_value());
  auto second = service_->customers(filter(std::nullopt, 2, first->next));
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->items.size(), 1u);
  EXPECT_EQ(second->items[0].email, "ann@example.com");
  EXPECT_FALSE(second->next.has_value());
  EXPECT_EQ(service_->customers(filter(std::nullopt, 0)).error().code, "invalid_parameter");
}

TEST_P(AccountServiceTest, AddressesAndPhonesAreSealedAtRest) {
  auto s = signed_up("ann@example.com");
  AddressPatch input;
  input.name = "Ann Lee";
  input.line1 = "1 Rue de Rivoli";
  input.city = "Paris";
  input.country = "FR";
  auto added = service_->add_address(s.account.id, input);
  ASSERT_TRUE(added.ok()) << describe(added);
  ProfilePatch profile;
  profile.phone = std::optional<std::string>{"+33 1 23 45 67 89"};
  ASSERT_TRUE(service_->update_profile(s.account.id, profile).ok());

  std::string sealed = single_text("SELECT sealed FROM addresses");
  EXPECT_EQ(sealed.find("Rivoli"), std::string::npos);
  EXPECT_EQ(sealed.find("Paris"), std::string::npos);
  EXPECT_EQ(sealed.rfind("pii1.k1.", 0), 0u);
  EXPECT_EQ(single_text("SELECT key_id FROM addresses"), "k1");
  std::string phone = single_text("SELECT phone_sealed FROM accounts");
  EXPECT_EQ(phone.find("45 67"), std::string::npos);
  EXPECT_EQ(single_text("SELECT phone_key_id FROM accounts"), "k1");

  auto read = service_->address(s.account.id, added->id);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->line1, "1 Rue de Rivoli");
  EXPECT_EQ(service_->account(s.account.id)->phone, "+33 1 23 45 67 89");
}

TEST_P(AccountServiceTest, AnotherCustomersAddressIsNotFound) {
  auto a = signed_up("ann@example.com");
  auto b = signed_up("bob@example.com");
  AddressPatch input;
  input.name = "Ann";
  input.line1 = "1 Rue de Rivoli";
  input.city = "Paris";
  input.country = "FR";
  auto added = service_->add_address(a.account.id, input);
  ASSERT_TRUE(added.ok());
  EXPECT_EQ(service_->address(b.account.id, added->id).error().code, "address_not_found");
  AddressPatch change;
  change.line1 = "elsewhere";
  EXPECT_EQ(service_->update_address(b.account.id, added->id, change).error().code,
            "address_not_found");
  EXPECT_EQ(service_->delete_address(b.account.id, added->id).error().code, "address_not_found");
  EXPECT_EQ(service_->address(a.account.id, added->id)->line1, "1 Rue de Rivoli");
}

TEST_P(AccountServiceTest, ResealMovesEverythingToTheActiveKey) {
  auto s = signed_up("ann@example.com");
  for (int i = 0; i < 3; ++i) {
    AddressPatch input;
    input.name = "Ann";
    input.line1 = "Street " + std::to_string(i);
    input.city = "Paris";
    input.country = "FR";
    ASSERT_TRUE(service_->add_address(s.account.id, input).ok());
  }
  ProfilePatch profile;
  profile.phone = std::optional<std::string>{"+33 1 23 45 67 89"};
  ASSERT_TRUE(service_->update_profile(s.account.id, profile).ok());

  auto rotated = crypto::KeyRing::parse(kKeyA + "," + kKeyB);
  ASSERT_TRUE(rotated.ok());
  auto after = make_service(HashCost::min, *rotated);
  auto first = after->reseal(2);
  ASSERT_TRUE(first.ok()) << describe(first);
  EXPECT_EQ(*first, 2u);
  auto second = after->reseal(10);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, 2u);  // one address and the phone
  EXPECT_EQ(*after->reseal(10), 0u);
  auto r = db_->query("SELECT count(*) FROM addresses WHERE key_id = 'k2'");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->rows[0].int64(0), 3);
  EXPECT_EQ(single_text("SELECT phone_key_id FROM accounts"), "k2");
  auto list = after->addresses(s.account.id);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 3u);
  EXPECT_EQ(after->account(s.account.id)->phone, "+33 1 23 45 67 89");
}

TEST_P(AccountServiceTest, DeletionAnonymisesAndKeepsTheRow) {
  auto s = signed_up("ann@example.com");
  ASSERT_TRUE(service_->delete_account(s.account.id, kPassword).ok());
  EXPECT_FALSE(resolves(s.token));
  EXPECT_EQ(single_text("SELECT status FROM accounts"), "deleted");
  EXPECT_EQ(single_text("SELECT email FROM accounts"),
            "deleted-" + s.account.id + "@deleted.invalid");
  EXPECT_EQ(single_text("SELECT name FROM accounts"), "");
  EXPECT_FALSE(service_->log_in("ann@example.com", kPassword).ok());
}

TEST_P(AccountServiceTest, StaffAccountsAndRoleChanges) {
  auto staff = service_->create_staff_account("Sam@Example.com", "Sam", kPassword, Role::staff,
                                              {"orders", "catalog"});
  ASSERT_TRUE(staff.ok()) << describe(staff);
  EXPECT_EQ(staff->email, "sam@example.com");
  EXPECT_EQ(staff->scopes, (std::vector<std::string>{"catalog", "orders"}));
  EXPECT_EQ(service_->create_staff_account("sam@example.com", "Sam", kPassword, Role::admin, {})
                .error()
                .code,
            "email_taken");
  EXPECT_EQ(
      service_->create_staff_account("x@example.com", "X", kPassword, Role::staff, {"everything"})
          .error()
          .code,
      "invalid_scope");

  auto s = service_->log_in("sam@example.com", kPassword);
  ASSERT_TRUE(s.ok());
  auto p = service_->resolve_session(s->token);
  ASSERT_TRUE(p.ok() && p->has_value());
  EXPECT_EQ((*p)->kind, http::Principal::Kind::staff);
  EXPECT_EQ((*p)->scopes, (std::vector<std::string>{"catalog", "orders"}));

  auto promoted = service_->set_role(staff->id, Role::admin, {});
  ASSERT_TRUE(promoted.ok());
  EXPECT_EQ(promoted->role, Role::admin);
  EXPECT_FALSE(resolves(s->token));  // a privilege change ends the sessions

  auto list = service_->staff_accounts();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->front().id, staff->id);
  auto found = service_->find_account(staff->id);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->role, Role::admin);
  EXPECT_FALSE(service_->find_account("not-an-id")->has_value());
}

TEST(SessionCookieTest, IsHttpOnlyLaxAndSecureOnlyOverTls) {
  EXPECT_EQ(session_cookie("tok", 60, false),
            "fff_session=tok; Path=/; Max-Age=60; HttpOnly; SameSite=Lax");
  EXPECT_EQ(session_cookie("tok", 60, true),
            "fff_session=tok; Path=/; Max-Age=60; HttpOnly; SameSite=Lax; Secure");
  EXPECT_EQ(cleared_session_cookie(true).rfind("fff_session=; Path=/; Max-Age=0", 0), 0u);
}

// Runs the authenticate middleware on a request and reports what the handler saw.
struct Seen {
  std::shared_ptr<const http::Principal> principal;
  http::Response response;
};

Seen through_middleware(AccountService& service, http::Request req) {
  http::Pipeline pipeline;
  pipeline.use(authenticate(service));
  Seen seen;
  http::Handler handler = [&seen](const http::Request& r) {
    seen.principal = r.principal;
    return http::Response::text(200, "ok");
  };
  seen.response = pipeline.run(req, handler);
  return seen;
}

TEST_P(AccountServiceTest, MiddlewareSetsThePrincipalFromTheCookie) {
  auto s = signed_up("ann@example.com");
  http::Request req;
  req.path = "/api/v1/me";
  req.headers.add("Cookie", "theme=dark; fff_session=" + s.token);
  Seen seen = through_middleware(*service_, req);
  ASSERT_TRUE(seen.principal);
  EXPECT_EQ(seen.principal->account_id, s.account.id);
  EXPECT_FALSE(seen.response.headers.has("Set-Cookie"));
}

TEST_P(AccountServiceTest, MiddlewareLeavesBearerRequestsToTheStaffModule) {
  auto s = signed_up("ann@example.com");
  http::Request req;
  req.path = "/api/v1/me";
  req.headers.add("Cookie", "fff_session=" + s.token);
  req.headers.add("Authorization", "Bearer some-api-token");
  EXPECT_FALSE(through_middleware(*service_, req).principal);
}

TEST_P(AccountServiceTest, MiddlewareClearsAStaleCookieOnAccountRoutesOnly) {
  auto s = signed_up("ann@example.com");
  ASSERT_TRUE(service_->log_out(s.session.id).ok());
  http::Request me;
  me.path = "/api/v1/me";
  me.headers.add("Cookie", "fff_session=" + s.token);
  Seen seen = through_middleware(*service_, me);
  EXPECT_FALSE(seen.principal);
  EXPECT_EQ(seen.response.headers.get("Set-Cookie").value_or("").rfind("fff_session=;", 0), 0u);
  http::Request products = me;
  products.path = "/api/v1/products";
  EXPECT_FALSE(through_middleware(*service_, products).response.headers.has("Set-Cookie"));
}

}  // namespace
}  // namespace fff::accounts

namespace fff::accounts {
namespace {

TEST_P(AccountServiceTest, TheSweepRemovesExpiredSessionsAndKeepsLiveOnes) {
  auto old_session = signed_up("ann@example.com");
  clock_.advance(std::chrono::days(10));
  auto fresh = signed_up("bob@example.com");
  clock_.advance(std::chrono::days(5));  // ann's idle 14 days are over, bob's are not
  auto swept = service_->sweep_expired();
  ASSERT_TRUE(swept.ok()) << describe(swept);
  EXPECT_GE(*swept, 1);
  EXPECT_EQ(single_text("SELECT id FROM sessions WHERE id = $1", {old_session.session.id}), "");
  EXPECT_TRUE(resolves(fresh.token));
  auto left = db_->query("SELECT count(*) FROM sessions");
  ASSERT_TRUE(left.ok());
  EXPECT_EQ(left->rows[0].int64(0), 1);
}

}  // namespace
}  // namespace fff::accounts
