#include "sftpsh/check_sshd.h"

#include <algorithm>

#include <fmt/format.h>

#include "sftpsh/match_pattern.h"

namespace sftpsh {

namespace {

constexpr std::string_view kInMatch =
    "in the Match block for jailed users, as etc/sshd_config.d/sftpsh.conf does";

// One yes/no-like option that must have one value for jailed users.
struct Rule {
  std::string_view key;   // as sshd -T prints it
  std::string_view name;  // as sshd_config spells it
  std::string_view want;
  Severity otherwise;
  std::string_view why;
  bool disable_forwarding_covers = false;  // in every version with DisableForwarding
  bool disable_forwarding_covers_since_10 = false;  // CVE-2025-32728
};

constexpr Rule kForwardingRules[] = {
    {"allowtcpforwarding", "AllowTcpForwarding", "no", Severity::kFail,
     "jailed users can forward TCP ports (ssh -N -L/-R), which never runs the login shell",
     true, false},
    {"allowstreamlocalforwarding", "AllowStreamLocalForwarding", "no", Severity::kFail,
     "jailed users can reach the server's Unix sockets (ssh -N -L port:/path), which never "
     "runs the login shell",
     true, false},
    {"x11forwarding", "X11Forwarding", "no", Severity::kFail,
     "X11 forwarding needs no shell, and sshd runs xauth through /bin/sh outside the jail",
     false, true},
    {"allowagentforwarding", "AllowAgentForwarding", "no", Severity::kFail,
     "agent forwarding needs no shell and opens a socket outside the jail", false, true},
};

constexpr Rule kSessionRules[] = {
    {"permittunnel", "PermitTunnel", "no", Severity::kFail,
     "tun/tap forwarding (ssh -w) gives network access without any shell"},
    {"permituserrc", "PermitUserRC", "no", Severity::kFail,
     "sshd runs ~/.ssh/rc through /bin/sh outside the jail for every session that is not "
     "SFTP"},
    {"permituserenvironment", "PermitUserEnvironment", "no", Severity::kFail,
     "sshd takes variables such as LD_PRELOAD from ~/.ssh/environment and authorized_keys "
     "environment=\"...\" for the /bin/sh it runs outside the jail (~/.ssh/rc, "
     "/etc/ssh/sshrc, xauth)"},
    {"permittty", "PermitTTY", "no", Severity::kWarn,
     "a terminal is allocated for jailed users (sftpsh denies the login anyway)"},
    {"gatewayports", "GatewayPorts", "no", Severity::kWarn,
     "not as etc/sshd_config.d/sftpsh.conf sets it (it matters only if forwarding is on)"},
    {"permitopen", "PermitOpen", "none", Severity::kWarn,
     "not as etc/sshd_config.d/sftpsh.conf sets it (it matters only if forwarding is on)"},
    {"permitlisten", "PermitListen", "none", Severity::kWarn,
     "not as etc/sshd_config.d/sftpsh.conf sets it (it matters only if forwarding is on)"},
};

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
    return lower(x) == lower(y);
  });
}

std::string_view first_word(std::string_view text) { return text.substr(0, text.find(' ')); }

std::string fix_for(const Rule& rule) {
  if (rule.key == "permituserenvironment")
    return fmt::format("{} {} (a global line: sshd takes none in a Match block)", rule.name,
                       rule.want);
  return fmt::format("{} {} ({})", rule.name, rule.want, kInMatch);
}

Finding apply(const Rule& rule, const SshdDump& dump, const SshdCheckContext& context) {
  const auto value = dump.first(rule.key);
  if (!value)
    return Finding{rule.otherwise,
                   fmt::format("sshd -T shows no {}: cannot verify it", rule.name),
                   fix_for(rule)};
  if (equals_ignoring_case(*value, rule.want)) return ok(fmt::format("{} {}", rule.name, *value));
  const bool disabled = dump.first("disableforwarding") == "yes";
  const bool covered =
      disabled && (rule.disable_forwarding_covers ||
                   (rule.disable_forwarding_covers_since_10 && context.version.at_least(10, 0)));
  if (covered)
    return warn(fmt::format("{} {}, switched off only by DisableForwarding yes", rule.name,
                            *value),
                fmt::format("{} {} as well, so no later line can reopen it", rule.name,
                            rule.want));
  return Finding{rule.otherwise, fmt::format("{} {}: {}", rule.name, *value, rule.why),
                 fix_for(rule)};
}

std::string accepted_list(const SshdCheckContext& context) {
  std::string list;
  for (const auto& line : context.accepted) list += (list.empty() ? "\"" : ", \"") + line + "\"";
  return list.empty() ? std::string("none") : list;
}

std::string_view our_server(const SshdCheckContext& context) {
  return context.accepted.empty() ? std::string_view("/usr/local/libexec/sftpsh/sftp-server")
                                  : std::string_view(context.accepted.front());
}

bool accepted(const SshdCheckContext& context, std::string_view command) {
  return std::find(context.accepted.begin(), context.accepted.end(), command) !=
         context.accepted.end();
}

void check_subsystems(const SshdDump& dump, const SshdCheckContext& context,
                      std::vector<Finding>& out) {
  bool have_sftp = false;
  for (const std::string_view entry : dump.all("subsystem")) {
    const auto space = entry.find(' ');
    const std::string_view name = entry.substr(0, space);
    const std::string_view command =
        space == std::string_view::npos ? std::string_view() : entry.substr(space + 1);
    if (first_word(command) == "internal-sftp") {
      // Any subsystem name: the client chooses it (ssh -s host NAME).
      out.push_back(fail(fmt::format("Subsystem {} {}: sshd serves internal-sftp itself, "
                                     "without ever running the login shell, so jailed users "
                                     "get SFTP outside any jail", name, command),
                         fmt::format("Subsystem {} {}", name, our_server(context))));
      if (name == "sftp") have_sftp = true;
      continue;
    }
    if (name != "sftp") continue;
    have_sftp = true;
    if (accepted(context, command)) {
      out.push_back(ok(fmt::format("Subsystem sftp \"{}\" is an accepted SubsystemCommand",
                                   command)));
    } else {
      out.push_back(fail(fmt::format("Subsystem sftp \"{}\" is not an accepted "
                                     "SubsystemCommand ({}): sftpsh refuses every SFTP session",
                                     command, accepted_list(context)),
                         fmt::format("Subsystem sftp {} in sshd_config, or \"SubsystemCommand "
                                     "{}\" in {}", our_server(context), command,
                                     context.sftpsh_config)));
    }
  }
  if (!have_sftp)
    out.push_back(fail("no Subsystem sftp: sshd refuses every SFTP session",
                       fmt::format("Subsystem sftp {}", our_server(context))));
}

void check_force_command(const SshdDump& dump, const SshdCheckContext& context,
                         std::vector<Finding>& out) {
  const std::string_view command = dump.first("forcecommand").value_or("none");
  const std::string_view chroot = dump.first("chrootdirectory").value_or("none");
  if (command != "none") {
    if (first_word(command) == "internal-sftp" && chroot == "none") {
      out.push_back(fail(fmt::format("ForceCommand {}: sshd serves internal-sftp itself, "
                                     "without the login shell, outside any jail", command),
                         "remove ForceCommand for jailed users"));
    } else if (first_word(command) == "internal-sftp") {
      out.push_back(warn(fmt::format("ForceCommand {} with ChrootDirectory {}: OpenSSH jails "
                                     "these users itself and sftpsh never runs", command,
                                     chroot),
                         "remove ForceCommand and ChrootDirectory for users sftpsh jails"));
    } else if (accepted(context, command)) {
      out.push_back(ok(fmt::format("ForceCommand \"{}\" is an accepted SubsystemCommand",
                                   command)));
    } else {
      out.push_back(fail(fmt::format("ForceCommand \"{}\" is not an accepted SubsystemCommand: "
                                     "sftpsh denies every session, SFTP included", command),
                         "remove ForceCommand for jailed users"));
    }
  }
  if (chroot != "none" && first_word(command) != "internal-sftp")
    out.push_back(warn(fmt::format("ChrootDirectory {}: sshd chroots before the login shell "
                                   "runs, so sftpsh would have to exist inside it", chroot),
                       "ChrootDirectory none for jailed users (sftpsh jails them itself)"));
}

void check_accept_env(const SshdDump& dump, std::vector<Finding>& out) {
  const auto patterns = dump.all("acceptenv");
  bool bad = false;
  for (const std::string_view pattern : patterns) {
    std::string names;
    for (const std::string_view variable : loader_variables())
      if (match_pattern(variable, pattern))
        names += (names.empty() ? "" : ", ") + std::string(variable);
    if (names.empty()) continue;
    bad = true;
    out.push_back(fail(fmt::format("AcceptEnv {} lets a client set {}: /bin/sh and the helpers "
                                   "sshd runs outside the jail (~/.ssh/rc, /etc/ssh/sshrc, "
                                   "xauth) would load the client's code", pattern, names),
                       fmt::format("remove \"{}\" from AcceptEnv for jailed users (AcceptEnv "
                                   "LANG LC_* is harmless)", pattern)));
  }
  if (bad) return;
  std::string list;
  for (const std::string_view pattern : patterns) list += " " + std::string(pattern);
  out.push_back(ok(fmt::format("AcceptEnv{}: no loader variable (LD_*, GCONV_PATH, ...) gets "
                               "through", list.empty() ? std::string(" none") : list)));
}

void check_disable_forwarding(const SshdDump& dump, const SshdCheckContext& context,
                              std::vector<Finding>& out) {
  if (dump.first("disableforwarding") != "yes") return;
  const bool individually_off =
      dump.first("x11forwarding") == "no" && dump.first("allowagentforwarding") == "no";
  if (context.version.at_least(10, 0) || individually_off) {
    out.push_back(ok("DisableForwarding yes"));
    return;
  }
  out.push_back(warn(fmt::format("DisableForwarding yes does not switch off X11 and agent "
                                 "forwarding in OpenSSH {} (fixed in 10.0: CVE-2025-32728), so "
                                 "it can't stand in for X11Forwarding no and "
                                 "AllowAgentForwarding no", context.version.text()),
                     fmt::format("X11Forwarding no and AllowAgentForwarding no, each on its "
                                 "own line ({})", kInMatch)));
}

}  // namespace

const std::vector<std::string_view>& loader_variables() {
  static const std::vector<std::string_view> names{
      "LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "GCONV_PATH", "GLIBC_TUNABLES", "LOCPATH"};
  return names;
}

std::vector<Finding> check_sshd_config(const SshdDump& dump, const SshdCheckContext& context) {
  std::vector<Finding> out;
  check_subsystems(dump, context, out);
  check_force_command(dump, context, out);
  for (const Rule& rule : kForwardingRules) out.push_back(apply(rule, dump, context));
  check_disable_forwarding(dump, context, out);
  for (const Rule& rule : kSessionRules) out.push_back(apply(rule, dump, context));
  check_accept_env(dump, out);
  return out;
}

}  // namespace sftpsh
