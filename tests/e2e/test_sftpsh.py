#!/usr/bin/python3
"""sftpsh end to end: a real sshd on 127.0.0.1, real users whose login shell is
the e2e build of sftpsh, the shipped sshd_config snippet, and the whole set of
checks once per privilege mode (file capability, setuid root, user namespace).

Everything is seen from the outside: client output, files on the host, the
syslog lines sftpsh and the server send to /dev/log, and /proc of the running
server.
"""
import hashlib
import os
import re

import e2e_env
from e2e_env import E2E_ROOT, SERVER, CONFIG, REFUSED, ZERO_CAPS, E2eTest, run, sshdlib


def setUpModule():
    # "nosnippet": an sshd without the shipped snippet, so a terminal is granted;
    # "nodevlog": its sessions find no /dev/log, as in a container
    env = e2e_env.setup(extra_sshds=[("nosnippet", {}), ("nodevlog", {"no_devlog": True})])
    env.local = env.site.sub("local", mode=0o700)
    env.payload = os.path.join(env.local, "payload.bin")
    with open(env.payload, "wb") as f:
        f.write(os.urandom(4 * 1024 * 1024 + 333))


def tearDownModule():
    e2e_env.teardown()


def sha(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def sftp_names(output):
    """Base names from `ls -1a DIR` output in sftp batch mode (sftp> lines dropped)."""
    return sorted(os.path.basename(l.strip()) for l in output.splitlines()
                  if l.strip() and not l.startswith("sftp>"))


class ModeTests:
    """Every check, run once per privilege mode by the classes below."""
    mode = None

    @classmethod
    def setUpClass(cls):
        e2e_env.ENV.write_config()
        e2e_env.ENV.set_mode(cls.mode)

    def setUp(self):
        super().setUp()
        self.env.write_config()

    def tearDown(self):
        self.env.write_config()
        os.chown(SERVER, 0, 0)
        os.chmod(SERVER, 0o755)
        super().tearDown()

    def subsystem(self, user, sshd=None):
        """`ssh -s user@host sftp` with no input: the raw SFTP stream and exit code."""
        return self.env.ssh(user, "sftp", opts=["-s"], sshd=sshd)

    def assert_refused(self, user, *fragments):
        """Refused before any server runs: as an SFTP subsystem (exit status,
        nothing on the stream) and as the same command line, where sshd
        passes stderr on (it drops a subsystem's stderr: session.c
        ignore_fderr), with the reason in syslog for the admin and nothing of
        it for the client."""
        r = self.subsystem(user)
        self.assertNotEqual(r.returncode, 0, "served as a subsystem")
        self.assertEqual(r.stdout, b"", "refusal wrote to stdout (the SFTP stream)")
        r = self.env.ssh(user, SERVER)
        err = r.stderr.decode(errors="replace")
        self.assertNotEqual(r.returncode, 0, f"served, stderr {err!r}")
        self.assertEqual(r.stdout, b"", "refusal wrote to stdout (the SFTP stream)")
        self.assertIn(REFUSED, err)
        for fragment in fragments:
            self.assertNotIn(fragment, err, "the client was told the reason")
        self.assertNotIn("EVIL LIBRARY", err)
        self.assert_syslog(rf"Refused user {re.escape(user.name)} from 127\.0\.0\.1 port \d+: .*"
                           + ".*".join(re.escape(f) for f in fragments))
        s = self.env.sftp(user, "ls /")
        self.assertNotEqual(s.returncode, 0)
        return err

    # --- SFTP inside the jail ---------------------------------------------------
    def test_sftp_upload_and_download_inside_jail(self):
        env, alice = self.env, self.env.alice
        name = f"up-{self.mode}.bin"
        back = os.path.join(env.local, f"back-{self.mode}.bin")
        r = env.sftp(alice, "pwd", f"put {env.payload} /files/{name}", f"get /files/{name} {back}")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Remote working directory: /\n", r.stdout)
        on_host = os.path.join(env.alice_jail, "files", name)
        self.assertEqual(sha(on_host), sha(env.payload))
        self.assertEqual(sha(back), sha(env.payload))
        st = os.stat(on_host)
        self.assertEqual((st.st_uid, st.st_gid), (alice.uid, alice.gid))
        os.unlink(on_host)

    def test_home_with_dot_in_the_middle_starts_in_the_user_directory(self):
        """/jails/./bob: jail /jails, start directory /bob (root's), uploads
        into /bob/files (bob's)."""
        env, bob = self.env, self.env.bob
        r = env.sftp(bob, "pwd", f"put {env.payload} files/here.bin", "ls -1a /")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Remote working directory: /bob\n", r.stdout)
        self.assertEqual(sftp_names(r.stdout.split("ls -1a /", 1)[1]), [".", "..", "bob"])
        on_host = f"{E2E_ROOT}/jails/bob/files/here.bin"
        self.assertEqual(sha(on_host), sha(env.payload))
        os.unlink(on_host)

    def test_ls_root_shows_only_the_jail(self):
        r = self.env.sftp(self.env.alice, "ls -1a /", "ls -1a /..", "ls -1a /../../..")
        self.assertEqual(r.returncode, 0, r.stderr)
        parts = re.split(r"(?m)^sftp> .*$", r.stdout)[1:]
        self.assertEqual(len(parts), 3, r.stdout)
        for part in parts:
            self.assertEqual(sftp_names(part), [".", "..", "files"])

    def test_dotdot_and_symlinks_cannot_reach_host_files(self):
        env, alice = self.env, self.env.alice
        out = os.path.join(env.local, f"stolen-{self.mode}")
        tries = ["/../secret.txt", "../../../secret.txt", "/../../../srv/sftpsh-e2e/secret.txt",
                 f"{E2E_ROOT}/secret.txt", "/etc/passwd", "/files/abs-link", "/files/rel-link",
                 "/files/etc-link"]
        r = env.sftp(alice,
                     f"-ln -s {E2E_ROOT}/secret.txt /files/abs-link",
                     "-ln -s ../../../secret.txt /files/rel-link",
                     "-ln -s /etc/passwd /files/etc-link",
                     *[f"-get {t} {out}" for t in tries])
        try:
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertFalse(os.path.exists(out), f"a host file was read through the jail: {r.stdout}")
            self.assertNotIn(env.secret, r.stdout + r.stderr)
            client = env.sshd.paramiko_client(alice)
            try:
                sftp = client.open_sftp()
                self.assertEqual(sftp.normalize("/.."), "/")
                self.assertEqual(sftp.normalize("/files/../../.."), "/")
                self.assertEqual(sorted(sftp.listdir("/../..")), ["files"])
                for t in tries:
                    with self.assertRaises(IOError, msg=t):
                        sftp.open(t).read()
            finally:
                client.close()
            # the links were made (inside the jail), they just lead nowhere
            self.assertEqual(os.readlink(os.path.join(env.alice_jail, "files", "abs-link")),
                             f"{E2E_ROOT}/secret.txt")
        finally:
            for link in ("abs-link", "rel-link", "etc-link"):
                p = os.path.join(env.alice_jail, "files", link)
                if os.path.lexists(p):
                    os.unlink(p)

    def test_ls_l_shows_names_not_numbers(self):
        env, alice = self.env, self.env.alice
        path = os.path.join(env.alice_jail, "files", "named.txt")
        sshdlib.write_file(path, "x\n", 0o640, alice.uid, alice.gid)
        group = run(["id", "-gn", alice.name]).stdout.strip()
        try:
            r = env.sftp(alice, "ls -l /files")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertRegex(r.stdout, rf"(?m)^-rw-r----- +\S+ +{re.escape(alice.name)} +"
                                       rf"{re.escape(group)} +2 .*named\.txt$")
            client = env.sshd.paramiko_client(alice)
            try:
                longnames = [a.longname for a in client.open_sftp().listdir_attr("/files")]
            finally:
                client.close()
            self.assertTrue(any(re.match(rf"-rw-r----- +1 +{re.escape(alice.name)} +"
                                         rf"{re.escape(group)} +2 ", l) for l in longnames),
                            longnames)
            # In the user namespace, root is unmapped: the kernel shows root-owned
            # files as the overflow ids, which must read "nobody" (DESIGN.md §2).
            root_user = "nobody" if self.mode == "userns" else "root"
            root_group = "nogroup" if self.mode == "userns" else "root"
            r = env.sftp(alice, "ls -la /")
            self.assertRegex(r.stdout, rf"(?m)^d\S+ +\S+ +{root_user} +{root_group} .*/\.$",
                             f"the jail root is not shown as {root_user}'s")
        finally:
            os.unlink(path)

    def test_server_logs_reach_syslog_from_the_empty_jail(self):
        env, alice = self.env, self.env.alice
        name = f"logged-{self.mode}.bin"
        r = env.sftp(alice, f"put {env.payload} /files/{name}", f"rm /files/{name}")
        self.assertEqual(r.returncode, 0, r.stderr)
        size = os.path.getsize(env.payload)
        # the server's transfer line, sent from inside the jail through the
        # /dev/log socket sftpsh connected before chroot
        who = rf"local user {re.escape(alice.name)} from \[127\.0\.0\.1\]"
        self.assert_syslog(rf"sftp-server\[\d+\]: session opened for {who}")
        self.assert_syslog(rf'close "/files/{re.escape(name)}" bytes read 0 written {size}')
        # the session summary with the bytes moved, and its end
        self.assert_syslog(rf"sftp-server\[\d+\]: session totals for {who}: "
                           rf"bytes read 0 written {size}")
        self.assert_syslog(rf"sftp-server\[\d+\]: session closed for {who}")
        self.assert_syslog(rf"Session for user {re.escape(alice.name)} from 127\.0\.0\.1 port \d+: "
                           rf"jail {re.escape(env.alice_jail)} start / mode {self.mode}")

    def test_session_goes_on_without_dev_log(self):
        """No syslog socket (a container): lines go to stderr, SFTP still works."""
        env, alice = self.env, self.env.alice
        sshd = env.extra["nodevlog"]
        name = f"nodevlog-{self.mode}.bin"
        r = env.sftp(alice, f"put {env.payload} /files/{name}", "ls /files", sshd=sshd)
        self.assertEqual(r.returncode, 0, r.stderr)
        on_host = os.path.join(env.alice_jail, "files", name)
        self.assertEqual(sha(on_host), sha(env.payload))
        os.unlink(on_host)
        d = env.ssh(alice, "id", sshd=sshd)
        err = d.stderr.decode(errors="replace")
        self.assertNotEqual(d.returncode, 0)
        self.assertEqual(d.stdout, b"")
        self.assertIn(env.deny_message(alice), err)
        self.assertRegex(err, rf"Denied user {re.escape(alice.name)} from 127\.0\.0\.1 port \d+: "
                              r'command "id"', "the log line did not fall back to stderr")
        leaked = [l for l in self.syslog() if alice.name in l]
        self.assertEqual(leaked, [], "lines reached /dev/log although it was hidden")

    # --- everything that is not SFTP is denied ------------------------------------
    def test_deny_interactive_login(self):
        r = self.env.ssh(self.env.alice)
        self.assert_denied(r, self.env.alice, "interactive login")

    def test_deny_interactive_login_on_a_terminal(self):
        """Where sshd grants a terminal (no PermitTTY no), the message reaches
        the user on it: stdout and stderr are the same terminal there."""
        env = self.env
        r = env.ssh(env.alice, opts=["-tt"], sshd=env.extra["nosnippet"], timeout=20)
        out = r.stdout.decode(errors="replace")
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(env.deny_message(env.alice), out)
        self.assertEqual(out.replace(env.deny_message(env.alice), "").strip(), "",
                         "more than the message on the terminal")
        self.assert_syslog(rf"Denied user {re.escape(env.alice.name)} from 127\.0\.0\.1 port "
                           rf"\d+: interactive login")

    def test_deny_remote_command(self):
        r = self.env.ssh(self.env.alice, "id")
        self.assert_denied(r, self.env.alice, 'command "id"')

    def test_deny_server_with_arguments(self):
        for cmd in ("sftp-server -d /", f"{SERVER} -d /", "/usr/lib/openssh/sftp-server -d /",
                    f"{SERVER} -R", "internal-sftp"):
            with self.subTest(cmd=cmd):
                r = self.env.ssh(self.env.alice, cmd)
                self.assert_denied(r, self.env.alice, f'command "{cmd}"')

    def test_deny_command_with_trailing_text(self):
        for cmd in (f"{SERVER}; id", f"{SERVER} ", f"{SERVER}\nid", f" {SERVER}",
                    "/usr/lib/openssh/sftp-server && id"):
            with self.subTest(cmd=cmd):
                r = self.env.ssh(self.env.alice, cmd)
                self.assert_denied(r, self.env.alice, 'command "' + cmd.split("\n")[0])

    def test_deny_legacy_scp(self):
        env = self.env
        r = run(env.sshd.scp_argv("-O", env.payload, env.sshd.remote(env.alice, "/files/legacy")),
                check=False, text=False)
        self.assert_denied(r, env.alice, 'command "scp -t /files/legacy"')
        self.assertFalse(os.path.exists(os.path.join(env.alice_jail, "files", "legacy")))
        r = run(env.sshd.scp_argv("-O", env.sshd.remote(env.alice, "/etc/passwd"), "/dev/null"),
                check=False, text=False)
        self.assert_denied(r, env.alice, 'command "scp -f /etc/passwd"')

    def test_deny_rsync(self):
        env = self.env
        r = run(["rsync", "-e", f"ssh -F {env.sshd.ssh_config}", env.payload,
                 env.sshd.remote(env.alice, "/files/rsynced")], check=False, text=False)
        self.assert_denied(r, env.alice, 'command "rsync --server')
        self.assertFalse(os.path.exists(os.path.join(env.alice_jail, "files", "rsynced")))

    def test_deny_user_rc_command(self):
        """What sshd runs for ~/.ssh/rc when PermitUserRC is on."""
        cmd = f"/bin/sh {self.env.alice.home}.ssh/rc"
        r = self.env.ssh(self.env.alice, cmd)
        self.assert_denied(r, self.env.alice, f'command "{cmd}"')

    def test_denied_command_cannot_forge_log_lines(self):
        forged = "Denied user root from 203.0.113.9 port 22: forged"
        r = self.env.ssh(self.env.alice, f"id\n{forged}")
        self.assert_denied(r, self.env.alice, 'command "id')
        lines = self.syslog()
        self.assertFalse([l for l in lines if "\n" in l], "a log message holds a raw newline")
        self.assertFalse([l for l in lines if re.search(r"^(<\d+>)?\w{3} [ \d]\d [\d:]{8} \S+: "
                                                        r"Denied user root", l)], lines)

    # --- jails sftpsh must refuse ---------------------------------------------------
    def test_refuse_group_writable_jail_component(self):
        self.assert_refused(self.env.carol, f"{E2E_ROOT}/unsafe-gw")

    def test_refuse_jail_not_owned_by_root(self):
        self.assert_refused(self.env.dave, f"{E2E_ROOT}/jail-dave")

    def test_refuse_symlink_in_jail_path(self):
        self.assert_refused(self.env.erin, f"{E2E_ROOT}/linked")

    def test_refuse_home_without_dot_component(self):
        self.assert_refused(self.env.frank, "/./")

    def test_refuse_home_the_user_can_write(self):
        """shared/./gina with gina owning shared/gina: sshd and PAM read
        ~/.pam_environment, ~/.ssh/rc there outside the jail, so nothing is
        served (nor uploaded) until that home is root's."""
        env, gina = self.env, self.env.gina
        home = f"{E2E_ROOT}/shared/gina"
        self.assert_refused(gina, f"the home directory {home} is owned by the user")
        self.assert_syslog(rf"chown root {re.escape(home)}")
        r = env.sftp(gina, f"put {env.payload} .pam_environment")
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(os.listdir(home), [], "an upload reached the home")

    def test_refuse_caller_whose_shell_is_not_sftpsh(self):
        """The privileged binary is useless to other local users (scponlyc)."""
        env = self.env
        r = env.ssh(env.plain, f"{e2e_env.SHELL} -c {SERVER} </dev/null")
        err = r.stderr.decode(errors="replace")
        self.assertNotEqual(r.returncode, 0, err)
        self.assertEqual(r.stdout, b"", "served SFTP to a user whose shell is not sftpsh")
        self.assertIn(REFUSED, err)
        self.assert_syslog(rf"refusing to run for {re.escape(env.plain.name)}: their login "
                           r"shell is \S+, not this sftpsh")
        r = env.ssh(env.plain, f"{e2e_env.SHELL} -c {SERVER}; echo rc=$?")
        self.assertRegex(r.stdout.decode(), r"rc=[1-9]")

    # --- trust in the config and the server ---------------------------------------------
    def test_refuse_untrusted_config(self):
        self.env.write_config(mode=0o664)
        self.assert_refused(self.env.alice, CONFIG)
        self.env.write_config(uid=self.env.alice.uid)
        self.assert_refused(self.env.alice, CONFIG)

    def test_refuse_untrusted_server(self):
        os.chown(SERVER, self.env.alice.uid, 0)
        self.assert_refused(self.env.alice, SERVER)
        os.chown(SERVER, 0, 0)
        os.chmod(SERVER, 0o775)
        self.assert_refused(self.env.alice, SERVER)

    def test_config_error_names_file_and_line(self):
        self.env.write_config("NoSuchKeyword yes")  # line 4
        self.assert_refused(self.env.alice, f"{CONFIG}:4")

    def test_config_match_blocks_set_umask_and_read_only(self):
        env = self.env
        env.write_config(f"Match User {env.bob.name}", "ReadOnly yes",
                         f"Match Group {env.group}", "Umask 077")
        os.chmod(env.payload, 0o644)
        r = env.sftp(env.alice, f"put {env.payload} /files/masked.bin")
        self.assertEqual(r.returncode, 0, r.stderr)
        masked = os.path.join(env.alice_jail, "files", "masked.bin")
        self.assertEqual(os.stat(masked).st_mode & 0o777, 0o600)
        os.unlink(masked)
        r = env.sftp(env.bob, f"put {env.payload} files/ro.bin")
        self.assertNotEqual(r.returncode, 0)
        self.assertFalse(os.path.exists(f"{E2E_ROOT}/jails/bob/files/ro.bin"))
        r = env.sftp(env.bob, "ls /bob")
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_inherited_umask_is_not_trusted(self):
        """sftpsh run by hand (it is alice's shell) with umask 0777 inherited:
        files must still get the usual modes (sftpsh resets the umask)."""
        import sftp_process  # the lead's socketpair helper (tests/lib)
        env, alice = self.env, self.env.alice
        server = sftp_process.ServerProcess(
            ["setpriv", f"--reuid={alice.uid}", f"--regid={alice.gid}", "--init-groups",
             "env", "-i", "SSH_CONNECTION=127.0.0.1 1 127.0.0.1 22",
             e2e_env.SHELL, "-c", SERVER],
            preexec_fn=lambda: os.umask(0o777))
        name = f"umask-{self.mode}.txt"
        try:
            sftp = sftp_process.paramiko_client(server, timeout=30)
            with sftp.open(f"/files/{name}", "w") as f:  # no mode sent: the server's default
                f.write("x")
            sftp.mkdir(f"/files/{name}.d")
            sftp.close()
        finally:
            status, err = server.close()
        self.assertEqual(status, 0, err)
        path = os.path.join(env.alice_jail, "files", name)
        try:
            self.assertEqual(os.stat(path).st_mode & 0o777, 0o644)
            self.assertEqual(os.stat(path + ".d").st_mode & 0o777, 0o755)
        finally:
            os.unlink(path)
            os.rmdir(path + ".d")

    # --- the running server ---------------------------------------------------------------
    def test_server_runs_with_every_privilege_dropped(self):
        env, alice = self.env, self.env.alice
        client = env.sshd.paramiko_client(alice)
        try:
            chan = client.get_transport().open_session()
            chan.update_environment({"SFTPSH_E2E_CLIENT": "sent-by-client",
                                     "LD_DEBUG": "all"})
            chan.invoke_subsystem("sftp")
            import paramiko
            sftp = paramiko.SFTPClient(chan)
            self.assertEqual(sftp.listdir("/"), ["files"])
            pids = env.sshd.session_processes(alice.uid)
            self.assertEqual(len(pids), 1, f"expected only the server: {pids}")
            pid = pids[0]
            st = sshdlib.proc_status(pid)
            self.assertEqual(st["Uid"].split(), [str(alice.uid)] * 4)
            self.assertEqual(st["Gid"].split(), [str(alice.gid)] * 4)
            self.assertEqual(sorted(map(int, st["Groups"].split())),
                             sorted(os.getgrouplist(alice.name, alice.gid)))
            for key in ("CapInh", "CapPrm", "CapEff", "CapAmb"):
                self.assertEqual(st[key], ZERO_CAPS, key)
            if self.mode == "capability":
                # no CAP_SETPCAP: the bounding set stays as inherited (sftpsh(8))
                sshd_bnd = sshdlib.proc_status(env.sshd.proc.pid)["CapBnd"]
                self.assertEqual(st["CapBnd"], sshd_bnd)
            else:
                self.assertEqual(st["CapBnd"], ZERO_CAPS)
            self.assertEqual(st["NoNewPrivs"], "1")
            self.assertEqual(st["Seccomp"], "2")
            self.assertGreaterEqual(int(st.get("Seccomp_filters", "2")), 2,
                                    "sftpsh's filter and the server's own")
            with open(f"/proc/{pid}/uid_map") as f:
                uid_map = f.read().split()
            with open(f"/proc/{pid}/gid_map") as f:
                gid_map = f.read().split()
            if self.mode == "userns":
                # a namespace that maps only the user's own ids: root is nobody there
                self.assertEqual(uid_map, [str(alice.uid), str(alice.uid), "1"])
                self.assertEqual(gid_map, [str(alice.gid), str(alice.gid), "1"])
                with open(f"/proc/{pid}/setgroups") as f:
                    self.assertEqual(f.read().strip(), "deny")
            else:
                self.assertEqual(uid_map, ["0", "0", "4294967295"], "not in the initial namespace")
            self.assertEqual(os.readlink(f"/proc/{pid}/root"), env.alice_jail)
            self.assertEqual(os.readlink(f"/proc/{pid}/cwd"), env.alice_jail)
            exe, server = os.stat(f"/proc/{pid}/exe"), os.stat(SERVER)
            self.assertEqual((exe.st_dev, exe.st_ino), (server.st_dev, server.st_ino))
            with open(f"/proc/{pid}/environ", "rb") as f:
                environ = f.read().split(b"\0")
            self.assertFalse([e for e in environ if e.startswith((b"LD_", b"SFTPSH_E2E_"))],
                             environ)
            fds = {fd: os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")}
            for fd, target in fds.items():
                self.assertRegex(target, r"^(socket|pipe|anon_inode):|^/dev/null$",
                                 f"fd {fd} leads to {target}: {fds}")
        finally:
            client.close()

    def test_pinned_mode_is_never_downgraded(self):
        for other in e2e_env.MODES:
            if other == self.mode:
                continue
            with self.subTest(pinned=other):
                self.env.write_config(f"PrivilegeMode {other}")
                self.assert_refused(self.env.alice, f"PrivilegeMode {other}")
        self.env.write_config(f"PrivilegeMode {self.mode}")
        r = self.env.sftp(self.env.alice, "ls /files")
        self.assertEqual(r.returncode, 0, r.stderr)

    def test_jail_holds_no_files_we_put_there(self):
        r = self.env.sftp(self.env.alice, "ls /files")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(os.listdir(self.env.alice_jail), ["files"])
        self.assertEqual(sorted(os.listdir(f"{E2E_ROOT}/jails")), ["bob"])


class CapabilityMode(ModeTests, E2eTest):
    mode = "capability"


class SetuidMode(ModeTests, E2eTest):
    mode = "setuid"


class UsernsMode(ModeTests, E2eTest):
    mode = "userns"


if __name__ == "__main__":
    e2e_env.tap.main("__main__")
