"""Start an SFTP server as a child process and talk to it over a socketpair,
as `sftp -D` does: paramiko for high-level checks, RawSftp for exact bytes."""
import os
import socket
import struct
import subprocess

import paramiko


class ServerProcess:
    """A server child whose stdin/stdout is one end of a socketpair."""

    def __init__(self, argv, cwd=None, env=None, preexec_fn=None, stderr=None):
        self.sock, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        self.proc = subprocess.Popen(
            argv, stdin=child, stdout=child,
            stderr=stderr if stderr is not None else subprocess.PIPE,
            cwd=cwd, env=env if env is not None else {"PATH": "/usr/bin:/bin"},
            preexec_fn=preexec_fn, close_fds=True)
        child.close()

    def close(self, timeout=10):
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        err = self.proc.stderr.read().decode(errors="replace") if self.proc.stderr else ""
        if self.proc.stderr:
            self.proc.stderr.close()
        return self.proc.returncode, err

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def paramiko_client(server):
    """A paramiko SFTPClient over the server's socket (sends INIT)."""
    return paramiko.SFTPClient(server.sock)


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


def run_as(uid, gid):
    """preexec_fn that drops to uid/gid (tests run as root; EACCES needs a user)."""
    def drop():
        os.setgroups([])
        os.setresgid(gid, gid, gid)
        os.setresuid(uid, uid, uid)
    return drop
