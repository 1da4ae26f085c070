"""Start an SFTP server as a child process and talk to it over a socketpair,
as `sftp -D` does: paramiko for high-level checks, RawSftp for exact bytes."""
import grp
import os
import pwd
import re
import resource
import select
import shutil
import signal
import socket
import stat
import struct
import subprocess
import tempfile
import threading
import time
import unittest

import paramiko


class ServerProcess:
    """A server child whose stdin/stdout is one end of a socketpair.

    Its stderr (when not redirected by the caller) is drained by a thread, so a
    chatty server (-e -l DEBUG3, a sanitizer report) never blocks on a full
    pipe; close() returns everything it wrote."""

    def __init__(self, argv, cwd=None, env=None, preexec_fn=None, stderr=None,
                 pass_fds=()):
        self.sock, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.argv = list(argv)
        self.killed = False
        self.proc = subprocess.Popen(
            argv, stdin=child, stdout=child,
            stderr=stderr if stderr is not None else subprocess.PIPE,
            cwd=cwd, env=env if env is not None else {"PATH": "/usr/bin:/bin"},
            preexec_fn=preexec_fn, close_fds=True, pass_fds=pass_fds)
        child.close()
        self._err_chunks = []
        self._err_thread = None
        if self.proc.stderr is not None:
            self._err_thread = threading.Thread(target=self._drain_stderr, daemon=True)
            self._err_thread.start()

    def _drain_stderr(self):
        while True:
            chunk = self.proc.stderr.read1(65536)
            if not chunk:
                return
            self._err_chunks.append(chunk)

    def stderr_text(self):
        """What the server wrote to stderr so far."""
        return b"".join(self._err_chunks).decode(errors="replace")

    def wait_exit(self, timeout=10):
        """Wait for the server to exit on its own; its exit status, or None."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def close(self, timeout=10):
        """Close our end, wait for the exit (killing after `timeout` s) and
        return (exit status, stderr text). Safe to call more than once."""
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.killed = True
            self.proc.kill()
            self.proc.wait()
        if self._err_thread is not None:
            self._err_thread.join(timeout=10)
        if self.proc.stderr:
            self.proc.stderr.close()
        return self.proc.returncode, self.stderr_text()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _SocketChannel:
    """What paramiko's SFTPClient needs of a Channel, over a plain socket
    (paramiko 2.12 calls get_name(), which a socket lacks)."""

    def __init__(self, sock, name="sftp-server"):
        self.sock, self.name = sock, name

    def send(self, data):
        return self.sock.send(data)

    def recv(self, n):
        return self.sock.recv(n)

    def recv_ready(self):
        return bool(select.select([self.sock], [], [], 0)[0])

    def close(self):
        pass  # the ServerProcess owns the socket

    def get_name(self):
        return self.name


def paramiko_client(server, timeout=30):
    """A paramiko SFTPClient over the server's socket (sends INIT). A server
    that stops answering makes a call raise socket.timeout after `timeout` s."""
    server.sock.settimeout(timeout)
    return paramiko.SFTPClient(_SocketChannel(server.sock))


# --- raw protocol, for byte-exact checks ---------------------------------

FXP = dict(INIT=1, VERSION=2, OPEN=3, CLOSE=4, READ=5, WRITE=6, LSTAT=7, FSTAT=8,
           SETSTAT=9, FSETSTAT=10, OPENDIR=11, READDIR=12, REMOVE=13, MKDIR=14,
           RMDIR=15, REALPATH=16, STAT=17, RENAME=18, READLINK=19, SYMLINK=20,
           STATUS=101, HANDLE=102, DATA=103, NAME=104, ATTRS=105,
           EXTENDED=200, EXTENDED_REPLY=201)
FX = dict(OK=0, EOF=1, NO_SUCH_FILE=2, PERMISSION_DENIED=3, FAILURE=4,
          BAD_MESSAGE=5, NO_CONNECTION=6, CONNECTION_LOST=7, OP_UNSUPPORTED=8)
FXF = dict(READ=1, WRITE=2, APPEND=4, CREAT=8, TRUNC=16, EXCL=32)


def u32(v):
    return struct.pack(">I", v)


def u64(v):
    return struct.pack(">Q", v)


def string(b):
    if isinstance(b, str):
        b = b.encode()
    return u32(len(b)) + b


class Reader:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def u8(self):
        v = self.data[self.pos]
        self.pos += 1
        return v

    def u32(self):
        v, = struct.unpack_from(">I", self.data, self.pos)
        self.pos += 4
        return v

    def u64(self):
        v, = struct.unpack_from(">Q", self.data, self.pos)
        self.pos += 8
        return v

    def string(self):
        n = self.u32()
        v = self.data[self.pos:self.pos + n]
        if len(v) != n:
            raise ValueError("truncated string")
        self.pos += n
        return v

    def attrs(self):
        flags = self.u32()
        a = {"flags": flags}
        if flags & 1:
            a["size"] = self.u64()
        if flags & 2:
            a["uid"], a["gid"] = self.u32(), self.u32()
        if flags & 4:
            a["perm"] = self.u32()
        if flags & 8:
            a["atime"], a["mtime"] = self.u32(), self.u32()
        if flags & 0x80000000:
            for _ in range(self.u32()):
                a.setdefault("ext", []).append((self.string(), self.string()))
        return a

    def rest(self):
        return self.data[self.pos:]


class RawSftp:
    """Speaks SFTP packets by hand over a socket."""

    def __init__(self, sock, timeout=30):
        self.sock = sock
        self.sock.settimeout(timeout)
        self.next_id = 1

    def send_packet(self, payload):
        self.sock.sendall(u32(len(payload)) + payload)

    def recv_exact(self, n):
        buf = bytearray()
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise EOFError("server closed the connection")
            buf += chunk
        return bytes(buf)

    def recv_packet(self):
        length, = struct.unpack(">I", self.recv_exact(4))
        return self.recv_exact(length)

    def init(self, version=3, extensions=()):
        body = bytes([FXP["INIT"]]) + u32(version)
        for name, data in extensions:
            body += string(name) + string(data)
        self.send_packet(body)
        r = Reader(self.recv_packet())
        assert r.u8() == FXP["VERSION"]
        ver = r.u32()
        exts = []
        while r.pos < len(r.data):
            exts.append((r.string().decode(), r.string().decode()))
        return ver, exts

    def request(self, kind, body):
        """Send one request; return (type, Reader positioned after the id)."""
        rid = self.next_id
        self.next_id += 1
        self.send_packet(bytes([FXP[kind]]) + u32(rid) + body)
        return self.reply(rid)

    def reply(self, rid):
        r = Reader(self.recv_packet())
        kind = r.u8()
        got = r.u32()
        if got != rid:
            raise AssertionError(f"reply id {got}, expected {rid}")
        return kind, r

    def extended(self, name, body=b""):
        return self.request("EXTENDED", string(name) + body)

    @staticmethod
    def status(kind, r):
        """(code, message) of a STATUS reply."""
        assert kind == FXP["STATUS"], f"expected STATUS, got {kind}"
        code = r.u32()
        msg = r.string().decode()
        r.string()
        return code, msg

    # -- pipelining: send now, collect replies later --------------------------

    def send(self, kind, body):
        """Send one request without waiting; return its id."""
        rid = self.next_id
        self.next_id += 1
        self.send_packet(bytes([FXP[kind]]) + u32(rid) + body)
        return rid

    def send_extended(self, name, body=b""):
        return self.send("EXTENDED", string(name) + body)

    def recv_reply(self):
        """The next reply packet: (type, id, Reader positioned after the id)."""
        r = Reader(self.recv_packet())
        kind = r.u8()
        return kind, r.u32(), r

    def no_reply_within(self, seconds):
        """True when the server sends nothing (and keeps the connection open)
        for `seconds`; False when a byte arrives or the connection ends."""
        old = self.sock.gettimeout()
        self.sock.settimeout(seconds)
        try:
            self.sock.recv(1, socket.MSG_PEEK)
            return False  # a byte, or b"" at end of stream
        except socket.timeout:
            return True
        finally:
            self.sock.settimeout(old)

    def call(self, kind, body):
        """Send one request and return its reply decoded (see decode_reply)."""
        return decode_reply(*self.request(kind, body))

    def call_ext(self, name, body=b""):
        """An EXTENDED request, reply decoded."""
        return decode_reply(*self.extended(name, body))

    # -- typed helpers: each returns the reply decoded ---------------------------

    def expect_status(self, kind, r):
        code, msg = self.status(kind, r)
        return code, msg

    def open(self, path, flags, attrs=b"\0\0\0\0"):
        """HANDLE bytes, or raises StatusError."""
        kind, r = self.request("OPEN", string(path) + u32(flags) + attrs)
        return self.handle_or_raise(kind, r)

    def opendir(self, path):
        kind, r = self.request("OPENDIR", string(path))
        return self.handle_or_raise(kind, r)

    def handle_or_raise(self, kind, r):
        if kind == FXP["HANDLE"]:
            return r.string()
        raise StatusError(*self.status(kind, r))

    def close_handle(self, handle):
        return self.status(*self.request("CLOSE", string(handle)))

    def write(self, handle, offset, data):
        return self.status(*self.request("WRITE", string(handle) + u64(offset) + string(data)))

    def read(self, handle, offset, length):
        """bytes on DATA; (code, message) on STATUS."""
        kind, r = self.request("READ", string(handle) + u64(offset) + u32(length))
        if kind == FXP["DATA"]:
            return r.string()
        return self.status(kind, r)

    def readdir_all(self, handle, limit=100000):
        """Every (name, longname, attrs) of an open directory, until EOF."""
        entries = []
        for _ in range(limit):
            kind, r = self.request("READDIR", string(handle))
            if kind == FXP["STATUS"]:
                code, msg = self.status(kind, r)
                if code != FX["EOF"]:
                    raise StatusError(code, msg)
                return entries
            entries.extend(parse_names(kind, r))
        raise AssertionError("READDIR never reached EOF")


class StatusError(Exception):
    """A STATUS reply where a HANDLE/DATA/NAME/ATTRS was expected."""

    def __init__(self, code, message):
        super().__init__(f"status {code} {message!r}")
        self.code, self.message = code, message


def run_as(uid, gid):
    """preexec_fn that drops to uid/gid (tests run as root; EACCES needs a user)."""
    def drop():
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
    return drop


# --- more wire helpers ------------------------------------------------------

def attrs(size=None, uid=None, gid=None, perm=None, atime=None, mtime=None):
    """An ATTRS block with exactly the given fields."""
    flags, body = 0, b""
    if size is not None:
        flags |= 1
        body += u64(size)
    if uid is not None or gid is not None:
        flags |= 2
        body += u32(uid) + u32(gid)
    if perm is not None:
        flags |= 4
        body += u32(perm)
    if atime is not None or mtime is not None:
        flags |= 8
        body += u32(atime) + u32(mtime)
    return u32(flags) + body


NO_ATTRS = attrs()


def decode_reply(kind, r):
    """A reply as a comparable tuple: ("STATUS", code, message),
    ("HANDLE", bytes), ("DATA", bytes), ("NAME", [(name, longname, attrs)]),
    ("ATTRS", dict), ("EXTENDED_REPLY", bytes). Trailing bytes in a reply and a
    non-empty language tag are errors."""
    names = {v: k for k, v in FXP.items()}
    name = names.get(kind, f"TYPE{kind}")
    if kind == FXP["STATUS"]:
        code = r.u32()
        msg = r.string().decode(errors="replace")
        lang = r.string()
        if lang:
            raise AssertionError(f"STATUS with language tag {lang!r}")
        value = (name, code, msg)
    elif kind in (FXP["HANDLE"], FXP["DATA"]):
        value = (name, r.string())
    elif kind == FXP["NAME"]:
        value = (name, parse_names(kind, r))
    elif kind == FXP["ATTRS"]:
        value = (name, r.attrs())
    else:
        return (name, r.rest())
    if r.rest():
        raise AssertionError(f"{name} reply has {len(r.rest())} trailing bytes")
    return value


def status_reply(code, message=None):
    """The decoded STATUS reply OpenSSH sends for `code`."""
    return ("STATUS", code, STATUS_MESSAGES[code] if message is None else message)


def parse_names(kind, r):
    """[(name, longname, attrs)] of a NAME reply (bytes, bytes, dict)."""
    assert kind == FXP["NAME"], f"expected NAME, got {kind}"
    return [(r.string(), r.string(), r.attrs()) for _ in range(r.u32())]


def stat_attrs(st):
    """The ATTRS dict a server must send for an os.stat_result (OpenSSH's
    stat_to_attrib: every v3 field, times truncated to seconds)."""
    return {"flags": 0xF, "size": st.st_size, "uid": st.st_uid, "gid": st.st_gid,
            "perm": st.st_mode, "atime": int(st.st_atime) & 0xFFFFFFFF,
            "mtime": int(st.st_mtime) & 0xFFFFFFFF}


# --- names and `ls -l` long names, as OpenSSH's ls_file() prints them --------

def _first_ids(path, id_field):
    names = {}
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            for line in f:
                fields = line.rstrip("\n").split(":")
                if len(fields) <= id_field or not fields[0] or fields[0][0] in "+-#":
                    continue
                try:
                    names.setdefault(int(fields[id_field]), fields[0])
                except ValueError:
                    pass
    except OSError:
        pass
    return names


def user_names():
    """uid -> name from /etc/passwd read as a file (first entry wins)."""
    return _first_ids("/etc/passwd", 2)


def group_names():
    """gid -> name from /etc/group read as a file (first entry wins)."""
    return _first_ids("/etc/group", 2)


def strmode(mode):
    """OpenBSD strmode(): ten characters and a trailing space."""
    kind = {stat.S_IFDIR: "d", stat.S_IFCHR: "c", stat.S_IFBLK: "b", stat.S_IFREG: "-",
            stat.S_IFLNK: "l", stat.S_IFSOCK: "s", stat.S_IFIFO: "p"}.get(
                stat.S_IFMT(mode), "?")

    def triple(r, w, x, special, set_char):
        s = ("r" if mode & r else "-") + ("w" if mode & w else "-")
        if mode & special:
            s += set_char if mode & x else set_char.upper()
        else:
            s += "x" if mode & x else "-"
        return s
    return (kind + triple(stat.S_IRUSR, stat.S_IWUSR, stat.S_IXUSR, stat.S_ISUID, "s")
            + triple(stat.S_IRGRP, stat.S_IWGRP, stat.S_IXGRP, stat.S_ISGID, "s")
            + triple(stat.S_IROTH, stat.S_IWOTH, stat.S_IXOTH, stat.S_ISVTX, "t") + " ")


def ls_time(mtime, now=None):
    """The date column: "%b %e %H:%M" within the last half year, else "%b %e  %Y".
    The servers under test run with the machine's zone; tests run them with TZ
    unset, so this uses the local zone too."""
    now = time.time() if now is None else now
    tm = time.localtime(mtime)
    if now - (365 * 24 * 60 * 60) / 2 < mtime <= now:
        return time.strftime("%b %e %H:%M", tm)
    return time.strftime("%b %e  %Y", tm)


def ls_long(name, st, user=None, group=None, remote=False, now=None):
    """OpenSSH ls_file(): the server's long name (remote=False: link count and
    names, numbers when a name is unknown) or the sftp client's (remote=True:
    "?" for the link count)."""
    if user is None:
        user = str(st.st_uid)
    if group is None:
        group = str(st.st_gid)
    links = "?" if remote else str(st.st_nlink)
    return "%s %3s %-*s %-*s %8d %s %s" % (
        strmode(st.st_mode), links, max(len(user), 8), user, max(len(group), 8), group,
        st.st_size, ls_time(st.st_mtime, now), name)


def server_long_name(name, st, users=None, groups=None, now=None):
    """The long name a server that knows /etc/passwd and /etc/group sends."""
    users = user_names() if users is None else users
    groups = group_names() if groups is None else groups
    return ls_long(name, st, users.get(st.st_uid), groups.get(st.st_gid), now=now)


# --- the server under test, OpenSSH's reference, deliberate differences ------

OPENSSH_SERVER = "/usr/lib/openssh/sftp-server"

# Exit status the sanitizer builds use (tests/run.py sets exitcode=86).
SANITIZER_EXIT = 86
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer",
                     "AddressSanitizer:DEADLYSIGNAL", "runtime error:",
                     "UndefinedBehaviorSanitizer", "SUMMARY: AddressSanitizer")
# Passed through to servers: sanitizer options, and TZ (long names show local
# time; the tests compute them in their own zone).
SANITIZER_ENV = ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "ASAN_SYMBOLIZER_PATH", "TZ")

# OpenSSH 9.2's VERSION reply: protocol 3 and these extensions, in this order.
OPENSSH_EXTENSIONS = [
    ("posix-rename@openssh.com", "1"), ("statvfs@openssh.com", "2"),
    ("fstatvfs@openssh.com", "2"), ("hardlink@openssh.com", "1"),
    ("fsync@openssh.com", "1"), ("lsetstat@openssh.com", "1"),
    ("limits@openssh.com", "1"), ("expand-path@openssh.com", "1"),
    ("copy-data", "1"), ("home-directory", "1"),
    ("users-groups-by-id@openssh.com", "1"),
]
# -Q requests names of those extensions, and whether they write (-R refuses).
EXTENSION_REQUEST_NAMES = {
    "posix-rename@openssh.com": ("posix-rename", True),
    "statvfs@openssh.com": ("statvfs", False), "fstatvfs@openssh.com": ("fstatvfs", False),
    "hardlink@openssh.com": ("hardlink", True), "fsync@openssh.com": ("fsync", True),
    "lsetstat@openssh.com": ("lsetstat", True), "limits@openssh.com": ("limits", False),
    "expand-path@openssh.com": ("expand-path", False), "copy-data": ("copy-data", True),
    "home-directory": ("home-directory", False),
    "users-groups-by-id@openssh.com": ("users-groups-by-id", False),
}
MAX_PACKET = 256 * 1024
MAX_READ = MAX_PACKET - 1024


def server_under_test():
    import tap
    return tap.ARGS.server


def is_openssh(path=None):
    """True when `path` (default: the server under test) is OpenSSH's."""
    path = server_under_test() if path is None else path
    try:
        return os.path.samefile(path, OPENSSH_SERVER)
    except OSError:
        return os.path.realpath(path) == os.path.realpath(OPENSSH_SERVER)


def differs_from_openssh(reason):
    """Mark a test (or TestCase class) as checking one of our deliberate
    differences from OpenSSH 9.2. Against OpenSSH's server such a test is
    excluded (load_tests prints which and why); against ours it always runs."""
    def mark(obj):
        obj.differs_from_openssh = reason
        return obj
    return mark


def _iter_cases(suite):
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from _iter_cases(item)
        else:
            yield item


def load_tests(loader, tests, pattern):
    """unittest's load_tests hook: import it into a suite module
    (`from sftp_process import load_tests`) to honour differs_from_openssh."""
    if not is_openssh() or os.environ.get("SFTPSH_IT_RUN_DIFFERENCES") == "1":
        return tests   # the latter: to see them fail against OpenSSH's server
    kept = unittest.TestSuite()
    for case in _iter_cases(tests):
        method = getattr(case, getattr(case, "_testMethodName", ""), None)
        reason = (getattr(method, "differs_from_openssh", None)
                  or getattr(type(case), "differs_from_openssh", None))
        if reason:
            print(f"# excluded against OpenSSH's server (deliberate difference): "
                  f"{case.id().split('.', 1)[-1]}: {reason}", flush=True)
        else:
            kept.addTest(case)
    return kept


def server_env(extra=None):
    """The minimal environment servers run with, plus sanitizer options and TZ."""
    env = {"PATH": "/usr/bin:/bin"}
    for key in SANITIZER_ENV:
        if key in os.environ:
            env[key] = os.environ[key]
    env.update(extra or {})
    return env


def preexec(uid=None, gid=None, nofile=None, umask=None, fsize=None):
    """preexec_fn: optional RLIMIT_NOFILE, RLIMIT_FSIZE (with SIGXFSZ
    ignored, so an over-long write fails with EFBIG), umask, then drop to
    uid/gid."""
    def run():
        if nofile is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))
        if fsize is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
        if umask is not None:
            os.umask(umask)
        if uid is not None:
            os.setgroups([])
            os.setresgid(gid, gid, gid)
            os.setresuid(uid, uid, uid)
    return run


def crash_report(returncode, stderr, expect_exit=0, what="server"):
    """None when the exit is as expected, else a message. A crash (signal,
    sanitizer report or the sanitizer exit status) is never as expected.
    expect_exit: an int, "nonzero", or None (any exit without a crash)."""
    problems = []
    if returncode is None:
        problems.append(f"{what} did not exit")
    elif returncode < 0:
        problems.append(f"{what} killed by signal {-returncode}")
    elif returncode == SANITIZER_EXIT:
        problems.append(f"{what} exited {SANITIZER_EXIT} (sanitizer exit status)")
    elif returncode >= 128 + 1 and returncode <= 128 + 31 and expect_exit != returncode:
        problems.append(f"{what} exited {returncode} (a signal through a shell?)")
    for marker in SANITIZER_MARKERS:
        if marker in stderr:
            problems.append(f"{what} stderr has a sanitizer report ({marker!r})")
            break
    if not problems and returncode is not None:
        if expect_exit == "nonzero" and returncode == 0:
            problems.append(f"{what} exited 0, expected a non-zero status")
        elif isinstance(expect_exit, int) and returncode != expect_exit:
            problems.append(f"{what} exited {returncode}, expected {expect_exit}")
    if problems:
        tail = stderr[-4000:]
        return "; ".join(problems) + (f"\n--- {what} stderr ---\n{tail}" if tail else "")
    return None


def rmtree(path):
    """shutil.rmtree that also removes what tests made unreadable."""
    def fix(func, p, exc):
        try:
            os.chmod(os.path.dirname(p), 0o700)
            if os.path.isdir(p) and not os.path.islink(p):
                os.chmod(p, 0o700)
            func(p)
        except OSError:
            pass
    if os.path.lexists(path):
        shutil.rmtree(path, onerror=fix)
        if os.path.lexists(path):
            subprocess.run(["rm", "-rf", "--", path], check=False)


# --- a private /dev (and /dev/log) per server ------------------------------------

class PrivateDev:
    """What a server's private /dev is made from: a directory of the test with
    a mount point and, with syslog=True, a datagram socket standing in for
    /dev/log that collects what the server logs (drain())."""

    def __init__(self, syslog=True):
        self.dir = tempfile.mkdtemp(prefix="sftpsh-it-dev.")
        os.chmod(self.dir, 0o755)
        os.mkdir(os.path.join(self.dir, "dev"))
        self.sock = None
        self.datagrams = []
        self._stop = threading.Event()
        self._thread = None
        if syslog:
            self.path = os.path.join(self.dir, "log")
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            self.sock.bind(self.path)
            os.chmod(self.path, 0o666)
            self.sock.settimeout(0.05)
            # read all the time: a unix datagram socket queues only ~10
            # datagrams, then a logging server blocks in send()
            self._thread = threading.Thread(target=self._receive, daemon=True)
            self._thread.start()

    def _receive(self):
        while not self._stop.is_set():
            try:
                self.datagrams.append(self.sock.recv(65536))
            except socket.timeout:
                continue
            except OSError:
                return

    def drain(self, settle=0.1):
        """Every datagram received so far (bytes), in order, after waiting
        `settle` seconds for stragglers."""
        time.sleep(settle if self.sock is not None else 0)
        return list(self.datagrams)

    def close(self):
        if self._thread is not None:
            self._stop.set()
            self._thread.join(timeout=5)
            self._thread = None
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        shutil.rmtree(self.dir, ignore_errors=True)


# Runs "$@" in a private mount namespace whose /dev is a fresh tmpfs holding
# only null, zero, full, random and urandom (bound from the machine's) and,
# if $2 is "yes", log bound to the test's socket $1/log. Whatever the machine
# has at /dev/log (other suites create and remove one), the server's syslog is
# the test's. The wrapper execs: the pid is the server's.
_PRIVATE_DEV = (
    'd=$1; log=$2; shift 2; '
    'mount -t tmpfs -o mode=755 sftpsh-it-dev "$d/dev" || exit 96; '
    'for n in null zero full random urandom; do '
    ': >"$d/dev/$n" && mount --bind "/dev/$n" "$d/dev/$n" || exit 96; done; '
    'if [ "$log" = yes ]; then : >"$d/dev/log" && mount --bind "$d/log" "$d/dev/log" || exit 96; fi; '
    'mount --move "$d/dev" /dev || exit 96; '
    'exec "$@"')


def private_dev_argv(argv, pdev, uid=None, gid=None):
    """argv wrapped to run with a private /dev made from `pdev` (a
    PrivateDev), dropping to uid/gid after the mounts."""
    drop = []
    if uid is not None:
        drop = ["/usr/bin/setpriv", f"--reuid={uid}", f"--regid={gid}", "--clear-groups", "--"]
    return ["/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
            _PRIVATE_DEV, "private-dev", pdev.dir, "yes" if pdev.sock else "no", *drop, *argv]


def private_dev_shell(argv, pdev, uid=None, gid=None):
    """The same as one shell command line (for wrapper scripts)."""
    import shlex
    return " ".join(shlex.quote(a) for a in private_dev_argv(argv, pdev, uid, gid))


SYSLOG_RE = re.compile(rb"^<(\d+)>(\w{3} [ \d]\d \d\d:\d\d:\d\d) ([^\[: ]+)\[(\d+)\]: (.*)$", re.S)


class ServerTestCase(unittest.TestCase):
    """Base class of the integration suites: every server a test starts is
    closed after the test and its exit status and stderr checked, so a crash
    or sanitizer report fails the test that caused it."""

    def start_server(self, *options, cwd=None, user=None, nofile=None, umask=0o022,
                     expect_exit=0, binary=None, env=None, argv=None, fsize=None,
                     syslog=True):
        """Start the server under test (or `binary`) over a socketpair.
        user: a pwd entry (or (uid, gid)) to run as. expect_exit: see
        crash_report(); checked when the test ends. syslog: the server gets
        a private /dev with /dev/log bound to a socket of the test
        (server.dev, a PrivateDev); False: a private /dev without /dev/log;
        None: the machine's /dev as it is. argv: run exactly this instead
        (no private /dev, no user change: the caller does it)."""
        uid = gid = None
        if user is not None:
            uid, gid = (user.pw_uid, user.pw_gid) if hasattr(user, "pw_uid") else user
        pdev = None
        if argv is not None:
            name = os.path.basename(argv[0])
        else:
            name = os.path.basename(binary or server_under_test())
            argv = [binary or server_under_test(), *options]
            if syslog and os.environ.get("SFTPSH_IT_NO_DEV_LOG") == "1":
                syslog = False             # diagnosis: is it the logging path?
            if syslog is not None:
                pdev = self.private_dev(syslog)
                argv = private_dev_argv(argv, pdev, uid, gid)
                uid = gid = None           # the wrapper drops after mounting
        server = ServerProcess(argv, cwd=cwd, env=server_env(env),
                               preexec_fn=preexec(uid, gid, nofile, umask, fsize))
        server.name, server.dev = name, pdev
        self.addCleanup(self.finish_server, server, expect_exit)
        return server

    def private_dev(self, syslog=True):
        """A PrivateDev removed after the test (see private_dev_argv)."""
        pdev = PrivateDev(syslog)
        self.addCleanup(pdev.close)
        return pdev

    def finish_server(self, server, expect_exit=0):
        """Close the server (if still open) and check how it ended."""
        if getattr(server, "finished", False):
            return
        server.finished = True
        rc, err = server.close()
        if server.killed:
            report = f"server {server.argv} did not exit within 10 s of EOF; killed\n{err[-4000:]}"
        else:
            report = crash_report(rc, err, expect_exit,
                                  what=f"server {getattr(server, 'name', server.argv[0])}")
        if not report:
            return
        if getattr(self, "_test_failed", False):
            # the test has failed already: one "not ok" per test, this as detail
            for line in ("and then: " + report).splitlines():
                print(f"#   {line}", flush=True)
            return
        self.fail(report)

    # Remember whether the test itself failed, so that a server check after
    # it adds detail instead of a second "not ok" (Python 3.11's unittest).
    def _callSetUp(self):
        try:
            super()._callSetUp()
        except BaseException:
            self._test_failed = True
            raise

    def _callTestMethod(self, method):
        try:
            return super()._callTestMethod(method)
        except BaseException:
            self._test_failed = True
            raise

    def raw(self, server, version=3):
        """A RawSftp over `server`, initialised; returns (client, version, extensions)."""
        client = RawSftp(server.sock)
        ver, exts = client.init(version)
        return client, ver, exts

    def raw_session(self, *options, **kw):
        """Start a server and return an initialised RawSftp on it."""
        server = self.start_server(*options, **kw)
        client, _, _ = self.raw(server)
        return client

    def make_tempdir(self, owner=None, mode=0o755, base=None):
        """A fresh directory removed after the test (also on failure)."""
        path = tempfile.mkdtemp(prefix="sftpsh-it.", dir=base)
        os.chmod(path, mode)
        if owner is not None:
            uid, gid = (owner.pw_uid, owner.pw_gid) if hasattr(owner, "pw_uid") else owner
            os.chown(path, uid, gid)
        self.addCleanup(rmtree, path)
        return path

    def assertStatus(self, reply, code, message=None):
        """reply: (kind, Reader) from RawSftp.request, or (code, message)."""
        if len(reply) == 2 and isinstance(reply[0], int) and isinstance(reply[1], Reader):
            got = RawSftp.status(*reply)
        else:
            got = tuple(reply)
        want_msg = message if message is not None else STATUS_MESSAGES.get(code)
        self.assertEqual(got, (code, want_msg))


STATUS_MESSAGES = {0: "Success", 1: "End of file", 2: "No such file", 3: "Permission denied",
                   4: "Failure", 5: "Bad message", 6: "No connection", 7: "Connection lost",
                   8: "Operation unsupported"}
OK = ("STATUS", 0, "Success")
EOF_ = ("STATUS", 1, "End of file")
NO_SUCH_FILE = ("STATUS", 2, "No such file")
PERMISSION_DENIED = ("STATUS", 3, "Permission denied")
FAILURE = ("STATUS", 4, "Failure")
BAD_MESSAGE = ("STATUS", 5, "Bad message")
OP_UNSUPPORTED = ("STATUS", 8, "Operation unsupported")


# --- a throwaway unprivileged user --------------------------------------------

TEST_USER = "sftpsh-it-user"


class TestUser:
    """Creates TEST_USER (and its group) with `home` (or points a leftover of
    an interrupted run there) and removes both on remove(). The name is ours
    alone. Use from setUpModule/tearDownModule."""

    def __init__(self, home, name=TEST_USER):
        self.name, self.home = name, home
        self.created = False
        try:
            pwd.getpwnam(name)
            self._shadow_tool("usermod", "-d", home, name)
        except KeyError:
            self._shadow_tool("useradd", "-M", "-U", "-d", home, "-s", "/usr/sbin/nologin", name)
            self.created = True
        self.pw = pwd.getpwnam(name)
        self.uid, self.gid = self.pw.pw_uid, self.pw.pw_gid

    @classmethod
    def create(cls):
        """The user with a fresh home directory of its own (mode 0755);
        remove() removes both. Nothing is left behind if creation fails."""
        home = tempfile.mkdtemp(prefix="sftpsh-it-home.")
        try:
            user = cls(home)
            os.chown(home, user.uid, user.gid)
            os.chmod(home, 0o755)
        except BaseException:
            rmtree(home)
            raise
        user.owns_home = True
        return user

    @staticmethod
    def _shadow_tool(*argv, check=True, attempts=30):
        """Run useradd & co. They syslog to /dev/log, and a /dev/log socket
        nobody reads (left by some other test) blocks them for ever while
        they hold /etc/passwd's lock: run them with /dev/log hidden. Retry
        while another process holds the lock."""
        wrapped = ["/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
                   '[ -e /dev/log ] && { mount --bind /dev/null /dev/log || exit 96; }; exec "$@"',
                   "hide-dev-log", *argv]
        for attempt in range(attempts):
            proc = subprocess.run(wrapped, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                  timeout=60)
            if proc.returncode == 0 or b"lock" not in proc.stderr or attempt == attempts - 1:
                break
            time.sleep(1)
        if check and proc.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed ({proc.returncode}): "
                               f"{proc.stderr.decode(errors='replace').strip()}")
        return proc.returncode

    def remove(self):
        # the name is ours alone: remove it even when an interrupted run left it
        if getattr(self, "owns_home", False):
            rmtree(self.home)
        self._shadow_tool("userdel", self.name, check=False)
        try:
            grp.getgrnam(self.name)
            self._shadow_tool("groupdel", self.name, check=False)
        except KeyError:
            pass


# --- exec by file descriptor into a chroot, as sftpsh does -------------------

# Run as `python3 -c JAIL_EXEC jail uid gid start_dir binary [args...]`, with
# the server's stdio already in place: opens the binary, enters the jail,
# drops every id to uid/gid and execs the binary by fd (execveat AT_EMPTY_PATH,
# which glibc's fexecve uses) with an empty environment. Nothing of the jail
# is needed but the start directory.
JAIL_EXEC = r"""
import os, sys
jail, uid, gid, start, binary, args = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6:]
fd = os.open(binary, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
os.chroot(jail)
os.chdir("/")
os.setgroups([])
os.setresgid(gid, gid, gid)
os.setresuid(uid, uid, uid)
os.chdir(start)
os.execve(fd, [os.path.basename(binary)] + args, {})
"""


def jail_exec_argv(jail, uid, gid, start, binary, *args):
    return ["/usr/bin/python3", "-c", JAIL_EXEC, jail, str(uid), str(gid), start, binary, *args]


def elf_interpreter(path):
    """The PT_INTERP of an ELF file (None for a static binary)."""
    with open(path, "rb") as f:
        head = f.read(64)
        if head[:4] != b"\x7fELF" or head[4] != 2:
            raise ValueError(f"{path}: not a 64-bit ELF file")
        endian = "<" if head[5] == 1 else ">"
        e_type, = struct.unpack_from(endian + "H", head, 16)
        phoff, = struct.unpack_from(endian + "Q", head, 32)
        phentsize, phnum = struct.unpack_from(endian + "HH", head, 54)
        for i in range(phnum):
            f.seek(phoff + i * phentsize)
            p_type, = struct.unpack(endian + "I", f.read(4))
            if p_type == 3:  # PT_INTERP
                f.seek(phoff + i * phentsize + 8)
                offset, = struct.unpack(endian + "Q", f.read(8))
                f.seek(phoff + i * phentsize + 32)
                size, = struct.unpack(endian + "Q", f.read(8))
                f.seek(offset)
                return f.read(size).rstrip(b"\0").decode()
    return None


def elf_type(path):
    """e_type: 2 = ET_EXEC, 3 = ET_DYN (PIE)."""
    with open(path, "rb") as f:
        head = f.read(18)
    return struct.unpack_from("<H" if head[5] == 1 else ">H", head, 16)[0]
