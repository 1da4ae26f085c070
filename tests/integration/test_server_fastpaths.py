#!/usr/bin/python3
"""The server's zero-copy paths, byte-exact, over both kinds of transport:
a socketpair (as `sftp -D`) and two pipes (as sshd connects a subsystem).

Large READs are spliced from the file; large WRITEs still arriving are
spliced from the client into the file (sftp-server/streamed_write.h). These
tests check the data, the offsets, the error replies and that the stream stays
framed after an error in the middle of a payload.
"""
import os
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import tap  # noqa: E402
from sftp_process import FX, FXF, FXP, RawSftp, string, u32, u64  # noqa: E402

BIG = 255 * 1024  # the largest READ/WRITE clients send


class PipeEnds:
    """sendall/recv over two pipes, for RawSftp."""

    def __init__(self, write_fd, read_fd):
        self.w, self.r = write_fd, read_fd

    def sendall(self, data):
        view = memoryview(data)
        while view:
            n = os.write(self.w, view)
            view = view[n:]

    def recv(self, n):
        return os.read(self.r, n)

    def settimeout(self, _):
        pass

    def close(self):
        for fd in (self.w, self.r):
            try:
                os.close(fd)
            except OSError:
                pass


class Server:
    """Our server over a socketpair or pipes, checked for a clean exit."""

    def __init__(self, transport, cwd, preexec=None, args=()):
        argv = [tap.ARGS.server, *args]
        env = {"PATH": "/usr/bin:/bin"}
        if transport == "socket":
            ours, theirs = socket.socketpair()
            self.proc = subprocess.Popen(argv, stdin=theirs, stdout=theirs, stderr=subprocess.PIPE,
                                         cwd=cwd, env=env, preexec_fn=preexec)
            theirs.close()
            self.conn = ours
        else:
            to_server_r, to_server_w = os.pipe()
            from_server_r, from_server_w = os.pipe()
            self.proc = subprocess.Popen(argv, stdin=to_server_r, stdout=from_server_w,
                                         stderr=subprocess.PIPE, cwd=cwd, env=env,
                                         preexec_fn=preexec)
            os.close(to_server_r)
            os.close(from_server_w)
            self.conn = PipeEnds(to_server_w, from_server_r)
        self.sftp = RawSftp(self.conn)
        version, _ = self.sftp.init()
        assert version == 3

    def finish(self, test):
        if isinstance(self.conn, socket.socket):
            self.conn.shutdown(socket.SHUT_RDWR)
        self.conn.close()
        try:
            rc = self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            test.fail("server did not exit when the client closed")
        err = self.proc.stderr.read().decode(errors="replace")
        self.proc.stderr.close()
        test.assertNotIn("AddressSanitizer", err)
        test.assertNotIn("runtime error", err)
        test.assertEqual(rc, 0, f"server exit status {rc}; stderr: {err}")

    # -- requests ---------------------------------------------------------
    def open(self, path, flags, test):
        kind, r = self.sftp.request("OPEN", string(path) + u32(flags) + u32(0))
        test.assertEqual(kind, FXP["HANDLE"], RawSftp.status(kind, r) if kind == FXP["STATUS"] else kind)
        return r.string()

    def write(self, handle, offset, data):
        kind, r = self.sftp.request("WRITE", string(handle) + u64(offset) + string(data))
        return RawSftp.status(kind, r)

    def read(self, handle, offset, length):
        kind, r = self.sftp.request("READ", string(handle) + u64(offset) + u32(length))
        if kind == FXP["DATA"]:
            return r.string()
        return RawSftp.status(kind, r)

    def close_handle(self, handle, test):
        kind, r = self.sftp.request("CLOSE", string(handle))
        test.assertEqual(RawSftp.status(kind, r)[0], FX["OK"])


class FastPaths:
    transport = None

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="sftpsh-fast.")
        self.server = None

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def start(self, **kw):
        self.server = Server(self.transport, self.dir, **kw)
        return self.server

    def test_large_writes_out_of_order_land_at_their_offsets(self):
        s = self.start()
        blocks = [os.urandom(BIG) for _ in range(6)]
        h = s.open("f", FXF["WRITE"] | FXF["CREAT"], self)
        for i in (3, 0, 5, 1, 4, 2):
            self.assertEqual(s.write(h, i * BIG, blocks[i])[0], FX["OK"])
        s.close_handle(h, self)
        s.finish(self)
        with open(os.path.join(self.dir, "f"), "rb") as f:
            self.assertEqual(f.read(), b"".join(blocks))

    def test_large_reads_return_the_exact_bytes(self):
        data = os.urandom(3 * BIG + 12345)
        with open(os.path.join(self.dir, "f"), "wb") as f:
            f.write(data)
        s = self.start()
        h = s.open("f", FXF["READ"], self)
        got = b""
        offset = 0
        while True:
            chunk = s.read(h, offset, BIG)
            if isinstance(chunk, tuple):
                self.assertEqual(chunk[0], FX["EOF"])
                break
            got += chunk
            offset += len(chunk)
        self.assertEqual(got, data)
        # A read starting beyond the end is EOF, not an empty DATA.
        self.assertEqual(s.read(h, len(data) + 10, BIG)[0], FX["EOF"])
        s.close_handle(h, self)
        s.finish(self)

    def test_pipelined_reads_and_writes_interleave_correctly(self):
        data = os.urandom(4 * BIG)
        with open(os.path.join(self.dir, "src"), "wb") as f:
            f.write(data)
        s = self.start()
        src = s.open("src", FXF["READ"], self)
        dst = s.open("dst", FXF["WRITE"] | FXF["CREAT"], self)
        # Requests go out from a second thread while this one reads replies,
        # as pipelining clients (paramiko, pkg/sftp, sshfs) do.
        ids = []
        packets = []
        for i in range(4):
            for what in ("read", "write", "stat"):
                rid = s.sftp.next_id
                s.sftp.next_id += 1
                ids.append((what, rid, i))
                if what == "read":
                    body = string(src) + u64(i * BIG) + u32(BIG)
                elif what == "write":
                    body = string(dst) + u64(i * BIG) + string(data[i * BIG:(i + 1) * BIG])
                else:
                    body = string(".")
                packets.append(bytes([FXP[what.upper()]]) + u32(rid) + body)
        sender = threading.Thread(target=lambda: [s.sftp.send_packet(p) for p in packets])
        sender.start()
        for what, rid, i in ids:
            kind, r = s.sftp.reply(rid)
            if what == "read":
                self.assertEqual(kind, FXP["DATA"])
                self.assertEqual(r.string(), data[i * BIG:(i + 1) * BIG])
            elif what == "write":
                self.assertEqual(RawSftp.status(kind, r)[0], FX["OK"])
            else:
                self.assertEqual(kind, FXP["ATTRS"])
        sender.join()
        s.close_handle(src, self)
        s.close_handle(dst, self)
        s.finish(self)
        with open(os.path.join(self.dir, "dst"), "rb") as f:
            self.assertEqual(f.read(), data)

    def test_large_write_to_read_only_handle_fails_and_stream_stays_framed(self):
        with open(os.path.join(self.dir, "ro"), "wb") as f:
            f.write(b"unchanged")
        s = self.start()
        h = s.open("ro", FXF["READ"], self)
        code, _ = s.write(h, 0, os.urandom(BIG))
        # write() on a read-only descriptor is EBADF: "No such file", as OpenSSH.
        self.assertEqual(code, FX["NO_SUCH_FILE"])
        # The next request is understood: the payload was consumed.
        kind, r = s.sftp.request("STAT", string("ro"))
        self.assertEqual(kind, FXP["ATTRS"])
        self.assertEqual(r.attrs()["size"], 9)
        s.close_handle(h, self)
        s.finish(self)

    def test_write_past_the_file_size_limit_fails_cleanly(self):
        def limit():
            resource.setrlimit(resource.RLIMIT_FSIZE, (BIG + 100, BIG + 100))
        s = self.start(preexec=limit)
        h = s.open("f", FXF["WRITE"] | FXF["CREAT"], self)
        self.assertEqual(s.write(h, 0, os.urandom(BIG))[0], FX["OK"])
        code, message = s.write(h, BIG, os.urandom(BIG))
        self.assertEqual(code, FX["FAILURE"], message)  # EFBIG, not a killed server
        kind, r = s.sftp.request("STAT", string("f"))
        self.assertEqual(kind, FXP["ATTRS"])
        s.close_handle(h, self)
        s.finish(self)

    def test_append_handle_appends_large_writes(self):
        with open(os.path.join(self.dir, "log"), "wb") as f:
            f.write(b"head")
        s = self.start()
        h = s.open("log", FXF["WRITE"] | FXF["APPEND"], self)
        payload = os.urandom(BIG)
        self.assertEqual(s.write(h, 0, payload)[0], FX["OK"])  # offset ignored: append
        s.close_handle(h, self)
        s.finish(self)
        with open(os.path.join(self.dir, "log"), "rb") as f:
            self.assertEqual(f.read(), b"head" + payload)

    def test_read_of_a_procfs_file_falls_back_to_copying(self):
        s = self.start()
        h = s.open("/proc/self/status", FXF["READ"], self)
        chunk = s.read(h, 0, BIG)
        self.assertIsInstance(chunk, bytes)
        self.assertIn(b"Name:", chunk)
        s.close_handle(h, self)
        s.finish(self)

    def test_client_vanishing_mid_write_ends_the_session_cleanly(self):
        s = self.start()
        h = s.open("f", FXF["WRITE"] | FXF["CREAT"], self)
        payload = os.urandom(BIG)
        body = bytes([FXP["WRITE"]]) + u32(99) + string(h) + u64(0) + string(payload)
        packet = u32(len(body)) + body
        s.conn.sendall(packet[: len(packet) // 2])  # half a WRITE, then hang up
        s.finish(self)


class OverSocketpair(FastPaths, unittest.TestCase):
    transport = "socket"


class OverPipes(FastPaths, unittest.TestCase):
    transport = "pipe"


if __name__ == "__main__":
    tap.main()
