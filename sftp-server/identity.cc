#include "sftp-server/identity.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "common/handover.h"
#include "common/read_file.h"
#include "common/version.h"

namespace sftpsh::server {

namespace {

// The hand-over and the account files are small; anything bigger is refused.
constexpr std::size_t kMaxFileSize = 16 * 1024 * 1024;

std::string read_file_or_empty(const char* path) {
  auto text = read_small_file(path, kMaxFileSize);
  return text ? *text : std::string();
}

}  // namespace

std::string client_from_ssh_connection(const char* value) {
  if (value == nullptr) return "UNKNOWN";
  const std::string_view v(value);
  const auto space = v.find(' ');
  if (space == std::string_view::npos || space == 0) return "UNKNOWN";
  return std::string(v.substr(0, space));
}

Result<Identity> identity_from_handover(int fd) {
  auto text = read_small_fd(fd, kMaxFileSize);
  ::close(fd);
  if (!text) return Error{fmt::format("cannot read the hand-over: {}", text.error())};
  auto handover = decode_handover(*text);
  if (!handover) return Error{fmt::format("bad hand-over: {}", handover.error())};
  if (handover->version != kVersion)
    return Error{fmt::format("hand-over from sftpsh {}, but this server is {}",
                             handover->version, kVersion)};
  Identity id;
  id.user = handover->user;
  // Our own user first (first entry wins): known, with the home in the jail.
  id.names.add_user(id.user);
  for (const auto& user : handover->names.users()) id.names.add_user(user);
  for (const auto& group : handover->names.groups()) id.names.add_group(group);
  id.client = handover->client;
  id.syslog_fd = UniqueFd(handover->log_fd);
  id.from_handover = true;
  return id;
}

Identity identity_standalone(Logger& log) {
  Identity id;
  parse_passwd(read_file_or_empty("/etc/passwd"), id.names);
  parse_group(read_file_or_empty("/etc/group"), id.names);
  const uid_t uid = ::getuid();
  if (const UserEntry* user = id.names.user_by_uid(uid)) {
    id.user = *user;
  } else {
    // OpenSSH would give up here ("No user found for uid"); a jail without
    // /etc/passwd is exactly where we must keep working, showing numbers.
    id.user = UserEntry{fmt::format("{}", uid), uid, ::getgid(), "/", ""};
    log.verbose("no passwd entry for uid {}: using numbers", uid);
  }
  const char* connection = std::getenv("SSH_CONNECTION");
  id.client = client_from_ssh_connection(connection);
  if (connection != nullptr && id.client == "UNKNOWN")
    log.error("Malformed SSH_CONNECTION variable: \"{}\"", connection);
  return id;
}

}  // namespace sftpsh::server
