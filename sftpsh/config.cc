#include "sftpsh/config.h"

#include <array>

#include <fmt/format.h>

#include "sftpsh/match_pattern.h"
#include "sftpsh/subsystem_command.h"

namespace sftpsh {

namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

std::string_view unquote(std::string_view value) {
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
    return value.substr(1, value.size() - 2);
  return value;
}

std::vector<std::string_view> split_words(std::string_view text) {
  std::vector<std::string_view> words;
  while (true) {
    text = trim(text);
    if (text.empty()) return words;
    std::size_t end = 0;
    while (end < text.size() && !is_space(text[end])) ++end;
    words.push_back(text.substr(0, end));
    text.remove_prefix(end);
  }
}

// ---- value parsers: one per kind of value ----

Result<void> set_text(std::string_view value, std::optional<std::string>& field) {
  if (!field) field = std::string(value);
  return {};
}

Result<void> set_path(std::string_view value, std::optional<std::string>& field) {
  if (!value.starts_with('/')) return Error{fmt::format("\"{}\" is not an absolute path", value)};
  return set_text(value, field);
}

Result<void> set_yes_no(std::string_view value, std::optional<bool>& field) {
  bool parsed = false;
  if (iequals(value, "yes")) {
    parsed = true;
  } else if (!iequals(value, "no")) {
    return Error{fmt::format("\"{}\" is not yes or no", value)};
  }
  if (!field) field = parsed;
  return {};
}

Result<void> set_umask(std::string_view value, std::optional<unsigned>& field) {
  unsigned parsed = 0;
  const bool octal = !value.empty() && value.size() <= 4 &&
                     value.find_first_not_of("01234567") == std::string_view::npos;
  for (const char c : value) parsed = parsed * 8 + static_cast<unsigned>(c - '0');
  if (!octal || parsed > 0777) return Error{fmt::format("\"{}\" is not an octal umask", value)};
  if (!field) field = parsed;
  return {};
}

// A comma list of request names as sftp-server -p/-P take them.
Result<void> set_requests(std::string_view value, std::optional<std::string>& field) {
  bool item_empty = true;
  for (const char c : value) {
    const bool name_char = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '@' ||
                           c == '.' || c == '_' || c == '-';
    if (c == ',' && !item_empty) {
      item_empty = true;
    } else if (name_char) {
      item_empty = false;
    } else {
      return Error{fmt::format("\"{}\" is not a comma-separated list of request names", value)};
    }
  }
  if (item_empty) return Error{fmt::format("\"{}\" has an empty request name", value)};
  return set_text(value, field);
}

Result<void> set_log_level(std::string_view value, std::optional<LogLevel>& field) {
  const auto level = log_level_from_name(value);
  if (!level) return Error{fmt::format("\"{}\" is not a log level (QUIET, FATAL, ERROR, INFO, "
                                       "VERBOSE, DEBUG, DEBUG1, DEBUG2, DEBUG3)", value)};
  if (!field) field = *level;
  return {};
}

Result<void> set_log_facility(std::string_view value, std::optional<std::string>& field) {
  if (!log_facility_from_name(value))
    return Error{fmt::format("\"{}\" is not a syslog facility (DAEMON, USER, AUTH, AUTHPRIV, "
                             "LOCAL0 ... LOCAL7)", value)};
  std::string upper(value);
  for (char& c : upper)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return set_text(upper, field);
}

Result<void> set_privilege_mode(std::string_view value, std::optional<PrivilegeMode>& field) {
  constexpr std::array kModes{PrivilegeMode::kAuto, PrivilegeMode::kCapability,
                              PrivilegeMode::kSetuid, PrivilegeMode::kUserNamespace};
  for (const auto mode : kModes) {
    if (!iequals(value, privilege_mode_name(mode))) continue;
    if (!field) field = mode;
    return {};
  }
  return Error{fmt::format("\"{}\" is not a privilege mode (auto, capability, setuid, userns)",
                           value)};
}

Result<void> set_deny_message(std::string_view value, std::optional<std::string>& field) {
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '%') continue;
    if (i + 1 == value.size() || (value[i + 1] != 'u' && value[i + 1] != '%'))
      return Error{"DenyMessage knows only %u (the user name) and %%"};
    ++i;
  }
  return set_text(value, field);
}

// `value` as written (quotes included): normalized as sshd builds the -c
// string from its Subsystem line (subsystem_command.h).
Result<void> add_subsystem_command(std::string_view value,
                                   std::optional<std::vector<std::string>>& field) {
  auto command = normalize_subsystem_command(value);
  if (!command) return Error{fmt::format("SubsystemCommand: {}", command.error())};
  if (!field) field.emplace();
  field->push_back(std::move(*command));
  return {};
}

// ---- the keyword table ----

using Setter = Result<void> (*)(std::string_view value, ConfigValues& values);

struct Keyword {
  std::string_view name;
  Setter set;
  bool quoted_words = false;  // gets the value as written, quotes and all
};

// Each entry parses one keyword's value into its field of a scope.
using Text = std::string_view;
using Values = ConfigValues;
constexpr std::array kKeywords{
    Keyword{"DenyMessage",
            [](Text v, Values& c) { return set_deny_message(v, c.deny_message); }},
    Keyword{"SubsystemCommand",
            [](Text v, Values& c) { return add_subsystem_command(v, c.subsystem_commands); },
            true},
    Keyword{"Server",
            [](Text v, Values& c) { return set_path(v, c.server); }},
    Keyword{"Umask",
            [](Text v, Values& c) { return set_umask(v, c.umask); }},
    Keyword{"ReadOnly",
            [](Text v, Values& c) { return set_yes_no(v, c.read_only); }},
    Keyword{"AllowRequests",
            [](Text v, Values& c) { return set_requests(v, c.allow_requests); }},
    Keyword{"DenyRequests",
            [](Text v, Values& c) { return set_requests(v, c.deny_requests); }},
    Keyword{"LogLevel",
            [](Text v, Values& c) { return set_log_level(v, c.log_level); }},
    Keyword{"LogFacility",
            [](Text v, Values& c) { return set_log_facility(v, c.log_facility); }},
    Keyword{"StartDirectory",
            [](Text v, Values& c) { return set_text(v, c.start_directory); }},
    Keyword{"PrivilegeMode",
            [](Text v, Values& c) { return set_privilege_mode(v, c.privilege_mode); }},
};

Result<std::vector<MatchCriterion>> parse_match(std::string_view args) {
  const auto words = split_words(args);
  std::vector<MatchCriterion> criteria;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (iequals(words[i], "All")) {
      if (words.size() != 1) return Error{"Match All must stand alone"};
      criteria.push_back({MatchCriterion::Kind::kAll, ""});
      continue;
    }
    MatchCriterion::Kind kind;
    if (iequals(words[i], "User")) {
      kind = MatchCriterion::Kind::kUser;
    } else if (iequals(words[i], "Group")) {
      kind = MatchCriterion::Kind::kGroup;
    } else {
      return Error{fmt::format("Match: unknown criterion \"{}\" (sftpsh matches User, Group "
                               "or All)", words[i])};
    }
    if (i + 1 == words.size()) return Error{fmt::format("Match {} needs a pattern list", words[i])};
    criteria.push_back({kind, std::string(words[++i])});
  }
  if (criteria.empty()) return Error{"Match needs a criterion (User, Group or All)"};
  return criteria;
}

// Splits "Keyword value", "Keyword=value" or "Keyword = value".
std::pair<std::string_view, std::string_view> split_keyword(std::string_view line) {
  std::size_t end = 0;
  while (end < line.size() && !is_space(line[end]) && line[end] != '=') ++end;
  std::string_view rest = trim(line.substr(end));
  if (rest.starts_with('=')) rest = trim(rest.substr(1));
  return {line.substr(0, end), rest};
}

Result<void> parse_line(std::string_view line, Config& config) {
  const auto [keyword, value] = split_keyword(line);
  if (value.empty()) return Error{fmt::format("{} needs a value", keyword)};
  if (iequals(keyword, "Match")) {
    auto criteria = parse_match(value);
    if (!criteria) return Error{criteria.error()};
    config.blocks.push_back(MatchBlock{std::move(*criteria), {}});
    return {};
  }
  ConfigValues& scope = config.blocks.empty() ? config.global : config.blocks.back().values;
  for (const auto& entry : kKeywords)
    if (iequals(keyword, entry.name))
      return entry.set(entry.quoted_words ? value : unquote(value), scope);
  return Error{fmt::format("unknown keyword \"{}\"", keyword)};
}

bool criterion_matches(const MatchCriterion& criterion, const Subject& subject) {
  switch (criterion.kind) {
    case MatchCriterion::Kind::kAll: return true;
    case MatchCriterion::Kind::kUser: return match_pattern_list(subject.user, criterion.patterns);
    case MatchCriterion::Kind::kGroup:
      return match_any_pattern_list(subject.groups, criterion.patterns);
  }
  return false;
}

bool block_matches(const MatchBlock& block, const Subject& subject) {
  for (const auto& criterion : block.criteria)
    if (!criterion_matches(criterion, subject)) return false;
  return true;
}

template <typename T>
void fill(std::optional<T>& into, const std::optional<T>& from) {
  if (!into && from) into = from;
}

// Fields `into` lacks are taken from `from`: earlier scopes win.
void fill_unset(ConfigValues& into, const ConfigValues& from) {
  fill(into.deny_message, from.deny_message);
  fill(into.subsystem_commands, from.subsystem_commands);
  fill(into.server, from.server);
  fill(into.umask, from.umask);
  fill(into.read_only, from.read_only);
  fill(into.allow_requests, from.allow_requests);
  fill(into.deny_requests, from.deny_requests);
  fill(into.log_level, from.log_level);
  fill(into.log_facility, from.log_facility);
  fill(into.start_directory, from.start_directory);
  fill(into.privilege_mode, from.privilege_mode);
}

void add_unique(std::vector<std::string>& list, std::string_view item) {
  for (const auto& existing : list)
    if (existing == item) return;
  list.emplace_back(item);
}

}  // namespace

std::string_view privilege_mode_name(PrivilegeMode mode) {
  switch (mode) {
    case PrivilegeMode::kAuto: return "auto";
    case PrivilegeMode::kCapability: return "capability";
    case PrivilegeMode::kSetuid: return "setuid";
    case PrivilegeMode::kUserNamespace: return "userns";
  }
  return "unknown";
}

std::string_view default_deny_message() {
  return "This account (%u) is for SFTP only: shell logins and remote commands are not "
         "allowed. Use sftp, or scp without -O (modern scp speaks SFTP).";
}

Result<Config> parse_config(std::string_view text, std::string_view file_name) {
  Config config;
  std::size_t number = 0;
  while (!text.empty()) {
    ++number;
    const auto newline = text.find('\n');
    const std::string_view line = trim(text.substr(0, newline));
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    if (line.empty() || line.starts_with('#')) continue;
    if (line.find('\0') != std::string_view::npos)
      return Error{fmt::format("{}:{}: NUL byte in line", file_name, number)};
    if (auto parsed = parse_line(line, config); !parsed)
      return Error{fmt::format("{}:{}: {}", file_name, number, parsed.error())};
  }
  return config;
}

Settings resolve_settings(const Config& config, const Subject& subject,
                          std::string_view compiled_server) {
  ConfigValues chosen;
  for (const auto& block : config.blocks)
    if (block_matches(block, subject)) fill_unset(chosen, block.values);
  fill_unset(chosen, config.global);

  Settings settings;
  settings.deny_message = chosen.deny_message.value_or(std::string(default_deny_message()));
  settings.server = chosen.server.value_or(std::string(compiled_server));
  if (chosen.subsystem_commands) {
    settings.subsystem_commands = *chosen.subsystem_commands;
  } else {
    add_unique(settings.subsystem_commands, settings.server);
    add_unique(settings.subsystem_commands, compiled_server);
    add_unique(settings.subsystem_commands, kDebianSftpServer);
  }
  settings.umask = chosen.umask;
  settings.read_only = chosen.read_only.value_or(false);
  settings.allow_requests = chosen.allow_requests.value_or("");
  settings.deny_requests = chosen.deny_requests.value_or("");
  settings.log_level = chosen.log_level;
  settings.log_facility = chosen.log_facility;
  settings.start_directory = chosen.start_directory.value_or("");
  settings.privilege_mode = chosen.privilege_mode.value_or(PrivilegeMode::kAuto);
  return settings;
}

std::string expand_deny_message(std::string_view message, std::string_view user) {
  std::string out;
  for (std::size_t i = 0; i < message.size(); ++i) {
    if (message[i] == '%' && i + 1 < message.size()) {
      if (message[i + 1] == 'u') out += user;
      if (message[i + 1] == '%') out += '%';
      ++i;
      continue;
    }
    out += message[i];
  }
  return out;
}

}  // namespace sftpsh
