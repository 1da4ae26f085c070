// What `sftpsh check` prints (pure): sections of findings, one line each,
// and a summary.
//
//   == <section title>
//   OK   <what is right>
//   WARN <what is wrong>; fix: <the exact fix>
//   FAIL <what is wrong>; fix: <the exact fix>
//   sftpsh check: N ok, M warnings, K failures
//
// FAIL: a hole (unjailed SFTP, code outside the jail, a session sftpsh will
// refuse); WARN: weaker than the shipped setup, or a risk that depends on
// something else; OK: checked and right. The exit status is 1 when anything
// FAILs, else 0.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sftpsh {

enum class Severity { kOk, kWarn, kFail };

struct Finding {
  Severity severity = Severity::kOk;
  std::string what;
  std::string fix;  // empty for OK, and where `what` already says it
};

[[nodiscard]] Finding ok(std::string what);
[[nodiscard]] Finding warn(std::string what, std::string fix = {});
[[nodiscard]] Finding fail(std::string what, std::string fix = {});

struct Section {
  std::string title;
  std::vector<Finding> findings;
};

struct Counts {
  unsigned ok = 0, warnings = 0, failures = 0;
};

[[nodiscard]] Counts count(const std::vector<Section>& sections);

// One finding as a line (no newline). Bytes that are not printable ASCII
// become escapes (escape_for_log): names and values come from files that are
// not all root's to write.
[[nodiscard]] std::string render_finding(const Finding& finding);

// Every section, then the summary line; each line ends in a newline.
[[nodiscard]] std::string render_report(const std::vector<Section>& sections);

[[nodiscard]] std::string summary_line(const Counts& counts);

// 0 when nothing FAILs, 1 otherwise.
[[nodiscard]] int exit_status(const Counts& counts);

}  // namespace sftpsh
