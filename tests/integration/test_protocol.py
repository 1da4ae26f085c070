#!/usr/bin/python3
"""Protocol-level checks of the server under test, with hand-made packets and
paramiko: every request and extension OpenSSH 9.2's sftp-server has, status
codes and messages, stat fields against os.stat, open flags, long names,
pipelining, and the command-line options.

Every test here passes against OpenSSH's server too (--server
/usr/lib/openssh/sftp-server), except those marked @differs_from_openssh,
which check one of our deliberate differences and are excluded there.
"""
import hashlib
import os
import random
import re
import socket
import stat
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import tap  # noqa: E402
from sftp_process import load_tests  # noqa: E402,F401  (unittest's hook)
from sftp_process import (  # noqa: E402
    BAD_MESSAGE, EOF_, EXTENSION_REQUEST_NAMES, FAILURE, FXF, FXP, MAX_READ, NO_ATTRS,
    NO_SUCH_FILE, OK, OP_UNSUPPORTED, OPENSSH_EXTENSIONS, OPENSSH_SERVER, PERMISSION_DENIED,
    RawSftp, Reader, ServerTestCase, TestUser, attrs, differs_from_openssh, group_names,
    parse_names,
    paramiko_client, server_long_name, stat_attrs, string, u32, u64, user_names)

USER = None      # the throwaway unprivileged user (TestUser)
USER_HOME = None


def setUpModule():
    global USER, USER_HOME
    USER = TestUser.create()
    USER_HOME = USER.home
    os.mkdir(os.path.join(USER_HOME, "sub"))
    os.chown(os.path.join(USER_HOME, "sub"), USER.uid, USER.gid)


def tearDownModule():
    if USER is not None:
        USER.remove()


WC = FXF["WRITE"] | FXF["CREAT"]
WCT = WC | FXF["TRUNC"]


def write_file(path, data, mode=None):
    with open(path, "wb") as f:
        f.write(data)
    if mode is not None:
        os.chmod(path, mode)


def read_file(path):
    with open(path, "rb") as f:
        return f.read()


def name_reply(path):
    """The NAME reply of REALPATH/READLINK/expand-path: one entry, the long
    name equal to the name, empty attributes."""
    p = path.encode() if isinstance(path, str) else path
    return ("NAME", [(p, p, {"flags": 0})])


class SessionTestCase(ServerTestCase):
    """A fresh directory per test and a raw session on a server started in it."""

    server_options = ()

    def setUp(self):
        self.dir = self.make_tempdir()
        os.chdir("/")

    def p(self, *parts):
        return os.path.join(self.dir, *parts)

    def session(self, *options, **kw):
        kw.setdefault("cwd", self.dir)
        return self.raw_session(*(options or self.server_options), **kw)


# --- version, options, logging ----------------------------------------------

class Version(SessionTestCase):
    def test_version_reply_matches_openssh_9_2(self):
        server = self.start_server(cwd=self.dir)
        ver, exts = RawSftp(server.sock).init(3)
        self.assertEqual(ver, 3)
        self.assertEqual(exts, OPENSSH_EXTENSIONS)

    def test_version_reply_equals_the_reference_servers(self):
        ref = self.start_server(cwd=self.dir, binary=OPENSSH_SERVER)
        ref_reply = RawSftp(ref.sock).init(3)
        ours = self.start_server(cwd=self.dir)
        self.assertEqual(RawSftp(ours.sock).init(3), ref_reply)

    def test_client_offering_version_6_gets_version_3(self):
        for offered in (6, 5, 4, 3):
            server = self.start_server(cwd=self.dir)
            c = RawSftp(server.sock)
            ver, exts = c.init(offered)
            self.assertEqual(ver, 3, f"client offered {offered}")
            self.assertEqual(exts, OPENSSH_EXTENSIONS)
            # the session is a v3 session: STATUS carries message and language
            self.assertEqual(c.call("STAT", string("missing")), NO_SUCH_FILE)

    def test_init_with_client_extensions_is_accepted(self):
        # lftp/WinSCP send extension pairs in INIT; the server ignores them
        server = self.start_server(cwd=self.dir)
        c = RawSftp(server.sock)
        ver, exts = c.init(6, extensions=[("version-select", "3"), ("x@example.com", "")])
        self.assertEqual((ver, exts), (3, OPENSSH_EXTENSIONS))
        self.assertEqual(c.call("REALPATH", string(".")), name_reply(self.dir))


class CommandLine(SessionTestCase):
    USAGE = ("usage: {p} [-ehR] [-d start_directory] [-f log_facility] [-l log_level]\n"
             "\t[-P denied_requests] [-p allowed_requests] [-u umask]\n"
             "       {p} -Q protocol_feature\n")

    def run_server(self, *args, **kw):
        return subprocess.run([tap.ARGS.server, *args], stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=30, cwd=self.dir,
                              env={"PATH": "/usr/bin:/bin", **{
                                  k: v for k, v in os.environ.items() if k.endswith("SAN_OPTIONS")}},
                              **kw)

    def check_no_crash(self, proc, expect_exit):
        from sftp_process import crash_report
        report = crash_report(proc.returncode, proc.stderr.decode(errors="replace"), expect_exit)
        if report:
            self.fail(report)

    def test_Q_requests_lists_what_openssh_lists(self):
        ref = subprocess.run([OPENSSH_SERVER, "-Q", "requests"], capture_output=True, timeout=30)
        self.assertEqual(ref.returncode, 0)
        for query in ("requests", "REQUESTS", "Requests"):
            got = self.run_server("-Q", query)
            self.check_no_crash(got, 0)
            self.assertEqual(got.stdout.decode(), ref.stdout.decode(), query)
        expected = ["open", "close", "read", "write", "lstat", "fstat", "setstat", "fsetstat",
                    "opendir", "readdir", "remove", "mkdir", "rmdir", "realpath", "stat",
                    "rename", "readlink", "symlink"] + [
                        EXTENSION_REQUEST_NAMES[n][0] for n, _ in OPENSSH_EXTENSIONS]
        self.assertEqual(got.stdout.decode().splitlines(), expected)

    def test_Q_unknown_feature_is_an_error(self):
        got = self.run_server("-Q", "ciphers")
        self.check_no_crash(got, 1)
        self.assertEqual(got.stdout, b"")
        self.assertIn("Invalid query type", got.stderr.decode())

    def test_h_prints_usage_and_exits_1(self):
        got = self.run_server("-h")
        self.check_no_crash(got, 1)
        self.assertEqual(got.stdout, b"")
        self.assertEqual(got.stderr.decode(),
                         self.USAGE.format(p=os.path.basename(tap.ARGS.server)))

    def test_unknown_option_prints_usage_and_exits_1(self):
        for args in (["-z"], ["-d"], ["-R", "-x"], ["-u"]):
            got = self.run_server(*args)
            self.check_no_crash(got, 1)
            self.assertEqual(got.stdout, b"", args)
            self.assertIn(self.USAGE.format(p=os.path.basename(tap.ARGS.server)),
                          got.stderr.decode(), args)

    def test_invalid_umask_is_refused(self):
        for mask in ("999", "1000", "abc", "-1", "", "0777x"):
            got = self.run_server("-u", mask)
            self.check_no_crash(got, "nonzero")
            self.assertEqual(got.stdout, b"", mask)

    def test_allow_or_deny_list_given_twice_is_refused(self):
        for args in (["-p", "open", "-p", "close"], ["-P", "open", "-P", "close"]):
            got = self.run_server(*args)
            self.check_no_crash(got, "nonzero")
            self.assertEqual(got.stdout, b"", args)

    def test_logging_options_are_accepted(self):
        c = self.session("-e", "-l", "DEBUG3", "-f", "LOCAL3")
        self.assertEqual(c.call("REALPATH", string(".")), name_reply(self.dir))
        c = self.session("-l", "QUIET", "-f", "AUTH")
        self.assertEqual(c.call("REALPATH", string(".")), name_reply(self.dir))

    def test_e_logs_openssh_lines_to_stderr(self):
        server = self.start_server("-e", "-l", "INFO", cwd=self.dir,
                                   env={"SSH_CONNECTION": "192.0.2.1 5555 192.0.2.2 22"})
        c, _, _ = self.raw(server)
        h = c.open("x", WCT, attrs(perm=0o644))
        self.assertEqual(c.write(h, 0, b"12345"), (0, "Success"))
        self.assertEqual(c.close_handle(h), (0, "Success"))
        c.open("y", WC)  # left open: logged as a forced close at exit
        self.assertEqual(c.call("STAT", string("missing")), NO_SUCH_FILE)
        self.finish_server(server)
        lines = [line.rstrip("\r") for line in server.stderr_text().split("\n")]
        want = ['session opened for local user root from [192.0.2.1]',
                'open "x" flags WRITE,CREATE,TRUNCATE mode 0644',
                'close "x" bytes read 0 written 5',
                'open "y" flags WRITE,CREATE mode 0666',
                'sent status No such file',
                'forced close "y" bytes read 0 written 0',
                'session closed for local user root from [192.0.2.1]']
        got = [line for line in lines if line in want]
        self.assertEqual(got, want, server.stderr_text())

    @differs_from_openssh("OpenSSH 9.2 writes client-chosen names to stderr unescaped, "
                          "so a newline in a name forges a log line")
    def test_e_log_escapes_client_chosen_names(self):
        server = self.start_server("-e", "-l", "INFO", cwd=self.dir,
                                   env={"SSH_CONNECTION": "192.0.2.1 5555 192.0.2.2 22"})
        c, _, _ = self.raw(server)
        forged = "session closed for local user root from [203.0.113.9]"
        self.assertEqual(c.call("MKDIR", string("d\n" + forged) + NO_ATTRS), OK)
        self.assertEqual(c.call("MKDIR", string("e\r" + forged) + NO_ATTRS), OK)
        self.finish_server(server)
        text = server.stderr_text()
        for line in text.replace("\r", "\n").split("\n"):
            self.assertFalse(line.startswith(forged), f"forged log line:\n{text}")
        self.assertIn("mkdir name", text)


class Syslog(SessionTestCase):
    """Logging through /dev/log (every server in these suites gets a private
    one, see sftp_process.private_dev_argv): the lines syslog(3) writes, so
    that admins' tools read ours like OpenSSH's."""

    LINE = re.compile(rb"^<(\d+)>(\w{3} [ \d]\d \d\d:\d\d:\d\d) sftp-server\[(\d+)\]: (.*)$", re.S)

    def lines(self, server):
        """[(priority, message)] of every datagram, each checked for format."""
        out = []
        for dgram in server.dev.drain():
            m = self.LINE.match(dgram)
            self.assertIsNotNone(m, f"not a syslog line: {dgram!r}")
            self.assertEqual(int(m.group(3)), server.proc.pid, dgram)
            self.assertNotIn(b"\n", m.group(4), f"line break inside a log line: {dgram!r}")
            stamp = time.strptime(m.group(2).decode() + time.strftime(" %Y"), "%b %d %H:%M:%S %Y")
            self.assertLess(abs(time.mktime(stamp) - time.time()), 600, dgram)
            out.append((int(m.group(1)), m.group(4).decode(errors="replace")))
        return out

    def test_info_lines_with_facility(self):
        server = self.start_server("-l", "INFO", "-f", "LOCAL3", cwd=self.dir,
                                   env={"SSH_CONNECTION": "192.0.2.1 5555 192.0.2.2 22"})
        c, _, _ = self.raw(server)
        h = c.open("x", WCT, attrs(perm=0o644))
        self.assertEqual(c.write(h, 0, b"12345"), (0, "Success"))
        self.assertEqual(c.close_handle(h), (0, "Success"))
        self.assertEqual(c.call("STAT", string("missing")), NO_SUCH_FILE)
        self.assertEqual(c.call_ext("nonexistent@example.com"), OP_UNSUPPORTED)
        self.finish_server(server)
        local3 = 19 * 8
        want = [(local3 + 6, 'session opened for local user root from [192.0.2.1]'),
                (local3 + 6, 'open "x" flags WRITE,CREATE,TRUNCATE mode 0644'),
                (local3 + 6, 'close "x" bytes read 0 written 5'),
                (local3 + 6, 'sent status No such file'),
                (local3 + 3, 'error: Unknown extended request "nonexistent@example.com"'),
                (local3 + 6, 'session closed for local user root from [192.0.2.1]')]
        lines = self.lines(server)
        self.assertEqual([line for line in lines if line in want], want, lines)

    def test_default_level_logs_errors_only_and_the_session_goes_on(self):
        write_file(self.p("f"), b"data")
        server = self.start_server(cwd=self.dir, nofile=32)
        c, _, _ = self.raw(server)
        ro = c.open("f", FXF["READ"])
        wo = c.open("f", FXF["WRITE"])
        self.assertEqual(c.write(ro, 0, b"x"), (2, "No such file"))       # logged as an error
        self.assertEqual(c.read(wo, 0, 10), (2, "No such file"))          # logged as an error
        self.assertEqual(c.call_ext("nonexistent@example.com"), OP_UNSUPPORTED)
        for i in range(40):                                               # past the handle limit
            c.call("OPEN", string("f") + u32(FXF["READ"]) + NO_ATTRS)
        self.assertEqual(c.read(ro, 0, 10), b"data")
        self.finish_server(server)
        lines = self.lines(server)
        self.assertTrue(lines, "nothing logged")
        self.assertEqual({p for p, _ in lines}, {4 * 8 + 3}, lines)       # AUTH, ERR
        self.assertIn((35, 'error: Unknown extended request "nonexistent@example.com"'), lines)

    def test_client_chosen_names_cannot_forge_lines(self):
        server = self.start_server("-l", "INFO", cwd=self.dir)
        c, _, _ = self.raw(server)
        forged = "session closed for local user root from [203.0.113.9]"
        for sep in ("\n", "\r", "\n<38>Nov 25 12:00:00 sftp-server[1]: "):
            self.assertEqual(c.call("MKDIR", string("d" + sep + forged) + NO_ATTRS), OK)
        self.finish_server(server)
        lines = self.lines(server)          # checks: one line per datagram
        for _, text in lines:
            self.assertFalse(text.startswith(forged), text)
            self.assertNotIn("\r", text)
        self.assertEqual(sum(1 for _, t in lines if t.startswith("mkdir name")), 3, lines)

    def test_without_dev_log_the_session_works(self):
        write_file(self.p("f"), b"data")
        server = self.start_server("-l", "DEBUG3", cwd=self.dir, syslog=False)
        c, _, _ = self.raw(server)
        ro = c.open("f", FXF["READ"])
        self.assertEqual(c.write(ro, 0, b"x"), (2, "No such file"))
        self.assertEqual(c.call_ext("nonexistent@example.com"), OP_UNSUPPORTED)
        self.assertEqual(c.read(ro, 0, 10), b"data")


# --- stat -----------------------------------------------------------------------

class Stat(SessionTestCase):
    def setUp(self):
        super().setUp()
        write_file(self.p("f"), b"x" * 12345, 0o640)
        os.chown(self.p("f"), USER.uid, USER.gid)
        os.utime(self.p("f"), (1234567890, 1500000000))
        os.mkdir(self.p("d"), 0o751)
        os.utime(self.p("d"), (1000000000, 1000000001))
        os.symlink("f", self.p("link"))
        os.symlink("loop", self.p("loop"))
        with open(self.p("big"), "wb") as f:
            f.truncate(5 * 1024 ** 3 + 7)  # sparse, size > 4 GiB
        os.utime(self.p("big"), (3000000000, 4000000000))  # > 2^31
        os.chmod(self.p("big"), 0o6755)

    def test_stat_lstat_fstat_fields_equal_os_stat(self):
        c = self.session()
        for name in ("f", "d", "big", "link"):
            self.assertEqual(c.call("STAT", string(name)),
                             ("ATTRS", stat_attrs(os.stat(self.p(name)))), name)
            self.assertEqual(c.call("LSTAT", string(name)),
                             ("ATTRS", stat_attrs(os.lstat(self.p(name)))), name)
        # absolute paths too
        self.assertEqual(c.call("STAT", string(self.p("f"))),
                         ("ATTRS", stat_attrs(os.stat(self.p("f")))))
        h = c.open("f", FXF["READ"])
        self.assertEqual(c.call("FSTAT", string(h)), ("ATTRS", stat_attrs(os.stat(self.p("f")))))
        self.assertEqual(c.close_handle(h), (0, "Success"))

    def test_lstat_of_symlink_describes_the_link(self):
        c = self.session()
        kind, a = c.call("LSTAT", string("link"))
        self.assertEqual(kind, "ATTRS")
        self.assertTrue(stat.S_ISLNK(a["perm"]))
        self.assertEqual(a["size"], 1)
        kind, a = c.call("STAT", string("link"))
        self.assertTrue(stat.S_ISREG(a["perm"]))
        self.assertEqual(a["size"], 12345)

    def test_times_above_2_pow_32_are_truncated_like_openssh(self):
        write_file(self.p("far"), b"")
        os.utime(self.p("far"), (2 ** 32 + 5, 2 ** 32 + 9))
        c = self.session()
        kind, a = c.call("STAT", string("far"))
        self.assertEqual((a["atime"], a["mtime"]), (5, 9))

    def test_stat_errors(self):
        c = self.session()
        for req in ("STAT", "LSTAT"):
            self.assertEqual(c.call(req, string("missing")), NO_SUCH_FILE)
            self.assertEqual(c.call(req, string("f/x")), NO_SUCH_FILE)       # ENOTDIR
            self.assertEqual(c.call(req, string("x" * 300)), BAD_MESSAGE)    # ENAMETOOLONG
            self.assertEqual(c.call(req, string("")), NO_SUCH_FILE)
        self.assertEqual(c.call("STAT", string("loop")), NO_SUCH_FILE)      # ELOOP
        self.assertEqual(c.call("LSTAT", string("loop"))[0], "ATTRS")


# --- permission denied, as an unprivileged user ---------------------------------

class PermissionDenied(SessionTestCase):
    def setUp(self):
        super().setUp()
        os.mkdir(self.p("secret"), 0o700)
        write_file(self.p("secret", "f"), b"s")
        os.symlink("f", self.p("secret", "l"))
        write_file(self.p("rofile"), b"read only", 0o644)
        os.mkdir(self.p("rodir"), 0o755)
        os.mkdir(self.p("rodir", "sub"), 0o755)
        os.mkdir(self.p("mine"), 0o755)
        os.chown(self.p("mine"), USER.uid, USER.gid)
        write_file(self.p("mine", "own"), b"own")
        os.chown(self.p("mine", "own"), USER.uid, USER.gid)

    def test_eacces_and_eperm_become_permission_denied(self):
        c = self.session(user=USER.pw)
        cases = [
            ("STAT", string("secret/f")),
            ("LSTAT", string("secret/f")),
            ("OPENDIR", string("secret")),
            ("OPEN", string("rofile") + u32(FXF["WRITE"]) + NO_ATTRS),
            ("OPEN", string("secret/f") + u32(FXF["READ"]) + NO_ATTRS),
            ("OPEN", string("rodir/new") + u32(WC) + NO_ATTRS),
            ("MKDIR", string("rodir/d") + NO_ATTRS),
            ("REMOVE", string("rofile")),
            ("RMDIR", string("rodir/sub")),
            ("RENAME", string("rofile") + string("mine/x")),
            ("RENAME", string("mine/own") + string("rodir/own")),
            ("SYMLINK", string("x") + string("rodir/l")),
            ("SETSTAT", string("rofile") + attrs(perm=0o600)),
            ("SETSTAT", string("mine/own") + attrs(uid=0, gid=0)),
            ("SETSTAT", string("rofile") + attrs(atime=1, mtime=1)),
            ("READLINK", string("secret/l")),
            ("REALPATH", string("secret/f")),
        ]
        for kind, body in cases:
            self.assertEqual(c.call(kind, body), PERMISSION_DENIED, (kind, body))
        for name, body in [
                ("posix-rename@openssh.com", string("rofile") + string("mine/y")),
                ("hardlink@openssh.com", string("rofile") + string("mine/z")),
                ("statvfs@openssh.com", string("secret/f")),
                ("lsetstat@openssh.com", string("rofile") + attrs(uid=USER.uid, gid=USER.gid)),
                ("expand-path@openssh.com", string("secret/f"))]:
            self.assertEqual(c.call_ext(name, body), PERMISSION_DENIED, name)
        # nothing changed
        self.assertFalse(os.path.exists(self.p("rodir", "new")))
        self.assertFalse(os.path.exists(self.p("rodir", "d")))
        self.assertEqual(sorted(os.listdir(self.p("mine"))), ["own"])
        self.assertEqual(read_file(self.p("rofile")), b"read only")
        self.assertEqual(stat.S_IMODE(os.stat(self.p("rofile")).st_mode), 0o644)

    def test_allowed_operations_still_work(self):
        c = self.session(user=USER.pw)
        h = c.open("rofile", FXF["READ"])
        self.assertEqual(c.read(h, 0, 100), b"read only")
        h = c.open("mine/new", WC, attrs(perm=0o600))
        self.assertEqual(c.write(h, 0, b"data"), (0, "Success"))
        self.assertEqual(c.close_handle(h), (0, "Success"))
        st = os.stat(self.p("mine", "new"))
        self.assertEqual((st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)),
                         (USER.uid, USER.gid, 0o600))
        self.assertEqual(c.call("SETSTAT", string("mine/new") + attrs(uid=USER.uid, gid=USER.gid)),
                         OK)


# --- open flags -----------------------------------------------------------------

class OpenFlags(SessionTestCase):
    def test_creat_uses_mode_from_attrs_and_umask(self):
        c = self.session(umask=0o022)
        c.close_handle(c.open("a", WC, attrs(perm=0o600)))
        c.close_handle(c.open("b", WC))
        c.close_handle(c.open("c", WC, attrs(perm=0o777)))
        self.assertEqual(stat.S_IMODE(os.stat(self.p("a")).st_mode), 0o600)
        self.assertEqual(stat.S_IMODE(os.stat(self.p("b")).st_mode), 0o644)
        self.assertEqual(stat.S_IMODE(os.stat(self.p("c")).st_mode), 0o755)

    def test_creat_on_existing_file_keeps_content_and_mode(self):
        write_file(self.p("f"), b"content", 0o640)
        c = self.session()
        c.close_handle(c.open("f", WC, attrs(perm=0o600)))
        self.assertEqual(read_file(self.p("f")), b"content")
        self.assertEqual(stat.S_IMODE(os.stat(self.p("f")).st_mode), 0o640)

    def test_excl(self):
        write_file(self.p("f"), b"content")
        c = self.session()
        self.assertEqual(c.call("OPEN", string("f") + u32(WC | FXF["EXCL"]) + NO_ATTRS), FAILURE)
        self.assertEqual(read_file(self.p("f")), b"content")
        c.close_handle(c.open("g", WC | FXF["EXCL"]))
        self.assertTrue(os.path.isfile(self.p("g")))
        os.symlink("nowhere", self.p("dangling"))
        self.assertEqual(c.call("OPEN", string("dangling") + u32(WC | FXF["EXCL"]) + NO_ATTRS),
                         FAILURE)
        self.assertFalse(os.path.exists(self.p("nowhere")))

    def test_trunc(self):
        write_file(self.p("f"), b"content")
        c = self.session()
        h = c.open("f", FXF["WRITE"] | FXF["TRUNC"])
        self.assertEqual(os.path.getsize(self.p("f")), 0)
        self.assertEqual(c.write(h, 0, b"new"), (0, "Success"))
        c.close_handle(h)
        self.assertEqual(read_file(self.p("f")), b"new")

    def test_append_ignores_offsets(self):
        write_file(self.p("f"), b"start")
        c = self.session()
        h = c.open("f", FXF["WRITE"] | FXF["APPEND"])
        self.assertEqual(c.write(h, 0, b"-one"), (0, "Success"))
        self.assertEqual(c.write(h, 2, b"-two"), (0, "Success"))
        c.close_handle(h)
        self.assertEqual(read_file(self.p("f")), b"start-one-two")

    def test_write_without_creat_on_missing_file(self):
        c = self.session()
        self.assertEqual(c.call("OPEN", string("nope") + u32(FXF["WRITE"]) + NO_ATTRS),
                         NO_SUCH_FILE)
        self.assertEqual(c.call("OPEN", string("nope") + u32(FXF["READ"]) + NO_ATTRS),
                         NO_SUCH_FILE)
        self.assertEqual(c.call("OPEN", string("no/such/dir") + u32(WC) + NO_ATTRS),
                         NO_SUCH_FILE)
        self.assertFalse(os.path.exists(self.p("nope")))

    def test_handle_access_modes(self):
        write_file(self.p("f"), b"0123456789")
        c = self.session()
        ro = c.open("f", FXF["READ"])
        wo = c.open("f", FXF["WRITE"])
        rw = c.open("f", FXF["READ"] | FXF["WRITE"])
        none = c.open("f", 0)                      # no access flag: read-only
        # EBADF maps to "No such file", as in OpenSSH
        self.assertEqual(c.write(ro, 0, b"x"), (2, "No such file"))
        self.assertEqual(c.write(none, 0, b"x"), (2, "No such file"))
        self.assertEqual(c.read(wo, 0, 4), (2, "No such file"))
        self.assertEqual(c.read(none, 0, 4), b"0123")
        self.assertEqual(c.write(rw, 2, b"ab"), (0, "Success"))
        self.assertEqual(c.read(rw, 0, 100), b"01ab456789")
        self.assertEqual(c.write(wo, 9, b"Z"), (0, "Success"))
        self.assertEqual(read_file(self.p("f")), b"01ab45678Z")
        for h in (ro, wo, rw, none):
            self.assertEqual(c.close_handle(h), (0, "Success"))

    def test_directory_as_file(self):
        os.mkdir(self.p("d"))
        c = self.session()
        h = c.open("d", FXF["READ"])          # open(2) allows it
        self.assertEqual(c.read(h, 0, 10), (4, "Failure"))    # EISDIR
        self.assertEqual(c.close_handle(h), (0, "Success"))
        self.assertEqual(c.call("OPEN", string("d") + u32(FXF["WRITE"]) + NO_ATTRS), FAILURE)


# --- read and write -----------------------------------------------------------

class ReadWrite(SessionTestCase):
    def test_offsets_holes_and_eof(self):
        c = self.session()
        h = c.open("f", WCT | FXF["READ"])
        self.assertEqual(c.write(h, 10, b"tail"), (0, "Success"))
        self.assertEqual(c.write(h, 0, b"head"), (0, "Success"))
        self.assertEqual(read_file(self.p("f")), b"head" + b"\0" * 6 + b"tail")
        self.assertEqual(c.read(h, 2, 4), b"ad\0\0")
        self.assertEqual(c.read(h, 12, 100), b"il")           # short read at the end
        self.assertEqual(c.read(h, 14, 100), (1, "End of file"))
        self.assertEqual(c.read(h, 1000, 100), (1, "End of file"))
        self.assertEqual(c.read(h, 0, 0), b"")                # zero length: empty DATA
        self.assertEqual(c.read(h, 1000, 0), b"")
        self.assertEqual(c.write(h, 3, b""), (0, "Success"))  # zero-length write
        self.assertEqual(read_file(self.p("f")), b"head" + b"\0" * 6 + b"tail")
        self.assertEqual(c.close_handle(h), (0, "Success"))

    @differs_from_openssh("OpenSSH's handles are 4-byte slot numbers; ours are 8 bytes")
    def test_handles_are_8_bytes_and_distinct(self):
        os.mkdir(self.p("d"))
        c = self.session()
        handles = [c.open(f"f{i}", WC) for i in range(5)] + [c.opendir("d") for _ in range(3)]
        self.assertEqual({len(h) for h in handles}, {8})
        self.assertEqual(len(set(handles)), len(handles))
        for h in handles:
            self.assertEqual(c.close_handle(h), (0, "Success"))

    def test_close_then_stale_handle(self):
        c = self.session()
        h = c.open("f", WC)
        self.assertEqual(c.close_handle(h), (0, "Success"))
        self.assertEqual(c.close_handle(h), (2, "No such file"))
        self.assertEqual(c.write(h, 0, b"x"), (4, "Failure"))
        self.assertEqual(os.path.getsize(self.p("f")), 0)

    def test_out_of_order_pipelined_writes_across_two_handles(self):
        """Go's pkg/sftp and asyncssh send writes concurrently: every write
        lands at its own offset whatever the order and handle."""
        size = 8 * 1024 * 1024
        data = random.Random(1).randbytes(size)
        c = self.session()
        h1 = c.open("f", WCT)
        h2 = c.open("f", FXF["WRITE"])
        chunks = []
        off = 0
        rng = random.Random(2)
        while off < size:
            n = min(rng.choice([1, 4096, 32768, 65536, MAX_READ]), size - off)
            chunks.append((off, n))
            off += n
        rng.shuffle(chunks)
        ids = {}

        def sender():
            for i, (o, n) in enumerate(chunks):
                h = h1 if i % 2 else h2
                rid = c.send("WRITE", string(h) + u64(o) + string(data[o:o + n]))
                ids[rid] = o
        t = threading.Thread(target=sender)
        t.start()
        replies = {}
        for _ in chunks:
            kind, rid, r = c.recv_reply()
            replies[rid] = RawSftp.status(kind, r)
        t.join()
        self.assertEqual(set(replies), set(ids))
        self.assertEqual(set(replies.values()), {(0, "Success")})
        for h in (h1, h2):
            self.assertEqual(c.close_handle(h), (0, "Success"))
        self.assertEqual(hashlib.sha256(read_file(self.p("f"))).hexdigest(),
                         hashlib.sha256(data).hexdigest())

    def test_thousands_of_reads_sent_at_once_all_answered(self):
        """paramiko may send every READ of a file before reading a reply:
        the server must apply backpressure, never drop or hang."""
        size = 48 * 1024 * 1024
        data = random.Random(3).randbytes(size)
        write_file(self.p("f"), data)
        c = self.session()
        h = c.open("f", FXF["READ"])
        block = 16 * 1024
        offsets = list(range(0, size, block)) + [size, size + block]   # two at EOF
        sent = {}

        def sender():
            for o in offsets:
                sent[c.send("READ", string(h) + u64(o) + u32(block))] = o
        t = threading.Thread(target=sender)
        t.start()
        got = {}
        for _ in offsets:
            kind, rid, r = c.recv_reply()
            got[rid] = (kind, r.rest())
        t.join()
        self.assertEqual(set(got), set(sent))
        for rid, o in sent.items():
            kind, rest = got[rid]
            if o >= size:
                self.assertEqual(decode_status(kind, rest), (1, "End of file"))
            else:
                self.assertEqual(kind, FXP["DATA"], o)
                self.assertEqual(Reader(rest).string(), data[o:o + block], o)
        self.assertEqual(c.close_handle(h), (0, "Success"))


    def test_reads_sent_before_any_reply_is_read(self):
        """What deadlocks paramiko's prefetch against a server that stops
        reading requests while its replies are not read: paramiko's sender
        thread holds the lock its reader needs while it sends. Here every
        READ goes out in its own send() before a single reply is read. The
        server may stop *processing* requests until its output drains, but
        must keep *reading* these small requests (bounded: ~30 bytes each)."""
        size = 64 * 1024 * 1024
        block = 32 * 1024
        data = random.Random(6).randbytes(size)
        write_file(self.p("f"), data)
        c = self.session()
        h = c.open("f", FXF["READ"])
        c.sock.settimeout(20)
        ids = {}
        try:
            for o in range(0, size, block):
                ids[c.send("READ", string(h) + u64(o) + u32(block))] = o
        except socket.timeout:
            self.fail(f"the server stopped reading requests after {len(ids)} of "
                      f"{size // block} (sent one by one, no reply read yet): a client "
                      "like paramiko deadlocks here")
        for _ in range(len(ids)):
            kind, rid, r = c.recv_reply()
            o = ids.pop(rid)
            self.assertEqual(kind, FXP["DATA"], o)
            self.assertEqual(r.string(), data[o:o + block], o)
        self.assertEqual(ids, {})


def decode_status(kind, rest):
    return RawSftp.status(kind, Reader(rest))


# --- setstat, fsetstat, lsetstat ---------------------------------------------

class SetStat(SessionTestCase):
    def setUp(self):
        super().setUp()
        write_file(self.p("f"), b"0123456789", 0o644)

    def check(self, path, size=None, mode=None, uid=None, gid=None, times=None, lstat=False):
        st = (os.lstat if lstat else os.stat)(self.p(path))
        if size is not None:
            self.assertEqual(st.st_size, size)
        if mode is not None:
            self.assertEqual(stat.S_IMODE(st.st_mode), mode)
        if uid is not None:
            self.assertEqual((st.st_uid, st.st_gid), (uid, gid))
        if times is not None:
            self.assertEqual((int(st.st_atime), int(st.st_mtime)), times)

    def test_setstat_each_field(self):
        c = self.session()
        self.assertEqual(c.call("SETSTAT", string("f") + attrs(size=4)), OK)
        self.check("f", size=4)
        self.assertEqual(read_file(self.p("f")), b"0123")
        self.assertEqual(c.call("SETSTAT", string("f") + attrs(size=100000)), OK)
        self.check("f", size=100000)
        self.assertEqual(c.call("SETSTAT", string("f") + attrs(perm=0o4751)), OK)
        self.check("f", mode=0o4751)
        self.assertEqual(c.call("SETSTAT", string("f") + attrs(perm=0o100600)), OK)  # type bits ignored
        self.check("f", mode=0o600)
        self.assertEqual(c.call("SETSTAT", string("f") + attrs(atime=1000000000, mtime=1100000000)), OK)
        self.check("f", times=(1000000000, 1100000000))
        self.assertEqual(c.call("SETSTAT", string("f") + attrs(uid=USER.uid, gid=USER.gid)), OK)
        self.check("f", uid=USER.uid, gid=USER.gid)
        self.assertEqual(c.call("SETSTAT", string("f") + NO_ATTRS), OK)

    def test_setstat_all_fields_at_once(self):
        c = self.session()
        self.assertEqual(c.call("SETSTAT", string("f") + attrs(
            size=3, uid=USER.uid, gid=USER.gid, perm=0o640, atime=1200000000, mtime=1300000000)), OK)
        self.check("f", size=3, mode=0o640, uid=USER.uid, gid=USER.gid,
                   times=(1200000000, 1300000000))

    def test_setstat_goes_on_after_a_failed_field(self):
        """OpenSSH applies every field and reports the last failure."""
        os.mkdir(self.p("d"), 0o755)
        c = self.session()
        self.assertEqual(c.call("SETSTAT", string("d") + attrs(size=0, perm=0o700)), FAILURE)
        self.check("d", mode=0o700)

    def test_setstat_errors(self):
        c = self.session()
        self.assertEqual(c.call("SETSTAT", string("missing") + attrs(perm=0o600)), NO_SUCH_FILE)
        self.assertEqual(c.call("SETSTAT", string("missing") + attrs(size=0)), NO_SUCH_FILE)
        self.assertEqual(c.call("SETSTAT", string("missing") + NO_ATTRS), OK)  # nothing to do
        self.assertFalse(os.path.exists(self.p("missing")))

    def test_setstat_follows_symlinks(self):
        os.symlink("f", self.p("link"))
        c = self.session()
        self.assertEqual(c.call("SETSTAT", string("link") + attrs(perm=0o600)), OK)
        self.check("f", mode=0o600)

    def test_fsetstat(self):
        c = self.session()
        h = c.open("f", FXF["WRITE"])
        self.assertEqual(c.call("FSETSTAT", string(h) + attrs(size=5)), OK)
        self.check("f", size=5)
        self.assertEqual(c.call("FSETSTAT", string(h) + attrs(perm=0o2710)), OK)
        self.check("f", mode=0o2710)
        self.assertEqual(c.call("FSETSTAT", string(h) + attrs(atime=1111111111, mtime=1222222222)), OK)
        self.check("f", times=(1111111111, 1222222222))
        self.assertEqual(c.call("FSETSTAT", string(h) + attrs(uid=USER.uid, gid=USER.gid)), OK)
        self.check("f", uid=USER.uid, gid=USER.gid)
        self.assertEqual(c.close_handle(h), (0, "Success"))
        self.assertEqual(c.call("FSETSTAT", string(h) + attrs(perm=0o600)), FAILURE)  # stale
        d = c.opendir(".")
        self.assertEqual(c.call("FSETSTAT", string(d) + attrs(perm=0o600)), FAILURE)   # dir handle
        ro = c.open("f", FXF["READ"])
        self.assertEqual(c.call("FSETSTAT", string(ro) + attrs(size=0)), BAD_MESSAGE)  # EINVAL
        self.check("f", size=5)

    def test_lsetstat(self):
        os.symlink("f", self.p("link"))
        os.utime(self.p("f"), (1000, 2000))
        c = self.session()
        self.assertEqual(c.call_ext("lsetstat@openssh.com", string("link") + attrs(
            atime=1500000000, mtime=1600000000)), OK)
        self.check("link", times=(1500000000, 1600000000), lstat=True)
        self.check("f", times=(1000, 2000))
        self.assertEqual(c.call_ext("lsetstat@openssh.com", string("link") + attrs(
            uid=USER.uid, gid=USER.gid)), OK)
        self.check("link", uid=USER.uid, gid=USER.gid, lstat=True)
        self.check("f", uid=0, gid=0)
        # size is nonsensical for a link; a link's mode can't be changed
        self.assertEqual(c.call_ext("lsetstat@openssh.com", string("link") + attrs(size=0)),
                         BAD_MESSAGE)
        self.assertEqual(c.call_ext("lsetstat@openssh.com", string("link") + attrs(perm=0o600)),
                         FAILURE)
        self.check("f", size=10, mode=0o644)
        # on a regular file it is setstat
        self.assertEqual(c.call_ext("lsetstat@openssh.com", string("f") + attrs(perm=0o600)), OK)
        self.check("f", mode=0o600)
        self.assertEqual(c.call_ext("lsetstat@openssh.com", string("missing") + attrs(perm=0o600)),
                         NO_SUCH_FILE)


# --- directories and long names -----------------------------------------------

class Directories(SessionTestCase):
    def listing(self, c, path):
        h = c.opendir(path)
        entries = c.readdir_all(h)
        self.assertEqual(c.call("READDIR", string(h)), EOF_)   # EOF again
        self.assertEqual(c.close_handle(h), (0, "Success"))
        return entries

    def test_readdir_returns_every_entry_once_with_lstat_attrs_and_long_names(self):
        os.mkdir(self.p("d"))
        names = {f"file{i:03d}-{'x' * (i % 40)}" for i in range(300)}
        for n in names:
            write_file(self.p("d", n), b"y" * (len(n) * 3))
        c = self.session()
        entries = self.listing(c, "d")
        got = [e[0].decode() for e in entries]
        self.assertEqual(len(got), len(set(got)), "an entry came twice")
        self.assertEqual(set(got), names | {".", ".."})
        users, groups = user_names(), group_names()
        now = time.time()
        for name, longname, a in entries:
            st = os.lstat(self.p("d", name.decode()))
            self.assertEqual(a, stat_attrs(st), name)
            self.assertEqual(longname.decode(),
                             server_long_name(name.decode(), st, users, groups, now=now))

    def test_long_name_format(self):
        """The exact `ls -l` line WinSCP and FileZilla parse."""
        os.mkdir(self.p("d"))
        d = lambda *n: self.p("d", *n)  # noqa: E731
        specs = {  # name: (mode, uid, gid, mtime)
            "plain": (0o644, 0, 0, None),
            "setuid": (0o4755, 0, 0, None),
            "setuid-noexec": (0o4644, 0, 0, None),
            "setgid": (0o2755, 0, 0, None),
            "setgid-noexec": (0o2640, 0, 0, None),
            "sticky-noexec": (0o1644, 0, 0, None),
            "all": (0o7777, 0, 0, None),
            "none": (0o000, 0, 0, None),
            "owned": (0o600, USER.uid, USER.gid, None),
            "unknown-ids": (0o644, 4242424, 4343434, None),
            "nobody": (0o644, 65534, 65534, None),
            "old": (0o644, 0, 0, 946728000),            # 2000-01-01 12:00 UTC: the year
            "future": (0o644, 0, 0, time.time() + 86400 * 400),
            "month-ago": (0o644, 0, 0, time.time() - 86400 * 30),
            "edge-of-half-year": (0o644, 0, 0, time.time() - 86400 * 190),
        }
        for name, (mode, uid, gid, mtime) in specs.items():
            write_file(d(name), name.encode())
            os.chown(d(name), uid, gid)
            os.chmod(d(name), mode)
            if mtime is not None:
                os.utime(d(name), (mtime, mtime))
        with open(d("huge"), "wb") as f:
            f.truncate(123456789012)
        os.mkdir(d("subdir"), 0o1777)
        os.chmod(d("subdir"), 0o1777)
        os.mkdir(d("subdir2"), 0o1776)
        os.chmod(d("subdir2"), 0o1776)
        os.mkdir(d("subdir", "child"))
        os.symlink("plain", d("symlink"))
        os.mkfifo(d("fifo"), 0o600)
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(d("socket"))
        sock.close()
        os.link(d("plain"), d("hardlink1"))
        os.link(d("plain"), d("hardlink2"))
        os.utime(d("plain"), (1600000000, 1600000000))
        c = self.session()
        users, groups = user_names(), group_names()
        entries = self.listing(c, "d")
        now = time.time()
        self.assertGreater(len(entries), 20)
        for name, longname, a in entries:
            st = os.lstat(d(name.decode()))
            self.assertEqual(longname.decode(),
                             server_long_name(name.decode(), st, users, groups, now=now), name)
        # spot-check the format by hand, independent of server_long_name
        by_name = {e[0]: e[1].decode() for e in entries}
        self.assertEqual(by_name[b"plain"],
                         "-rw-r--r--    3 root     root            5 Sep 13  2020 plain")
        self.assertRegex(by_name[b"unknown-ids"],
                         r"^-rw-r--r--    1 4242424  4343434        11 \w{3} [ \d]\d \d\d:\d\d unknown-ids$")
        self.assertTrue(by_name[b"owned"].startswith(
            "-rw-------    1 %-8s %-8s " % (USER.name, USER.name)), by_name[b"owned"])
        self.assertTrue(by_name[b"all"].startswith("-rwsrwsrwt "), by_name[b"all"])
        self.assertTrue(by_name[b"setuid-noexec"].startswith("-rwSr--r-- "))
        self.assertTrue(by_name[b"subdir2"].startswith("drwxrwxrwT    2 "))
        self.assertTrue(by_name[b"subdir"].startswith("drwxrwxrwt    3 "))
        self.assertTrue(by_name[b"symlink"].startswith("lrwxrwxrwx    1 root     root            5 "))
        self.assertTrue(by_name[b"fifo"].startswith("prw------- "))
        self.assertTrue(by_name[b"socket"].startswith("s"))
        self.assertIn(" 123456789012 ", by_name[b"huge"])
        self.assertRegex(by_name[b"old"], r" Jan  1  2000 old$")

    def test_readdir_errors(self):
        write_file(self.p("f"), b"")
        c = self.session()
        self.assertEqual(c.call("OPENDIR", string("f")), NO_SUCH_FILE)
        self.assertEqual(c.call("OPENDIR", string("missing")), NO_SUCH_FILE)
        h = c.open("f", FXF["READ"])
        self.assertEqual(c.call("READDIR", string(h)), FAILURE)
        d = c.opendir(".")
        self.assertEqual(c.close_handle(d), (0, "Success"))
        self.assertEqual(c.call("READDIR", string(d)), FAILURE)
        self.assertEqual(c.close_handle(d), (2, "No such file"))

    def test_empty_directory_lists_dot_and_dotdot(self):
        os.mkdir(self.p("empty"))
        c = self.session()
        self.assertEqual(sorted(e[0] for e in self.listing(c, "empty")), [b".", b".."])

    def test_mkdir(self):
        c = self.session(umask=0o022)
        self.assertEqual(c.call("MKDIR", string("a") + NO_ATTRS), OK)
        self.assertEqual(c.call("MKDIR", string("b") + attrs(perm=0o700)), OK)
        self.assertEqual(c.call("MKDIR", string("c") + attrs(perm=0o1777)), OK)
        self.assertEqual(c.call("MKDIR", string("d") + attrs(perm=0o40777)), OK)
        modes = {n: stat.S_IMODE(os.stat(self.p(n)).st_mode) for n in "abcd"}
        self.assertEqual(modes, {"a": 0o755, "b": 0o700, "c": 0o1755, "d": 0o755})
        self.assertEqual(c.call("MKDIR", string("a") + NO_ATTRS), FAILURE)      # EEXIST
        self.assertEqual(c.call("MKDIR", string("x/y") + NO_ATTRS), NO_SUCH_FILE)
        self.assertEqual(c.call("MKDIR", string("") + NO_ATTRS), NO_SUCH_FILE)

    def test_rmdir(self):
        for n in ("empty", "full"):
            os.mkdir(self.p(n))
        write_file(self.p("full", "x"), b"")
        write_file(self.p("file"), b"")
        c = self.session()
        self.assertEqual(c.call("RMDIR", string("empty")), OK)
        self.assertFalse(os.path.exists(self.p("empty")))
        self.assertEqual(c.call("RMDIR", string("full")), FAILURE)     # ENOTEMPTY
        self.assertEqual(c.call("RMDIR", string("file")), NO_SUCH_FILE)  # ENOTDIR
        self.assertEqual(c.call("RMDIR", string("missing")), NO_SUCH_FILE)
        self.assertTrue(os.path.exists(self.p("full", "x")))
        self.assertTrue(os.path.exists(self.p("file")))


    def read_all_replies(self, c, h):
        replies = []
        for _ in range(1000):
            rid = c.send("READDIR", string(h))
            packet = c.recv_packet()
            r = Reader(packet)
            kind, got = r.u8(), r.u32()
            self.assertEqual(got, rid)
            if kind == FXP["STATUS"]:
                self.assertEqual(RawSftp.status(kind, r), (1, "End of file"))
                return replies
            self.assertLessEqual(len(packet), 256 * 1024)
            entries = parse_names(kind, r)
            replies.append((len(packet), entries))
        self.fail("READDIR never reached the end")

    def test_readdir_sends_at_least_100_entries_per_reply_even_when_they_are_long(self):
        os.mkdir(self.p("d"))
        names = {f"{i:04d}-" + "n" * 200 for i in range(450)}     # ~500 bytes an entry
        for n in names:
            write_file(self.p("d", n), b"")
        c = self.session()
        replies = self.read_all_replies(c, c.opendir("d"))
        got = [e[0].decode() for _, reply in replies for e in reply]
        self.assertEqual(sorted(got), sorted(names | {".", ".."}))
        for _, reply in replies[:-1]:
            self.assertGreaterEqual(len(reply), 100, "fewer entries than OpenSSH would send")

    @differs_from_openssh("OpenSSH sends at most 100 entries per READDIR reply; ours carry "
                          "more while the reply stays under 32 KiB (fewer round trips)")
    def test_readdir_replies_carry_more_than_100_short_entries(self):
        os.mkdir(self.p("d"))
        names = {f"f{i:05d}" for i in range(3000)}
        for n in names:
            write_file(self.p("d", n), b"")
        c = self.session()
        replies = self.read_all_replies(c, c.opendir("d"))
        got = [e[0].decode() for _, reply in replies for e in reply]
        self.assertEqual(sorted(got), sorted(names | {".", ".."}))
        for size, reply in replies[:-1]:
            self.assertGreater(len(reply), 100)
            self.assertLessEqual(size, 4 + 32 * 1024 + 600)   # 32 KiB plus the entry that crossed
            self.assertGreater(size, 32 * 1024 - 600, "a reply stopped well short of 32 KiB")


# --- paths: realpath, rename, links, remove --------------------------------------

class Paths(SessionTestCase):
    def setUp(self):
        super().setUp()
        write_file(self.p("f"), b"file f")
        write_file(self.p("g"), b"file g")
        os.mkdir(self.p("dir"))
        os.symlink("f", self.p("link"))
        os.symlink("loop", self.p("loop"))

    def test_realpath(self):
        c = self.session()
        cases = {".": self.dir, "": self.dir, "/": "/", "//": "/", "/../..": "/",
                 "dir/../f/": self.p("f"), "link": self.p("f"), "f/.": self.p("f"),
                 "missing": self.p("missing"), "./dir//": self.p("dir"),
                 self.p("dir", "..", "g"): self.p("g")}
        for path, want in cases.items():
            self.assertEqual(c.call("REALPATH", string(path)), name_reply(want), path)
        for path in ("missing/x", "f/x", "loop", "dir/missing/.."):
            self.assertEqual(c.call("REALPATH", string(path)), NO_SUCH_FILE, path)

    def test_rename_v3_refuses_existing_target(self):
        c = self.session()
        self.assertEqual(c.call("RENAME", string("f") + string("g")), FAILURE)
        self.assertEqual((read_file(self.p("f")), read_file(self.p("g"))), (b"file f", b"file g"))
        self.assertEqual(c.call("RENAME", string("dir") + string("g")), FAILURE)
        self.assertEqual(c.call("RENAME", string("f") + string("dir")), FAILURE)
        self.assertTrue(os.path.isdir(self.p("dir")))
        self.assertEqual(c.call("RENAME", string("missing") + string("new")), NO_SUCH_FILE)

    def test_rename_v3(self):
        c = self.session()
        ino = os.stat(self.p("f")).st_ino
        self.assertEqual(c.call("RENAME", string("f") + string("f2")), OK)
        self.assertFalse(os.path.exists(self.p("f")))
        self.assertEqual(os.stat(self.p("f2")).st_ino, ino)
        self.assertEqual(c.call("RENAME", string("dir") + string("dir2")), OK)
        self.assertTrue(os.path.isdir(self.p("dir2")))
        self.assertEqual(c.call("RENAME", string("link") + string("link2")), OK)
        self.assertEqual(os.readlink(self.p("link2")), "f")
        self.assertEqual(c.call("RENAME", string("f2") + string("dir2/f3")), OK)
        self.assertEqual(read_file(self.p("dir2", "f3")), b"file f")

    def test_posix_rename_overwrites(self):
        c = self.session()
        self.assertEqual(c.call_ext("posix-rename@openssh.com", string("f") + string("g")), OK)
        self.assertFalse(os.path.exists(self.p("f")))
        self.assertEqual(read_file(self.p("g")), b"file f")
        self.assertEqual(c.call_ext("posix-rename@openssh.com", string("missing") + string("g")),
                         NO_SUCH_FILE)
        os.mkdir(self.p("full"))
        write_file(self.p("full", "x"), b"")
        self.assertEqual(c.call_ext("posix-rename@openssh.com", string("dir") + string("full")),
                         FAILURE)
        self.assertEqual(c.call_ext("posix-rename@openssh.com", string("g") + string("dir")),
                         FAILURE)

    def test_symlink_uses_openssh_argument_order(self):
        """OpenSSH sends and expects (target, link path): the reverse of the draft."""
        c = self.session()
        self.assertEqual(c.call("SYMLINK", string("target/path") + string("newlink")), OK)
        self.assertEqual(os.readlink(self.p("newlink")), "target/path")
        self.assertEqual(c.call("SYMLINK", string("f") + string("newlink")), FAILURE)
        self.assertEqual(c.call("SYMLINK", string("f") + string("g")), FAILURE)
        self.assertEqual(c.call("SYMLINK", string("f") + string("no/dir/l")), NO_SUCH_FILE)
        self.assertEqual(read_file(self.p("g")), b"file g")

    def test_readlink(self):
        os.symlink("/some/absolute target", self.p("abs"))
        c = self.session()
        self.assertEqual(c.call("READLINK", string("link")), name_reply("f"))
        self.assertEqual(c.call("READLINK", string("abs")), name_reply("/some/absolute target"))
        self.assertEqual(c.call("READLINK", string("f")), BAD_MESSAGE)         # EINVAL
        self.assertEqual(c.call("READLINK", string("missing")), NO_SUCH_FILE)

    def test_hardlink(self):
        c = self.session()
        self.assertEqual(c.call_ext("hardlink@openssh.com", string("f") + string("h")), OK)
        self.assertEqual(os.stat(self.p("h")).st_ino, os.stat(self.p("f")).st_ino)
        self.assertEqual(os.stat(self.p("f")).st_nlink, 2)
        self.assertEqual(c.call_ext("hardlink@openssh.com", string("f") + string("g")), FAILURE)
        self.assertEqual(c.call_ext("hardlink@openssh.com", string("missing") + string("x")),
                         NO_SUCH_FILE)
        self.assertEqual(c.call_ext("hardlink@openssh.com", string("dir") + string("dl")),
                         PERMISSION_DENIED)   # EPERM: no hard links to directories

    def test_remove(self):
        c = self.session()
        self.assertEqual(c.call("REMOVE", string("link")), OK)
        self.assertFalse(os.path.lexists(self.p("link")))
        self.assertTrue(os.path.exists(self.p("f")))
        self.assertEqual(c.call("REMOVE", string("f")), OK)
        self.assertFalse(os.path.exists(self.p("f")))
        self.assertEqual(c.call("REMOVE", string("dir")), FAILURE)     # EISDIR
        self.assertEqual(c.call("REMOVE", string("missing")), NO_SUCH_FILE)
        self.assertTrue(os.path.isdir(self.p("dir")))


# --- extensions -------------------------------------------------------------------

class Extensions(SessionTestCase):
    def statvfs_reply(self, reply):
        kind, body = reply
        self.assertEqual(kind, "EXTENDED_REPLY")
        self.assertEqual(len(body), 11 * 8)
        r = Reader(body)
        return [r.u64() for _ in range(11)]

    def expected_statvfs(self, path):
        v = os.statvfs(path)
        flag = (1 if v.f_flag & os.ST_RDONLY else 0) | (2 if v.f_flag & os.ST_NOSUID else 0)
        return [v.f_bsize, v.f_frsize, v.f_blocks, v.f_bfree, v.f_bavail, v.f_files,
                v.f_ffree, v.f_favail, v.f_fsid, flag, v.f_namemax]

    def assertStatvfs(self, got, want):
        # free counts move while other processes write: allow a little drift
        for i, (g, w) in enumerate(zip(got, want)):
            if i in (3, 4, 6, 7):
                self.assertLessEqual(abs(g - w), max(w // 100, 1024), (i, got, want))
            else:
                self.assertEqual(g, w, (i, got, want))

    def test_statvfs_and_fstatvfs(self):
        write_file(self.p("f"), b"x")
        c = self.session()
        got = self.statvfs_reply(c.call_ext("statvfs@openssh.com", string("f")))
        self.assertStatvfs(got, self.expected_statvfs(self.p("f")))
        got = self.statvfs_reply(c.call_ext("statvfs@openssh.com", string("/proc")))
        self.assertStatvfs(got, self.expected_statvfs("/proc"))
        h = c.open("f", FXF["READ"])
        got = self.statvfs_reply(c.call_ext("fstatvfs@openssh.com", string(h)))
        self.assertStatvfs(got, self.expected_statvfs(self.p("f")))
        self.assertEqual(c.call_ext("statvfs@openssh.com", string("missing")), NO_SUCH_FILE)
        d = c.opendir(".")
        self.assertEqual(c.call_ext("fstatvfs@openssh.com", string(d)), FAILURE)
        c.close_handle(h)
        self.assertEqual(c.call_ext("fstatvfs@openssh.com", string(h)), FAILURE)

    def test_limits(self):
        for nofile in (1024, 64):
            c = self.session(nofile=nofile)
            kind, body = c.call_ext("limits@openssh.com")
            self.assertEqual(kind, "EXTENDED_REPLY")
            self.assertEqual(len(body), 32)
            r = Reader(body)
            packet, read, write, handles = r.u64(), r.u64(), r.u64(), r.u64()
            self.assertEqual((packet, read, write), (262144, 261120, 261120))
            self.assertGreater(handles, 0)
            self.assertLessEqual(handles, nofile - 5, "more handles than OpenSSH allows")

    def test_expand_path(self):
        os.mkdir(self.p("dir"))
        c = self.session()
        cases = {"": self.dir, ".": self.dir, "~": self.dir, "~/": self.dir,
                 "~/x": self.p("x"), "~/dir/../dir": self.p("dir"), "rel": self.p("rel"),
                 "dir/./": self.p("dir"), "/": "/", "/tmp/../etc": "/etc",
                 "~root": "/root", "~root/": "/root", "~root/.": "/root",
                 f"~{USER.name}": USER_HOME, f"~{USER.name}/sub": os.path.join(USER_HOME, "sub"),
                 f"~{USER.name}/new": os.path.join(USER_HOME, "new")}
        for path, want in cases.items():
            self.assertEqual(c.call_ext("expand-path@openssh.com", string(path)),
                             name_reply(want), path)
        self.assertEqual(c.call_ext("expand-path@openssh.com", string("~no-such-user-x")),
                         ("STATUS", 2, "no such user"))
        self.assertEqual(c.call_ext("expand-path@openssh.com", string("~no-such-user-x/f")),
                         ("STATUS", 2, "no such user"))
        for path in ("missing/x", "~/missing/x", f"~{USER.name}/no/such"):
            self.assertEqual(c.call_ext("expand-path@openssh.com", string(path)), NO_SUCH_FILE, path)

    def test_expand_path_tilde_is_the_start_directory(self):
        os.mkdir(self.p("start"))
        c = self.session("-d", self.p("start"))
        self.assertEqual(c.call_ext("expand-path@openssh.com", string("~")),
                         name_reply(self.p("start")))
        self.assertEqual(c.call_ext("expand-path@openssh.com", string("~/a")),
                         name_reply(self.p("start", "a")))

    def test_expand_path_as_unprivileged_user(self):
        c = self.session(user=USER.pw, cwd=USER_HOME)
        self.assertEqual(c.call_ext("expand-path@openssh.com", string("~")), name_reply(USER_HOME))
        self.assertEqual(c.call_ext("expand-path@openssh.com", string("~root")), name_reply("/root"))
        self.assertEqual(c.call_ext("expand-path@openssh.com", string(f"~{USER.name}/sub")),
                         name_reply(os.path.join(USER_HOME, "sub")))

    def test_home_directory(self):
        c = self.session()
        self.assertEqual(c.call_ext("home-directory", string("root")), name_reply("/root"))
        self.assertEqual(c.call_ext("home-directory", string("no-such-user-x")), FAILURE)
        c = self.session(user=USER.pw, cwd=USER_HOME)
        self.assertEqual(c.call_ext("home-directory", string(USER.name)), name_reply(USER_HOME))

    @differs_from_openssh("OpenSSH's PROTOCOL says an empty name means the current user; "
                          "its 9.2 server answers Failure (getpwnam(\"\") fails)")
    def test_home_directory_of_the_empty_name_is_the_current_users(self):
        c = self.session(user=USER.pw, cwd=USER_HOME)
        self.assertEqual(c.call_ext("home-directory", string("")), name_reply(USER_HOME))

    def users_groups(self, c, uids, gids):
        kind, body = c.call_ext("users-groups-by-id@openssh.com",
                                string(b"".join(map(u32, uids))) + string(b"".join(map(u32, gids))))
        self.assertEqual(kind, "EXTENDED_REPLY")
        r = Reader(body)
        unames, gnames = Reader(r.string()), Reader(r.string())
        self.assertEqual(r.rest(), b"")
        out = []
        for sub, n in ((unames, len(uids)), (gnames, len(gids))):
            out.append([sub.string().decode() for _ in range(n)])
            self.assertEqual(sub.rest(), b"")
        return out

    def test_users_groups_by_id(self):
        users, groups = user_names(), group_names()
        uids = [0, 65534, USER.uid, 4242424, 0]
        gids = [0, 65534, USER.gid, 4242424, 65534, 0]
        c = self.session()
        got_u, got_g = self.users_groups(c, uids, gids)
        self.assertEqual(got_u, [users.get(u, "") for u in uids])
        self.assertEqual(got_g, [groups.get(g, "") for g in gids])
        self.assertEqual(got_u[:3], ["root", users[65534], USER.name])
        self.assertEqual(got_u[3], "")
        self.assertEqual(self.users_groups(c, [], []), [[], []])
        self.assertEqual(self.users_groups(c, [0], []), [["root"], []])
        self.assertEqual(self.users_groups(c, [], [0]), [[], ["root"]])

    def test_copy_data(self):
        data = bytes(range(256)) * 1000
        write_file(self.p("src"), data)
        write_file(self.p("dst2"), b"=" * 20)
        c = self.session()
        src = c.open("src", FXF["READ"])
        dst = c.open("dst", WCT)
        # length 0: to the end of the file
        self.assertEqual(c.call_ext("copy-data", string(src) + u64(0) + u64(0) + string(dst) + u64(0)), OK)
        c.close_handle(dst)
        self.assertEqual(read_file(self.p("dst")), data)
        # a range into the middle of another file
        dst2 = c.open("dst2", FXF["WRITE"])
        self.assertEqual(c.call_ext("copy-data", string(src) + u64(5) + u64(10) + string(dst2) + u64(3)), OK)
        c.close_handle(dst2)
        self.assertEqual(read_file(self.p("dst2")), b"===" + data[5:15] + b"=" * 7)
        # an APPEND handle appends
        app = c.open("dst2", FXF["WRITE"] | FXF["APPEND"])
        self.assertEqual(c.call_ext("copy-data", string(src) + u64(0) + u64(2) + string(app) + u64(0)), OK)
        c.close_handle(app)
        self.assertEqual(read_file(self.p("dst2")), b"===" + data[5:15] + b"=" * 7 + data[:2])

    @differs_from_openssh("OpenSSH 9.2 answers Success for a copy that ends early unless the "
                          "shortfall spans one of its 64 KiB chunks; ours answers End of file "
                          "whenever the source ends before the requested length (what is "
                          "there is still copied), as a series of READs would end")
    def test_copy_data_past_the_end_copies_what_there_is_and_says_eof(self):
        data = bytes(range(256)) * 1000
        write_file(self.p("src"), data)
        c = self.session()
        src = c.open("src", FXF["READ"])
        dst = c.open("dst", WCT)
        self.assertEqual(c.call_ext("copy-data", string(src) + u64(len(data) - 4) + u64(100)
                                    + string(dst) + u64(0)), ("STATUS", 1, "End of file"))
        self.assertEqual(c.call_ext("copy-data", string(src) + u64(len(data) + 10) + u64(100)
                                    + string(dst) + u64(4)), ("STATUS", 1, "End of file"))
        c.close_handle(dst)
        self.assertEqual(read_file(self.p("dst")), data[-4:])

    def test_copy_data_refuses_same_handle_same_name_and_bad_handles(self):
        write_file(self.p("f"), b"abcdefgh")
        os.mkdir(self.p("d"))
        c = self.session()
        rw = c.open("f", FXF["READ"] | FXF["WRITE"])
        w = c.open("f", FXF["WRITE"])
        d = c.opendir("d")
        stale = c.open("f", FXF["READ"])
        c.close_handle(stale)
        for r_h, w_h in ((rw, rw), (rw, w), (d, w), (rw, d), (stale, w), (rw, stale)):
            self.assertEqual(c.call_ext("copy-data", string(r_h) + u64(0) + u64(4)
                                        + string(w_h) + u64(4)), FAILURE)
        self.assertEqual(read_file(self.p("f")), b"abcdefgh")

    @differs_from_openssh("OpenSSH 9.2 compares names, not inodes: it copies a file onto "
                          "itself through a hard link or another spelling of its name")
    def test_copy_data_refuses_same_file_under_another_name(self):
        write_file(self.p("f"), b"abcdefgh")
        os.link(self.p("f"), self.p("hard"))
        # OpenSSH 9.2 copies "until EOF" of a file onto itself forever: the
        # file-size limit stops such a server with EFBIG instead of a full disk
        c = self.session(fsize=1024 * 1024)
        for length in (8, 0):       # 0: until EOF
            for src_name, dst_name in (("f", "hard"), ("./f", "f"), ("f", self.p("f"))):
                src = c.open(src_name, FXF["READ"])
                dst = c.open(dst_name, FXF["WRITE"])
                self.assertEqual(c.call_ext("copy-data", string(src) + u64(0) + u64(length)
                                            + string(dst) + u64(4)), FAILURE,
                                 (src_name, dst_name, length))
                c.close_handle(src)
                c.close_handle(dst)
                self.assertEqual(read_file(self.p("f")), b"abcdefgh")

    @differs_from_openssh("OpenSSH 9.2 answers success when the read or write of copy-data's "
                          "last chunk fails (e.g. reading a write-only handle): nothing copied")
    def test_copy_data_reports_a_failed_read_or_write(self):
        write_file(self.p("src"), b"source data")
        write_file(self.p("dst"), b"destination")
        c = self.session()
        wo = c.open("src", FXF["WRITE"])
        ro = c.open("dst", FXF["READ"])
        ok_src = c.open("src", FXF["READ"])
        ok_dst = c.open("dst", FXF["WRITE"])
        for src, dst in ((wo, ok_dst), (ok_src, ro)):
            reply = c.call_ext("copy-data", string(src) + u64(0) + u64(5) + string(dst) + u64(0))
            self.assertEqual(reply[0], "STATUS")
            self.assertNotEqual(reply, OK, "nothing was copied")
        self.assertEqual(read_file(self.p("dst")), b"destination")
        self.assertEqual(read_file(self.p("src")), b"source data")

    def test_fsync(self):
        os.mkdir(self.p("d"))
        c = self.session()
        h = c.open("f", WC)
        self.assertEqual(c.write(h, 0, b"data"), (0, "Success"))
        self.assertEqual(c.call_ext("fsync@openssh.com", string(h)), OK)
        ro = c.open("f", FXF["READ"])
        self.assertEqual(c.call_ext("fsync@openssh.com", string(ro)), OK)
        d = c.opendir("d")
        self.assertEqual(c.call_ext("fsync@openssh.com", string(d)), NO_SUCH_FILE)
        c.close_handle(h)
        self.assertEqual(c.call_ext("fsync@openssh.com", string(h)), NO_SUCH_FILE)

    def test_unknown_extension(self):
        c = self.session()
        for name in ("foo@example.com", "posix-rename", "statvfs", "limits", "",
                     "check-file", "space-available", "copy-data@openssh.com"):
            self.assertEqual(c.call_ext(name, string("x")), OP_UNSUPPORTED, name)
        self.assertEqual(c.call("REALPATH", string("/")), name_reply("/"))


# --- paramiko ---------------------------------------------------------------------

class Paramiko(SessionTestCase):
    def client(self, **kw):
        server = self.start_server(cwd=self.dir, **kw)
        sftp = paramiko_client(server)
        self.addCleanup(sftp.close)
        return sftp

    def test_put_get_round_trip(self):
        data = random.Random(4).randbytes(8 * 1024 * 1024 + 123)
        write_file(self.p("local"), data)
        sftp = self.client()
        sftp.put(self.p("local"), "remote")
        self.assertEqual(read_file(self.p("remote")), data)
        sftp.get("remote", self.p("back"))
        self.assertEqual(read_file(self.p("back")), data)

    def test_prefetch_of_a_big_file(self):
        """paramiko 2.12's get() prefetches: a thread sends every READ of the
        file (2048 here) before the replies are read."""
        size = 64 * 1024 * 1024
        data = random.Random(5).randbytes(size)
        write_file(self.p("big"), data)
        sftp = self.client()
        start = time.monotonic()
        sftp.get("big", self.p("back"))
        self.assertLess(time.monotonic() - start, 120)
        self.assertEqual(hashlib.sha256(read_file(self.p("back"))).digest(),
                         hashlib.sha256(data).digest())

    def test_attributes_and_listing(self):
        write_file(self.p("f"), b"12345", 0o640)
        os.utime(self.p("f"), (1500000000, 1600000000))
        sftp = self.client()
        st = sftp.stat("f")
        real = os.stat(self.p("f"))
        self.assertEqual((st.st_size, st.st_uid, st.st_gid, st.st_mode, st.st_atime, st.st_mtime),
                         (5, real.st_uid, real.st_gid, real.st_mode, 1500000000, 1600000000))
        attrs_ = {a.filename: a for a in sftp.listdir_attr(".")}
        self.assertEqual(set(attrs_), {"f"})        # paramiko drops . and ..
        self.assertEqual(attrs_["f"].longname,
                         server_long_name("f", os.lstat(self.p("f"))))
        self.assertEqual(sftp.normalize("."), self.dir)
        self.assertEqual(sftp.getcwd(), None)

    def test_everyday_operations(self):
        sftp = self.client()
        with sftp.open("a", "w") as f:
            f.write(b"hello")
        sftp.chmod("a", 0o600)
        sftp.truncate("a", 2)
        sftp.utime("a", (1000000000, 1000000001))
        sftp.symlink("a", "link")
        self.assertEqual(sftp.readlink("link"), "a")
        sftp.mkdir("d", 0o750)
        sftp.rename("a", "d/b")
        st = os.stat(self.p("d", "b"))
        self.assertEqual((stat.S_IMODE(st.st_mode), st.st_size, int(st.st_mtime)),
                         (0o600, 2, 1000000001))
        self.assertEqual(stat.S_IMODE(os.stat(self.p("d")).st_mode), 0o750)
        write_file(self.p("c"), b"c")
        with self.assertRaises(IOError):
            sftp.rename("c", "d/b")             # v3 RENAME: target exists
        sftp.posix_rename("c", "d/b")
        self.assertEqual(read_file(self.p("d", "b")), b"c")
        with self.assertRaises(FileNotFoundError):
            sftp.stat("missing")
        sftp.remove("d/b")
        sftp.rmdir("d")
        sftp.remove("link")
        self.assertEqual(sorted(os.listdir(self.dir)), [])


# --- -R, -p, -P, -u, -d ---------------------------------------------------------

WRITING_EXTENSIONS = {n for n, (_, w) in EXTENSION_REQUEST_NAMES.items() if w}


class ReadOnly(SessionTestCase):
    server_options = ("-R",)

    def setUp(self):
        super().setUp()
        write_file(self.p("f"), b"content", 0o644)
        os.mkdir(self.p("d"))
        os.symlink("f", self.p("link"))
        self.before = self.snapshot()

    def snapshot(self):
        out = {}
        for root, dirs, files in os.walk(self.dir):
            for n in dirs + files:
                p = os.path.join(root, n)
                st = os.lstat(p)
                out[p] = (st.st_mode, st.st_size, st.st_mtime_ns, st.st_uid,
                          read_file(p) if stat.S_ISREG(st.st_mode) else None)
        return out

    def assertUnchanged(self):
        self.assertEqual(self.snapshot(), self.before)

    def test_writing_extensions_are_not_advertised(self):
        server = self.start_server("-R", cwd=self.dir)
        ver, exts = RawSftp(server.sock).init(3)
        self.assertEqual(exts, [e for e in OPENSSH_EXTENSIONS if e[0] not in WRITING_EXTENSIONS])

    def test_cve_2017_15906_no_file_created_or_truncated(self):
        """OpenSSH < 7.6 let a read-only session create empty files through
        OPEN with READ|CREAT."""
        c = self.session()
        for flags in (FXF["READ"] | FXF["CREAT"], FXF["READ"] | FXF["CREAT"] | FXF["EXCL"],
                      FXF["READ"] | FXF["CREAT"] | FXF["TRUNC"], FXF["CREAT"],
                      FXF["READ"] | FXF["TRUNC"], FXF["WRITE"], FXF["READ"] | FXF["WRITE"],
                      FXF["WRITE"] | FXF["APPEND"], FXF["TRUNC"]):
            self.assertEqual(c.call("OPEN", string("new") + u32(flags) + attrs(perm=0o644)),
                             PERMISSION_DENIED, flags)
            self.assertEqual(c.call("OPEN", string("f") + u32(flags) + NO_ATTRS),
                             PERMISSION_DENIED, flags)
        self.assertFalse(os.path.lexists(self.p("new")))
        self.assertUnchanged()

    def test_every_writing_request_is_refused(self):
        c = self.session()
        h = c.open("f", FXF["READ"])
        cases = [("WRITE", string(h) + u64(0) + string(b"x")),
                 ("SETSTAT", string("f") + attrs(perm=0o600)),
                 ("SETSTAT", string("f") + attrs(size=0)),
                 ("FSETSTAT", string(h) + attrs(perm=0o600)),
                 ("REMOVE", string("f")), ("MKDIR", string("new") + NO_ATTRS),
                 ("RMDIR", string("d")), ("RENAME", string("f") + string("g")),
                 ("SYMLINK", string("f") + string("l2"))]
        for kind, body in cases:
            self.assertEqual(c.call(kind, body), PERMISSION_DENIED, kind)
        w = c.open("f", FXF["READ"])
        for name, body in [
                ("posix-rename@openssh.com", string("f") + string("g")),
                ("hardlink@openssh.com", string("f") + string("g")),
                ("fsync@openssh.com", string(h)),
                ("lsetstat@openssh.com", string("link") + attrs(atime=1, mtime=1)),
                ("copy-data", string(h) + u64(0) + u64(0) + string(w) + u64(0))]:
            self.assertEqual(c.call_ext(name, body), PERMISSION_DENIED, name)
        self.assertUnchanged()

    def test_reading_requests_work(self):
        c = self.session()
        h = c.open("f", FXF["READ"])
        self.assertEqual(c.read(h, 0, 100), b"content")
        self.assertEqual(c.call("FSTAT", string(h))[0], "ATTRS")
        self.assertEqual(c.close_handle(h), (0, "Success"))
        h = c.open("f", FXF["READ"] | FXF["APPEND"])   # no write access: allowed
        self.assertEqual(c.close_handle(h), (0, "Success"))
        self.assertEqual(c.call("STAT", string("f"))[0], "ATTRS")
        self.assertEqual(c.call("LSTAT", string("link"))[0], "ATTRS")
        self.assertEqual(c.call("READLINK", string("link")), name_reply("f"))
        self.assertEqual(c.call("REALPATH", string("d")), name_reply(self.p("d")))
        d = c.opendir(".")
        self.assertEqual(len(c.readdir_all(d)), 5)
        for name, body in [("statvfs@openssh.com", string("f")), ("limits@openssh.com", b""),
                           ("expand-path@openssh.com", string("~")),
                           ("home-directory", string("root")),
                           ("users-groups-by-id@openssh.com", string(u32(0)) + string(u32(0)))]:
            self.assertNotEqual(c.call_ext(name, body)[0], "STATUS", name)
        self.assertUnchanged()


class RequestLists(SessionTestCase):
    def setUp(self):
        super().setUp()
        write_file(self.p("f"), b"content")
        os.mkdir(self.p("d"))

    def test_deny_list(self):
        server = self.start_server("-P", "remove,mkdir,posix-rename,statvfs", cwd=self.dir)
        c = RawSftp(server.sock)
        ver, exts = c.init(3)
        self.assertEqual(exts, [e for e in OPENSSH_EXTENSIONS
                                if e[0] not in ("posix-rename@openssh.com", "statvfs@openssh.com")])
        self.assertEqual(c.call("REMOVE", string("f")), PERMISSION_DENIED)
        self.assertEqual(c.call("MKDIR", string("new") + NO_ATTRS), PERMISSION_DENIED)
        self.assertEqual(c.call_ext("posix-rename@openssh.com", string("f") + string("g")),
                         PERMISSION_DENIED)
        self.assertEqual(c.call_ext("statvfs@openssh.com", string("f")), PERMISSION_DENIED)
        self.assertTrue(os.path.exists(self.p("f")))
        self.assertFalse(os.path.exists(self.p("new")))
        self.assertFalse(os.path.exists(self.p("g")))
        # everything else works
        self.assertEqual(c.call("RMDIR", string("d")), OK)
        self.assertEqual(c.call("RENAME", string("f") + string("g")), OK)
        self.assertEqual(c.call_ext("fstatvfs@openssh.com", string("x")), FAILURE)
        self.assertEqual(c.call_ext("nonexistent@example.com"), OP_UNSUPPORTED)

    def test_allow_list(self):
        server = self.start_server("-p", "open,close,read,stat,realpath,opendir,readdir,limits,statvfs",
                                   cwd=self.dir)
        c = RawSftp(server.sock)
        ver, exts = c.init(3)
        self.assertEqual(exts, [("statvfs@openssh.com", "2"), ("limits@openssh.com", "1")])
        self.assertEqual(c.call("STAT", string("f"))[0], "ATTRS")
        self.assertEqual(c.call("LSTAT", string("f")), PERMISSION_DENIED)
        self.assertEqual(c.call("MKDIR", string("new") + NO_ATTRS), PERMISSION_DENIED)
        self.assertEqual(c.call_ext("hardlink@openssh.com", string("f") + string("h")),
                         PERMISSION_DENIED)
        # "open" decides alone: it may create the file, while "write" is refused
        h = c.open("created", WC)
        self.assertTrue(os.path.exists(self.p("created")))
        self.assertEqual(c.write(h, 0, b"x"), (3, "Permission denied"))
        self.assertEqual(c.call("FSTAT", string(h)), PERMISSION_DENIED)
        self.assertEqual(c.close_handle(h), (0, "Success"))
        self.assertEqual(os.path.getsize(self.p("created")), 0)
        self.assertEqual(c.call_ext("limits@openssh.com")[0], "EXTENDED_REPLY")

    def test_deny_list_wins_over_allow_list(self):
        c = self.session("-p", "remove,stat", "-P", "remove")
        self.assertEqual(c.call("REMOVE", string("f")), PERMISSION_DENIED)
        self.assertEqual(c.call("STAT", string("f"))[0], "ATTRS")
        self.assertTrue(os.path.exists(self.p("f")))

    def test_R_with_allow_list_still_refuses_writes(self):
        server = self.start_server("-R", "-p", "open,close,write,remove,hardlink,stat", cwd=self.dir)
        c = RawSftp(server.sock)
        ver, exts = c.init(3)
        self.assertEqual(exts, [])
        self.assertEqual(c.call("REMOVE", string("f")), PERMISSION_DENIED)
        self.assertEqual(c.call("OPEN", string("g") + u32(WC) + NO_ATTRS), PERMISSION_DENIED)
        self.assertFalse(os.path.exists(self.p("g")))
        self.assertTrue(os.path.exists(self.p("f")))


class Umask(SessionTestCase):
    def test_u_sets_the_umask(self):
        for option, fmode, dmode in (("027", 0o640, 0o750), ("0", 0o666, 0o777),
                                     ("0077", 0o600, 0o700), ("7", 0o660, 0o770)):
            c = self.session("-u", option, umask=0o022)
            f, d = f"f{option}", f"d{option}"
            c.close_handle(c.open(f, WC))
            self.assertEqual(c.call("MKDIR", string(d) + NO_ATTRS), OK)
            self.assertEqual(stat.S_IMODE(os.stat(self.p(f)).st_mode), fmode, option)
            self.assertEqual(stat.S_IMODE(os.stat(self.p(d)).st_mode), dmode, option)
            # setstat is a chmod: no umask
            self.assertEqual(c.call("SETSTAT", string(f) + attrs(perm=0o666)), OK)
            self.assertEqual(stat.S_IMODE(os.stat(self.p(f)).st_mode), 0o666)


class StartDirectory(SessionTestCase):
    def realpath(self, *options, **kw):
        c = self.session(*options, **kw)
        return c.call("REALPATH", string("."))

    def test_absolute(self):
        os.mkdir(self.p("start"))
        self.assertEqual(self.realpath("-d", self.p("start")), name_reply(self.p("start")))

    def test_percent_d_and_u_as_root(self):
        self.assertEqual(self.realpath("-d", "%d"), name_reply("/root"))
        os.mkdir(self.p("root"))
        self.assertEqual(self.realpath("-d", "%u"), name_reply(self.p("root")))
        os.mkdir(self.p("a%b"))
        self.assertEqual(self.realpath("-d", self.p("a%%b")), name_reply(self.p("a%b")))

    def test_percent_d_and_u_as_user(self):
        kw = dict(user=USER.pw, cwd=USER_HOME)
        self.assertEqual(self.realpath("-d", "%d/sub", **kw),
                         name_reply(os.path.join(USER_HOME, "sub")))
        os.mkdir(self.p(USER.name))
        self.assertEqual(self.realpath("-d", self.dir + "/%u", **kw), name_reply(self.p(USER.name)))
        self.assertEqual(self.realpath("-d", "~/sub", **kw), name_reply(os.path.join(USER_HOME, "sub")))

    def test_missing_start_directory_keeps_the_working_directory(self):
        self.assertEqual(self.realpath("-d", self.p("missing")), name_reply(self.dir))


if __name__ == "__main__":
    tap.main()
