#include "infra/search/text.hpp"

#include <xapian.h>

#include <algorithm>
#include <array>
#include <map>

namespace fff::search {
namespace {

// Pairs of words joined into one before anything else looks at them.
struct Compound {
  std::string_view first;
  std::string_view second;
  std::string_view joined;
};
constexpr std::array kCompounds = {
    Compound{"t", "shirt", "tshirt"},         Compound{"t", "shirts", "tshirts"},
    Compound{"sweat", "shirt", "sweatshirt"}, Compound{"sweat", "shirts", "sweatshirts"},
    Compound{"sweat", "pants", "sweatpants"}, Compound{"track", "pants", "trackpants"},
};

// Query-time synonym groups, written as shoppers write them; compared by stem.
const std::vector<std::vector<std::string_view>> kSynonymGroups = {
    {"tee", "tshirt"},
    {"trainer", "sneaker"},
    {"trouser", "pant", "slacks"},
    {"jumper", "sweater", "pullover"},
    {"hoodie", "hoody"},
    {"handbag", "purse"},
    {"jogger", "sweatpants", "trackpants"},
    {"sandal", "slider"},
};

constexpr std::array<std::string_view, 19> kStopwords = {
    "a",  "an", "and", "or", "not", "the",  "for",   "in", "of", "with",
    "to", "on", "by",  "at", "is",  "size", "sizes", "sz", "my"};

bool is_apostrophe(unsigned ch) {
  return ch == '\'' || ch == 0x2019;
}

// stem → the stems of its group, built once.
const std::map<std::string, std::vector<std::string>, std::less<>>& synonym_index() {
  static const auto index = [] {
    std::map<std::string, std::vector<std::string>, std::less<>> out;
    for (const auto& group : kSynonymGroups) {
      std::vector<std::string> stems;
      for (auto word : group) stems.push_back(stem(word));
      for (const auto& s : stems) out[s] = stems;
    }
    return out;
  }();
  return index;
}

}  // namespace

std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> raw;
  std::string current;
  auto finish = [&] {
    if (!current.empty() && current.size() <= kMaxWordBytes) raw.push_back(current);
    current.clear();
  };
  Xapian::Utf8Iterator it(text.data(), text.size());
  Xapian::Utf8Iterator end;
  while (it != end) {
    unsigned ch = *it;
    ++it;
    if (Xapian::Unicode::is_wordchar(ch)) {
      Xapian::Unicode::append_utf8(current, Xapian::Unicode::tolower(ch));
    } else if (is_apostrophe(ch) && !current.empty() && it != end &&
               Xapian::Unicode::is_wordchar(*it)) {
      // "women's" stays one word.
    } else {
      finish();
    }
  }
  finish();

  std::vector<std::string> words;
  words.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    if (i + 1 < raw.size()) {
      auto joined = std::find_if(kCompounds.begin(), kCompounds.end(), [&](const Compound& c) {
        return c.first == raw[i] && c.second == raw[i + 1];
      });
      if (joined != kCompounds.end()) {
        words.emplace_back(joined->joined);
        ++i;
        continue;
      }
    }
    words.push_back(std::move(raw[i]));
  }
  return words;
}

std::string truncate_utf8(std::string_view text, size_t max_bytes) {
  if (text.size() <= max_bytes) return std::string(text);
  size_t cut = max_bytes;
  // Step back over continuation bytes so a multi-byte character is not split.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut));
}

bool is_stopword(std::string_view word) {
  return std::find(kStopwords.begin(), kStopwords.end(), word) != kStopwords.end();
}

std::string stem(std::string_view word) {
  // A Xapian::Stem keeps per-call state, so each thread gets its own.
  thread_local Xapian::Stem stemmer("english");
  return stemmer(std::string(word));
}

std::vector<std::string> stems_matching(std::string_view word) {
  std::string own = stem(word);
  const auto& index = synonym_index();
  auto found = index.find(own);
  if (found == index.end()) return {own};
  std::vector<std::string> out{own};
  for (const auto& s : found->second) {
    if (s != own) out.push_back(s);
  }
  return out;
}

}  // namespace fff::search
