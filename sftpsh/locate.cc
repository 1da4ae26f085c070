#include "sftpsh/locate.h"

#include <optional>

#include <fmt/format.h>

namespace sftpsh {

namespace {

constexpr std::size_t kMaxPath = 4095;  // PATH_MAX - 1


std::string join(const std::vector<std::string>& parts) {
  std::string path;
  for (const auto& part : parts) path += "/" + part;
  return path.empty() ? "/" : path;
}

}  // namespace

Result<JailPath> split_home(std::string_view home) {
  if (!home.starts_with('/'))
    return Error{fmt::format("home directory \"{}\" is not absolute: it must be "
                             "/<jail>/./<start>", home)};
  if (home.size() > kMaxPath) return Error{"home directory path is too long"};
  auto marker = home.find("/./");
  if (marker == std::string_view::npos && home.ends_with("/.")) marker = home.size() - 2;
  if (marker == std::string_view::npos)
    return Error{fmt::format("home directory \"{}\" has no \"/./\": sftpsh serves only jailed "
                             "accounts (e.g. /srv/jail/USER/./ or /srv/jail/./USER)", home)};
  const auto root = path_components(home.substr(0, marker));
  const auto start = path_components(home.substr(marker + 2));
  if (!root || !start)
    return Error{fmt::format("home directory \"{}\" contains \"..\"", home)};
  if (root->empty())
    return Error{fmt::format("home directory \"{}\" puts the jail at \"/\"", home)};
  return JailPath{join(*root), *root, join(*start), *start};
}

std::string host_home(const JailPath& jail) {
  std::vector<std::string> parts = jail.components;
  parts.insert(parts.end(), jail.start_components.begin(), jail.start_components.end());
  return join(parts);
}

std::optional<std::vector<std::string>> path_components(std::string_view path) {
  std::vector<std::string> parts;
  while (!path.empty()) {
    const auto slash = path.find('/');
    const std::string_view part = path.substr(0, slash);
    path.remove_prefix(slash == std::string_view::npos ? path.size() : slash + 1);
    if (part.empty() || part == ".") continue;
    if (part == "..") return std::nullopt;
    parts.emplace_back(part);
  }
  return parts;
}

}  // namespace sftpsh
