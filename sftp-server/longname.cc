#include "sftp-server/longname.h"

#include <algorithm>
#include <charconv>

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

// printf's "%*llu" and "%-*s", without parsing a format per entry.
void append_right(std::string& out, unsigned long long value, std::size_t width) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  const auto length = static_cast<std::size_t>(end - digits);
  if (length < width) out.append(width - length, ' ');
  out.append(digits, length);
}

void append_left(std::string& out, std::string_view text, std::size_t width) {
  out += text;
  if (text.size() < width) out.append(width - text.size(), ' ');
}

std::time_t floor_minute(std::time_t t) { return t >= 0 ? t / 60 : (t - 59) / 60; }

}  // namespace

void format_mode(mode_t mode, char out[12]) {
  out[0] = type_letter(mode);
  triplet(mode, S_IRUSR, S_IWUSR, S_IXUSR, S_ISUID, 's', 'S', out + 1);
  triplet(mode, S_IRGRP, S_IWGRP, S_IXGRP, S_ISGID, 's', 'S', out + 4);
  triplet(mode, S_IROTH, S_IWOTH, S_IXOTH, S_ISVTX, 't', 'T', out + 7);
  out[10] = ' ';
  out[11] = '\0';
}

std::string_view DateColumn::format(std::time_t mtime, std::time_t now) {
  constexpr std::time_t kHalfYear = (365 * 24 * 60 * 60) / 2;
  const bool recent = now - kHalfYear < mtime && now >= mtime;
  const std::time_t minute = floor_minute(mtime);
  if (valid_ && minute == minute_ && recent == recent_) return {text_, length_};
  struct tm tm {};
  length_ = 0;
  if (::localtime_r(&mtime, &tm) != nullptr)
    length_ = std::strftime(text_, sizeof text_, recent ? "%b %e %H:%M" : "%b %e  %Y", &tm);
  minute_ = minute;
  recent_ = recent;
  valid_ = true;
  return {text_, length_};
}

void append_longname(std::string& out, std::string_view name, const struct stat& st,
                     std::string_view user, std::string_view group, std::time_t now,
                     DateColumn& dates) {
  // "%s %3s %-*s %-*s %8llu %s %s", as ls_file(): mode (with its trailing
  // space), links, user, group (each at least 8 wide), size, date, name.
  char mode[12];
  format_mode(st.st_mode, mode);
  out.append(mode, 11);
  out += ' ';
  append_right(out, static_cast<unsigned long long>(st.st_nlink), 3);
  out += ' ';
  append_left(out, user, 8);
  out += ' ';
  append_left(out, group, 8);
  out += ' ';
  append_right(out, static_cast<unsigned long long>(st.st_size), 8);
  out += ' ';
  out += dates.format(st.st_mtime, now);
  out += ' ';
  out += name;
}

}  // namespace sftpsh::server
