// What `sftpsh check` learns about one jailed user by looking as that user
// (check_gather.h runs the walk in a child process with the user's ids, as a
// session would), and how the child hands it back over a pipe (pure).
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace sftpsh {

// One file or directory sshd or PAM reads from the home outside the jail.
struct PathFact {
  enum class Kind { kMissing, kDirectory, kFile, kSymlink, kOther, kError };
  std::string path;
  Kind kind = Kind::kMissing;
  uid_t owner = 0;
  bool user_writable = false;  // faccessat(W_OK) with the user's real ids
  std::string error;           // kError: why it could not be checked
};

// One AuthorizedKeysFile path inside the jail.
struct KeyFileFact {
  std::string path;
  bool exists = false;
  // The first of the jail root, the directories below it and the file that
  // the user owns or can write; empty when none.
  std::string writable_at;
  std::string error;
};

struct WalkFacts {
  std::string jail_error;  // open_jail's error; empty: the jail passes
  bool home_checked = false;
  std::string home_error;  // check_home's error; empty: not the user's to write
  // The first directory from the jail root down to the home that the user
  // owns or can write (what makes ~/.pam_environment theirs); empty if none.
  std::string home_writable_at;
  std::vector<PathFact> paths;  // ~/.ssh, files in it, ~/.pam_environment
  std::vector<KeyFileFact> keys;
};

[[nodiscard]] std::string encode_walk_facts(const WalkFacts& facts);
[[nodiscard]] Result<WalkFacts> decode_walk_facts(std::string_view text);

}  // namespace sftpsh
