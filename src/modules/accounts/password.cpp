#include "modules/accounts/password.hpp"

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <sodium.h>

#include <fstream>
#include <stdexcept>

#include "modules/accounts/validation.hpp"

namespace fff::accounts {
namespace {

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

Error weak(const char* field, const std::string& why) {
  return Error::unprocessable("weak_password", std::string(field) + " " + why, {{field, why}});
}

}  // namespace

Result<PasswordPolicy> PasswordPolicy::load(const std::filesystem::path& list) {
  std::ifstream in(list);
  if (!in)
    return Error::unavailable(
        "password_list_missing",
        "the common-password list " + list.string() +
            " cannot be read: install Debian's john-data package (apt-get install john-data)");
  PasswordPolicy policy;
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line.rfind("#!", 0) == 0) continue;
    policy.common_.insert(lower_ascii(line));
  }
  if (policy.common_.empty())
    return Error::unavailable("password_list_missing",
                              "the common-password list " + list.string() + " is empty");
  return policy;
}

PasswordPolicy PasswordPolicy::with_list(std::unordered_set<std::string> common) {
  PasswordPolicy policy;
  for (const auto& p : common) policy.common_.insert(lower_ascii(p));
  return policy;
}

Result<void> PasswordPolicy::check(std::string_view password, std::string_view email,
                                   const char* field) const {
  if (password.size() > kMaxPasswordBytes)
    return weak(field, "must be at most " + std::to_string(kMaxPasswordBytes) + " bytes");
  if (!valid_utf8(password)) return weak(field, "is not valid UTF-8");
  if (utf8_length(password) < kMinPasswordChars)
    return weak(field, "needs at least " + std::to_string(kMinPasswordChars) + " characters");
  std::string folded = lower_ascii(password);
  if (common_.count(folded)) return weak(field, "is one of the most common passwords");
  if (!email.empty() && folded == lower_ascii(email))
    return weak(field, "must not be the email address");
  return {};
}

bool parse_hash_cost(std::string_view text, HashCost& out) {
  if (text == "min")
    out = HashCost::min;
  else if (text == "interactive")
    out = HashCost::interactive;
  else if (text == "moderate")
    out = HashCost::moderate;
  else
    return false;
  return true;
}

// A counting gate: at most `limit` holders at once; also remembers the peak.
class PasswordHasher::Gate {
 public:
  explicit Gate(unsigned limit) : limit_(limit) {}
  void enter() {
    std::unique_lock lock(mu_);
    free_.wait(lock, [&] { return inside_ < limit_; });
    peak_ = std::max(peak_, ++inside_);
  }
  void leave() {
    {
      std::lock_guard lock(mu_);
      --inside_;
    }
    free_.notify_one();
  }
  unsigned peak() const {
    std::lock_guard lock(mu_);
    return peak_;
  }

 private:
  const unsigned limit_;
  mutable std::mutex mu_;
  std::condition_variable free_;
  unsigned inside_ = 0;  // guarded by mu_
  unsigned peak_ = 0;    // guarded by mu_
};

namespace {

// Holds a place in the gate for one hash computation.
template <typename Gate>
class GatePass {
 public:
  explicit GatePass(Gate& gate) : gate_(gate) { gate_.enter(); }
  ~GatePass() { gate_.leave(); }
  GatePass(const GatePass&) = delete;
  GatePass& operator=(const GatePass&) = delete;

 private:
  Gate& gate_;
};

}  // namespace

PasswordHasher::~PasswordHasher() = default;
PasswordHasher::PasswordHasher(PasswordHasher&&) noexcept = default;

unsigned PasswordHasher::peak_at_once() const {
  return gate_->peak();
}

PasswordHasher::PasswordHasher(HashCost cost, unsigned max_at_once) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium cannot be initialised");
  if (max_at_once == 0) max_at_once = std::max(1u, std::thread::hardware_concurrency());
  gate_ = std::make_unique<Gate>(max_at_once);
  switch (cost) {
    case HashCost::min:
      opslimit_ = crypto_pwhash_OPSLIMIT_MIN;
      memlimit_ = crypto_pwhash_MEMLIMIT_MIN;
      break;
    case HashCost::interactive:
      opslimit_ = crypto_pwhash_OPSLIMIT_INTERACTIVE;
      memlimit_ = crypto_pwhash_MEMLIMIT_INTERACTIVE;
      break;
    case HashCost::moderate:
      opslimit_ = crypto_pwhash_OPSLIMIT_MODERATE;
      memlimit_ = crypto_pwhash_MEMLIMIT_MODERATE;
      break;
  }
  auto made = hash("a dummy password nobody has");
  if (!made) throw std::runtime_error("cannot make the dummy password hash");
  dummy_ = std::move(*made);
}

Result<std::string> PasswordHasher::hash(std::string_view password) const {
  GatePass<Gate> pass(*gate_);
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), opslimit_, memlimit_,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    return Error::internal("password hashing ran out of memory");
  return std::string(out);
}

bool PasswordHasher::verify(std::string_view encoded, std::string_view password) const {
  if (encoded.empty() || encoded.size() >= crypto_pwhash_STRBYTES) return false;
  std::string terminated(encoded);  // crypto_pwhash_str_verify reads a C string
  GatePass<Gate> pass(*gate_);
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

bool PasswordHasher::verify_dummy(std::string_view password) const {
  GatePass<Gate> pass(*gate_);
  int outcome = crypto_pwhash_str_verify(dummy_.c_str(), password.data(), password.size());
  return outcome == 0 && false;
}

bool PasswordHasher::needs_rehash(std::string_view encoded) const {
  std::string terminated(encoded);
  return crypto_pwhash_str_needs_rehash(terminated.c_str(), opslimit_, memlimit_) != 0;
}

}  // namespace fff::accounts
