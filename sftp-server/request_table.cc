#include "sftp-server/request_table.h"

#include <array>

#include "sftp-server/handlers.h"

namespace sftpsh::server {

namespace {

// NB: OPEN is not marked as writing: it checks read-only mode itself, since
// opening for reading is allowed (policy.h).
constexpr std::array<RequestSpec, 29> kRequests{{
    {"open", Msg::kOpen, "", "", handle_open, false},
    {"close", Msg::kClose, "", "", handle_close, false},
    {"read", Msg::kRead, "", "", handle_read, false},
    {"write", Msg::kWrite, "", "", handle_write, true},
    {"lstat", Msg::kLstat, "", "", handle_lstat, false},
    {"fstat", Msg::kFstat, "", "", handle_fstat, false},
    {"setstat", Msg::kSetstat, "", "", handle_setstat, true},
    {"fsetstat", Msg::kFsetstat, "", "", handle_fsetstat, true},
    {"opendir", Msg::kOpendir, "", "", handle_opendir, false},
    {"readdir", Msg::kReaddir, "", "", handle_readdir, false},
    {"remove", Msg::kRemove, "", "", handle_remove, true},
    {"mkdir", Msg::kMkdir, "", "", handle_mkdir, true},
    {"rmdir", Msg::kRmdir, "", "", handle_rmdir, true},
    {"realpath", Msg::kRealpath, "", "", handle_realpath, false},
    {"stat", Msg::kStat, "", "", handle_stat, false},
    {"rename", Msg::kRename, "", "", handle_rename, true},
    {"readlink", Msg::kReadlink, "", "", handle_readlink, false},
    {"symlink", Msg::kSymlink, "", "", handle_symlink, true},
    // Extensions, advertised in VERSION in this order with these versions.
    {"posix-rename", Msg::kExtended, "posix-rename@openssh.com", "1", handle_posix_rename, true},
    {"statvfs", Msg::kExtended, "statvfs@openssh.com", "2", handle_statvfs, false},
    {"fstatvfs", Msg::kExtended, "fstatvfs@openssh.com", "2", handle_fstatvfs, false},
    {"hardlink", Msg::kExtended, "hardlink@openssh.com", "1", handle_hardlink, true},
    {"fsync", Msg::kExtended, "fsync@openssh.com", "1", handle_fsync, true},
    {"lsetstat", Msg::kExtended, "lsetstat@openssh.com", "1", handle_lsetstat, true},
    {"limits", Msg::kExtended, "limits@openssh.com", "1", handle_limits, false},
    {"expand-path", Msg::kExtended, "expand-path@openssh.com", "1", handle_expand_path, false},
    {"copy-data", Msg::kExtended, "copy-data", "1", handle_copy_data, true},
    {"home-directory", Msg::kExtended, "home-directory", "1", handle_home_directory, false},
    {"users-groups-by-id", Msg::kExtended, "users-groups-by-id@openssh.com", "1",
     handle_users_groups_by_id, false},
}};

}  // namespace

std::span<const RequestSpec> request_specs() { return kRequests; }

const RequestSpec* find_request(std::uint8_t type) {
  for (const auto& spec : kRequests)
    if (spec.type != Msg::kExtended && static_cast<std::uint8_t>(spec.type) == type) return &spec;
  return nullptr;
}

const RequestSpec* find_extension(std::string_view name) {
  for (const auto& spec : kRequests)
    if (spec.type == Msg::kExtended && spec.extension == name) return &spec;
  return nullptr;
}

std::vector<std::string_view> request_names() {
  std::vector<std::string_view> names;
  for (const auto& spec : kRequests) names.push_back(spec.name);
  return names;
}

}  // namespace sftpsh::server
