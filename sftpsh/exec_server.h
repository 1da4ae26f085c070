// Step 8: exec the server by fd.
//
// Its argv comes only from sftpsh's config (the client's -c string has
// already been compared and is never used), its environment is built from
// nothing but named values (doas's env.c), never filtered from what sshd and
// the client passed in.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "sftpsh/config.h"

namespace sftpsh {

// sftp-server -H <handover_fd> [-u umask] [-R] [-p allow] [-P deny]
//             [-d start] [-l level] [-f facility]   (pure)
[[nodiscard]] std::vector<std::string> server_argv(const Settings& settings, int handover_fd);

// HOME (the start directory inside the jail), USER, LOGNAME, PATH, and TZ
// when the host's zone rule is known (local_time.h) (pure).
[[nodiscard]] std::vector<std::string> server_environment(
    std::string_view user, std::string_view home,
    const std::optional<std::string>& time_zone = std::nullopt);

// execveat(server_fd, "", argv, envp, AT_EMPTY_PATH). Returns only on failure.
// The vectors are turned into char* arrays before the call so that nothing is
// allocated between installing the seccomp filter and the exec.
class ServerExec {
 public:
  ServerExec(int server_fd, std::vector<std::string> argv, std::vector<std::string> env);
  // The pointer arrays point into the strings: never copied or moved.
  ServerExec(const ServerExec&) = delete;
  ServerExec& operator=(const ServerExec&) = delete;
  [[nodiscard]] Result<void> run();

 private:
  int server_fd_;
  std::vector<std::string> argv_;
  std::vector<std::string> env_;
  std::vector<char*> argv_ptrs_;
  std::vector<char*> env_ptrs_;
};

}  // namespace sftpsh
