// /etc/sftpsh.conf (pure): sshd_config-like keywords and Match blocks.
//
//   # comment
//   Keyword value            (or Keyword=value; keywords are case-insensitive)
//   Match User alice,b*      (also: Match Group sftp,!staff   Match User x Group y   Match All)
//   Keyword value            (applies to matching sessions until the next Match)
//
// As in sshd, the first obtained value wins: the first matching Match block
// that sets a keyword, else the first line of the global section, else the
// built-in default. SubsystemCommand is repeatable: all lines of the scope that
// supplies it are accepted. An unknown keyword or a bad value is an error
// "file:line: message", and sftpsh then refuses every session.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/log.h"
#include "common/result.h"

namespace sftpsh {

// How sftpsh gets the right to chroot (sftpsh(8), "PRIVILEGE MODES").
enum class PrivilegeMode { kAuto, kCapability, kSetuid, kUserNamespace };

[[nodiscard]] std::string_view privilege_mode_name(PrivilegeMode mode);

// The values one scope (the global section or one Match block) sets.
struct ConfigValues {
  std::optional<std::string> deny_message;
  std::optional<std::vector<std::string>> subsystem_commands;
  std::optional<std::string> server;
  std::optional<unsigned> umask;
  std::optional<bool> read_only;
  std::optional<std::string> allow_requests;
  std::optional<std::string> deny_requests;
  std::optional<LogLevel> log_level;
  std::optional<std::string> log_facility;  // canonical upper-case name
  std::optional<std::string> start_directory;
  std::optional<PrivilegeMode> privilege_mode;
};

struct MatchCriterion {
  enum class Kind { kUser, kGroup, kAll };
  Kind kind = Kind::kAll;
  std::string patterns;  // sshd pattern list; empty for kAll
};

struct MatchBlock {
  std::vector<MatchCriterion> criteria;  // all must match
  ConfigValues values;
};

struct Config {
  ConfigValues global;
  std::vector<MatchBlock> blocks;
};

[[nodiscard]] Result<Config> parse_config(std::string_view text, std::string_view file_name);

// Who the session is for, as Match sees it.
struct Subject {
  std::string user;
  std::vector<std::string> groups;  // primary and supplementary group names
};

// Everything sftpsh needs from the config, defaults filled in.
struct Settings {
  std::string deny_message;  // %u not yet expanded
  std::vector<std::string> subsystem_commands;
  std::string server;
  std::optional<unsigned> umask;
  bool read_only = false;
  std::string allow_requests;
  std::string deny_requests;
  std::optional<LogLevel> log_level;
  std::optional<std::string> log_facility;
  std::string start_directory;
  PrivilegeMode privilege_mode = PrivilegeMode::kAuto;
};

// The subsystem commands accepted when the config names none: the server's
// path (an sshd_config "Subsystem sftp <that path>") and Debian's OpenSSH
// server path, so an unchanged sshd_config works.
inline constexpr std::string_view kDebianSftpServer = "/usr/lib/openssh/sftp-server";

[[nodiscard]] std::string_view default_deny_message();

[[nodiscard]] Settings resolve_settings(const Config& config, const Subject& subject,
                                        std::string_view compiled_server);

// Replaces %u with the user name and %% with %.
[[nodiscard]] std::string expand_deny_message(std::string_view message, std::string_view user);

}  // namespace sftpsh
