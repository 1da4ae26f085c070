// The shipped example config must stay valid: as shipped (all comments) it
// gives the defaults, and with every example line uncommented it parses.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "sftpsh/config.h"

namespace sftpsh {
namespace {

std::string read_example() {
  // Tests run from the repository root (tests/run.py); else beside this file.
  for (const std::string& path : {std::string("etc/sftpsh.conf"),
                                 std::string(__FILE__).substr(0, std::string(__FILE__).rfind('/')) +
                                     "/../etc/sftpsh.conf"}) {
    std::ifstream in(path);
    if (!in) continue;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }
  FAIL("etc/sftpsh.conf not found");
  return "";
}

// "#Keyword ..." and "#    Keyword ..." are examples; "# prose" is not.
std::string uncomment_examples(const std::string& text) {
  std::istringstream in(text);
  std::string out, line;
  while (std::getline(in, line)) {
    const bool example = line.size() > 1 && line[0] == '#' &&
                         (line[1] != ' ' || line.compare(1, 4, "    ") == 0);
    out += (example ? line.substr(1) : line) + "\n";
  }
  return out;
}

TEST_CASE("the example config as shipped gives the defaults") {
  auto config = parse_config(read_example(), "etc/sftpsh.conf");
  REQUIRE_MESSAGE(config.ok(), config.error());
  CHECK(config->blocks.empty());
  const Settings s = resolve_settings(*config, {"alice", {}}, "/srv");
  CHECK(s.deny_message == default_deny_message());
}

TEST_CASE("every example line of the config parses") {
  const std::string text = uncomment_examples(read_example());
  auto config = parse_config(text, "etc/sftpsh.conf (uncommented)");
  REQUIRE_MESSAGE(config.ok(), config.error());
  CHECK(config->blocks.size() == 2);
  const Settings s = resolve_settings(*config, {"alice", {"dropbox"}}, "/srv");
  CHECK(s.deny_message == default_deny_message());  // the example shows the default
  CHECK(s.umask == 077u);
  CHECK(s.deny_requests == "read,remove,rmdir,rename,posix-rename");
}

}  // namespace
}  // namespace sftpsh
