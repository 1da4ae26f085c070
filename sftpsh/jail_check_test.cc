#include "sftpsh/jail_check.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace sftpsh {
namespace {

struct stat directory(mode_t mode, uid_t uid) {
  struct stat st {};
  st.st_mode = S_IFDIR | mode;
  st.st_uid = uid;
  return st;
}

TEST_CASE("check_jail_component: a root-owned directory, not group/world-writable") {
  CHECK(check_jail_component(directory(0755, 0), "/srv", 0).ok());
  CHECK(check_jail_component(directory(0711, 0), "/srv", 0).ok());
  CHECK(check_jail_component(directory(01755, 0), "/srv", 0).ok());
}

TEST_CASE("check_jail_component names the component and the fix") {
  auto owned = check_jail_component(directory(0755, 1001), "/srv/jail", 0);
  REQUIRE_FALSE(owned.ok());
  CHECK(owned.error() == "bad ownership for jail component /srv/jail: owned by uid 1001, must be "
                         "root (chown root /srv/jail)");
  auto group = check_jail_component(directory(0775, 0), "/srv/jail", 0);
  REQUIRE_FALSE(group.ok());
  CHECK(group.error().find("bad modes for jail component /srv/jail: mode 0775") == 0);
  CHECK(group.error().find("chmod go-w /srv/jail") != std::string::npos);
  CHECK_FALSE(check_jail_component(directory(0757, 0), "/x", 0).ok());
  CHECK_FALSE(check_jail_component(directory(01777, 0), "/tmp", 0).ok());
  struct stat file {};
  file.st_mode = S_IFREG | 0755;
  CHECK(check_jail_component(file, "/x", 0).error() == "jail component /x is not a directory");
}

// A temporary tree owned by whoever runs the test, walked with owner = them.
class TempTree {
 public:
  TempTree() {
    char pattern[] = "/tmp/sftpsh-jail-test.XXXXXX";
    REQUIRE(::mkdtemp(pattern) != nullptr);
    base_ = pattern;
  }
  ~TempTree() {
    for (auto it = made_.rbegin(); it != made_.rend(); ++it) {
      ::unlink(it->c_str());
      ::rmdir(it->c_str());
    }
    ::rmdir(base_.c_str());
  }
  std::string dir(const std::string& relative, mode_t mode) {
    const std::string path = base_ + "/" + relative;
    REQUIRE(::mkdir(path.c_str(), mode) == 0);
    REQUIRE(::chmod(path.c_str(), mode) == 0);  // umask-proof
    made_.push_back(path);
    return path;
  }
  void file(const std::string& relative) {
    const std::string path = base_ + "/" + relative;
    const int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    REQUIRE(fd >= 0);
    ::close(fd);
    made_.push_back(path);
  }
  void symlink(const std::string& target, const std::string& relative) {
    const std::string path = base_ + "/" + relative;
    REQUIRE(::symlink(target.c_str(), path.c_str()) == 0);
    made_.push_back(path);
  }
  Result<UniqueFd> walk(const std::vector<std::string>& components) const {
    UniqueFd start(::open(base_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(start.valid());
    return walk_jail(std::move(start), base_, components, ::getuid());
  }
  const std::string& base() const { return base_; }

 private:
  std::string base_;
  std::vector<std::string> made_;
};

TEST_CASE("walk_jail returns the last directory of a safe tree") {
  TempTree tree;
  tree.dir("jail", 0755);
  tree.dir("jail/alice", 0755);
  auto fd = tree.walk({"jail", "alice"});
  REQUIRE_MESSAGE(fd.ok(), fd.error());
  struct stat by_fd {}, by_name {};
  REQUIRE(::fstat(fd->get(), &by_fd) == 0);
  REQUIRE(::stat((tree.base() + "/jail/alice").c_str(), &by_name) == 0);
  CHECK(by_fd.st_ino == by_name.st_ino);
}

TEST_CASE("walk_jail refuses a writable component and names it") {
  TempTree tree;
  tree.dir("jail", 0775);
  tree.dir("jail/alice", 0755);
  auto fd = tree.walk({"jail", "alice"});
  REQUIRE_FALSE(fd.ok());
  CHECK(fd.error().find("bad modes for jail component " + tree.base() + "/jail:") == 0);
}

TEST_CASE("walk_jail refuses a symbolic link anywhere in the path") {
  TempTree tree;
  tree.dir("real", 0755);
  tree.dir("real/alice", 0755);
  tree.symlink(tree.base() + "/real", "jail");
  auto fd = tree.walk({"jail", "alice"});
  REQUIRE_FALSE(fd.ok());
  CHECK(fd.error().find("jail component " + tree.base() + "/jail is a symbolic link") == 0);
}

TEST_CASE("walk_jail refuses a file and a missing component") {
  TempTree tree;
  tree.dir("jail", 0755);
  tree.file("jail/alice");
  CHECK(tree.walk({"jail", "alice"}).error() ==
        "jail component " + tree.base() + "/jail/alice is not a directory");
  CHECK(tree.walk({"jail", "bob"}).error() ==
        "jail component " + tree.base() + "/jail/bob does not exist");
}

TEST_CASE("walk_jail checks its start directory too") {
  TempTree tree;
  REQUIRE(::chmod(tree.base().c_str(), 0777) == 0);
  auto fd = tree.walk({});
  REQUIRE_FALSE(fd.ok());
  CHECK(fd.error().find("bad modes for jail component " + tree.base()) == 0);
}

TEST_CASE("open_jail walks from / with root as owner") {
  // /tmp is mode 1777 on every sane system: refused, and named.
  JailPath jail{"/tmp/x", {"tmp", "x"}, "/", {}};
  auto fd = open_jail(jail);
  REQUIRE_FALSE(fd.ok());
  CHECK(fd.error().find("jail component /tmp") != std::string::npos);
}

}  // namespace
}  // namespace sftpsh
