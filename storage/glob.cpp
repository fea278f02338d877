#include "storage/glob.h"

#include <cctype>

namespace shardcache::storage {
namespace {

char fold(char c, bool nocase) {
  return nocase ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : c;
}

// Matches a bracket class starting after '['; advances `p` past the closing ']' (or to the end
// of the pattern when it is unterminated, as Redis does).
bool match_class(std::string_view pattern, std::size_t& p, char c, bool nocase) {
  bool negate = false;
  if (p < pattern.size() && pattern[p] == '^') {
    negate = true;
    ++p;
  }
  bool matched = false;
  while (p < pattern.size() && pattern[p] != ']') {
    if (pattern[p] == '\\' && p + 1 < pattern.size()) {
      ++p;
      if (fold(pattern[p], nocase) == fold(c, nocase)) matched = true;
    } else if (p + 2 < pattern.size() && pattern[p + 1] == '-') {
      char start = fold(pattern[p], nocase), end = fold(pattern[p + 2], nocase);
      if (start > end) std::swap(start, end);
      const char folded = fold(c, nocase);
      if (folded >= start && folded <= end) matched = true;
      p += 2;
    } else if (fold(pattern[p], nocase) == fold(c, nocase)) {
      matched = true;
    }
    ++p;
  }
  if (p < pattern.size()) ++p;  // the ']'
  return negate ? !matched : matched;
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text, bool nocase) {
  // Iterative matching with one backtrack point for the last '*': linear in practice and free
  // of the exponential blow-up of naive recursion on patterns like "a*a*a*a*b".
  std::size_t p = 0, t = 0;
  std::size_t star_p = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size()) {
      const char pc = pattern[p];
      if (pc == '*') {
        while (p < pattern.size() && pattern[p] == '*') ++p;
        if (p == pattern.size()) return true;
        star_p = p;
        star_t = t;
        continue;
      }
      if (pc == '?') {
        ++p;
        ++t;
        continue;
      }
      if (pc == '[') {
        std::size_t q = p + 1;
        if (match_class(pattern, q, text[t], nocase)) {
          p = q;
          ++t;
          continue;
        }
      } else {
        std::size_t q = p;
        if (pc == '\\' && q + 1 < pattern.size()) ++q;
        if (fold(pattern[q], nocase) == fold(text[t], nocase)) {
          p = q + 1;
          ++t;
          continue;
        }
      }
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p;
    t = ++star_t;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace shardcache::storage
