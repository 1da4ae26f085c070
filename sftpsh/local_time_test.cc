#include "sftpsh/local_time.h"

#include <string>

#include <doctest/doctest.h>

using sftpsh::posix_tz_from_tzif;
using namespace std::string_literals;

namespace {

// A TZif v2 file as far as the footer parser looks: header, some binary
// data (with newlines in it), then "\n<rule>\n".
std::string tzif(char version, const std::string& footer) {
  return "TZif"s + version + std::string(15, '\0') + "\x01\n\x02 binary\n" + "\n" + footer + "\n";
}

}  // namespace

TEST_CASE("the POSIX rule is taken from a TZif footer") {
  CHECK(posix_tz_from_tzif(tzif('2', "CET-1CEST,M3.5.0,M10.5.0/3")) ==
        "CET-1CEST,M3.5.0,M10.5.0/3");
  CHECK(posix_tz_from_tzif(tzif('3', "<+0530>-5:30")) == "<+0530>-5:30");
  CHECK(posix_tz_from_tzif(tzif('2', "UTC0")) == "UTC0");
}

TEST_CASE("version 1 files, missing or odd footers give nothing (the server shows UTC)") {
  CHECK_FALSE(posix_tz_from_tzif("TZif\0rest\nUTC0\n"s).has_value());
  CHECK_FALSE(posix_tz_from_tzif(tzif('2', "")).has_value());
  CHECK_FALSE(posix_tz_from_tzif(tzif('2', ":/etc/passwd")).has_value());  // a file name
  CHECK_FALSE(posix_tz_from_tzif(tzif('2', "UTC0 rm")).has_value());
  CHECK_FALSE(posix_tz_from_tzif(tzif('2', std::string(200, 'A'))).has_value());
  CHECK_FALSE(posix_tz_from_tzif("not a zone file\nUTC0\n").has_value());
  CHECK_FALSE(posix_tz_from_tzif("").has_value());
  std::string no_newline = tzif('2', "UTC0");
  no_newline.pop_back();
  CHECK_FALSE(posix_tz_from_tzif(no_newline).has_value());
}

TEST_CASE("this machine's /etc/localtime, if any, yields a rule glibc accepts") {
  const auto tz = sftpsh::host_posix_tz();
  if (tz) CHECK(!tz->empty());
  CHECK(sftpsh::posix_tz_from_tzif(tzif('2', "EST5EDT,M3.2.0,M11.1.0")) ==
        "EST5EDT,M3.2.0,M11.1.0");
}
