#include "sftpsh/environment.h"

#include <charconv>
#include <cstdint>
#include <vector>

namespace sftpsh {

namespace {

constexpr std::size_t kMaxAddress = 64;  // an IPv6 literal with a zone id fits

bool is_address(std::string_view text) {
  if (text.empty() || text.size() > kMaxAddress) return false;
  for (const char c : text) {
    const bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                    (c >= 'A' && c <= 'Z') || c == '.' || c == ':' || c == '%' ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool is_port(std::string_view text) {
  std::uint16_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  return !text.empty() && text.size() <= 5 && ec == std::errc() && ptr == end &&
         text.find_first_not_of("0123456789") == std::string_view::npos;
}

std::vector<std::string_view> split_single_spaces(std::string_view text) {
  std::vector<std::string_view> fields;
  while (true) {
    const auto space = text.find(' ');
    fields.push_back(text.substr(0, space));
    if (space == std::string_view::npos) return fields;
    text.remove_prefix(space + 1);
  }
}

// What sshd puts into a session's environment, and the locale variables
// (Debian's sshd_config has AcceptEnv LANG LC_*). None is read by a static
// glibc before main (that reads GLIBC_TUNABLES, MALLOC_* and LD_*).
bool is_session_variable(std::string_view name) {
  static constexpr std::string_view kNames[] = {"USER", "LOGNAME", "HOME", "PATH", "MAIL",
                                                "SHELL", "TERM", "LANG", "LANGUAGE",
                                                "SSH_CLIENT", "SSH_TTY"};
  for (const auto known : kNames)
    if (name == known) return true;
  if (name.size() > 3 && name.substr(0, 3) == "LC_") {
    for (const char c : name.substr(3))
      if (!((c >= 'A' && c <= 'Z') || c == '_')) return false;
    return true;
  }
  return false;
}

}  // namespace

std::optional<ClientAddress> parse_ssh_connection(std::string_view value) {
  const auto fields = split_single_spaces(value);
  if (fields.size() != 4) return std::nullopt;
  if (!is_address(fields[0]) || !is_port(fields[1]) || !is_address(fields[2]) ||
      !is_port(fields[3]))
    return std::nullopt;
  return ClientAddress{std::string(fields[0]), std::string(fields[1])};
}

bool environment_is_clean(const char* const* envp) {
  if (envp == nullptr) return true;
  for (; *envp != nullptr; ++envp) {
    const std::string_view entry(*envp);
    const auto equals = entry.find('=');
    if (equals == std::string_view::npos) return false;
    const std::string_view name = entry.substr(0, equals);
    if (name == "SSH_CONNECTION") {
      if (!parse_ssh_connection(entry.substr(equals + 1))) return false;
    } else if (!is_session_variable(name)) {
      return false;
    }
  }
  return true;
}

}  // namespace sftpsh
