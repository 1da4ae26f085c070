// sftpsh: the login shell of an SFTP-only account.
//
// sshd runs it as `sftpsh -c "<command>"` (or `-sftpsh` for a login). It
// serves SFTP only, inside the jail named by the "/./" in the account's home,
// by exec'ing the bundled static server by fd into an empty jail, with every
// privilege dropped and seccomp (and Landlock) installed. Each step below is
// one file and fails closed: any error ends the session (die()).
// See DESIGN.md section 2, sftpsh(8) and SECURITY.md.

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <string>

#include "common/handover.h"
#include "common/log.h"
#include "common/unique_fd.h"
#include "sftpsh/account.h"
#include "sftpsh/build_paths.h"
#include "sftpsh/check_run.h"
#include "sftpsh/config.h"
#include "sftpsh/config_file.h"
#include "sftpsh/decide.h"
#include "sftpsh/die.h"
#include "sftpsh/drop.h"
#include "sftpsh/enter.h"
#include "sftpsh/exec_server.h"
#include "sftpsh/home_check.h"
#include "sftpsh/initial_namespace.h"
#include "sftpsh/jail_check.h"
#include "sftpsh/landlock.h"
#include "sftpsh/local_time.h"
#include "sftpsh/locate.h"
#include "sftpsh/log_lines.h"
#include "sftpsh/prepare.h"
#include "sftpsh/privilege.h"
#include "sftpsh/seccomp_shell.h"
#include "sftpsh/startup.h"

namespace sftpsh {
namespace {

// Who a session is for, so refusals can name the user and the client.
struct Who {
  const Account& account;
  const ClientAddress& client;

  // The value of `result`, or die() with a "Refused user ..." line (logged;
  // the client only learns that the session was refused).
  template <typename T>
  T or_refuse(Result<T> result) const {
    if (!result) die(refusal_line(account.name, client, result.error()));
    return std::move(result.value());
  }
  void or_refuse(Result<void> result) const {
    if (!result) die(refusal_line(account.name, client, result.error()));
  }
};

Settings load_settings(const Who& who) {
  const Config config = who.or_refuse(load_config(compiled_config_path()));
  Subject subject{who.account.name, {}};
  for (const auto& group : who.account.groups) subject.groups.push_back(group.name);
  Settings settings = resolve_settings(config, subject, compiled_server_path());
  logger().set_level(settings.log_level.value_or(LogLevel::kInfo));
  if (settings.log_facility) logger().set_facility(*log_facility_from_name(*settings.log_facility));
  return settings;
}

[[noreturn]] void deny(const Who& who, const Settings& settings, const Decision& decision) {
  log_prepared(LogLevel::kInfo, denial_line(who.account.name, who.client, decision));
  tell_client(expand_deny_message(settings.deny_message, who.account.name));
  ::_exit(1);
}

}  // namespace
}  // namespace sftpsh

int main(int argc, char** argv) {
  using namespace sftpsh;

  // 0. Trust nothing inherited: environment (re-exec without it when
  //    unprivileged), fds, signals, umask, core limit. Before any NSS call.
  const ClientAddress client = sanitize_process(argv);

  // `sftpsh check`: root's audit (check_run.h), never reached from sshd;
  // refused to anyone else before any other work.
  const auto words = argv_views(argc, argv);
  switch (classify_invocation(words, ::getuid(), in_initial_user_namespace())) {
    case Invocation::kCheck: return run_check(words);
    case Invocation::kCheckRefused: tell_client(kCheckRefusedText); return 1;
    case Invocation::kShell: break;
  }
  open_log();

  // Who runs us (real uid only), and is this sftpsh really their shell?
  const NameDb database = or_die(read_account_database());
  const Account account = or_die(lookup_account(database));
  or_die(require_sftpsh_shell(account));
  const Who who{account, client};
  const Settings settings = load_settings(who);

  // 1. Decide: only an exact subsystem command line is served.
  const Decision decision = decide(argv_views(argc, argv), settings.subsystem_commands);
  if (!decision.serve) deny(who, settings, decision);

  // 2. Locate the jail, 3. open it, checking every component, and make sure
  //    the home sshd and PAM read files from is not the user's to write.
  const JailPath jail = who.or_refuse(split_home(account.home));
  UniqueFd jail_fd = who.or_refuse(open_jail(jail));
  who.or_refuse(check_home(jail_fd.get(), jail, account.uid));

  // 4. Prepare, still outside: the server by fd, the hand-over by memfd.
  const UniqueFd server = who.or_refuse(open_server(settings.server));
  const int log_fd = logger().syslog_fd();
  if (log_fd >= 0) or_die(keep_across_exec(log_fd));
  const UniqueFd handover = or_die(
      write_handover_memfd(encode_handover(make_handover(account, database, jail, client, log_fd))));
  const auto time_zone = host_posix_tz();  // the jail has no /etc/localtime
  const PrivilegeMode mode =
      who.or_refuse(choose_privilege_mode(or_die(read_privileges()), settings.privilege_mode));
  logger().info("{}", session_line(account.name, client, jail, mode));

  // 5. Enter the jail; only the fds handed to the server stay open.
  if (mode == PrivilegeMode::kUserNamespace)
    who.or_refuse(enter_user_namespace(account.uid, account.gid));
  or_die(enter_jail(std::move(jail_fd)));
  const std::array keep{server.get(), handover.get(), log_fd};
  or_die(close_fds_except(keep));

  // 6. Drop every privilege, prove it, then go where the user starts.
  const DropReport dropped = or_die(drop_privileges(account.uid, account.gid, mode));
  or_die(verify_dropped(account.uid, account.gid, dropped));
  logger().debug("privileges dropped: bounding set {}, securebits {}",
                 dropped.bounding_set_cleared ? "cleared" : "kept (no cap_setpcap)",
                 dropped.securebits_locked ? "locked" : "unlocked (no cap_setpcap)");
  or_die(enter_start_directory(jail.start));

  // 7. Filter: Landlock beneath the jail root, then seccomp, the last thing.
  UniqueFd root(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) die("cannot open the jail root");
  const LandlockOutcome landlock = or_die(restrict_filesystem(root.get(), server.get()));
  logger().log(landlock.applied ? LogLevel::kDebug1 : LogLevel::kInfo, "{}", landlock.line);
  root.reset();
  ServerExec exec(server.get(), server_argv(settings, handover.get()),
                  server_environment(account.name, jail.start, time_zone));
  or_die(install_shell_filter(server.get()));

  // 8. Exec the server by fd. Returns only on failure.
  die(exec.run().error());
}
