// The `ls -l` line READDIR sends as each entry's longname, in exactly the
// format of OpenSSH's ls_file(): WinSCP and FileZilla parse it.
//   drwxr-xr-x    5 markus   markus       1024 Jan 13 18:39 .ssh
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <ctime>
#include <string>
#include <string_view>

namespace sftpsh::server {

// strmode(): type letter, rwx triplets with s/S/t/T, and a trailing space.
void format_mode(mode_t mode, char out[12]);

// The date column: "Mon dd hh:mm" within the last six months, else
// "Mon dd  yyyy". It depends only on the minute of the mtime and on whether
// it is recent, and entries of one directory often share both (files made
// together), so the last text is kept: localtime() + strftime() run once
// per distinct minute, not once per entry.
class DateColumn {
 public:
  [[nodiscard]] std::string_view format(std::time_t mtime, std::time_t now);

 private:
  std::time_t minute_ = 0;
  bool recent_ = false;
  bool valid_ = false;
  char text_[16] = "";
  std::size_t length_ = 0;
};

// Appends the longname to `out`. `user`/`group` are names (or the ids as
// text when unknown).
void append_longname(std::string& out, std::string_view name, const struct stat& st,
                     std::string_view user, std::string_view group, std::time_t now,
                     DateColumn& dates);

}  // namespace sftpsh::server
