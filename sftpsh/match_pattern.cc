#include "sftpsh/match_pattern.h"

namespace sftpsh {

bool match_pattern(std::string_view text, std::string_view pattern) {
  // Iterative glob match with one backtrack point for the last '*'.
  std::size_t t = 0, p = 0;
  std::size_t star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++t;
      ++p;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

namespace {

enum class ListMatch { kNone, kMatch, kNegated };

ListMatch match_list(std::string_view text, std::string_view list) {
  ListMatch result = ListMatch::kNone;
  while (true) {
    const auto comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    const bool negated = item.starts_with('!');
    if (negated) item.remove_prefix(1);
    if (!item.empty() && match_pattern(text, item)) {
      if (negated) return ListMatch::kNegated;
      result = ListMatch::kMatch;
    }
    if (comma == std::string_view::npos) return result;
    list.remove_prefix(comma + 1);
  }
}

}  // namespace

bool match_pattern_list(std::string_view text, std::string_view list) {
  return match_list(text, list) == ListMatch::kMatch;
}

bool match_any_pattern_list(std::span<const std::string> names, std::string_view list) {
  bool matched = false;
  for (const auto& name : names) {
    const ListMatch result = match_list(name, list);
    if (result == ListMatch::kNegated) return false;
    matched = matched || result == ListMatch::kMatch;
  }
  return matched;
}

}  // namespace sftpsh
