#include "sftp-server/options.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace sftpsh::server {

namespace {

constexpr std::string_view kLettersWithArgument = "dflPpQuH";
constexpr std::string_view kLettersWithout = "cehR";

std::vector<std::string> split_commas(std::string_view list) {
  std::vector<std::string> items;
  while (true) {
    const auto comma = list.find(',');
    items.emplace_back(list.substr(0, comma));
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return items;
}

Result<std::vector<std::string>> request_list(char letter, std::string_view value,
                                              std::span<const std::string_view> known) {
  auto items = split_commas(value);
  for (const auto& item : items) {
    if (std::find(known.begin(), known.end(), item) == known.end())
      return Error{fmt::format("unknown request \"{}\" in -{} (see -Q requests)", item, letter)};
  }
  return items;
}

Result<void> apply(Options& o, char letter, std::string_view value,
                   std::span<const std::string_view> known) {
  switch (letter) {
    case 'd':
      o.start_directory = std::string(value);
      return {};
    case 'f': {
      const auto facility = log_facility_from_name(value);
      if (!facility) return Error{fmt::format("Invalid log facility \"{}\"", value)};
      o.log_facility = *facility;
      return {};
    }
    case 'l': {
      const auto level = log_level_from_name(value);
      if (!level) return Error{fmt::format("Invalid log level \"{}\"", value)};
      o.log_level = *level;
      return {};
    }
    case 'P': {
      if (o.denied_requests) return Error{"Refused requests already set"};
      auto list = request_list('P', value, known);
      if (!list) return Error{list.error()};
      o.denied_requests = std::move(*list);
      return {};
    }
    case 'p': {
      if (o.allowed_requests) return Error{"Permitted requests already set"};
      auto list = request_list('p', value, known);
      if (!list) return Error{list.error()};
      o.allowed_requests = std::move(*list);
      return {};
    }
    case 'Q':
      o.query = std::string(value);
      return {};
    case 'u': {
      unsigned mask = 0;
      const auto* end = value.data() + value.size();
      const auto [ptr, ec] = std::from_chars(value.data(), end, mask, 8);
      if (value.empty() || ec != std::errc() || ptr != end || mask > 0777)
        return Error{fmt::format("Invalid umask \"{}\"", value)};
      o.umask = static_cast<mode_t>(mask);
      return {};
    }
    case 'H': {
      int fd = -1;
      const auto* end = value.data() + value.size();
      const auto [ptr, ec] = std::from_chars(value.data(), end, fd);
      if (value.empty() || ec != std::errc() || ptr != end || fd < 0)
        return Error{fmt::format("Invalid hand-over descriptor \"{}\"", value)};
      o.handover_fd = fd;
      return {};
    }
    default:
      return Error{fmt::format("illegal option -- {}", letter)};
  }
}

}  // namespace

Result<Options> parse_options(std::span<const std::string_view> args,
                              std::span<const std::string_view> known_requests) {
  Options o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (arg == "--" || arg.size() < 2 || arg[0] != '-') break;
    for (std::size_t j = 1; j < arg.size(); ++j) {
      const char letter = arg[j];
      if (kLettersWithout.find(letter) != std::string_view::npos) {
        if (letter == 'c') return o;  // "sftp-server -c command": ignore the rest
        if (letter == 'e') o.log_stderr = true;
        if (letter == 'h') o.usage = true;
        if (letter == 'R') o.read_only = true;
        continue;
      }
      if (kLettersWithArgument.find(letter) == std::string_view::npos)
        return Error{fmt::format("illegal option -- {}", letter)};
      std::string_view value;
      if (j + 1 < arg.size()) {
        value = arg.substr(j + 1);
      } else if (i + 1 < args.size()) {
        value = args[++i];
      } else {
        return Error{fmt::format("option requires an argument -- {}", letter)};
      }
      auto applied = apply(o, letter, value, known_requests);
      if (!applied) return Error{applied.error()};
      break;  // the rest of this argument was the value
    }
  }
  return o;
}

Result<std::string> expand_start_directory(std::string_view raw, const UserEntry& user,
                                           const NameDb& names) {
  std::string path(raw);
  // ~ and ~user first, as OpenSSH's tilde_expand_filename().
  if (!path.empty() && path[0] == '~') {
    const auto slash = path.find('/');
    const std::string_view who = std::string_view(path).substr(1, slash == std::string::npos
                                                                       ? std::string::npos
                                                                       : slash - 1);
    const UserEntry* entry = who.empty() ? &user : names.user_by_name(who);
    if (entry == nullptr) return Error{fmt::format("No such user {}", who)};
    std::string rest = slash == std::string::npos ? "" : path.substr(slash + 1);
    std::size_t slashes = 0;
    while (slashes < rest.size() && rest[slashes] == '/') ++slashes;
    rest.erase(0, slashes);
    std::string home = entry->home;
    if (home.empty() || home.back() != '/') home += '/';
    path = home + rest;
  }
  std::string out;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] != '%') {
      out += path[i];
      continue;
    }
    if (i + 1 == path.size()) return Error{"invalid format: trailing %"};
    const char key = path[++i];
    switch (key) {
      case '%': out += '%'; break;
      case 'd': out += user.home; break;
      case 'u': out += user.name; break;
      case 'U': out += fmt::format("{}", user.uid); break;
      default: return Error{fmt::format("percent_expand: unknown key %{}", key)};
    }
  }
  return out;
}

}  // namespace sftpsh::server
