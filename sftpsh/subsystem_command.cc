#include "sftpsh/subsystem_command.h"

#include <vector>

#include <fmt/format.h>

namespace sftpsh {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// misc.c argv_split(s, ..., terminate_on_comment = 1), transcribed.
Result<std::vector<std::string>> split_like_sshd(std::string_view s) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < s.size()) {
    if (is_blank(s[i])) {
      ++i;
      continue;
    }
    if (s[i] == '#') break;  // a comment
    std::string word;
    char quote = 0;
    for (; i < s.size(); ++i) {
      const char c = s[i];
      const char next = i + 1 < s.size() ? s[i + 1] : '\0';
      if (c == '\\') {
        if (next == '\'' || next == '"' || next == '\\' || (quote == 0 && next == ' ')) ++i;
        word += s[i];  // the escaped character, or an unrecognised escape's '\'
      } else if (quote == 0 && is_blank(c)) {
        break;
      } else if (quote == 0 && (c == '"' || c == '\'')) {
        quote = c;
      } else if (quote != 0 && c == quote) {
        quote = 0;
      } else {
        word += c;
      }
    }
    if (quote != 0) return Error{"unterminated quote (sshd refuses such a line too)"};
    words.push_back(std::move(word));
  }
  return words;
}

}  // namespace

Result<std::string> normalize_subsystem_command(std::string_view value) {
  auto words = split_like_sshd(value);
  if (!words) return Error{words.error()};
  if (words->empty() || words->front().empty()) return Error{"no command"};
  std::string joined;
  for (const auto& word : *words) {
    if (!joined.empty()) joined += ' ';
    joined += word;
  }
  return joined;
}

}  // namespace sftpsh
