#include "sftpsh/exec_server.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "common/log.h"

namespace sftpsh {

namespace {

std::vector<char*> pointers_to(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (auto& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

}  // namespace

std::vector<std::string> server_argv(const Settings& settings, int handover_fd) {
  std::vector<std::string> argv{"sftp-server", "-H", std::to_string(handover_fd)};
  if (settings.umask) argv.insert(argv.end(), {"-u", fmt::format("{:04o}", *settings.umask)});
  if (settings.read_only) argv.emplace_back("-R");
  if (!settings.allow_requests.empty()) argv.insert(argv.end(), {"-p", settings.allow_requests});
  if (!settings.deny_requests.empty()) argv.insert(argv.end(), {"-P", settings.deny_requests});
  if (!settings.start_directory.empty())
    argv.insert(argv.end(), {"-d", settings.start_directory});
  if (settings.log_level)
    argv.insert(argv.end(), {"-l", std::string(log_level_name(*settings.log_level))});
  if (settings.log_facility) argv.insert(argv.end(), {"-f", *settings.log_facility});
  return argv;
}

std::vector<std::string> server_environment(std::string_view user, std::string_view home,
                                            const std::optional<std::string>& time_zone) {
  std::vector<std::string> env{fmt::format("HOME={}", home), fmt::format("USER={}", user),
                               fmt::format("LOGNAME={}", user), "PATH=/usr/bin:/bin"};
  if (time_zone) env.push_back(fmt::format("TZ={}", *time_zone));
  return env;
}

ServerExec::ServerExec(int server_fd, std::vector<std::string> argv,
                       std::vector<std::string> env)
    : server_fd_(server_fd), argv_(std::move(argv)), env_(std::move(env)) {
  argv_ptrs_ = pointers_to(argv_);
  env_ptrs_ = pointers_to(env_);
}

Result<void> ServerExec::run() {
  ::execveat(server_fd_, "", argv_ptrs_.data(), env_ptrs_.data(), AT_EMPTY_PATH);
  return Error{fmt::format("exec of the server failed: {}", std::strerror(errno))};
}

}  // namespace sftpsh
