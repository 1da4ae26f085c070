#include "sftpsh/check_keys.h"

namespace sftpsh {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

std::string expand(std::string_view pattern, std::string_view user, uid_t uid,
                   std::string_view home) {
  std::string out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '%' || i + 1 == pattern.size()) {
      out += pattern[i];
      continue;
    }
    switch (pattern[++i]) {
      case '%': out += '%'; break;
      case 'h': out += home; break;
      case 'u': out += user; break;
      case 'U': out += std::to_string(uid); break;
      default:  // sshd refuses unknown tokens; keep them visible
        out += '%';
        out += pattern[i];
    }
  }
  return out;
}

}  // namespace

std::string normalize_path(std::string_view path) {
  std::vector<std::string_view> parts;
  while (!path.empty()) {
    const auto slash = path.find('/');
    const std::string_view part = path.substr(0, slash);
    path.remove_prefix(slash == std::string_view::npos ? path.size() : slash + 1);
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string out;
  for (const auto part : parts) {
    out += '/';
    out += part;
  }
  return out.empty() ? "/" : out;
}

bool path_within(std::string_view path, std::string_view dir) {
  if (dir == "/") return true;
  return path == dir || (path.starts_with(dir) && path.size() > dir.size() &&
                         path[dir.size()] == '/');
}

std::vector<std::string> authorized_keys_paths(std::string_view value, std::string_view user,
                                               uid_t uid, std::string_view home) {
  std::vector<std::string> paths;
  while (true) {
    while (!value.empty() && is_blank(value.front())) value.remove_prefix(1);
    if (value.empty()) break;
    std::size_t end = 0;
    while (end < value.size() && !is_blank(value[end])) ++end;
    const std::string_view word = value.substr(0, end);
    value.remove_prefix(end);
    if (word == "none") continue;
    std::string path = expand(word, user, uid, home);
    if (!path.starts_with('/')) path = std::string(home) + "/" + path;
    paths.push_back(normalize_path(path));
  }
  return paths;
}

}  // namespace sftpsh
