#include "sftpsh/check_report.h"

#include <doctest/doctest.h>

namespace sftpsh {
namespace {

TEST_CASE("render_finding: one line, label, what, fix") {
  CHECK(render_finding(ok("PermitUserRC no")) == "OK   PermitUserRC no");
  CHECK(render_finding(warn("PermitTTY yes", "PermitTTY no")) ==
        "WARN PermitTTY yes; fix: PermitTTY no");
  CHECK(render_finding(fail("PermitUserRC yes", "PermitUserRC no")) ==
        "FAIL PermitUserRC yes; fix: PermitUserRC no");
  CHECK(render_finding(fail("no fix given")) == "FAIL no fix given");
}

TEST_CASE("render_finding escapes what could forge a line or a terminal sequence") {
  CHECK(render_finding(ok("home /srv/a\nFAIL x")) == "OK   home /srv/a\\nFAIL x");
  CHECK(render_finding(ok("\x1b[2J")) == "OK   \\033[2J");
}

TEST_CASE("render_report: sections, then the summary; exit status from failures") {
  const std::vector<Section> good{{"sshd for alice", {ok("a"), ok("b")}},
                                  {"installation", {warn("c", "d")}}};
  CHECK(render_report(good) ==
        "== sshd for alice\nOK   a\nOK   b\n== installation\nWARN c; fix: d\n"
        "sftpsh check: 2 ok, 1 warnings, 0 failures\n");
  CHECK(exit_status(count(good)) == 0);

  const std::vector<Section> bad{{"users", {fail("e", "f"), ok("g")}}, {"empty", {}}};
  const Counts counts = count(bad);
  CHECK(counts.ok == 1);
  CHECK(counts.warnings == 0);
  CHECK(counts.failures == 1);
  CHECK(exit_status(counts) == 1);
  CHECK(summary_line(counts) == "sftpsh check: 1 ok, 0 warnings, 1 failures");
  CHECK(render_report({}) == "sftpsh check: 0 ok, 0 warnings, 0 failures\n");
}

}  // namespace
}  // namespace sftpsh
