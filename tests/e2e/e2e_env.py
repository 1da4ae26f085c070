"""The end-to-end world every sftpsh e2e suite shares (DESIGN.md §5).

/srv/sftpsh-e2e is fixed: the e2e build of sftpsh (BUILD/e2e/sftpsh) has
/srv/sftpsh-e2e/sftpsh.conf and /srv/sftpsh-e2e/sftp-server compiled in. A lock
(flock on /srv) keeps two runs (a suite and `make demo`) apart. Layout:

  /srv/sftpsh-e2e/                root 0755
    sftpsh                        copy of BUILD/e2e/sftpsh; privilege per mode
    sftp-server                   copy of the server under test (root 0755)
    sftpsh.conf                   test config (root 0644)
    sshd-sftpsh.conf              the shipped etc/sshd_config.d/sftpsh.conf, with
                                  its group and AuthorizedKeysFile pointed here
    jail/alice/ (root) files/ (alice)      alice: home jail/alice/./
    jail/plain/ (root)                     plain: ordinary /bin/sh user, home jail/plain/./
    jail/frank/ (root)                     frank: home without /./ (refused)
    jail/erin/  (root)                     erin:  home linked/erin/./ (symlink component)
    jails/ (root) bob/ (root) files/ (bob) bob:   home jails/./bob (root's: sshd and PAM
                                                  read files there outside the jail)
    unsafe-gw/ (root 0775) carol/ (root)   carol: group-writable component
    jail-dave/ (dave)                      dave:  jail owned by the user
    shared/ (root) gina/ (gina)            gina:  home shared/./gina, the user's (refused)
    linked -> jail
    secret.txt                    a host file no jailed user may read
    marks/ (1777)                 where the evil library leaves its markers
    evil/                         the evil library and the NSS control probe
"""
import fcntl
import os
import re
import secrets
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))

import tap  # noqa: E402
import sshd as sshdlib  # noqa: E402
from sshd import run  # noqa: E402

E2E_ROOT = "/srv/sftpsh-e2e"
SHELL = f"{E2E_ROOT}/sftpsh"
SERVER = f"{E2E_ROOT}/sftp-server"
CONFIG = f"{E2E_ROOT}/sftpsh.conf"
SNIPPET = os.path.join(ROOT, "etc", "sshd_config.d", "sftpsh.conf")
MODES = ("capability", "setuid", "userns")
DENY_TEXT = "E2E-DENIED: %u may use SFTP only"
ZERO_CAPS = "0000000000000000"
REFUSED = "sftpsh: this session was refused; the reason is in the system log"


def lock_e2e_root(timeout=900):
    """Hold an exclusive flock on /srv for the whole run (released at exit)."""
    fd = os.open("/srv", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{E2E_ROOT} is locked by another run for {timeout}s")
            time.sleep(0.5)


def shipped_snippet(group, keys_dir=None):
    """The shipped sshd snippet with its group (and keys path) replaced."""
    with open(SNIPPET) as f:
        text = f.read()
    text, n = re.subn(r"(?m)^Match Group sftponly$", f"Match Group {group}", text)
    if n != 1:
        raise RuntimeError(f"{SNIPPET}: expected one 'Match Group sftponly' line, found {n}")
    if keys_dir:
        text, n = re.subn(r"(?m)^(\s*AuthorizedKeysFile) /etc/ssh/authorized_keys/%u$",
                          rf"\1 {keys_dir}/%u", text)
        if n != 1:
            raise RuntimeError(f"{SNIPPET}: expected one AuthorizedKeysFile line, found {n}")
    return text


class E2eEnv:
    def __init__(self, extra_sshds=()):
        self.lock_fd = lock_e2e_root()
        self.site = sshdlib.TestSite(path=E2E_ROOT)
        try:
            self._setup(extra_sshds)
        except BaseException:
            self.site.close()
            raise

    # set-up ------------------------------------------------------------------
    def _setup(self, extra_sshds):
        site = self.site
        build = tap.ARGS.build
        site.install_binary(os.path.join(build, "e2e", "sftpsh"), SHELL)
        site.install_binary(tap.ARGS.server, SERVER)
        site.add_shell(SHELL)
        self.group = site.add_group("jailed")
        self.mode = None
        self.config_lines = []
        self.write_config()

        sub = site.sub
        sub("jail")
        sub("jails")
        self.alice = self._user("alice", f"{E2E_ROOT}/jail/alice/./")
        sub("jail", "alice")
        sub("jail", "alice", "files", uid=self.alice.uid, gid=self.alice.gid)
        self.alice_jail = f"{E2E_ROOT}/jail/alice"
        self.bob = self._user("bob", f"{E2E_ROOT}/jails/./bob")
        sub("jails", "bob")
        sub("jails", "bob", "files", uid=self.bob.uid, gid=self.bob.gid)
        self.carol = self._user("carol", f"{E2E_ROOT}/unsafe-gw/carol/./")
        sub("unsafe-gw", mode=0o775)
        sub("unsafe-gw", "carol")
        self.dave = self._user("dave", f"{E2E_ROOT}/jail-dave/./")
        sub("jail-dave", uid=self.dave.uid, gid=self.dave.gid)
        self.erin = self._user("erin", f"{E2E_ROOT}/linked/erin/./")
        sub("jail", "erin")
        os.symlink("jail", f"{E2E_ROOT}/linked")
        self.gina = self._user("gina", f"{E2E_ROOT}/shared/./gina")
        sub("shared")
        sub("shared", "gina", uid=self.gina.uid, gid=self.gina.gid)
        self.frank = self._user("frank", f"{E2E_ROOT}/jail/frank")
        sub("jail", "frank")
        self.plain = site.add_user("plain", f"{E2E_ROOT}/jail/plain/./", "/bin/sh")
        sub("jail", "plain")

        self.secret = secrets.token_hex(8)
        sshdlib.write_file(f"{E2E_ROOT}/secret.txt", f"HOST-SECRET-{self.secret}\n", 0o644)
        self.marks = sub("marks", mode=0o1777)

        site.catch_syslog()
        self.snippet = os.path.join(E2E_ROOT, "sshd-sftpsh.conf")
        sshdlib.write_file(self.snippet, shipped_snippet(self.group, site.keys_dir), 0o644)
        self.sshd = sshdlib.PrivateSshd(site, "main", SERVER,
                                        config_lines=["AcceptEnv LD_* SFTPSH_E2E_*"],
                                        include=[self.snippet], syslog=True).start()
        self.extra = {}
        for name, kw in extra_sshds:
            self.extra[name] = sshdlib.PrivateSshd(site, name, SERVER, syslog=True, **kw).start()

    def _user(self, role, home):
        return self.site.add_user(role, home, SHELL, groups=[self.group])

    def close(self):
        problems = self.site.close()
        os.close(self.lock_fd)
        return problems

    # privilege modes and config -------------------------------------------------
    def set_mode(self, mode):
        """Install sftpsh with exactly the privilege the mode needs, nothing else."""
        run(["setcap", "-r", SHELL], check=False)
        os.chown(SHELL, 0, 0)
        os.chmod(SHELL, 0o755)
        if mode == "capability":
            run(["setcap", "cap_sys_chroot+ep", SHELL])
        elif mode == "setuid":
            os.chmod(SHELL, 0o4755)
        elif mode != "userns":
            raise ValueError(mode)
        self.mode = mode

    def write_config(self, *extra_lines, mode=0o644, uid=0):
        lines = ["# sftpsh end-to-end test config (tests/e2e)",
                 f'DenyMessage "{DENY_TEXT}"',
                 "LogLevel INFO",
                 *extra_lines]
        sshdlib.write_file(CONFIG, "\n".join(lines) + "\n", mode, uid, 0)

    def deny_message(self, user):
        return DENY_TEXT.replace("%u", user.name)

    # clients -------------------------------------------------------------------------
    def sftp(self, user, *commands, sshd=None, opts=(), timeout=120):
        """sftp -b - (never raises: the caller checks)."""
        sshd = sshd or self.sshd
        return sshd.sftp_batch(user, list(commands), opts=opts, timeout=timeout, check=False)

    def ssh(self, user, *remote, sshd=None, opts=(), timeout=60):
        sshd = sshd or self.sshd
        return run(sshd.ssh_argv(user, *remote, opts=opts), check=False, timeout=timeout,
                   text=False)

    def wait_for_sessions_to_end(self, timeout=10):
        deadline = time.monotonic() + timeout
        waited = False
        while time.monotonic() < deadline:
            if not any(sshd.session_processes() for sshd in self.site.sshds):
                if waited:
                    time.sleep(0.2)  # their last datagrams reach the catcher
                return
            waited = True
            time.sleep(0.05)

    def syslog_mark(self):
        return self.site.syslog.mark()

    def syslog_since(self, mark, settle=0.3):
        return self.site.syslog.since(mark, settle)


ENV = None


def setup(extra_sshds=()):
    global ENV
    if ENV is None:
        ENV = E2eEnv(extra_sshds)
    return ENV


def teardown():
    """Remove everything; a cleanup problem fails the suite (tearDownModule)."""
    global ENV
    if ENV is not None:
        problems = ENV.close()
        ENV = None
        if problems:
            raise RuntimeError("cleanup left something behind: " + "; ".join(problems))


def compile_c(source, output, *flags):
    run(["gcc", "-O1", "-Wall", "-Werror", *flags, "-o", output,
         os.path.join(HERE, source)], timeout=120)
    os.chmod(output, 0o755)
    return output


class E2eTest(unittest.TestCase):
    maxDiff = 4000

    def setUp(self):
        self.env = ENV
        ENV.wait_for_sessions_to_end()  # their last log lines belong to earlier tests
        self._syslog_mark = ENV.syslog_mark()

    def syslog(self):
        return ENV.syslog_since(self._syslog_mark)

    def assert_syslog(self, pattern, msg=None):
        lines = self.syslog()
        for _ in range(20):
            if any(re.search(pattern, l) for l in lines):
                return
            lines = self.syslog()
        self.fail(f"{msg or 'no syslog line'} matching {pattern!r} in:\n" + "\n".join(lines))

    def assert_denied(self, result, user, attempted=None, stdout_may_hold=None):
        """The configured message on stderr, nothing on stdout, non-zero exit,
        and a syslog line naming the user and (escaped) attempt."""
        stderr = result.stderr.decode(errors="replace") if isinstance(result.stderr, bytes) \
            else result.stderr
        stdout = result.stdout
        self.assertNotEqual(result.returncode, 0, f"not denied: stderr {stderr!r}")
        self.assertIn(ENV.deny_message(user), stderr)
        if stdout_may_hold is None:
            self.assertEqual(stdout, b"" if isinstance(stdout, bytes) else "",
                             "the shell wrote to stdout (the SFTP stream)")
        self.assertNotIn("EVIL LIBRARY", stderr)
        prefix = rf"Denied user {re.escape(user.name)} from 127\.0\.0\.1 port \d+: "
        self.assert_syslog(prefix + (re.escape(attempted) if attempted else ""))
