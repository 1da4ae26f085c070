// Command-line options: OpenSSH's sftp-server set, plus -H for sftpsh.
//
//   sftp-server [-ehR] [-d start_directory] [-f log_facility] [-l log_level]
//               [-P denied_requests] [-p allowed_requests] [-u umask] [-H fd]
//   sftp-server -Q protocol_feature
#pragma once

#include <sys/types.h>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/log.h"
#include "common/name_db.h"
#include "common/result.h"

namespace sftpsh::server {

struct Options {
  bool usage = false;                // -h: print usage, exit 1 (as OpenSSH)
  std::optional<std::string> query;  // -Q requests
  bool read_only = false;            // -R
  bool log_stderr = false;           // -e
  LogLevel log_level = LogLevel::kError;
  int log_facility = 4 << 3;  // LOG_AUTH
  std::optional<std::string> start_directory;  // -d, before ~ and % expansion
  std::optional<std::vector<std::string>> allowed_requests;  // -p
  std::optional<std::vector<std::string>> denied_requests;   // -P
  std::optional<mode_t> umask;                                // -u
  int handover_fd = -1;                                       // -H (sftpsh)
};

// Parses argv like getopt("d:f:l:P:p:Q:u:cehRH:") with POSIX rules: option
// letters may be grouped (-eR), an argument may be attached (-u022), "--" or
// the first non-option ends the options, and -c ignores everything after it
// (sftp-server run as a shell with "-c command", as OpenSSH). Errors name
// the option. Request names in -p/-P must be known: `known_requests` lists
// them (a typo in a deny list must not silently allow).
[[nodiscard]] Result<Options> parse_options(std::span<const std::string_view> args,
                                            std::span<const std::string_view> known_requests);

// The -d argument with ~ and %d (home), %u (user name), %U (uid), %% expanded.
[[nodiscard]] Result<std::string> expand_start_directory(std::string_view raw,
                                                         const UserEntry& user,
                                                         const NameDb& names);

}  // namespace sftpsh::server
