#include "sftp-server/realpath.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

namespace sftpsh::server {

namespace {

// As OpenBSD: more than this many symlinks in one resolution is a loop.
constexpr unsigned kMaxSymlinks = 32;

// Drops the last component of a resolved path ("/a/b" → "/a", "/a" → "/").
void drop_last_component(std::string& resolved) {
  const auto slash = resolved.rfind('/');
  resolved.erase(slash == 0 ? 1 : slash);
}

}  // namespace

bool resolve_real_path(std::string_view path, std::string& resolved) {
  if (path.empty()) {
    errno = ENOENT;
    return false;
  }
  std::string left;
  if (path.front() == '/') {
    resolved = "/";
    left.assign(path.substr(1));
  } else {
    char cwd[PATH_MAX];
    if (::getcwd(cwd, sizeof cwd) == nullptr) return false;
    resolved = cwd;
    left.assign(path);
  }
  if (left.size() >= PATH_MAX) {
    errno = ENAMETOOLONG;
    return false;
  }

  unsigned symlinks = 0;
  while (!left.empty()) {
    const auto slash = left.find('/');
    const bool last = slash == std::string::npos;
    const std::string token = left.substr(0, slash);
    left.erase(0, last ? left.size() : slash + 1);

    if (token.empty() || token == ".") continue;
    if (token == "..") {
      drop_last_component(resolved);
      continue;
    }
    if (resolved.back() != '/') resolved += '/';
    resolved += token;
    if (resolved.size() >= PATH_MAX) {
      errno = ENAMETOOLONG;
      return false;
    }
    struct stat st {};
    if (::lstat(resolved.c_str(), &st) != 0) {
      // A missing last component is fine: it names something to create.
      if (errno == ENOENT && last) return true;
      return false;
    }
    if (!S_ISLNK(st.st_mode)) continue;

    if (++symlinks > kMaxSymlinks) {
      errno = ELOOP;
      return false;
    }
    char target[PATH_MAX];
    const ssize_t length = ::readlink(resolved.c_str(), target, sizeof target - 1);
    if (length < 0) return false;
    std::string next(target, static_cast<std::size_t>(length));
    if (!next.empty() && next.front() == '/') {
      resolved = "/";
    } else {
      drop_last_component(resolved);
    }
    // The link's target, then whatever was left after it.
    if (!left.empty()) {
      if (next.empty() || next.back() != '/') next += '/';
      next += left;
    }
    if (next.size() >= PATH_MAX) {
      errno = ENAMETOOLONG;
      return false;
    }
    left = std::move(next);
    if (!left.empty() && left.front() == '/') left.erase(0, 1);
  }
  if (resolved.size() > 1 && resolved.back() == '/') resolved.pop_back();
  return true;
}

}  // namespace sftpsh::server
