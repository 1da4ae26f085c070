#include "sftp-server/realpath.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <string>

#include <doctest/doctest.h>

using namespace sftpsh::server;

namespace {

// A temporary tree: dir/, dir/file, link-to-dir -> dir, abs -> /, loop -> loop
struct Tree {
  std::string root;
  Tree() {
    char name[] = "/tmp/realpath-test.XXXXXX";
    REQUIRE(::mkdtemp(name) != nullptr);
    root = name;
    REQUIRE(::mkdir((root + "/dir").c_str(), 0755) == 0);
    const int fd = ::open((root + "/dir/file").c_str(), O_CREAT | O_WRONLY, 0644);
    REQUIRE(fd >= 0);
    ::close(fd);
    REQUIRE(::symlink("dir", (root + "/link-to-dir").c_str()) == 0);
    REQUIRE(::symlink("/", (root + "/abs").c_str()) == 0);
    REQUIRE(::symlink("loop", (root + "/loop").c_str()) == 0);
    REQUIRE(::symlink("dir/file", (root + "/link-to-file").c_str()) == 0);
  }
  ~Tree() {
    const std::string cmd = "rm -rf '" + root + "'";
    const int rc = std::system(cmd.c_str());
    (void)rc;  // best effort: a leftover temp dir is not a test failure
  }
  std::string resolve(const std::string& path) {
    std::string out;
    errno = 0;
    if (!resolve_real_path(path, out)) return "errno:" + std::to_string(errno);
    return out;
  }
};

}  // namespace

TEST_CASE("dot, dot-dot and repeated slashes resolve lexically") {
  Tree t;
  CHECK(t.resolve(t.root + "/dir/./../dir//file") == t.root + "/dir/file");
  CHECK(t.resolve("/") == "/");
  CHECK(t.resolve("/..") == "/");
  CHECK(t.resolve("/../..//.") == "/");
}

TEST_CASE("symlinks are followed, relative and absolute") {
  Tree t;
  CHECK(t.resolve(t.root + "/link-to-dir/file") == t.root + "/dir/file");
  CHECK(t.resolve(t.root + "/link-to-file") == t.root + "/dir/file");
  CHECK(t.resolve(t.root + "/abs") == "/");
  CHECK(t.resolve(t.root + "/abs/tmp") == "/tmp");
}

TEST_CASE("a missing last component is allowed, a missing middle one is not") {
  Tree t;
  CHECK(t.resolve(t.root + "/dir/new-file") == t.root + "/dir/new-file");
  CHECK(t.resolve(t.root + "/missing/x") == "errno:" + std::to_string(ENOENT));
  CHECK(t.resolve(t.root + "/dir/file/x") == "errno:" + std::to_string(ENOTDIR));
}

TEST_CASE("symlink loops end with ELOOP") {
  Tree t;
  CHECK(t.resolve(t.root + "/loop") == "errno:" + std::to_string(ELOOP));
}

TEST_CASE("relative paths start at the working directory; empty is ENOENT") {
  Tree t;
  char saved[PATH_MAX];
  REQUIRE(::getcwd(saved, sizeof saved) != nullptr);
  REQUIRE(::chdir((t.root + "/dir").c_str()) == 0);
  CHECK(t.resolve("file") == t.root + "/dir/file");
  CHECK(t.resolve(".") == t.root + "/dir");
  CHECK(t.resolve("..") == t.root);
  REQUIRE(::chdir(saved) == 0);
  CHECK(t.resolve("") == "errno:" + std::to_string(ENOENT));
}
