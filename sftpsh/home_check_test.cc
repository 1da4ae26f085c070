#include "sftpsh/home_check.h"

#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace sftpsh {
namespace {

constexpr uid_t kUser = 1001;

struct stat directory(mode_t mode, uid_t uid) {
  struct stat st {};
  st.st_mode = S_IFDIR | mode;
  st.st_uid = uid;
  return st;
}

TEST_CASE("check_home_directory: root's and not writable by the user is fine") {
  CHECK(check_home_directory(directory(0755, 0), false, "/srv/jail/alice", "/srv/jail/alice",
                             kUser).ok());
  // Group-writable by a group the user is not in: faccessat says no.
  CHECK(check_home_directory(directory(0775, 0), false, "/j/a", "/j/a", kUser).ok());
}

TEST_CASE("check_home_directory refuses a home the user owns, naming it and the fix") {
  auto owned = check_home_directory(directory(0555, kUser), false, "/srv/jail/alice",
                                    "/srv/jail/alice", kUser);
  REQUIRE_FALSE(owned.ok());
  CHECK(owned.error().find("refusing to serve: the home directory /srv/jail/alice is owned by "
                           "the user (uid 1001)") == 0);
  CHECK(owned.error().find(".pam_environment") != std::string::npos);
  CHECK(owned.error().find("chown root /srv/jail/alice") != std::string::npos);
  CHECK(owned.error().find("mkdir /srv/jail/alice/upload; chown USER /srv/jail/alice/upload") !=
        std::string::npos);
}

TEST_CASE("check_home_directory refuses a directory the user can write") {
  auto writable = check_home_directory(directory(0777, 0), true, "/srv/jail/home",
                                       "/srv/jail/home/alice", kUser);
  REQUIRE_FALSE(writable.ok());
  CHECK(writable.error().find("refusing to serve: /srv/jail/home, on the way to the home "
                              "directory /srv/jail/home/alice, is writable by the user "
                              "(mode 0777)") == 0);
  struct stat file {};
  file.st_mode = S_IFREG | 0644;
  CHECK_FALSE(check_home_directory(file, false, "/j/a", "/j/a", kUser).ok());
}

// A tree under /tmp that root owns: <base>/jail/home/alice, all 0755.
class RootTree {
 public:
  RootTree() {
    char pattern[] = "/tmp/sftpsh-home-test.XXXXXX";
    REQUIRE(::mkdtemp(pattern) != nullptr);
    base_ = pattern;
    REQUIRE(::chmod(base_.c_str(), 0755) == 0);
    for (const char* dir : {"/jail", "/jail/home", "/jail/home/alice"}) {
      const std::string path = base_ + dir;
      REQUIRE(::mkdir(path.c_str(), 0755) == 0);
      REQUIRE(::chmod(path.c_str(), 0755) == 0);
    }
  }
  ~RootTree() {
    ::unlink((base_ + "/jail/home/link").c_str());
    for (const char* dir : {"/jail/home/alice", "/jail/home", "/jail", ""})
      ::rmdir((base_ + dir).c_str());
  }
  std::string path(const char* relative) const { return base_ + relative; }
  JailPath jail(std::vector<std::string> start) const {
    auto jail = split_home(base_ + "/jail/./");
    REQUIRE(jail.ok());
    jail->start_components = std::move(start);
    return *jail;
  }

 private:
  std::string base_;
};

// check_home() run by a child whose real ids are `uid` (as sshd leaves them),
// on the jail fd opened before; "ok" or the error.
std::string check_as(uid_t uid, const JailPath& jail) {
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(pipe_fds[0]);
    const int jail_fd = ::open(jail.root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (jail_fd < 0 || ::setgroups(0, nullptr) != 0 || ::setresgid(uid, uid, uid) != 0 ||
        ::setresuid(uid, uid, uid) != 0)
      ::syscall(SYS_exit_group, 10);
    const auto result = check_home(jail_fd, jail, uid);
    const std::string text = result.ok() ? "ok" : result.error();
    if (::write(pipe_fds[1], text.data(), text.size()) < 0) ::syscall(SYS_exit_group, 11);
    ::syscall(SYS_exit_group, 0);
  }
  ::close(pipe_fds[1]);
  std::string text;
  char buffer[4096];
  ssize_t n = 0;
  while ((n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0)
    text.append(buffer, static_cast<std::size_t>(n));
  ::close(pipe_fds[0]);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  return text;
}

TEST_CASE("check_home walks from the jail root to the home as the user") {
  if (::geteuid() != 0) {
    MESSAGE("not root: cannot run the walk as another user");
    return;
  }
  constexpr uid_t kNobody = 65534;
  RootTree tree;
  CHECK(check_as(kNobody, tree.jail({})) == "ok");
  CHECK(check_as(kNobody, tree.jail({"home", "alice"})) == "ok");

  // The /srv/jail/./alice mistake: the home belongs to the user.
  REQUIRE(::chown(tree.path("/jail/home/alice").c_str(), kNobody, kNobody) == 0);
  CHECK(check_as(kNobody, tree.jail({"home", "alice"})).find(
            "refusing to serve: the home directory " + tree.path("/jail/home/alice") +
            " is owned by the user") == 0);
  REQUIRE(::chown(tree.path("/jail/home/alice").c_str(), 0, 0) == 0);

  // A parent the user can write (world-writable): they could swap the home.
  REQUIRE(::chmod(tree.path("/jail/home").c_str(), 0777) == 0);
  CHECK(check_as(kNobody, tree.jail({"home", "alice"})).find(
            "refusing to serve: " + tree.path("/jail/home") + ", on the way to the home "
            "directory " + tree.path("/jail/home/alice") + ", is writable by the user") == 0);
  REQUIRE(::chmod(tree.path("/jail/home").c_str(), 0755) == 0);

  // A symbolic link, which sshd would resolve on the host.
  REQUIRE(::symlink("alice", tree.path("/jail/home/link").c_str()) == 0);
  CHECK(check_as(kNobody, tree.jail({"home", "link"})).find("is a symbolic link") !=
        std::string::npos);
  CHECK(check_as(kNobody, tree.jail({"home", "bob"})).find("does not exist") !=
        std::string::npos);
}

}  // namespace
}  // namespace sftpsh
