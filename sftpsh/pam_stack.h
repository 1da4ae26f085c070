// PAM configuration files (pure): which modules sshd's PAM stack runs, with
// which arguments (sftpsh check, check_pam.h).
//
// Linux-PAM's /etc/pam.d syntax: `type control module [args...]`, where
// control may be a bracketed list with blanks in it (`[success=ok
// default=bad]`), type may start with '-' (skip a missing module), '#'
// starts a comment, and a backslash at the end of a line continues it.
// `@include FILE` (Debian) and the controls `include` and `substack` pull in
// another file of /etc/pam.d.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sftpsh {

struct PamEntry {
  std::string file;  // where it was read: "/etc/pam.d/sshd"
  int line = 0;
  std::string type;     // "session", without a leading '-'
  std::string control;  // "required", "[success=ok default=bad]"
  std::string module;   // as written: "pam_env.so" or a path
  std::vector<std::string> arguments;
  std::string text;     // the line as written, for messages

  // The module's file name without its directory ("pam_env.so").
  [[nodiscard]] std::string_view module_name() const;
  [[nodiscard]] bool has_argument(std::string_view argument) const;
};

struct PamFile {
  std::vector<PamEntry> entries;
  std::vector<std::string> includes;  // file names as written, in order
};

[[nodiscard]] PamFile parse_pam_file(std::string_view text, std::string_view file_name);

// The path an include names: relative names are in /etc/pam.d.
[[nodiscard]] std::string pam_include_path(std::string_view name);

}  // namespace sftpsh
