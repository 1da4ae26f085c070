#include "sftpsh/pam_stack.h"

namespace sftpsh {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// The next word of `text`; a word starting with '[' runs to the matching ']'.
std::string_view next_word(std::string_view& text) {
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  if (text.empty()) return {};
  std::size_t end = 0;
  if (text.front() == '[') {
    end = text.find(']');
    end = end == std::string_view::npos ? text.size() : end + 1;
  } else {
    while (end < text.size() && !is_blank(text[end])) ++end;
  }
  const std::string_view word = text.substr(0, end);
  text.remove_prefix(end);
  return word;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
  return text;
}

}  // namespace

std::string_view PamEntry::module_name() const {
  const auto slash = module.rfind('/');
  return slash == std::string::npos ? std::string_view(module)
                                    : std::string_view(module).substr(slash + 1);
}

bool PamEntry::has_argument(std::string_view argument) const {
  for (const auto& arg : arguments)
    if (arg == argument) return true;
  return false;
}

PamFile parse_pam_file(std::string_view text, std::string_view file_name) {
  PamFile file;
  int number = 0;
  while (!text.empty()) {
    // One logical line: physical lines joined at a trailing backslash.
    std::string line;
    const int first = number + 1;
    while (!text.empty()) {
      const auto newline = text.find('\n');
      std::string_view part = text.substr(0, newline);
      text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
      ++number;
      if (!part.empty() && part.back() == '\r') part.remove_suffix(1);
      if (!part.empty() && part.back() == '\\') {
        part.remove_suffix(1);
        line += part;
        line += ' ';
        continue;
      }
      line += part;
      break;
    }
    std::string_view rest = line;
    rest = rest.substr(0, rest.find('#'));
    rest = trim(rest);
    if (rest.empty()) continue;
    const std::string text_as_written(rest);
    std::string_view type = next_word(rest);
    if (type == "@include") {
      const std::string_view name = next_word(rest);
      if (!name.empty()) file.includes.emplace_back(name);
      continue;
    }
    if (type.starts_with('-')) type.remove_prefix(1);
    PamEntry entry;
    entry.file = std::string(file_name);
    entry.line = first;
    entry.type = std::string(type);
    entry.control = std::string(next_word(rest));
    entry.module = std::string(next_word(rest));
    entry.text = text_as_written;
    for (std::string_view word = next_word(rest); !word.empty(); word = next_word(rest))
      entry.arguments.emplace_back(word);
    if (entry.control == "include" || entry.control == "substack") {
      if (!entry.module.empty()) file.includes.push_back(entry.module);
      continue;
    }
    file.entries.push_back(std::move(entry));
  }
  return file;
}

std::string pam_include_path(std::string_view name) {
  if (name.starts_with('/')) return std::string(name);
  return "/etc/pam.d/" + std::string(name);
}

}  // namespace sftpsh
