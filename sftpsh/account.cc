#include "sftpsh/account.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "common/read_file.h"

namespace sftpsh {

namespace {

// /etc/passwd of a large site is a few MiB at most.
constexpr std::size_t kMaxDatabaseFile = 64 * 1024 * 1024;

Result<std::vector<gid_t>> supplementary_groups() {
  const int count = ::getgroups(0, nullptr);
  if (count < 0) return Error{fmt::format("getgroups: {}", std::strerror(errno))};
  std::vector<gid_t> gids(static_cast<std::size_t>(count));
  if (count > 0 && ::getgroups(count, gids.data()) != count)
    return Error{fmt::format("getgroups: {}", std::strerror(errno))};
  return gids;
}

}  // namespace

Result<NameDb> read_account_database() {
  auto passwd = read_small_file("/etc/passwd", kMaxDatabaseFile);
  if (!passwd) return Error{fmt::format("cannot read the password database: {}", passwd.error())};
  NameDb database;
  parse_passwd(*passwd, database);
  if (auto group = read_small_file("/etc/group", kMaxDatabaseFile)) parse_group(*group, database);
  return database;
}

UserEntry user_entry(const NameDb& database, uid_t uid) {
  if (const UserEntry* user = database.user_by_uid(uid)) return *user;
  return UserEntry{std::to_string(uid), uid, uid, "/", ""};
}

GroupEntry group_entry(const NameDb& database, gid_t gid) {
  if (const GroupEntry* group = database.group_by_gid(gid)) return *group;
  return GroupEntry{std::to_string(gid), gid};
}

Result<Account> make_account(const NameDb& database, uid_t uid,
                             std::span<const gid_t> supplementary) {
  if (uid == 0) return Error{"refusing to serve root: uid 0 cannot be jailed by a chroot"};
  const UserEntry* user = database.user_by_uid(uid);
  if (user == nullptr)
    return Error{fmt::format("no entry for uid {} in /etc/passwd: sftpsh reads only "
                             "/etc/passwd and /etc/group, so jailed accounts must be local "
                             "accounts (not LDAP or SSSD)", uid)};
  Account account{user->name, user->uid, user->gid, user->home, user->shell, {}};
  account.groups.push_back(group_entry(database, account.gid));
  for (const gid_t gid : supplementary)
    if (gid != account.gid) account.groups.push_back(group_entry(database, gid));
  return account;
}

Result<Account> lookup_account(const NameDb& database) {
  auto gids = supplementary_groups();
  if (!gids) return Error{gids.error()};
  return make_account(database, ::getuid(), *gids);
}

Result<void> require_sftpsh_shell(const Account& account) {
  struct stat self {};
  if (::stat("/proc/self/exe", &self) != 0)
    return Error{fmt::format("cannot identify the running sftpsh (/proc/self/exe: {})",
                             std::strerror(errno))};
  struct stat shell {};
  const bool same = !account.shell.empty() && ::stat(account.shell.c_str(), &shell) == 0 &&
                    shell.st_dev == self.st_dev && shell.st_ino == self.st_ino;
  if (!same)
    return Error{fmt::format("refusing to run for {}: their login shell is \"{}\", not this "
                             "sftpsh", account.name, account.shell)};
  return {};
}

}  // namespace sftpsh
