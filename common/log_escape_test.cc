#include "common/log_escape.h"

#include <doctest/doctest.h>

using sftpsh::escape_for_log;
using namespace std::string_view_literals;

TEST_CASE("printable ASCII and spaces pass through unchanged") {
  CHECK(escape_for_log("open \"/a b/c.txt\" flags READ") == "open \"/a b/c.txt\" flags READ");
}

TEST_CASE("a newline in a file name cannot start a new log line") {
  const std::string out = escape_for_log("x\nFailed password for root from 1.2.3.4");
  CHECK(out.find('\n') == std::string::npos);
  CHECK(out == "x\\nFailed password for root from 1.2.3.4");
}

TEST_CASE("control characters use C-style or octal escapes") {
  CHECK(escape_for_log("\t\r\b\a\v\f") == "\\t\\r\\b\\a\\v\\f");
  CHECK(escape_for_log("\x1b[31m") == "\\033[31m");
  CHECK(escape_for_log("\x7f") == "\\177");
  CHECK(escape_for_log("a\0b"sv) == "a\\000b");
}

TEST_CASE("backslash is doubled so escapes stay unambiguous") {
  CHECK(escape_for_log("a\\nb") == "a\\\\nb");
}

TEST_CASE("bytes above 0x7f (UTF-8) become octal, as OpenSSH logs them") {
  CHECK(escape_for_log("\xc3\xa4") == "\\303\\244");
}
