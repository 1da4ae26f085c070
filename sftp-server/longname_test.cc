#include "sftp-server/longname.h"

#include <cstdlib>

#include <doctest/doctest.h>

using namespace sftpsh::server;

namespace {

struct UtcZone {
  UtcZone() {
    ::setenv("TZ", "UTC", 1);
    ::tzset();
  }
};

std::string mode_of(mode_t mode) {
  char out[12];
  format_mode(mode, out);
  return out;
}

struct stat make_stat(mode_t mode, nlink_t links, off_t size, std::time_t mtime) {
  struct stat st {};
  st.st_mode = mode;
  st.st_nlink = links;
  st.st_size = size;
  st.st_mtime = mtime;
  return st;
}

}  // namespace

TEST_CASE("mode strings match strmode()") {
  CHECK(mode_of(S_IFDIR | 0755) == "drwxr-xr-x ");
  CHECK(mode_of(S_IFREG | 0644) == "-rw-r--r-- ");
  CHECK(mode_of(S_IFLNK | 0777) == "lrwxrwxrwx ");
  CHECK(mode_of(S_IFREG | 04755) == "-rwsr-xr-x ");
  CHECK(mode_of(S_IFREG | 04644) == "-rwSr--r-- ");
  CHECK(mode_of(S_IFREG | 02755) == "-rwxr-sr-x ");
  CHECK(mode_of(S_IFDIR | 01777) == "drwxrwxrwt ");
  CHECK(mode_of(S_IFDIR | 01776) == "drwxrwxrwT ");
  CHECK(mode_of(S_IFIFO | 0600) == "prw------- ");
  CHECK(mode_of(S_IFSOCK | 0600) == "srw------- ");
  CHECK(mode_of(S_IFCHR | 0666) == "crw-rw-rw- ");
  CHECK(mode_of(S_IFBLK | 0660) == "brw-rw---- ");
  CHECK(mode_of(0644) == "?rw-r--r-- ");
}

TEST_CASE("a recent file shows the time of day") {
  UtcZone utc;
  DateColumn dates;
  const std::time_t mtime = 1700000000;  // 2023-11-14 22:13:20 UTC
  std::string out;
  append_longname(out, ".ssh", make_stat(S_IFDIR | 0700, 5, 1024, mtime), "markus", "markus",
                  mtime + 60, dates);
  CHECK(out == "drwx------    5 markus   markus       1024 Nov 14 22:13 .ssh");
}

TEST_CASE("an old or future file shows the year") {
  UtcZone utc;
  DateColumn dates;
  const std::time_t mtime = 1700000000;
  std::string old_file;
  append_longname(old_file, "a", make_stat(S_IFREG | 0644, 1, 3, mtime), "root", "root",
                  mtime + 200 * 24 * 3600, dates);
  CHECK(old_file == "-rw-r--r--    1 root     root            3 Nov 14  2023 a");
  std::string future;
  append_longname(future, "a", make_stat(S_IFREG | 0644, 1, 3, mtime), "root", "root",
                  mtime - 10, dates);
  CHECK(future == "-rw-r--r--    1 root     root            3 Nov 14  2023 a");
}

TEST_CASE("long names widen their columns, big sizes are not cut") {
  UtcZone utc;
  DateColumn dates;
  const std::time_t mtime = 1700000000;
  std::string out;
  append_longname(out, "f", make_stat(S_IFREG | 0600, 12345, 12345678901LL, mtime),
                  "a-very-long-user", "1002", mtime, dates);
  CHECK(out == "-rw-------  12345 a-very-long-user 1002     12345678901 Nov 14 22:13 f");
}

TEST_CASE("single-digit days are space-padded like %e") {
  UtcZone utc;
  DateColumn dates;
  const std::time_t mtime = 1699142400;  // 2023-11-05 00:00:00 UTC
  std::string out;
  append_longname(out, "x", make_stat(S_IFREG | 0644, 1, 0, mtime), "u", "g", mtime, dates);
  CHECK(out == "-rw-r--r--    1 u        g               0 Nov  5 00:00 x");
}

TEST_CASE("the cached date follows the minute and the six-month boundary") {
  UtcZone utc;
  DateColumn dates;
  const std::time_t t = 1700000000;  // 2023-11-14 22:13:20
  CHECK(dates.format(t, t) == "Nov 14 22:13");
  CHECK(dates.format(t + 39, t + 39) == "Nov 14 22:13");  // same minute: cached
  CHECK(dates.format(t + 40, t + 40) == "Nov 14 22:14");  // next minute
  CHECK(dates.format(t + 40, t + 40 + 200 * 86400) == "Nov 14  2023");  // now old
  CHECK(dates.format(t + 40, t) == "Nov 14  2023");  // in the future
  // Before the epoch the minute rounds down, not towards zero.
  CHECK(dates.format(-30, 0) == "Dec 31 23:59");
  CHECK(dates.format(-90, 0) == "Dec 31 23:58");
  CHECK(dates.format(-30, 0) == "Dec 31 23:59");
}

TEST_CASE("links and sizes are right-aligned and never cut") {
  UtcZone utc;
  DateColumn dates;
  std::string out;
  append_longname(out, "n", make_stat(S_IFREG | 0644, 7, 0, 0), "u", "g", 0, dates);
  CHECK(out == "-rw-r--r--    7 u        g               0 Jan  1 00:00 n");
}
