#!/usr/bin/python3
"""`sftpsh check` end to end: root's audit of a real setup.

A good setup (the shipped sshd snippet, jails and homes as sftpsh(8) says) and
one bad thing at a time, each with the FAIL or WARN line that names it and the
exit status: `Subsystem sftp internal-sftp`, forwarding allowed, PermitUserRC
yes, AcceptEnv LD_*, an /etc/ssh/sshrc, keys inside the jail, a home the user
owns, a group-writable jail component, sftpsh missing from /etc/shells, and
the privilege modes. `sshd -T -f <test config>` reads only the test's own
sshd_config; the machine's is never touched.

And what the audit must never do: run for anyone but root (a local user, a
jailed user, "root" inside a user namespace of one's own) or be reachable
through sshd (`ssh user@host check` is a denied command like any other).
"""
import os
import re

import e2e_env
from e2e_env import E2E_ROOT, SHELL, E2eTest, run, sshdlib

SSHRC = "/etc/ssh/sshrc"
# What this suite writes to /etc/ssh/sshrc (only when there is none): a later
# run removes a file with exactly this text left by a killed one.
SSHRC_MARK = "# made by sftpsh's tests/e2e/test_check.py; safe to delete\n"
REFUSED = "sftpsh: check may be run by root only\n"
DEBIAN_SERVER = "/usr/lib/openssh/sftp-server"
SUMMARY = re.compile(r"^sftpsh check: (\d+) ok, (\d+) warnings, (\d+) failures$")


def remove_stale_sshrc():
    try:
        with open(SSHRC) as f:
            stale = f.read() == SSHRC_MARK
    except (FileNotFoundError, IsADirectoryError):
        return
    if stale:
        os.unlink(SSHRC)


def setUpModule():
    remove_stale_sshrc()
    env = e2e_env.setup()
    env.set_mode("capability")
    env.check_snippet = os.path.join(E2E_ROOT, "C-snippet.conf")
    sshdlib.write_file(env.check_snippet,
                       e2e_env.shipped_snippet(env.group, env.site.keys_dir), 0o644)
    env.sshrc_existed = os.path.lexists(SSHRC)


def tearDownModule():
    e2e_env.teardown()


class Report:
    """What one `sftpsh check` run printed."""

    def __init__(self, proc):
        self.status = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr
        self.lines = proc.stdout.splitlines()
        m = SUMMARY.match(self.lines[-1]) if self.lines else None
        self.summary = tuple(int(x) for x in m.groups()) if m else None

    def findings(self, label):
        return [l[5:] for l in self.lines if l.startswith(label + " ")]

    def __str__(self):
        return f"exit {self.status}\n{self.out}{self.err}"


class CheckTest(E2eTest):
    def config(self, name, global_lines=(), match_lines=(), subsystem=DEBIAN_SERVER,
               use_pam=False):
        """A test sshd_config: the shipped snippet, plus `global_lines`, plus
        `match_lines` in a Match block for the jailed group that comes before
        the snippet's (the first value obtained wins)."""
        lines = [f"HostKey {self.env.site.host_key}",
                 f"UsePAM {'yes' if use_pam else 'no'}",
                 f"Subsystem sftp {subsystem}",
                 *global_lines]
        if match_lines:
            bad = os.path.join(E2E_ROOT, f"C-{name}-match.conf")
            sshdlib.write_file(bad, "\n".join([f"Match Group {self.env.group}",
                                               *[f"\t{l}" for l in match_lines]]) + "\n", 0o644)
            lines.append(f"Include {bad}")
        lines.append(f"Include {self.env.check_snippet}")
        path = os.path.join(E2E_ROOT, f"C-{name}.sshd_config")
        sshdlib.write_file(path, "\n".join(lines) + "\n", 0o644)
        return path

    def check(self, config, *users):
        proc = run([SHELL, "check", "-f", config, *[u.name for u in users]], check=False)
        report = Report(proc)
        self.assertIsNotNone(report.summary, f"no summary line:\n{report}")
        self.assertEqual(report.status, 1 if report.summary[2] else 0, str(report))
        self.assertEqual(report.err, "", str(report))
        return report

    def expected_failures(self):
        """FAILs the machine brings along whatever the test sets up."""
        return [f"{SSHRC} exists"] if self.env.sshrc_existed else []

    def assert_good(self, report):
        fails = [f for f in report.findings("FAIL")
                 if not any(f.startswith(e) for e in self.expected_failures())]
        self.assertEqual(fails, [], str(report))
        self.assertEqual(report.status, 1 if self.expected_failures() else 0, str(report))

    def assert_finding(self, report, label, pattern):
        hits = [f for f in report.findings(label) if re.search(pattern, f)]
        self.assertTrue(hits, f"no {label} line matching {pattern!r}:\n{report}")
        return hits[0]


class GoodSetup(CheckTest):
    def test_good_setup_passes(self):
        env = self.env
        r = self.check(self.config("good"), env.alice, env.bob)
        self.assert_good(r)
        alice, bob = env.alice.name, env.bob.name
        self.assertIn(f"== sshd for {alice}, {bob} (sshd -T -f {E2E_ROOT}/C-good.sshd_config "
                      f"-C user=USER,host=localhost,addr=127.0.0.1; OpenSSH ", r.out)
        for line in [f'Subsystem sftp "{DEBIAN_SERVER}" is an accepted SubsystemCommand',
                     "AllowTcpForwarding no", "AllowStreamLocalForwarding no",
                     "X11Forwarding no", "AllowAgentForwarding no", "DisableForwarding yes",
                     "PermitTunnel no", "PermitUserRC no", "PermitUserEnvironment no",
                     "PermitTTY no", "UsePAM no: no PAM module reads ~/.pam_environment",
                     "file capability cap_sys_chroot=ep: the capability mode (preferred)",
                     f"{SHELL} is in /etc/shells",
                     f"config {E2E_ROOT}/sftpsh.conf is trusted and parses",
                     f"server {E2E_ROOT}/sftp-server is trusted and executable",
                     f"jail {E2E_ROOT}/jail/alice: every component root's and not writable by "
                     "group or others",
                     f"home {E2E_ROOT}/jails/bob is not the user's to write",
                     f"AuthorizedKeysFile {env.site.keys_dir}/{alice} is outside the jail",
                     "privilege mode capability"]:
            self.assertIn(line, r.findings("OK"), str(r))
        self.assertIn(f"== user {alice}", r.lines)
        self.assertIn(f"== user {bob}", r.lines)
        if not env.sshrc_existed:
            self.assertIn(f"no {SSHRC}", r.findings("OK"))

    def test_privilege_modes(self):
        config = self.config("good")
        try:
            for mode, label, pattern in [
                    ("setuid", "OK", r"^setuid root: the setuid mode \(note: root until the "),
                    ("userns", "WARN", r"^neither setuid root nor the file capability "
                                       r"cap_sys_chroot: sessions run in the user-namespace "
                                       r"mode only; unprivileged user namespaces work here"),
                    ("capability", "OK", r"^file capability cap_sys_chroot=ep")]:
                with self.subTest(mode=mode):
                    self.env.set_mode(mode)
                    r = self.check(config, self.env.alice)
                    self.assert_finding(r, label, pattern)
                    self.assert_finding(r, "OK", rf"^privilege mode {mode}$")
                    self.assert_good(r)
        finally:
            self.env.set_mode("capability")

    def test_without_users_every_account_with_this_shell(self):
        env = self.env
        r = self.check(self.config("all"))
        for user in (env.alice, env.bob, env.carol, env.dave, env.erin, env.gina, env.frank):
            self.assertIn(f"== user {user.name}", r.lines)
        self.assertNotIn(f"== user {env.plain.name}", r.lines)  # shell /bin/sh
        self.assertEqual(r.status, 1)  # carol, dave, erin, gina, frank are broken on purpose
        self.assert_finding(r, "FAIL", rf'^home directory "{E2E_ROOT}/jail/frank" has no "/\./"')
        self.assert_finding(r, "FAIL", rf"^bad ownership for jail component {E2E_ROOT}/jail-dave")
        self.assert_finding(r, "FAIL", rf"^jail component {E2E_ROOT}/linked is a symbolic link")

    def test_usage_errors(self):
        for args in (["-x"], ["-f"], ["-f", "a", "-f", "b"]):
            with self.subTest(args=args):
                p = run([SHELL, "check", *args], check=False)
                self.assertEqual(p.returncode, 2)
                self.assertEqual(p.stdout, "")
                self.assertIn("usage: sftpsh check [-f sshd_config] [user ...]", p.stderr)

    def test_named_user_with_another_shell(self):
        r = self.check(self.config("good"), self.env.plain)
        self.assertEqual(r.status, 1)
        self.assert_finding(r, "FAIL", rf'^the login shell of {re.escape(self.env.plain.name)} '
                                       rf'is "/bin/sh", not this sftpsh \({SHELL}\): sftpsh '
                                       rf"refuses to run for them; fix: usermod -s {SHELL} ")

    def test_named_user_not_in_passwd(self):
        p = run([SHELL, "check", "-f", self.config("good"), "sftpsh-k-nobody-here"],
                check=False)
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertRegex(p.stdout, r"(?m)^FAIL sftpsh-k-nobody-here is not in /etc/passwd: ")


class BadSshd(CheckTest):
    def test_internal_sftp_subsystem(self):
        r = self.check(self.config("internal", subsystem="internal-sftp"), self.env.alice)
        self.assertEqual(r.status, 1)
        line = self.assert_finding(r, "FAIL", r"^Subsystem sftp internal-sftp: sshd serves "
                                              r"internal-sftp itself")
        self.assertIn("outside any jail; fix: Subsystem sftp ", line)

    def test_subsystem_sftpsh_does_not_accept(self):
        r = self.check(self.config("other-sub", subsystem="/usr/libexec/sftp-server -l INFO"),
                       self.env.alice)
        self.assertEqual(r.status, 1)
        self.assert_finding(r, "FAIL", r'^Subsystem sftp "/usr/libexec/sftp-server -l INFO" is '
                                       r"not an accepted SubsystemCommand .*sftpsh refuses every "
                                       r"SFTP session; fix: .*SubsystemCommand")

    def test_tcp_forwarding_allowed(self):
        r = self.check(self.config("tcp", match_lines=["DisableForwarding no",
                                                       "AllowTcpForwarding yes",
                                                       "AllowStreamLocalForwarding all"]),
                       self.env.alice)
        self.assertEqual(r.status, 1)
        self.assert_finding(r, "FAIL", r"^AllowTcpForwarding yes: jailed users can forward TCP "
                                       r"ports .*; fix: AllowTcpForwarding no \(in the Match block")
        self.assert_finding(r, "FAIL", r"^AllowStreamLocalForwarding yes: ")  # sshd -T says yes

    def test_x11_and_agent_forwarding_disableforwarding_is_not_enough(self):
        r = self.check(self.config("x11", match_lines=["X11Forwarding yes",
                                                       "AllowAgentForwarding yes"]),
                       self.env.alice)
        version = re.search(r"; OpenSSH (\d+)\.(\d+)\)$",
                            next(l for l in r.lines if l.startswith("== sshd")))
        old = version and (int(version.group(1)), int(version.group(2))) < (10, 0)
        if old:
            self.assertEqual(r.status, 1)
            self.assert_finding(r, "FAIL", r"^X11Forwarding yes: X11 forwarding needs no shell")
            self.assert_finding(r, "FAIL", r"^AllowAgentForwarding yes: ")
            self.assert_finding(r, "WARN", r"^DisableForwarding yes does not switch off X11 and "
                                           r"agent forwarding .*CVE-2025-32728")
        else:
            self.assert_finding(r, "WARN", r"^X11Forwarding yes, switched off only by "
                                           r"DisableForwarding yes")

    def test_permit_user_rc(self):
        r = self.check(self.config("rc", match_lines=["PermitUserRC yes"]), self.env.alice)
        self.assertEqual(r.status, 1)
        self.assert_finding(r, "FAIL", r"^PermitUserRC yes: sshd runs ~/\.ssh/rc through /bin/sh "
                                       r"outside the jail.*; fix: PermitUserRC no")

    def test_accept_env_ld(self):
        r = self.check(self.config("env", global_lines=["AcceptEnv LANG LD_*"]), self.env.alice)
        self.assertEqual(r.status, 1)
        self.assert_finding(r, "FAIL", r"^AcceptEnv LD_\* lets a client set LD_PRELOAD, "
                                       r"LD_LIBRARY_PATH, LD_AUDIT: .*; fix: remove \"LD_\*\" "
                                       r"from AcceptEnv")

    def test_terminal_and_tunnel(self):
        r = self.check(self.config("tty", match_lines=["PermitTTY yes",
                                                       "PermitTunnel yes"]), self.env.alice)
        self.assertEqual(r.status, 1)
        self.assert_finding(r, "WARN", r"^PermitTTY yes: ")
        self.assert_finding(r, "FAIL", r"^PermitTunnel yes: ")

    def test_keys_inside_the_jail(self):
        env = self.env
        config = self.config("keys", match_lines=["AuthorizedKeysFile .ssh/authorized_keys"])
        keys = f"{env.alice_jail}/.ssh/authorized_keys"
        r = self.check(config, env.alice)
        self.assertEqual(r.status, 0, str(r))
        self.assert_finding(r, "WARN", rf"^AuthorizedKeysFile {re.escape(keys)} is inside the "
                                       r"jail .*: the user cannot write it now")
        ssh_dir = f"{env.alice_jail}/.ssh"
        sshdlib.make_dir(ssh_dir, 0o700, env.alice.uid, env.alice.gid)
        try:
            r = self.check(config, env.alice)
            self.assertEqual(r.status, 1)
            self.assert_finding(r, "FAIL", rf"^AuthorizedKeysFile {re.escape(keys)} is inside "
                                           rf"the jail .*, and the user can write "
                                           rf"{re.escape(ssh_dir)}: ")
            self.assert_finding(r, "FAIL", rf"^{re.escape(ssh_dir)} is owned by the user: ")
        finally:
            os.rmdir(ssh_dir)


class BadSystem(CheckTest):
    def test_etc_ssh_sshrc(self):
        created = False
        if not self.env.sshrc_existed:
            fd = os.open(SSHRC, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
            created = True
            try:
                os.write(fd, SSHRC_MARK.encode())
            finally:
                os.close(fd)
        try:
            r = self.check(self.config("good"), self.env.alice)
            self.assertEqual(r.status, 1)
            self.assert_finding(r, "FAIL", rf"^{SSHRC} exists: sshd runs it through /bin/sh "
                                           rf"outside the jail.*; fix: remove it \(rm {SSHRC}\)")
        finally:
            if created:
                with open(SSHRC) as f:
                    mine = f.read() == SSHRC_MARK
                if mine:
                    os.unlink(SSHRC)
        self.assertEqual(os.path.lexists(SSHRC), self.env.sshrc_existed)

    def test_home_the_user_owns(self):
        env = self.env
        home = f"{E2E_ROOT}/shared/gina"
        r = self.check(self.config("good"), env.gina)
        self.assertEqual(r.status, 1)
        self.assert_finding(r, "FAIL", rf"^refusing to serve: the home directory {home} is owned "
                                       rf"by the user \(uid {env.gina.uid}\)")
        # With PAM's pam_env reading ~/.pam_environment, a home the user owns is
        # a way out of the jail: the PAM line turns from WARN into FAIL.
        r = self.check(self.config("pam", use_pam=True), env.gina)
        try:
            with open("/etc/pam.d/sshd") as f:
                readenv = re.search(r"(?m)^[^#\n]*pam_env\.so[^#\n]*user_readenv=1", f.read())
        except FileNotFoundError:
            readenv = None
        if readenv:
            self.assert_finding(r, "FAIL", rf"^pam_env reads ~/\.pam_environment .*these users "
                                           rf"can write theirs: {re.escape(env.gina.name)} "
                                           rf"\({home}\)")
            r = self.check(self.config("pam", use_pam=True), env.alice)
            self.assert_finding(r, "WARN", r"^pam_env reads ~/\.pam_environment .*safe only "
                                           r"while no jailed user can write their home")
        else:
            self.assert_finding(r, "OK", r"^UsePAM yes, and no pam_env in ")

    def test_group_writable_jail_component(self):
        r = self.check(self.config("good"), self.env.carol)
        self.assertEqual(r.status, 1)
        self.assert_finding(r, "FAIL", rf"^bad modes for jail component {E2E_ROOT}/unsafe-gw: "
                                       rf"mode 0775 is writable by group or others \(chmod go-w "
                                       rf"{E2E_ROOT}/unsafe-gw\)")

    def test_sftpsh_missing_from_etc_shells(self):
        with open("/etc/shells") as f:
            before = f.read()
        self.assertIn(SHELL + "\n", before, "the e2e set-up adds the shell to /etc/shells")
        kept = "".join(l for l in before.splitlines(keepends=True) if l.rstrip("\n") != SHELL)
        with open("/etc/shells", "w") as f:
            f.write(kept)
        try:
            r = self.check(self.config("good"), self.env.alice)
            self.assert_finding(r, "WARN", rf"^{SHELL} is not in /etc/shells: .*; fix: echo "
                                           rf"{SHELL} >> /etc/shells")
            self.assert_good(r)  # sshd itself does not need it (UsePAM no: no pam_shells)
            # and indeed a session still works without it
            s = self.env.sftp(self.env.alice, "ls /")
            self.assertEqual(s.returncode, 0, s.stderr)
        finally:
            with open("/etc/shells") as f:
                now = f.read()
            if SHELL + "\n" not in now:
                with open("/etc/shells", "a") as f:
                    f.write(SHELL + "\n")


class OnlyRoot(CheckTest):
    def as_user(self, user, *argv):
        return run(["setpriv", f"--reuid={user.uid}", f"--regid={user.gid}", "--init-groups",
                    *argv], check=False)

    def assert_refused(self, p):
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertEqual(p.stdout, "")
        self.assertEqual(p.stderr, REFUSED)

    def test_non_root_is_refused_in_every_mode(self):
        env = self.env
        config = self.config("good")
        try:
            for mode in e2e_env.MODES:
                env.set_mode(mode)
                for user in (env.plain, env.alice):
                    for args in (["check"], ["check", env.alice.name],
                                 ["check", "-f", config, "-x"]):
                        with self.subTest(mode=mode, user=user.role, args=args):
                            self.assert_refused(self.as_user(user, SHELL, *args))
        finally:
            env.set_mode("capability")

    def test_root_of_a_user_namespace_is_refused(self):
        env = self.env
        probe = self.as_user(env.plain, "unshare", "-r", "id", "-u")
        self.assertEqual(probe.stdout.strip(), "0", f"unshare -r does not work: {probe.stderr}")
        try:
            for mode in e2e_env.MODES:
                env.set_mode(mode)
                with self.subTest(mode=mode):
                    self.assert_refused(self.as_user(env.plain, "unshare", "-r", SHELL, "check"))
        finally:
            env.set_mode("capability")

    def test_ssh_check_is_a_denied_command(self):
        for args in (["check"], ["check", self.env.alice.name]):
            with self.subTest(args=args):
                r = self.env.ssh(self.env.alice, *args)
                self.assert_denied(r, self.env.alice, f'command "{" ".join(args)}"')
                self.assertNotIn(b"sftpsh check", r.stderr)


if __name__ == "__main__":
    e2e_env.tap.main("__main__")
