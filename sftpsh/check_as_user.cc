#include "sftpsh/check_as_user.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>

#include <fmt/format.h>

#include "common/unique_fd.h"
#include "sftpsh/home_check.h"
#include "sftpsh/jail_check.h"
#include "sftpsh/privilege.h"

namespace sftpsh {

namespace {

constexpr int kWalkFlags = O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC;
constexpr unsigned kChildSeconds = 60;
constexpr std::size_t kMaxReport = 1 << 20;
constexpr int kChildFailed = 3;  // the child reports an error message

std::string child_path(std::string_view parent, std::string_view name) {
  return parent == "/" ? fmt::format("/{}", name) : fmt::format("{}/{}", parent, name);
}

void write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

// Runs `body` in a child that first became uid/gid (euid 0 if asked), and
// returns what it wrote. The parent keeps all of its own state.
Result<std::string> in_child(uid_t uid, gid_t gid, const std::vector<gid_t>& groups,
                             bool effective_root,
                             const std::function<Result<std::string>()>& body) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Error{fmt::format("pipe: {}", std::strerror(errno))};
  UniqueFd reader(fds[0]), writer(fds[1]);
  const pid_t pid = ::fork();
  if (pid < 0) return Error{fmt::format("fork: {}", std::strerror(errno))};
  if (pid == 0) {
    reader.reset();
    ::alarm(kChildSeconds);
    Result<std::string> report = Error{"the child did not run"};
    if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
      report = Error{fmt::format("prctl(PR_SET_DUMPABLE): {}", std::strerror(errno))};
    } else if (::setgroups(groups.size(), groups.data()) != 0 ||
               ::setresgid(gid, gid, gid) != 0 ||
               ::setresuid(uid, effective_root ? 0 : uid, effective_root ? 0 : uid) != 0) {
      report = Error{fmt::format("cannot take the ids of uid {}: {}", uid, std::strerror(errno))};
    } else if (::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
      // again: changing ids sets it to fs.suid_dumpable, which may be 1
      report = Error{fmt::format("prctl(PR_SET_DUMPABLE): {}", std::strerror(errno))};
    } else {
      report = body();
    }
    write_all(writer.get(), report ? *report : report.error());
    ::_exit(report ? 0 : kChildFailed);
  }
  writer.reset();
  // The child runs with the user's real uid, so the user may signal it: a
  // SIGSTOP would hold off its alarm. The parent keeps its own deadline.
  std::string text;
  char buffer[4096];
  bool timed_out = false;
  while (text.size() <= kMaxReport) {
    pollfd ready{reader.get(), POLLIN, 0};
    const int polled = ::poll(&ready, 1, static_cast<int>(kChildSeconds + 5) * 1000);
    if (polled < 0 && errno == EINTR) continue;
    if (polled <= 0) {
      timed_out = true;
      break;
    }
    const ssize_t n = ::read(reader.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  if (timed_out || text.size() > kMaxReport) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return Error{fmt::format("waitpid: {}", std::strerror(errno))};
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return text;
  if (WIFEXITED(status) && WEXITSTATUS(status) == kChildFailed) return Error{text};
  if (timed_out)
    return Error{fmt::format("the check as uid {} did not finish in {} seconds", uid,
                             kChildSeconds)};
  if (WIFSIGNALED(status))
    return Error{fmt::format("the check as uid {} was killed by signal {}", uid,
                             WTERMSIG(status))};
  return Error{fmt::format("the check as uid {} exited with status {}", uid,
                           WEXITSTATUS(status))};
}

// `name` beneath `dir` (which `dir_path` names), without following a link.
PathFact path_fact(int dir, const std::string& dir_path, const char* name) {
  PathFact fact;
  fact.path = child_path(dir_path, name);
  struct stat st {};
  if (::fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
    fact.kind = errno == ENOENT ? PathFact::Kind::kMissing : PathFact::Kind::kError;
    if (errno != ENOENT) fact.error = std::strerror(errno);
    return fact;
  }
  fact.owner = st.st_uid;
  if (S_ISLNK(st.st_mode)) {
    fact.kind = PathFact::Kind::kSymlink;
    return fact;  // a link's own mode says nothing; its owner does
  }
  fact.kind = S_ISDIR(st.st_mode) ? PathFact::Kind::kDirectory
              : S_ISREG(st.st_mode) ? PathFact::Kind::kFile
                                    : PathFact::Kind::kOther;
  fact.user_writable = ::faccessat(dir, name, W_OK, AT_SYMLINK_NOFOLLOW) == 0;
  return fact;
}

void gather_home_files(const JailPath& jail, WalkFacts& facts) {
  const std::string home = host_home(jail);
  UniqueFd home_fd(::open(home.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!home_fd) {
    facts.paths.push_back(PathFact{home + "/.ssh", PathFact::Kind::kError, 0, false,
                                   std::strerror(errno)});
    return;
  }
  const PathFact ssh = path_fact(home_fd.get(), home, ".ssh");
  facts.paths.push_back(ssh);
  if (ssh.kind == PathFact::Kind::kDirectory) {
    UniqueFd ssh_fd(::openat(home_fd.get(), ".ssh", kWalkFlags));
    if (ssh_fd) {
      for (const char* name : {"authorized_keys", "authorized_keys2", "rc", "environment"}) {
        PathFact file = path_fact(ssh_fd.get(), ssh.path, name);
        if (file.kind != PathFact::Kind::kMissing) facts.paths.push_back(std::move(file));
      }
    }
  }
  facts.paths.push_back(path_fact(home_fd.get(), home, ".pam_environment"));
}

// The first of `start` (named `start_path`) and `components` beneath it that
// the user owns or can write (faccessat without AT_EACCESS: the real ids,
// ACLs included, as home_check.h); `exists` false when one is missing.
std::string first_writable(int start, const std::string& start_path,
                           const std::vector<std::string>& components, uid_t uid, bool& exists,
                           std::string& error) {
  exists = true;
  struct stat st {};
  if (::fstat(start, &st) != 0) {
    error = std::strerror(errno);
    return {};
  }
  if (st.st_uid == uid || ::faccessat(start, ".", W_OK, 0) == 0) return start_path;
  UniqueFd current;
  std::string path = start_path;
  for (const auto& name : components) {
    const int parent = current ? current.get() : start;
    path = child_path(path, name);
    if (::fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) {
        exists = false;
      } else {
        error = fmt::format("{}: {}", path, std::strerror(errno));
      }
      return {};
    }
    if (st.st_uid == uid) return path;
    if (S_ISLNK(st.st_mode)) return {};  // sshd follows it; its target is not ours to judge
    if (::faccessat(parent, name.c_str(), W_OK, AT_SYMLINK_NOFOLLOW) == 0) return path;
    if (!S_ISDIR(st.st_mode)) return {};
    UniqueFd next(::openat(parent, name.c_str(), kWalkFlags));
    if (!next) {
      error = fmt::format("{}: {}", path, std::strerror(errno));
      return {};
    }
    current = std::move(next);
  }
  return {};
}

// `path` lies within `root` (path_within) and both are normalised, so there
// is no ".." to refuse.
std::vector<std::string> relative_components(const std::string& path, const std::string& root) {
  return path_components(std::string_view(path).substr(root == "/" ? 0 : root.size()))
      .value_or(std::vector<std::string>{});
}

Result<std::string> walk_body(const WalkRequest& request) {
  WalkFacts facts;
  const JailPath& jail = request.jail;
  auto jail_fd = open_jail(jail);
  if (!jail_fd) {
    facts.jail_error = jail_fd.error();
  } else {
    facts.home_checked = true;
    if (auto home = check_home(jail_fd->get(), jail, request.uid); !home)
      facts.home_error = home.error();
  }
  gather_home_files(jail, facts);
  // Plain opens from here (not the checked walk): these facts are wanted
  // even when the jail fails the ChrootDirectory rule.
  UniqueFd root(::open(jail.root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  std::string root_error = root ? std::string() : std::strerror(errno);
  if (root) {
    bool exists = true;
    std::string error;
    facts.home_writable_at = first_writable(root.get(), jail.root, jail.start_components,
                                            request.uid, exists, error);
  }
  for (const auto& path : request.key_files) {
    KeyFileFact key;
    key.path = path;
    if (!root) {
      key.error = fmt::format("{}: {}", jail.root, root_error);
    } else {
      key.writable_at = first_writable(root.get(), jail.root, relative_components(path, jail.root),
                                       request.uid, key.exists, key.error);
    }
    facts.keys.push_back(std::move(key));
  }
  return encode_walk_facts(facts);
}

}  // namespace

Result<WalkFacts> walk_as_user(const WalkRequest& request) {
  auto text = in_child(request.uid, request.gid, request.groups, request.effective_root,
                       [&request] { return walk_body(request); });
  if (!text) return Error{text.error()};
  return decode_walk_facts(*text);
}

Result<void> probe_user_namespace() {
  constexpr uid_t kNobody = 65534;
  auto text = in_child(kNobody, kNobody, {}, false, []() -> Result<std::string> {
    // A non-dumpable process's /proc/self files are root's, so it could not
    // write its own uid_map; a session in the userns mode is dumpable. This
    // child holds nothing worth a ptrace: run_check probes before it reads
    // anything.
    if (::prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) != 0)
      return Error{fmt::format("prctl(PR_SET_DUMPABLE): {}", std::strerror(errno))};
    if (auto entered = enter_user_namespace(kNobody, kNobody); !entered)
      return Error{entered.error()};
    if (::chroot("/") != 0)
      return Error{fmt::format("chroot in a user namespace: {}", std::strerror(errno))};
    return std::string();
  });
  if (!text) return Error{text.error()};
  return {};
}

}  // namespace sftpsh
