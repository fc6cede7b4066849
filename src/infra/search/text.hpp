// infra/search/text: how catalog text and shopper queries become words, the same way on both
// sides so that what is indexed is what a query can find.
//
// Words are Unicode word-character runs, lower-cased. An apostrophe inside a word is dropped
// ("women's" → "womens") and a few fashion compounds that shoppers write three ways are joined
// ("t-shirt", "t shirt" → "tshirt") so that they are one word wherever they appear.
// Thread-safety: every function here is safe to call from many threads at once.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace fff::search {

// Longest word kept; longer runs are dropped (they are noise, and Xapian caps term length).
inline constexpr size_t kMaxWordBytes = 64;

// The words of `text`, in order. A byte that is not valid UTF-8 is read as the Latin-1
// character of that value (Xapian's rule), so any input tokenises without error.
std::vector<std::string> words_of(std::string_view text);

// `text` cut to at most `max_bytes` bytes without splitting a UTF-8 sequence.
std::string truncate_utf8(std::string_view text, size_t max_bytes);

// Words that carry no meaning in a product search ("the", "and", "size"); query-side only.
bool is_stopword(std::string_view word);

// The English stem of a word (dresses → dress, jeans → jean).
std::string stem(std::string_view word);

// The stems a query word should also match: its synonym group (tee ↔ tshirt, trainers ↔
// sneakers, trousers ↔ pants, jumper ↔ sweater, …) as stems, including the word's own stem first.
// A word without synonyms gives just its own stem.
std::vector<std::string> stems_matching(std::string_view word);

}  // namespace fff::search
