// What `sshd -T` prints (pure): sshd's effective configuration, one
// lower-case `keyword value` per line, repeatable keywords (acceptenv,
// subsystem, hostkey, ...) on one line per value. `sshd -T -C user=U,...`
// applies the Match blocks U would get, so this is what a session of U
// really runs with (sftpsh check, check_sshd.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sftpsh {

class SshdDump {
 public:
  void add(std::string keyword, std::string value);

  // The first value of `keyword` (lower case), or nullopt when sshd printed
  // no such line.
  [[nodiscard]] std::optional<std::string_view> first(std::string_view keyword) const;
  // Every value, in sshd's order.
  [[nodiscard]] std::vector<std::string_view> all(std::string_view keyword) const;
  [[nodiscard]] bool empty() const { return entries_.empty(); }
  [[nodiscard]] const std::vector<std::pair<std::string, std::string>>& entries() const {
    return entries_;
  }

 private:
  std::vector<std::pair<std::string, std::string>> entries_;
};

// Splits each line at its first space; the keyword is lower-cased (sshd
// prints it so; older versions printed a few in mixed case). Empty lines are
// skipped, a line without a value keeps an empty one.
[[nodiscard]] SshdDump parse_sshd_dump(std::string_view text);

// OpenSSH's version, from the first "OpenSSH_<major>.<minor>" in `text`
// (`sshd -V` prints "OpenSSH_9.2p1 Debian-2+deb12u3, OpenSSL ..."; sshd
// versions without -V print it in their usage message).
struct OpensshVersion {
  bool known = false;
  int major = 0;
  int minor = 0;

  // Unknown counts as older: the checks that depend on it fail closed.
  [[nodiscard]] bool at_least(int want_major, int want_minor) const;
  [[nodiscard]] std::string text() const;  // "9.2", or "unknown"
};

[[nodiscard]] OpensshVersion parse_openssh_version(std::string_view text);

}  // namespace sftpsh
