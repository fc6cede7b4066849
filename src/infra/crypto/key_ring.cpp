#include "infra/crypto/key_ring.hpp"

#include <fstream>
#include <sstream>

#include <sodium.h>
#include <unistd.h>

namespace fff::crypto {
namespace {

constexpr std::string_view kPrefix = "pii1.";
constexpr int kBase64 = sodium_base64_VARIANT_URLSAFE_NO_PADDING;

std::string to_base64(const unsigned char* data, size_t size) {
  std::string out(sodium_base64_encoded_len(size, kBase64), '\0');
  sodium_bin2base64(out.data(), out.size(), data, size, kBase64);
  out.resize(out.size() - 1);  // the terminating NUL
  return out;
}

bool from_base64(std::string_view text, std::string& out, int variant) {
  out.assign(text.size(), '\0');
  size_t size = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &size, nullptr, variant) != 0)
    return false;
  out.resize(size);
  return true;
}

bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > 16) return false;
  for (char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::string read_file(const std::filesystem::path& path, bool& found) {
  std::ifstream in(path);
  found = static_cast<bool>(in);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string fresh_key_line(const std::string& id) {
  unsigned char key[KeyRing::kKeyBytes];
  randombytes_buf(key, sizeof key);
  std::string line = id + ":" + to_base64(key, sizeof key) + "\n";
  sodium_memzero(key, sizeof key);
  return line;
}

}  // namespace

Result<KeyRing> KeyRing::parse(std::string_view text) {
  if (sodium_init() < 0) return Error::internal("libsodium cannot start");
  KeyRing ring;
  size_t position = 0;
  while (!text.empty()) {
    size_t end = text.find_first_of(",\n");
    std::string_view entry = trim(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (entry.empty() || entry.front() == '#') continue;
    ++position;
    auto bad = [&](const std::string& why) {
      return Error::invalid("master_key_invalid",
                            "master key entry " + std::to_string(position) + " " + why);
    };
    size_t colon = entry.find(':');
    if (colon == std::string_view::npos) return bad("is not \"id:base64key\"");
    std::string_view id = entry.substr(0, colon);
    if (!valid_id(id)) return bad("has an id that is not 1-16 of [a-z0-9]");
    Key key{std::string(id), {}};
    // Accept both alphabets: keys made by `openssl rand -base64 32` use the standard one.
    if (!from_base64(entry.substr(colon + 1), key.bytes,
                     sodium_base64_VARIANT_URLSAFE_NO_PADDING) &&
        !from_base64(entry.substr(colon + 1), key.bytes, sodium_base64_VARIANT_ORIGINAL))
      return bad("is not valid base64");
    if (key.bytes.size() != kKeyBytes) return bad("is not a 32-byte key");
    for (const auto& other : ring.keys_)
      if (other.id == key.id) return bad("repeats the id " + key.id);
    ring.keys_.push_back(std::move(key));
  }
  if (ring.keys_.empty()) return Error::invalid("master_key_missing", "no master key given");
  return ring;
}

Result<KeyRing> KeyRing::load(const std::string& env_value, const std::filesystem::path& key_file,
                              bool create) {
  if (!env_value.empty()) return parse(env_value);
  bool found = false;
  std::string text = read_file(key_file, found);
  if (found) return parse(text);
  if (!create)
    return Error::unavailable("master_key_unreadable",
                              "no FFF_MASTER_KEY and no key file at " + key_file.string());
  if (sodium_init() < 0) return Error::internal("libsodium cannot start");
  std::error_code ec;
  std::filesystem::create_directories(key_file.parent_path(), ec);
  std::filesystem::path temp = key_file;
  temp += ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(temp, std::ios::trunc);
    out << "# FFF master keys for personal data: keep a copy somewhere safe; the last is active.\n"
        << fresh_key_line("k1");
    if (!out)
      return Error::unavailable("master_key_unreadable", "cannot write " + key_file.string());
  }
  std::filesystem::permissions(
      temp, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write, ec);
  // link() fails when the file exists: whoever linked first wins and everyone reads theirs.
  (void)::link(temp.c_str(), key_file.c_str());
  std::filesystem::remove(temp, ec);
  text = read_file(key_file, found);
  if (!found)
    return Error::unavailable("master_key_unreadable", "cannot read " + key_file.string());
  return parse(text);
}

Result<std::string> KeyRing::add_key(const std::filesystem::path& key_file) {
  if (sodium_init() < 0) return Error::internal("libsodium cannot start");
  bool found = false;
  std::string text = read_file(key_file, found);
  int highest = 0;
  if (found) {
    auto ring = parse(text);
    if (!ring) return ring.error();
    for (const auto& key : ring->keys_)
      if (key.id.size() > 1 && key.id[0] == 'k' &&
          key.id.find_first_not_of("0123456789", 1) == std::string::npos)
        highest = std::max(highest, std::stoi(key.id.substr(1)));
  }
  std::string id = "k" + std::to_string(highest + 1);
  std::error_code ec;
  std::filesystem::create_directories(key_file.parent_path(), ec);
  std::ofstream out(key_file, std::ios::app);
  if (found && !text.empty() && text.back() != '\n') out << "\n";
  out << fresh_key_line(id);
  out.close();
  std::filesystem::permissions(
      key_file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write, ec);
  if (!out) return Error::unavailable("master_key_unreadable", "cannot write " + key_file.string());
  return id;
}

std::string KeyRing::seal(std::string_view plaintext) const {
  const Key& key = keys_.back();
  std::string box(crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + plaintext.size(), '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(box.data());
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES,
                        reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                        nonce, reinterpret_cast<const unsigned char*>(key.bytes.data()));
  return std::string(kPrefix) + key.id + "." +
         to_base64(reinterpret_cast<const unsigned char*>(box.data()), box.size());
}

std::string_view KeyRing::key_id_of(std::string_view sealed) {
  if (sealed.substr(0, kPrefix.size()) != kPrefix) return {};
  sealed.remove_prefix(kPrefix.size());
  size_t dot = sealed.find('.');
  return dot == std::string_view::npos ? std::string_view() : sealed.substr(0, dot);
}

Result<std::string> KeyRing::open(std::string_view sealed) const {
  std::string_view id = key_id_of(sealed);
  auto corrupt = [] {
    return Error{ErrorKind::internal, "sealed_value_corrupt", "a sealed value is corrupt", {}};
  };
  if (id.empty()) return corrupt();
  const Key* key = nullptr;
  for (const auto& k : keys_)
    if (k.id == id) key = &k;
  if (!key)
    return Error::unavailable(
        "master_key_unknown",
        "a value is sealed under master key " + std::string(id) + ", which is not configured");
  std::string box;
  if (!from_base64(sealed.substr(kPrefix.size() + id.size() + 1), box, kBase64) ||
      box.size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
    return corrupt();
  const auto* nonce = reinterpret_cast<const unsigned char*>(box.data());
  std::string plain(box.size() - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()),
                                 nonce + crypto_secretbox_NONCEBYTES,
                                 box.size() - crypto_secretbox_NONCEBYTES, nonce,
                                 reinterpret_cast<const unsigned char*>(key->bytes.data())) != 0)
    return corrupt();
  return plain;
}

std::vector<std::string> KeyRing::key_ids() const {
  std::vector<std::string> ids;
  for (const auto& k : keys_) ids.push_back(k.id);
  return ids;
}

}  // namespace fff::crypto
