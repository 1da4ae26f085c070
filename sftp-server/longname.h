// The `ls -l` line READDIR sends as each entry's longname, in exactly the
// format of OpenSSH's ls_file(): WinSCP and FileZilla parse it.
//   drwxr-xr-x    5 markus   markus       1024 Jan 13 18:39 .ssh
#pragma once

#include <sys/stat.h>

#include <ctime>
#include <string>
#include <string_view>

namespace sftpsh::server {

// strmode(): type letter, rwx triplets with s/S/t/T, and a trailing space.
void format_mode(mode_t mode, char out[12]);

// Appends the longname to `out`. `user`/`group` are names (or the ids as
// text when unknown); `now` decides between "Mon dd hh:mm" (last six months)
// and "Mon dd  yyyy".
void append_longname(std::string& out, std::string_view name, const struct stat& st,
                     std::string_view user, std::string_view group, std::time_t now);

}  // namespace sftpsh::server
