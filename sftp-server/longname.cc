#include "sftp-server/longname.h"

#include <fmt/format.h>

namespace sftpsh::server {

namespace {

char type_letter(mode_t mode) {
  switch (mode & S_IFMT) {
    case S_IFDIR: return 'd';
    case S_IFCHR: return 'c';
    case S_IFBLK: return 'b';
    case S_IFREG: return '-';
    case S_IFLNK: return 'l';
    case S_IFSOCK: return 's';
    case S_IFIFO: return 'p';
    default: return '?';
  }
}

// One rwx triplet; `special` is setuid/setgid/sticky with its letters.
void triplet(mode_t mode, mode_t r, mode_t w, mode_t x, mode_t special, char set_exec,
             char set_noexec, char* out) {
  out[0] = (mode & r) ? 'r' : '-';
  out[1] = (mode & w) ? 'w' : '-';
  if (mode & special)
    out[2] = (mode & x) ? set_exec : set_noexec;
  else
    out[2] = (mode & x) ? 'x' : '-';
}

}  // namespace

void format_mode(mode_t mode, char out[12]) {
  out[0] = type_letter(mode);
  triplet(mode, S_IRUSR, S_IWUSR, S_IXUSR, S_ISUID, 's', 'S', out + 1);
  triplet(mode, S_IRGRP, S_IWGRP, S_IXGRP, S_ISGID, 's', 'S', out + 4);
  triplet(mode, S_IROTH, S_IWOTH, S_IXOTH, S_ISVTX, 't', 'T', out + 7);
  out[10] = ' ';
  out[11] = '\0';
}

void append_longname(std::string& out, std::string_view name, const struct stat& st,
                     std::string_view user, std::string_view group, std::time_t now) {
  char mode[12];
  format_mode(st.st_mode, mode);

  char when[16] = "";
  struct tm tm {};
  const std::time_t mtime = st.st_mtime;
  if (::localtime_r(&mtime, &tm) != nullptr) {
    constexpr std::time_t kHalfYear = (365 * 24 * 60 * 60) / 2;
    const bool recent = now - kHalfYear < mtime && now >= mtime;
    if (std::strftime(when, sizeof when, recent ? "%b %e %H:%M" : "%b %e  %Y", &tm) == 0)
      when[0] = '\0';
  }

  const auto user_width = std::max<std::size_t>(user.size(), 8);
  const auto group_width = std::max<std::size_t>(group.size(), 8);
  fmt::format_to(std::back_inserter(out), "{} {:>3} {:<{}} {:<{}} {:>8} {} {}", mode,
                 static_cast<unsigned>(st.st_nlink), user, user_width, group, group_width,
                 static_cast<unsigned long long>(st.st_size), when, name);
}

}  // namespace sftpsh::server
