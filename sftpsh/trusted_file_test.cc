#include "sftpsh/trusted_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace sftpsh {
namespace {

struct stat file(mode_t mode, uid_t uid) {
  struct stat st {};
  st.st_mode = S_IFREG | mode;
  st.st_uid = uid;
  return st;
}

TEST_CASE("check_trusted_file: root-owned regular file, not group/world-writable") {
  CHECK(check_trusted_file(file(0644, 0), "/etc/sftpsh.conf", "config").ok());
  CHECK(check_trusted_file(file(0755, 0), "/s", "server").ok());
  CHECK(check_trusted_file(file(0600, 0), "/s", "config").ok());
}

TEST_CASE("check_trusted_file refuses and says how to fix it") {
  CHECK(check_trusted_file(file(0644, 1000), "/etc/sftpsh.conf", "config").error() ==
        "config /etc/sftpsh.conf is owned by uid 1000, not root (chown root /etc/sftpsh.conf)");
  CHECK(check_trusted_file(file(0664, 0), "/s", "server").error() ==
        "server /s is writable by group or others (mode 0664; chmod go-w /s)");
  CHECK_FALSE(check_trusted_file(file(0646, 0), "/s", "server").ok());
  struct stat dir {};
  dir.st_mode = S_IFDIR | 0755;
  CHECK(check_trusted_file(dir, "/etc", "config").error() == "config /etc is not a regular file");
}

TEST_CASE("open_trusted_file reports a missing file as missing") {
  bool missing = false;
  auto fd = open_trusted_file("/nonexistent/sftpsh.conf", O_RDONLY, "config", &missing);
  CHECK_FALSE(fd.ok());
  CHECK(missing);
}

TEST_CASE("open_trusted_file walks from /: a file under /tmp is refused, naming /tmp") {
  // /tmp is mode 1777: whoever can write there can swap the file, however
  // well the file itself is owned (the last component alone was checked
  // before: a root-owned file here was trusted).
  char path[] = "/tmp/sftpsh-trusted-test.XXXXXX";
  const int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  ::fchmod(fd, 0644);
  ::close(fd);
  bool missing = true;
  auto opened = open_trusted_file(path, O_RDONLY, "config", &missing);
  CHECK_FALSE(missing);
  REQUIRE_FALSE(opened.ok());
  CHECK(opened.error() == std::string("config ") + path +
                              ": bad modes for directory /tmp: mode 1777 is writable by group "
                              "or others (chmod go-w /tmp)");
  ::unlink(path);
  CHECK(open_trusted_file("etc/sftpsh.conf", O_RDONLY, "config").error().find(
            "not an absolute path") != std::string::npos);
  CHECK_FALSE(open_trusted_file("/etc/../etc/passwd", O_RDONLY, "config").ok());
}

// A tree owned by whoever runs the test, checked with owner = them:
// <base>/dir/file (0644), <base>/dir/link -> file, <base>/linkdir -> dir.
class TempTree {
 public:
  TempTree() {
    char pattern[] = "/tmp/sftpsh-trusted-tree.XXXXXX";
    REQUIRE(::mkdtemp(pattern) != nullptr);
    base_ = pattern;
    REQUIRE(::mkdir((base_ + "/dir").c_str(), 0755) == 0);
    REQUIRE(::chmod((base_ + "/dir").c_str(), 0755) == 0);
    const int fd = ::open((base_ + "/dir/file").c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    REQUIRE(fd >= 0);
    ::fchmod(fd, 0644);
    ::close(fd);
    REQUIRE(::symlink("file", (base_ + "/dir/link").c_str()) == 0);
    REQUIRE(::symlink("dir", (base_ + "/linkdir").c_str()) == 0);
  }
  ~TempTree() {
    for (const char* name : {"/dir/link", "/dir/file", "/linkdir"})
      ::unlink((base_ + name).c_str());
    ::rmdir((base_ + "/dir").c_str());
    ::rmdir(base_.c_str());
  }
  Result<UniqueFd> open(std::vector<std::string> components, bool* missing = nullptr) const {
    UniqueFd start(::open(base_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(start.valid());
    return open_trusted_file_beneath(std::move(start), base_, components, O_RDONLY, "server",
                                     ::getuid(), missing);
  }
  void chmod(const char* name, mode_t mode) const {
    REQUIRE(::chmod((base_ + name).c_str(), mode) == 0);
  }
  const std::string& base() const { return base_; }

 private:
  std::string base_;
};

TEST_CASE("open_trusted_file_beneath opens a file all of whose directories are safe") {
  TempTree tree;
  auto fd = tree.open({"dir", "file"});
  REQUIRE_MESSAGE(fd.ok(), fd.error());
  CHECK((::fcntl(fd->get(), F_GETFD) & FD_CLOEXEC) != 0);
}

TEST_CASE("open_trusted_file_beneath refuses a writable directory on the way, naming it") {
  TempTree tree;
  tree.chmod("/dir", 0775);
  auto fd = tree.open({"dir", "file"});
  REQUIRE_FALSE(fd.ok());
  CHECK(fd.error() == "server " + tree.base() + "/dir/file: bad modes for directory " +
                          tree.base() + "/dir: mode 0775 is writable by group or others "
                          "(chmod go-w " + tree.base() + "/dir)");
}

TEST_CASE("open_trusted_file_beneath refuses symbolic links, in the middle and at the end") {
  TempTree tree;
  auto through_dir = tree.open({"linkdir", "file"});
  REQUIRE_FALSE(through_dir.ok());
  CHECK(through_dir.error().find("directory " + tree.base() + "/linkdir is a symbolic link") !=
        std::string::npos);
  auto last = tree.open({"dir", "link"});
  REQUIRE_FALSE(last.ok());
  CHECK(last.error() == "server " + tree.base() + "/dir/link is a symbolic link: use the real "
                        "path (the link's target) in the configuration");
}

TEST_CASE("open_trusted_file_beneath checks the opened file and reports a missing one") {
  TempTree tree;
  tree.chmod("/dir/file", 0666);
  auto writable = tree.open({"dir", "file"});
  REQUIRE_FALSE(writable.ok());
  CHECK(writable.error().find("writable by group or others (mode 0666") != std::string::npos);
  bool missing = false;
  CHECK_FALSE(tree.open({"dir", "nothing"}, &missing).ok());
  CHECK(missing);
  missing = false;
  CHECK_FALSE(tree.open({"nodir", "file"}, &missing).ok());
  CHECK(missing);
  missing = true;
  CHECK_FALSE(tree.open({"dir", "link"}, &missing).ok());
  CHECK_FALSE(missing);
}

}  // namespace
}  // namespace sftpsh
