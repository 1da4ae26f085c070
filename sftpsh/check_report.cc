#include "sftpsh/check_report.h"

#include <fmt/format.h>

#include "common/log_escape.h"

namespace sftpsh {

Finding ok(std::string what) { return Finding{Severity::kOk, std::move(what), {}}; }
Finding warn(std::string what, std::string fix) {
  return Finding{Severity::kWarn, std::move(what), std::move(fix)};
}
Finding fail(std::string what, std::string fix) {
  return Finding{Severity::kFail, std::move(what), std::move(fix)};
}

Counts count(const std::vector<Section>& sections) {
  Counts counts;
  for (const auto& section : sections) {
    for (const auto& finding : section.findings) {
      switch (finding.severity) {
        case Severity::kOk: ++counts.ok; break;
        case Severity::kWarn: ++counts.warnings; break;
        case Severity::kFail: ++counts.failures; break;
      }
    }
  }
  return counts;
}

std::string render_finding(const Finding& finding) {
  std::string_view label = "OK  ";
  if (finding.severity == Severity::kWarn) label = "WARN";
  if (finding.severity == Severity::kFail) label = "FAIL";
  std::string text = finding.what;
  if (!finding.fix.empty()) text += "; fix: " + finding.fix;
  return fmt::format("{} {}", label, escape_for_log(text));
}

std::string summary_line(const Counts& counts) {
  return fmt::format("sftpsh check: {} ok, {} warnings, {} failures", counts.ok,
                     counts.warnings, counts.failures);
}

std::string render_report(const std::vector<Section>& sections) {
  std::string out;
  for (const auto& section : sections) {
    out += fmt::format("== {}\n", escape_for_log(section.title));
    for (const auto& finding : section.findings) out += render_finding(finding) + "\n";
  }
  out += summary_line(count(sections)) + "\n";
  return out;
}

int exit_status(const Counts& counts) { return counts.failures == 0 ? 0 : 1; }

}  // namespace sftpsh
