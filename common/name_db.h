// NameDb: user and group names the server may show (ls -l, users-groups-by-id,
// ~user, %u). In a jail they come from sftpsh's hand-over; standalone, from
// /etc/passwd and /etc/group read as plain files. Never through NSS: a static
// binary would dlopen() NSS modules, which an empty jail lacks and which
// LD_LIBRARY_PATH can replace.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace sftpsh {

struct UserEntry {
  std::string name;
  std::uint32_t uid = 0;
  std::uint32_t gid = 0;
  std::string home;
  std::string shell;  // from passwd; not part of the hand-over
};

struct GroupEntry {
  std::string name;
  std::uint32_t gid = 0;
};

class NameDb {
 public:
  // The first entry for an id or name wins, as with getpwuid() on the files.
  void add_user(UserEntry user);
  void add_group(GroupEntry group);

  [[nodiscard]] const UserEntry* user_by_uid(std::uint32_t uid) const;
  [[nodiscard]] const UserEntry* user_by_name(std::string_view name) const;
  [[nodiscard]] const GroupEntry* group_by_gid(std::uint32_t gid) const;
  [[nodiscard]] const std::vector<UserEntry>& users() const { return users_; }
  [[nodiscard]] const std::vector<GroupEntry>& groups() const { return groups_; }

 private:
  std::vector<UserEntry> users_;
  std::vector<GroupEntry> groups_;
  std::unordered_map<std::uint32_t, std::size_t> user_by_uid_;
  std::unordered_map<std::string, std::size_t> user_by_name_;
  std::unordered_map<std::uint32_t, std::size_t> group_by_gid_;
};

// Adds the entries of /etc/passwd-format text (name:pw:uid:gid:gecos:home:shell)
// or /etc/group-format text (name:pw:gid:members). Malformed lines, comments
// and NIS "+" lines are skipped.
void parse_passwd(std::string_view text, NameDb& db);
void parse_group(std::string_view text, NameDb& db);

}  // namespace sftpsh
