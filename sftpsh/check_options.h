// `sftpsh check` (check_run.h): its command line (pure).
//
//   sftpsh check [-f sshd_config] [--] [user ...]
//
// -f passes another sshd_config to `sshd -T` (a config being prepared, the
// tests). Named users are checked instead of every account whose login shell
// is this sftpsh.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace sftpsh {

struct CheckOptions {
  std::string sshd_config;         // empty: sshd's own default
  std::vector<std::string> users;  // empty: every account whose shell is this sftpsh
  bool help = false;
};

inline constexpr std::string_view kCheckUsage =
    "usage: sftpsh check [-f sshd_config] [user ...]";

// `args` are the words after "check". A usage error names the word.
[[nodiscard]] Result<CheckOptions> parse_check_options(std::span<const std::string_view> args);

}  // namespace sftpsh
