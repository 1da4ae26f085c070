#!/usr/bin/python3
"""sftpsh run directly (no sshd) in each privilege mode, with a probe as its server.

Uses the end-to-end build (BUILD/e2e/sftpsh, whose config path is fixed at
build time to E2E_ROOT/sftpsh.conf) and BUILD/tests/jail_probe, which reports
the state it was exec'd in and tries forbidden calls on command. For every mode
(file capability, setuid root, user namespace) it checks the state the server
starts in (/proc/PID/status, root, fds, environment, hand-over), that forbidden
calls kill it, that ".." stays in the jail, and that LD_LIBRARY_PATH and
LD_PRELOAD with a real library cannot run code in sftpsh. Then the denials,
the refusals (unsafe jail, untrusted config, home without /./, foreign shell,
pinned mode) and the syslog lines. Needs root; creates and removes its users,
E2E_ROOT and a private mount namespace per run (for nsswitch.conf and
/dev/log), and touches nothing else.
"""
import configparser
import ctypes
import fcntl
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import tap  # noqa: E402

USER, OTHER = "sftpsh-it1", "sftpsh-it2"
ORPHAN_GID = 47113  # a supplementary group with no /etc/group entry: shown as its number
ORPHAN_UID = 47114  # a uid with no /etc/passwd entry (an LDAP/SSSD account)
SUBSYSTEM = "/usr/lib/openssh/sftp-server"
CONNECTION = "192.0.2.7 5555 192.0.2.1 22"
FORBIDDEN = ["socket", "socket_unix", "execve", "execveat_self", "ptrace", "mount", "unshare",
             "chroot", "setuid0", "setresuid0", "fork", "kill1"]

REFUSED = "sftpsh: this session was refused; the reason is in the system log"
FAIL2BAN_FILTER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "etc",
                               "fail2ban", "filter.d", "sftpsh.conf")

libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNS, MS_BIND, MS_REC, MS_PRIVATE = 0x00020000, 4096, 0x4000, 1 << 18

EVIL_C = r"""
#include <fcntl.h>
#include <unistd.h>
__attribute__((constructor)) static void evil(void) {
  int fd = open("%s", O_WRONLY | O_CREAT | O_APPEND, 0666);
  if (fd >= 0) { write(fd, "EVIL\n", 5); close(fd); }
  write(2, "EVIL LOADED\n", 12);
}
"""



def host_zone_rule():
    """The POSIX TZ rule in the footer of this host's /etc/localtime (TZif v2+),
    as sftpsh hands it to the server, or None."""
    try:
        with open("/etc/localtime", "rb") as f:
            data = f.read()
    except OSError:
        return None
    if not data.startswith(b"TZif") or data[4:5] < b"2" or not data.endswith(b"\n"):
        return None
    footer = data[data.rindex(b"\n", 0, len(data) - 1) + 1:-1].decode("ascii", "replace")
    return footer or None

class Fixture:
    """Everything the tests share; made in setUpModule, removed in tearDownModule."""
    root = jail = shell = conf = evil = marker = nsswitch = lock = None
    made_root = False
    users = []


F = Fixture()


def run(argv, **kw):
    return subprocess.run(argv, check=True, capture_output=True, text=True, **kw)


def setUpModule():
    build = tap.ARGS.build
    F.root = tap.ARGS.e2e_root
    sftpsh = os.path.join(build, "e2e", "sftpsh")
    probe = os.path.join(build, "tests", "jail_probe")
    for path in (sftpsh, probe, os.path.join(build, "tests", "nss_lookup")):
        if not os.path.exists(path):
            raise RuntimeError(f"{path} missing: make e2e-build test-helpers")
    # The e2e suites and `make demo` use the same directory: take their lock.
    F.lock = os.open("/srv", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    fcntl.flock(F.lock, fcntl.LOCK_EX)
    if os.path.exists(F.root):
        raise RuntimeError(f"{F.root} exists: another test run, or a leftover to remove")
    os.makedirs(F.root)
    F.made_root = True
    os.chmod(F.root, 0o755)
    F.shell = os.path.join(F.root, "sftpsh")
    shutil.copy(sftpsh, F.shell)
    shutil.copy(probe, os.path.join(F.root, "jail_probe"))
    os.chmod(os.path.join(F.root, "jail_probe"), 0o755)
    F.conf = os.path.join(F.root, "sftpsh.conf")
    write_config("")
    F.jail = os.path.join(F.root, "jail", "u1")
    os.makedirs(F.jail)
    for d in (os.path.join(F.root, "jail"), F.jail):
        os.chmod(d, 0o755)
    run(["useradd", "-M", "-U", "-d", F.jail + "/./", "-s", F.shell, USER])
    F.users.append(USER)
    run(["useradd", "-M", "-U", "-d", os.path.join(F.root, "jail", "u2"), "-s", F.shell, OTHER])
    F.users.append(OTHER)
    upload = os.path.join(F.jail, "upload")
    os.mkdir(upload)
    pw = pwd.getpwnam(USER)
    os.chown(upload, pw.pw_uid, pw.pw_gid)
    # The evil library, under every name a lookup could load it by.
    F.evil = tempfile.mkdtemp(prefix="sftpsh-evil-")
    os.chmod(F.evil, 0o777)
    F.marker = os.path.join(F.evil, "marker")
    with open(os.path.join(F.evil, "evil.c"), "w") as f:
        f.write(EVIL_C % F.marker)
    run(["gcc", "-shared", "-fPIC", "-o", os.path.join(F.evil, "evil.so"),
         os.path.join(F.evil, "evil.c")])
    for name in ("libnss_sftpshtest.so.2", "libnss_systemd.so.2", "libnss_files.so.2"):
        shutil.copy(os.path.join(F.evil, "evil.so"), os.path.join(F.evil, name))
    # nsswitch.conf for the children only (bind-mounted in their mount
    # namespace): a lookup that misses in files goes to a module that is not
    # installed, so it fails harmlessly, unless LD_LIBRARY_PATH supplies one.
    F.nsswitch = os.path.join(F.evil, "nsswitch.conf")
    with open(F.nsswitch, "w") as f:
        f.write("passwd: files sftpshtest\ngroup: files sftpshtest\nshadow: files\n")
    os.chmod(F.nsswitch, 0o644)


def tearDownModule():
    for user in F.users:
        subprocess.run(["userdel", user], capture_output=True)
    if F.made_root:
        shutil.rmtree(F.root, ignore_errors=True)
    if F.evil:
        shutil.rmtree(F.evil, ignore_errors=True)
    if F.lock is not None:
        os.close(F.lock)


def write_config(text, server=None):
    with open(F.conf, "w") as f:
        f.write(f"Server {server or F.root + '/jail_probe'}\n{text}")
    os.chmod(F.conf, 0o644)


def set_mode(mode):
    subprocess.run(["setcap", "-r", F.shell], capture_output=True)
    os.chmod(F.shell, 0o755)
    if mode == "capability":
        run(["setcap", "cap_sys_chroot+ep", F.shell])
    elif mode == "setuid":
        os.chmod(F.shell, 0o4755)


def child_setup(user, log_socket=None):
    """preexec_fn: private mount namespace (our nsswitch.conf, maybe a /dev/log),
    then become `user` (a name, or a (uid, gid) pair that need not exist) with
    an extra group that has no name."""
    pw = pwd.getpwnam(user) if isinstance(user, str) else pwd.struct_passwd(
        ("", "", user[0], user[1], "", "/", ""))

    def setup():
        def check(rc, code):
            if rc != 0:
                os._exit(code)
        check(libc.unshare(CLONE_NEWNS), 120)
        check(libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None), 121)
        check(libc.mount(F.nsswitch.encode(), b"/etc/nsswitch.conf", None, MS_BIND, None), 122)
        if log_socket:
            check(libc.mount(b"tmpfs", b"/dev", b"tmpfs", 0, b"mode=0755"), 123)
            open("/dev/log", "w").close()
            check(libc.mount(log_socket.encode(), b"/dev/log", None, MS_BIND, None), 124)
        os.setgroups([pw.pw_gid, ORPHAN_GID])
        os.setresgid(pw.pw_gid, pw.pw_gid, pw.pw_gid)
        os.setresuid(pw.pw_uid, pw.pw_uid, pw.pw_uid)
    return setup


class Session:
    """One sftpsh run: the probe's report, then commands, then the outcome."""

    def __init__(self, args=("-c", SUBSYSTEM), env=None, user=USER, argv0="sftpsh",
                 log_socket=None):
        env = {"SSH_CONNECTION": CONNECTION} if env is None else env
        self.proc = subprocess.Popen([argv0, *args], executable=F.shell, env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, cwd="/",
                                     preexec_fn=child_setup(user, log_socket))
        self.report = {}
        self.lines = []
        for raw in self.proc.stdout:
            line = raw.decode(errors="replace").rstrip("\n")
            self.lines.append(line)
            if line == "ready":
                break
            key, _, value = line.partition(" ")
            self.report[key] = value

    @property
    def ready(self):
        return self.lines[-1:] == ["ready"]

    def proc_status(self):
        fields = {}
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                fields[key] = value.split()
        return fields

    def finish(self, commands=()):
        """Sends commands, ends input, returns (returncode, stdout lines, stderr)."""
        try:
            self.proc.stdin.write("".join(f"{c}\n" for c in commands).encode())
            self.proc.stdin.close()
        except BrokenPipeError:
            pass
        rest = self.proc.stdout.read().decode(errors="replace").splitlines()
        err = self.proc.stderr.read().decode(errors="replace")
        self.proc.wait(timeout=30)
        self.proc.stdout.close()
        self.proc.stderr.close()
        return self.proc.returncode, self.lines + rest, err


def unvisible(text):
    """Undoes the probe's %XX escaping."""
    out, i = bytearray(), 0
    while i < len(text):
        if text[i] == "%":
            out.append(int(text[i + 1:i + 3], 16))
            i += 3
        else:
            out += text[i].encode()
            i += 1
    return out.decode()


def fail2ban_hosts(message):
    """The <HOST>s the shipped fail2ban filter finds in one syslog message
    ("<PRI>Mmm dd hh:mm:ss tag[pid]: text" or "tag[pid]: text"). fail2ban's
    %(__prefix_line)s is stood in for by the "sftpsh[pid]: " it must match."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(FAIL2BAN_FILTER)
    hosts = []
    for regex in parser["Definition"]["failregex"].strip().splitlines():
        regex = regex.replace("%(__prefix_line)s", r"sftpsh\[\d+\]: ")
        regex = regex.replace("<HOST>", r"(?P<host>\S+)")
        text = re.sub(r"^(<\d+>)?(\w{3} [ \d]\d [\d:]{8} )?", "", message.rstrip("\n"))
        hosts += [m.group("host") for m in [re.search(regex, text)] if m]
    return hosts


class SyslogSink:
    """A datagram socket the child's /dev/log is bind-mounted to."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="sftpsh-log-")
        self.path = os.path.join(self.dir, "log")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        os.chmod(self.path, 0o666)
        self.sock.settimeout(0.2)

    def messages(self):
        got = []
        while True:
            try:
                got.append(self.sock.recv(65536).decode(errors="replace"))
            except (socket.timeout, BlockingIOError):
                return got

    def close(self):
        self.sock.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class ModeTests:
    """The same checks for every privilege mode (mixed into one class per mode)."""
    MODE = None

    @classmethod
    def setUpClass(cls):
        set_mode(cls.MODE)
        write_config("")

    def setUp(self):
        if os.path.exists(F.marker):
            os.unlink(F.marker)

    def assert_no_evil(self, err=""):
        self.assertFalse(os.path.exists(F.marker), "the evil library ran")
        self.assertNotIn("EVIL LOADED", err)

    def test_server_state(self):
        pw = pwd.getpwnam(USER)
        sink = SyslogSink()
        try:
            s = Session(log_socket=sink.path)
            self.assertTrue(s.ready, s.lines)
            status = s.proc_status()
            root = os.readlink(f"/proc/{s.proc.pid}/root")
            rc, _, err = s.finish()
            logs = sink.messages()
        finally:
            sink.close()
        self.assertEqual(rc, 0, err)
        uid, gid = str(pw.pw_uid), str(pw.pw_gid)
        self.assertEqual(status["Uid"], [uid] * 4)
        self.assertEqual(status["Gid"], [gid] * 4)
        for field in ("CapInh", "CapPrm", "CapEff", "CapAmb"):
            self.assertEqual(status[field], ["0000000000000000"], field)
        if self.MODE == "capability":  # no cap_setpcap: the bounding set stays
            self.assertNotEqual(status["CapBnd"], ["0000000000000000"])
        else:
            self.assertEqual(status["CapBnd"], ["0000000000000000"])
            self.assertEqual(s.report["securebits"], "235")  # locked, see drop.h
        self.assertEqual(status["NoNewPrivs"], ["1"])
        self.assertEqual(status["Seccomp"], ["2"])
        self.assertEqual(root, F.jail)
        self.assertEqual(s.report["ids"], f"{uid} {uid} {gid} {gid}")
        self.assertEqual(s.report["root_entries"], "upload")  # nothing of ours in the jail
        self.assertEqual(s.report["cwd"], "/")
        self.assertEqual(s.report["argv"].split()[:2], ["sftp-server", "-H"])
        handover_fd = s.report["argv"].split()[2]
        handover = unvisible(s.report["handover"]).splitlines()
        logfd = next(l for l in handover if l.startswith("logfd ")).split()[1]
        self.assertNotEqual(logfd, "-1")
        self.assertEqual(s.report["fds"], ",".join(sorted(["0", "1", "2", handover_fd, logfd],
                                                          key=int)))
        self.assertIn(f"user {USER} {uid} {gid} /", handover)
        self.assertIn("client 192.0.2.7", handover)
        self.assertIn(f"group {ORPHAN_GID} {ORPHAN_GID}", handover)  # no name: its number
        expected_env = [f"HOME=/", f"USER={USER}", f"LOGNAME={USER}", "PATH=/usr/bin:/bin"]
        zone = host_zone_rule()
        if zone is not None:  # the jail has no /etc/localtime: the rule travels as TZ
            expected_env.append(f"TZ={zone}")
        self.assertEqual(sorted(l[4:] for l in s.lines if l.startswith("env ")),
                         sorted(expected_env))
        self.assertTrue(any(f"sftpsh[" in m and f"Session for user {USER} from 192.0.2.7 port "
                            f"5555: jail {F.jail} start / mode {self.MODE}" in m for m in logs),
                        logs)

    def test_real_server_over_a_socket(self):
        """The bundled server behind sftpsh with a socket for stdin and stdout
        (sftp -D, Dropbear, inetd), not sshd's pipes: its start-up must pass
        sftpsh's seccomp filter, which stays stacked under the server's."""
        server = os.path.join(F.root, "sftp-server")
        shutil.copy(os.path.join(tap.ARGS.build, "sftp-server"), server)
        os.chmod(server, 0o755)
        ours, theirs = socket.socketpair()
        try:
            write_config("", server=server)
            env = {"SSH_CONNECTION": CONNECTION}
            proc = subprocess.Popen(["sftpsh", "-c", SUBSYSTEM], executable=F.shell, env=env,
                                    stdin=theirs, stdout=theirs, stderr=subprocess.PIPE,
                                    cwd="/", preexec_fn=child_setup(USER))
            theirs.close()
            ours.settimeout(20)
            received = b""
            try:
                ours.sendall(bytes([0, 0, 0, 5, 1, 0, 0, 0, 3]))  # INIT, version 3
                # STAT "/upload" (id 7): served after the server's own filter
                ours.sendall(bytes([0, 0, 0, 16, 17, 0, 0, 0, 7, 0, 0, 0, 7]) + b"/upload")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the server died: the assertions below say how
            while True:
                try:
                    chunk = ours.recv(65536)
                except ConnectionResetError:
                    break
                if not chunk:
                    break
                received += chunk
                if len(received) >= 9 and len(received) > 4 + int.from_bytes(received[:4], "big"):
                    first = 4 + int.from_bytes(received[:4], "big")
                    if len(received) >= first + 9 and received[first + 4] != 2:
                        break
            try:
                ours.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            proc.wait(timeout=20)
            err = proc.stderr.read().decode(errors="replace")
            proc.stderr.close()
        finally:
            ours.close()
            write_config("")
            os.unlink(server)
        self.assertGreaterEqual(len(received), 9, f"no VERSION; exit {proc.returncode}: {err}")
        self.assertEqual(received[4], 2, "VERSION")
        self.assertEqual(received[5:9], bytes([0, 0, 0, 3]))
        first = 4 + int.from_bytes(received[:4], "big")
        self.assertEqual(received[first + 4], 105, f"ATTRS for /upload: {received[first:]!r}")
        self.assertEqual(proc.returncode, 0, err)

    def test_forbidden_calls_kill_the_server(self):
        survived = []  # (no subTest: tests/lib/tap.py would not report a failed one)
        for call in FORBIDDEN:
            s = Session()
            self.assertTrue(s.ready, s.lines)
            rc, lines, err = s.finish([f"try {call}"])
            if rc != -signal.SIGSYS:
                survived.append(f"{call}: rc {rc} {lines[-1:]} {err}")
        self.assertEqual(survived, [])

    def test_dotdot_stays_in_jail(self):
        s = Session()
        rc, lines, err = s.finish(["try dotdot", "try open_etc_passwd", "try open_proc"])
        self.assertEqual(rc, 0, err)
        self.assertIn("dotdot_root_entries upload", lines)
        self.assertIn("result open_etc_passwd rc -1 errno ENOENT", lines)
        self.assertIn("result open_proc rc -1 errno ENOENT", lines)

    def test_landlock_allows_no_other_exec(self):
        """Even through the one fd number seccomp lets execveat use, a file in
        the jail can't be executed: Landlock grants EXECUTE on the server only.
        The server's fd number is not visible from inside (it is CLOEXEC), so
        every low number is tried, one session each: the filter kills the probe
        for the others, and the server's number must give EACCES."""
        prog = os.path.join(F.jail, "upload", "prog")
        shutil.copy(os.path.join(F.root, "jail_probe"), prog)
        os.chmod(prog, 0o755)
        outcomes = {}
        try:
            for number in range(3, 12):
                s = Session()
                self.assertTrue(s.ready, s.lines)
                rc, lines, err = s.finish([f"try exec_fd {number} /upload/prog"])
                results = [l for l in lines if l.startswith("result exec_fd")]
                outcomes[number] = results[0] if results else f"exit {rc}"
                self.assertNotIn("argv exec_fd_child", lines, f"fd {number}: the upload ran")
        finally:
            os.unlink(prog)
        self.assertIn("result exec_fd rc -1 errno EACCES", outcomes.values(), outcomes)

    def test_landlock_allows_no_exec_by_path(self):
        """execveat(<server's fd number>, "/upload/prog", ..., AT_EMPTY_PATH)
        passes sftpsh's seccomp rule (it can't read the path, and the kernel
        then ignores the fd): Landlock must refuse the file."""
        prog = os.path.join(F.jail, "upload", "prog")
        shutil.copy(os.path.join(F.root, "jail_probe"), prog)
        os.chmod(prog, 0o755)
        outcomes = {}
        try:
            for number in range(3, 12):
                s = Session()
                self.assertTrue(s.ready, s.lines)
                rc, lines, err = s.finish([f"try exec_path {number} /upload/prog"])
                results = [l for l in lines if l.startswith("result exec_path")]
                outcomes[number] = results[0] if results else f"exit {rc}"
                self.assertNotIn("argv exec_path_child", lines, f"fd {number}: the upload ran")
        finally:
            os.unlink(prog)
        self.assertIn("result exec_path rc -1 errno EACCES", outcomes.values(), outcomes)

    def test_ld_library_path_runs_no_code(self):
        s = Session(env={"SSH_CONNECTION": CONNECTION, "LD_LIBRARY_PATH": F.evil,
                         "GLIBC_TUNABLES": "glibc.malloc.check=3", "TZ": "/etc/passwd"})
        self.assertTrue(s.ready, s.lines)
        rc, _, err = s.finish()
        self.assertEqual(rc, 0, err)
        self.assert_no_evil(err)

    def test_ld_preload_runs_no_code(self):
        # A guard rather than a proof: a static binary loads LD_PRELOAD only
        # when a dlopen() succeeds, which the LD_LIBRARY_PATH test covers.
        s = Session(env={"SSH_CONNECTION": CONNECTION,
                         "LD_PRELOAD": os.path.join(F.evil, "evil.so")})
        self.assertTrue(s.ready, s.lines)
        rc, _, err = s.finish()
        self.assertEqual(rc, 0, err)
        self.assert_no_evil(err)


class CapabilityMode(ModeTests, unittest.TestCase):
    MODE = "capability"


class SetuidMode(ModeTests, unittest.TestCase):
    MODE = "setuid"


class UserNamespaceMode(ModeTests, unittest.TestCase):
    MODE = "userns"

    def test_control_the_attack_is_real(self):
        """A static NSS lookup in the same setup does load the library: the
        tests above prove sftpsh's defence, not an attack that can't work."""
        helper = os.path.join(F.evil, "nss_lookup")
        shutil.copy(os.path.join(tap.ARGS.build, "tests", "nss_lookup"), helper)
        os.chmod(helper, 0o755)
        p = subprocess.run([helper], env={"LD_LIBRARY_PATH": F.evil}, capture_output=True,
                           text=True, preexec_fn=child_setup(USER))
        self.assertIn("EVIL LOADED", p.stderr)
        self.assertTrue(os.path.exists(F.marker))


class Denials(unittest.TestCase):
    """What is not exactly a subsystem command line: denied, nothing on stdout."""

    @classmethod
    def setUpClass(cls):
        set_mode("capability")
        write_config("")

    def run_denied(self, args, argv0="sftpsh"):
        """Returns (problems, syslog messages)."""
        sink = SyslogSink()
        try:
            s = Session(args=args, argv0=argv0, log_socket=sink.path)
            rc, lines, err = s.finish()
            logs = sink.messages()
        finally:
            sink.close()
        problems = []
        if rc != 1:
            problems.append(f"{args!r}: exit {rc}")
        if lines:
            problems.append(f"{args!r}: stdout must stay empty: {lines!r}")
        if f"This account ({USER}) is for SFTP only" not in err or "without -O" not in err:
            problems.append(f"{args!r}: message {err!r}")
        return problems, logs

    def deny(self, args, argv0="sftpsh"):
        problems, logs = self.run_denied(args, argv0)
        self.assertEqual(problems, [])
        return logs

    def deny_all(self, arg_lists):
        problems = []  # (no subTest: tests/lib/tap.py would not report a failed one)
        for args in arg_lists:
            problems += self.run_denied(args)[0]
        self.assertEqual(problems, [])

    def test_interactive_login(self):
        logs = self.deny([], argv0="-sftpsh")
        self.assertTrue(any(f"Denied user {USER} from 192.0.2.7 port 5555: interactive login"
                            in m for m in logs), logs)

    def test_commands(self):
        commands = []
        for command in ["id", "scp -t /upload", "scp -f /etc/passwd", "rsync --server -e.Lsfx . x",
                        "/bin/sh .ssh/rc", f"{SUBSYSTEM} -d /", f"{SUBSYSTEM};id", f" {SUBSYSTEM}",
                        f"{SUBSYSTEM}\n", "internal-sftp", ""]:
            commands.append(["-c", command])
        self.deny_all(commands)

    def test_argument_shapes(self):
        self.deny_all([["-c"], ["-c", SUBSYSTEM, "extra"], ["-x", SUBSYSTEM], [SUBSYSTEM],
                       ["-l"], ["-c", SUBSYSTEM, "-c", SUBSYSTEM]])

    def test_denial_is_logged_escaped(self):
        logs = self.deny(["-c", "scp -t x\nDenied user root from 6.6.6.6 port 1: forged"])
        line = [m for m in logs if "Denied user" in m]
        self.assertEqual(len(line), 1, logs)
        self.assertIn(f"Denied user {USER} from 192.0.2.7 port 5555: command "
                      "\"scp -t x\\nDenied user root from 6.6.6.6 port 1: forged\"", line[0])
        self.assertNotIn("\n", line[0])

    def test_quote_in_command_cannot_forge_an_address(self):
        """A '"' ends no quoted text early: escaped with the backslash, and
        the shipped fail2ban filter takes the real address, never the forged."""
        forged = 'x" from 203.0.113.66 port 22: y\\'
        logs = self.deny(["-c", forged])
        line = [m for m in logs if "Denied user" in m]
        self.assertEqual(len(line), 1, logs)
        self.assertTrue(line[0].endswith(
            f'Denied user {USER} from 192.0.2.7 port 5555: command '
            '"x\\" from 203.0.113.66 port 22: y\\\\"'), line[0])
        self.assertEqual(fail2ban_hosts(line[0]), ["192.0.2.7"])

    def test_fail2ban_filter_on_real_and_forged_lines(self):
        real = []
        for args, argv0 in (([], "-sftpsh"), (["-c", "id"], "sftpsh"),
                            (["-x", "y"], "sftpsh"), (["-c", "a\nDenied user root from "
                                                        "198.51.100.1 port 1: interactive login"],
                                                       "sftpsh"),
                            (["-c", "q" * 1000], "sftpsh")):
            real += [m for m in self.deny(args, argv0) if "Denied user" in m]
        self.assertEqual(len(real), 5, real)
        for line in real:
            self.assertEqual(fail2ban_hosts(line), ["192.0.2.7"], line)
        # What an unescaped logger would have written: never the forged address.
        for forged in ('sftpsh[7]: Denied user u from 192.0.2.7 port 5: command "x" from '
                       '203.0.113.66 port 22: y"',
                       'sftpsh[7]: Denied user u from 192.0.2.7 port 5: command "x\\\\" '
                       'from 203.0.113.66 port 22: y"',
                       'sftpsh[7]: Refused user u from 203.0.113.66 port 22: x',
                       'sshd[7]: Denied user u from 203.0.113.66 port 22: interactive login'):
            self.assertNotIn("203.0.113.66", fail2ban_hosts(forged), forged)

    def test_configured_message(self):
        write_config("DenyMessage \"No shell for %u, 100%% SFTP\"\n")
        sink = SyslogSink()  # else the log line goes to stderr too
        try:
            s = Session(args=["-c", "id"], log_socket=sink.path)
            rc, lines, err = s.finish()
        finally:
            sink.close()
            write_config("")
        self.assertEqual((rc, lines), (1, []))
        self.assertEqual(err, f"No shell for {USER}, 100% SFTP\n")


class Refusals(unittest.TestCase):
    """Configuration and system errors refuse the session, naming the cause."""

    @classmethod
    def setUpClass(cls):
        set_mode("capability")

    def setUp(self):
        write_config("")

    def refuse(self, expect, user=USER, args=("-c", SUBSYSTEM)):
        """Exit 1, nothing on stdout. Without a syslog socket the reason goes
        to stderr (the admin's only place); with one, the reason is logged and
        the client is told only that the session was refused."""
        s = Session(args=args, user=user)
        rc, lines, err = s.finish()
        self.assertEqual(rc, 1, err)
        self.assertEqual(lines, [])
        self.assertIn(expect, err)
        sink = SyslogSink()
        try:
            s = Session(args=args, user=user, log_socket=sink.path)
            rc, lines, err = s.finish()
            logs = sink.messages()
        finally:
            sink.close()
        self.assertEqual((rc, lines), (1, []), err)
        self.assertEqual(err, REFUSED + "\n", "the client was told more than that")
        self.assertTrue(any(expect in m and "sftpsh[" in m for m in logs), logs)

    def test_home_without_marker(self):
        self.refuse('has no "/./"', user=OTHER)

    def test_uid_missing_from_passwd(self):
        """An account only NSS knows (LDAP, SSSD): refused with the reason, no
        crash (sftpsh reads /etc/passwd itself; a static glibc's NSS modules
        crash)."""
        self.refuse(f"no entry for uid {ORPHAN_UID} in /etc/passwd",
                    user=(ORPHAN_UID, ORPHAN_UID))

    def test_home_the_user_can_write(self):
        """/jail/./u2 with u2 writable by the user: sshd and PAM read
        ~/.pam_environment, ~/.ssh/rc there outside the jail, so nothing is
        served until the home is root's; uploads go to a subdirectory."""
        jail = os.path.join(F.root, "jail")
        home = os.path.join(jail, "u2")
        pw = pwd.getpwnam(OTHER)
        os.mkdir(home)
        run(["usermod", "-d", f"{jail}/./u2", OTHER])
        try:
            os.chown(home, pw.pw_uid, pw.pw_gid)
            os.chmod(home, 0o755)
            self.refuse(f"the home directory {home} is owned by the user (uid {pw.pw_uid})",
                        user=OTHER)
            os.chown(home, 0, 0)
            os.chmod(home, 0o777)
            # faccessat with the real ids: setuid mode must not see root's access
            for mode in ("capability", "setuid", "userns"):
                set_mode(mode)
                self.refuse(f"the home directory {home} is writable by the user (mode 0777)",
                            user=OTHER)
            set_mode("capability")
            os.chmod(home, 0o755)
            os.mkdir(os.path.join(home, "upload"))
            os.chown(os.path.join(home, "upload"), pw.pw_uid, pw.pw_gid)
            s = Session(user=OTHER)
            self.assertTrue(s.ready, s.lines)
            rc, _, err = s.finish()
            self.assertEqual(rc, 0, err)
            self.assertEqual(s.report["cwd"], "/u2")
        finally:
            set_mode("capability")
            run(["usermod", "-d", os.path.join(jail, "u2"), OTHER])
            shutil.rmtree(home)

    def test_foreign_shell(self):
        run(["usermod", "-s", "/bin/sh", OTHER])
        try:
            self.refuse("not this sftpsh", user=OTHER)
        finally:
            run(["usermod", "-s", F.shell, OTHER])

    def test_group_writable_jail(self):
        os.chmod(F.jail, 0o775)
        try:
            self.refuse(f"bad modes for jail component {F.jail}")
        finally:
            os.chmod(F.jail, 0o755)

    def test_user_owned_jail(self):
        pw = pwd.getpwnam(USER)
        os.chown(F.jail, pw.pw_uid, -1)
        try:
            self.refuse(f"bad ownership for jail component {F.jail}")
        finally:
            os.chown(F.jail, 0, -1)

    def test_symlinked_jail_component(self):
        real = os.path.join(F.root, "jail", "u1")
        moved = os.path.join(F.root, "jail-real-u1")
        os.rename(real, moved)
        os.symlink(moved, real)
        try:
            self.refuse("is a symbolic link")
        finally:
            os.unlink(real)
            os.rename(moved, real)

    def test_untrusted_config(self):
        os.chmod(F.conf, 0o666)
        self.refuse("writable by group or others")

    def test_bad_config_line(self):
        write_config("Umask 0999\n")
        self.refuse(f"{F.conf}:2: \"0999\" is not an octal umask")
        write_config("NoSuchKeyword yes\n")
        self.refuse(f"{F.conf}:2: unknown keyword \"NoSuchKeyword\"")

    def test_untrusted_server(self):
        probe = os.path.join(F.root, "jail_probe")
        os.chmod(probe, 0o775)
        try:
            self.refuse("server " + probe + " is writable by group or others")
        finally:
            os.chmod(probe, 0o755)

    def test_server_in_a_directory_others_can_write(self):
        """The whole path of the server is checked, not just the file: a
        directory someone else owns or can write lets them swap the server."""
        tools = os.path.join(F.root, "tools")
        os.mkdir(tools)
        try:
            server = os.path.join(tools, "jail_probe")
            shutil.copy(os.path.join(F.root, "jail_probe"), server)
            os.chmod(server, 0o755)
            write_config("", server=server)
            pw = pwd.getpwnam(OTHER)
            os.chown(tools, pw.pw_uid, pw.pw_gid)
            os.chmod(tools, 0o755)
            self.refuse(f"server {server}: bad ownership for directory {tools}: owned by uid "
                        f"{pw.pw_uid}, must be root (chown root {tools})")
            os.chown(tools, 0, 0)
            os.chmod(tools, 0o775)
            self.refuse(f"server {server}: bad modes for directory {tools}: mode 0775")
            os.chmod(tools, 0o755)
            s = Session()
            self.assertTrue(s.ready, s.lines)
            self.assertEqual(s.finish()[0], 0)
        finally:
            shutil.rmtree(tools)

    def test_config_through_a_symbolic_link(self):
        real = F.conf + ".real"
        shutil.copy(F.conf, real)
        os.chmod(real, 0o644)
        os.unlink(F.conf)
        os.symlink(real, F.conf)
        try:
            self.refuse(f"config {F.conf} is a symbolic link")
        finally:
            os.unlink(F.conf)
            os.rename(real, F.conf)

    def test_subsystem_command_as_sshd_passes_it(self):
        """sshd joins its Subsystem line's words with single spaces."""
        write_config('SubsystemCommand "/usr/lib/openssh/sftp-server"   -l   INFO\n')
        s = Session(args=("-c", "/usr/lib/openssh/sftp-server -l INFO"))
        self.assertTrue(s.ready, s.lines)
        self.assertEqual(s.finish()[0], 0)

    def test_pinned_mode_is_never_downgraded(self):
        write_config("PrivilegeMode setuid\n")
        self.refuse("PrivilegeMode setuid is configured, but it has the file capability")
        set_mode("userns")
        try:
            write_config("PrivilegeMode capability\n")
            self.refuse("PrivilegeMode capability is configured, but it has neither")
        finally:
            set_mode("capability")

    def test_match_block_options_reach_the_server(self):
        write_config(f"Match User {USER}\n  ReadOnly yes\n  Umask 027\n  LogLevel VERBOSE\n"
                     "Match All\n  ReadOnly no\n  DenyRequests remove,rmdir\n")
        s = Session()
        rc, _, err = s.finish()
        self.assertEqual(rc, 0, err)
        argv = s.report["argv"].split()
        self.assertEqual(argv[3:], ["-u", "0027", "-R", "-P", "remove,rmdir", "-l", "VERBOSE"])


def add_args(parser):
    parser.add_argument("--e2e-root", default="/srv/sftpsh-e2e",
                        help="E2E_ROOT the e2e build was made with")


if __name__ == "__main__":
    tap.main(extra_args=add_args)
