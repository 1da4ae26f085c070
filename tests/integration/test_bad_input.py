#!/usr/bin/python3
"""Bad input, as raw packets: the server must answer exactly, never crash
(the base class fails a test whose server died of a signal or printed a
sanitizer report) and never lose data written before the bad packet.

OpenSSH 9.2 ends the session on a malformed request and sends nothing for an
unknown request type; we answer SSH_FX_BAD_MESSAGE / SSH_FX_OP_UNSUPPORTED and
go on. Those tests are marked @differs_from_openssh; everything else passes
against OpenSSH's server as well.
"""
import os
import random
import socket
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import tap  # noqa: E402
from sftp_process import load_tests  # noqa: E402,F401  (unittest's hook)
from sftp_process import (  # noqa: E402
    BAD_MESSAGE, FAILURE, FXF, FXP, MAX_PACKET, MAX_READ, NO_ATTRS, NO_SUCH_FILE, OK,
    OP_UNSUPPORTED, OPENSSH_EXTENSIONS, RawSftp, Reader, ServerTestCase, attrs,
    decode_reply, differs_from_openssh, string, u32, u64)

WC = FXF["WRITE"] | FXF["CREAT"]


def read_file(path):
    with open(path, "rb") as f:
        return f.read()


class BadInputTestCase(ServerTestCase):
    def setUp(self):
        self.dir = self.make_tempdir()

    def p(self, *parts):
        return os.path.join(self.dir, *parts)

    def session(self, *options, **kw):
        kw.setdefault("cwd", self.dir)
        server = self.start_server(*options, **kw)
        c, ver, exts = self.raw(server)
        return server, c

    def write_canary(self, c, name="canary", data=b"canary data " * 100):
        """Write a file through the session; check_canary() proves it kept it."""
        h = c.open(name, WC | FXF["TRUNC"])
        self.assertEqual(c.write(h, 0, data), (0, "Success"))
        self.assertEqual(c.close_handle(h), (0, "Success"))
        self.canary = (name, data)

    def check_canary(self, c=None):
        name, data = self.canary
        self.assertEqual(read_file(self.p(name)), data)
        if c is not None:   # and the session still works
            h = c.open(name, FXF["READ"])
            self.assertEqual(c.read(h, 0, len(data) + 10), data)
            self.assertEqual(c.close_handle(h), (0, "Success"))

    def expect_exit_without_reply(self, server, c, what="", timeout=10):
        """The server ends the session: no reply, then end of stream."""
        c.sock.settimeout(timeout)
        try:
            data = c.sock.recv(65536)
        except socket.timeout:
            self.fail(f"{what}: server neither replied nor exited")
        self.assertEqual(data, b"", f"{what}: server replied instead of ending the session")
        self.assertIsNotNone(server.wait_exit(timeout),
                             f"{what}: server closed stdout but did not exit")


# --- framing: packet lengths -------------------------------------------------------

class Framing(BadInputTestCase):
    def test_packet_length_over_the_limit_ends_the_session(self):
        for length in (MAX_PACKET + 1, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 1 << 24):
            server, c = self.session(expect_exit="nonzero")
            self.write_canary(c)
            c.sock.sendall(u32(length) + bytes([FXP["STAT"]]) + u32(7) + b"x" * 64)
            self.expect_exit_without_reply(server, c, f"length {length}")
            self.check_canary()
            self.finish_server(server, "nonzero")

    def test_packet_of_exactly_the_limit_is_accepted(self):
        server, c = self.session()
        h = c.open("f", WC)
        data_len = MAX_PACKET - (1 + 4 + 4 + len(h) + 8 + 4)
        data = random.Random(1).randbytes(data_len)
        body = string(h) + u64(0) + string(data)
        self.assertEqual(1 + 4 + len(body), MAX_PACKET)
        self.assertEqual(c.status(*c.request("WRITE", body)), (0, "Success"))
        self.assertEqual(c.close_handle(h), (0, "Success"))
        self.assertEqual(read_file(self.p("f")), data)

    def test_requests_before_an_oversized_packet_are_not_lost(self):
        server, c = self.session(expect_exit="nonzero")
        h = c.open("f", WC)
        chunks = [random.Random(i).randbytes(1000 + i) for i in range(20)]
        stream, off = b"", 0
        for i, chunk in enumerate(chunks):
            payload = bytes([FXP["WRITE"]]) + u32(1000 + i) + string(h) + u64(off) + string(chunk)
            stream += u32(len(payload)) + payload
            off += len(chunk)
        c.sock.sendall(stream + u32(MAX_PACKET + 1) + b"\x11" * 32)
        # replies may or may not make it out before the exit; if they do, they are right
        c.sock.settimeout(10)
        received = b""
        while True:
            try:
                chunk = c.sock.recv(65536)
            except socket.timeout:
                self.fail("server neither replied nor exited")
            if not chunk:
                break
            received += chunk
        while received:
            n, = struct.unpack(">I", received[:4])
            r = Reader(received[4:4 + n])
            received = received[4 + n:]
            kind, rid = r.u8(), r.u32()
            self.assertTrue(1000 <= rid < 1020, rid)
            self.assertEqual(decode_reply(kind, r), OK)
        self.assertIsNotNone(server.wait_exit(10))
        self.assertEqual(read_file(self.p("f")), b"".join(chunks))

    def test_stream_ending_inside_a_packet(self):
        for cut in (1, 3, 4, 5, 9, 30):
            server, c = self.session(expect_exit=None)
            self.write_canary(c)
            h = c.open("f", WC)
            payload = bytes([FXP["WRITE"]]) + u32(77) + string(h) + u64(0) + string(b"y" * 100)
            c.sock.sendall((u32(len(payload)) + payload)[:cut])
            c.sock.shutdown(socket.SHUT_WR)
            self.expect_exit_without_reply(server, c, f"cut at {cut}")
            self.assertEqual(os.path.getsize(self.p("f")), 0, cut)
            self.check_canary()
            self.finish_server(server, None)

    def test_packets_too_short_for_a_request_id(self):
        """A length of 0..4 leaves no room for type and id: the server may end
        the session or answer; it must not crash, hang or answer wrongly."""
        for length in range(0, 5):
            server, c = self.session(expect_exit=None)
            self.write_canary(c)
            c.sock.sendall(u32(length) + bytes([FXP["STAT"]] + [0] * (length - 1))[:length])
            rid = 4242
            payload = bytes([FXP["REALPATH"]]) + u32(rid) + string("/")
            try:
                c.sock.sendall(u32(len(payload)) + payload)
            except (BrokenPipeError, ConnectionResetError):
                pass
            c.sock.settimeout(10)
            try:
                while True:
                    kind, got_id, r = c.recv_reply()
                    reply = decode_reply(kind, r)
                    if reply == BAD_MESSAGE:
                        continue
                    self.assertEqual((got_id, reply), (rid, ("NAME", [(b"/", b"/", {"flags": 0})])))
                    break
            except (EOFError, ConnectionResetError):
                pass                         # the server ended the session
            except socket.timeout:
                self.fail(f"length {length}: server neither answered nor exited")
            self.check_canary()
            self.finish_server(server, None)


# --- requests out of order: before INIT, a second INIT ---------------------------

class Init(BadInputTestCase):
    def test_requests_before_init_end_the_session(self):
        bodies = [(FXP["STAT"], string(".")), (FXP["OPEN"], string("x") + u32(WC) + NO_ATTRS),
                  (FXP["EXTENDED"], string("limits@openssh.com")), (99, b""),
                  (FXP["MKDIR"], string("d") + NO_ATTRS)]
        for kind, body in bodies:
            server = self.start_server(cwd=self.dir, expect_exit="nonzero")
            c = RawSftp(server.sock)
            c.send_packet(bytes([kind]) + u32(1) + body)
            self.expect_exit_without_reply(server, c, f"type {kind} before INIT")
            self.finish_server(server, "nonzero")
        self.assertEqual(os.listdir(self.dir), [])

    def test_second_init_gets_the_same_version_reply(self):
        server, c = self.session()
        self.write_canary(c)
        self.assertEqual(c.init(3), (3, OPENSSH_EXTENSIONS))
        self.assertEqual(c.init(6), (3, OPENSSH_EXTENSIONS))
        self.check_canary(c)

    def test_client_version_below_3_gets_status_without_message(self):
        """OpenSSH answers a v1/v2 client's STATUS without message and language."""
        server = self.start_server(cwd=self.dir)
        c = RawSftp(server.sock)
        self.assertEqual(c.init(2), (3, OPENSSH_EXTENSIONS))
        kind, r = c.request("STAT", string("missing"))
        self.assertEqual((kind, r.rest()), (FXP["STATUS"], u32(2)))
        kind, r = c.request("STAT", string("."))
        self.assertEqual(kind, FXP["ATTRS"])


# --- handles -------------------------------------------------------------------------

HANDLE_REQUESTS = {   # request: (body after the handle, expected status)
    "CLOSE": (b"", NO_SUCH_FILE),
    "READ": (u64(0) + u32(10), FAILURE),
    "WRITE": (u64(0) + string(b"x"), FAILURE),
    "FSTAT": (b"", FAILURE),
    "FSETSTAT": (attrs(perm=0o600), FAILURE),
    "READDIR": (b"", FAILURE),
}
HANDLE_EXTENSIONS = {
    "fsync@openssh.com": (b"", NO_SUCH_FILE),
    "fstatvfs@openssh.com": (b"", FAILURE),
}


class Handles(BadInputTestCase):
    def check_invalid(self, c, handle, valid):
        for kind, (rest, want) in HANDLE_REQUESTS.items():
            self.assertEqual(c.call(kind, string(handle) + rest), want, (kind, handle))
        for name, (rest, want) in HANDLE_EXTENSIONS.items():
            self.assertEqual(c.call_ext(name, string(handle) + rest), want, (name, handle))
        for a, b in ((handle, valid), (valid, handle)):
            self.assertEqual(c.call_ext("copy-data", string(a) + u64(0) + u64(0) + string(b) + u64(0)),
                             FAILURE, handle)

    def test_forged_handles(self):
        with open(self.p("f"), "wb") as f:
            f.write(b"0123456789")
        server, c = self.session()
        self.write_canary(c)
        valid = c.open("f", FXF["READ"] | FXF["WRITE"])
        flipped = bytearray(valid)
        flipped[-1] ^= 0x80
        forged = [b"", b"\xff" * 4, b"\xff" * 8, b"\xff" * 16, b"x" * 255, b"x" * 256,
                  b"x" * 5000, valid + b"\0", valid[:-1], bytes(flipped),
                  b"\0" * len(valid) if valid != b"\0" * len(valid) else b"\1" * len(valid)]
        for handle in forged:
            self.check_invalid(c, handle, valid)
        # the valid handle is untouched
        self.assertEqual(c.read(valid, 0, 100), b"0123456789")
        self.assertEqual(c.close_handle(valid), (0, "Success"))
        self.assertEqual(read_file(self.p("f")), b"0123456789")
        self.check_canary(c)

    def test_closed_handles(self):
        os.mkdir(self.p("d"))
        server, c = self.session()
        other = c.open("other", WC)
        for opener in (lambda: c.open("f", WC), lambda: c.opendir("d")):
            h = opener()
            self.assertEqual(c.close_handle(h), (0, "Success"))
            self.check_invalid(c, h, other)

    def test_wrong_kind_of_handle(self):
        os.mkdir(self.p("d"))
        with open(self.p("f"), "wb") as f:
            f.write(b"abc")
        server, c = self.session()
        d = c.opendir("d")
        f = c.open("f", FXF["READ"] | FXF["WRITE"])
        self.assertEqual(c.call("READ", string(d) + u64(0) + u32(10)), FAILURE)
        self.assertEqual(c.call("WRITE", string(d) + u64(0) + string(b"x")), FAILURE)
        self.assertEqual(c.call("FSTAT", string(d)), FAILURE)
        self.assertEqual(c.call("FSETSTAT", string(d) + attrs(perm=0o700)), FAILURE)
        self.assertEqual(c.call_ext("fsync@openssh.com", string(d)), NO_SUCH_FILE)
        self.assertEqual(c.call_ext("fstatvfs@openssh.com", string(d)), FAILURE)
        self.assertEqual(c.call("READDIR", string(f)), FAILURE)
        self.assertEqual(c.read(f, 0, 10), b"abc")
        self.assertEqual(c.call("READDIR", string(d))[0], "NAME")

    @differs_from_openssh("OpenSSH's handle is the slot number: after a close, the old handle "
                          "names whatever file is opened next in that slot")
    def test_stale_handle_does_not_reach_the_next_file(self):
        with open(self.p("victim"), "wb") as f:
            f.write(b"victim data")
        server, c = self.session()
        old = c.open("first", WC)
        self.assertEqual(c.close_handle(old), (0, "Success"))
        new = c.open("victim", FXF["READ"] | FXF["WRITE"])
        self.assertEqual(c.call("WRITE", string(old) + u64(0) + string(b"XXXX")), FAILURE)
        self.assertEqual(c.call("READ", string(old) + u64(0) + u32(100)), FAILURE)
        self.assertEqual(c.call("CLOSE", string(old)), NO_SUCH_FILE)
        self.assertEqual(c.read(new, 0, 100), b"victim data")
        self.assertEqual(read_file(self.p("victim")), b"victim data")

    @differs_from_openssh("OpenSSH answers an open past the descriptor limit with the bare "
                          "\"Failure\"; ours says why")
    def test_too_many_open_handles_says_so(self):
        server, c = self.session(nofile=32)
        replies = [c.call("OPEN", string(f"f{i}") + u32(WC) + NO_ATTRS) for i in range(40)]
        refused = [r for r in replies if r[0] != "HANDLE"]
        self.assertTrue(refused)
        self.assertEqual(set(refused), {("STATUS", 4, "Too many open handles")})
        self.assertEqual(c.call("OPENDIR", string(".")), ("STATUS", 4, "Too many open handles"))

    def test_too_many_open_handles(self):
        server, c = self.session(nofile=64)
        self.write_canary(c)
        r = Reader(c.call_ext("limits@openssh.com")[1])
        r.u64(), r.u64(), r.u64()
        limit = r.u64()
        self.assertGreater(limit, 0)
        handles, failures = [], []
        for i in range(limit + 20):
            reply = c.call("OPEN", string(f"f{i}") + u32(WC) + NO_ATTRS)
            if reply[0] == "HANDLE":
                handles.append(reply[1])
            else:
                failures.append(reply)
        self.assertGreaterEqual(len(handles), limit, "fewer handles than limits@openssh.com says")
        self.assertTrue(failures, "no open failed beyond the limit")
        self.assertEqual({f[:2] for f in failures}, {FAILURE[:2]})  # the code; message below
        self.assertEqual(len(set(handles)), len(handles), "a handle was given out twice")
        self.assertEqual(c.call("OPENDIR", string("."))[:2], FAILURE[:2])
        # still a working session: free one, open again, every handle still valid
        self.assertEqual(c.close_handle(handles.pop()), (0, "Success"))
        h = c.open("again", WC)
        self.assertEqual(c.write(h, 0, b"again"), (0, "Success"))
        for i, handle in enumerate(handles):
            self.assertEqual(c.write(handle, 0, b"%d" % i), (0, "Success"))
        for handle in handles + [h]:
            self.assertEqual(c.close_handle(handle), (0, "Success"))
        self.assertEqual(read_file(self.p("again")), b"again")
        self.assertEqual(read_file(self.p("f7")), b"7")
        self.check_canary(c)


# --- reads and writes at the limits -------------------------------------------------

class Limits(BadInputTestCase):
    def test_read_length_over_the_limit_is_clamped(self):
        data = random.Random(2).randbytes(1024 * 1024)
        with open(self.p("f"), "wb") as f:
            f.write(data)
        server, c = self.session()
        h = c.open("f", FXF["READ"])
        for length in (MAX_READ, MAX_READ + 1, MAX_PACKET, 1024 * 1024, 0x7FFFFFFF, 0xFFFFFFFF):
            self.assertEqual(c.read(h, 7, length), data[7:7 + MAX_READ], length)
        self.assertEqual(c.read(h, len(data) - 10, 0xFFFFFFFF), data[-10:])

    def test_offsets_past_2_pow_63(self):
        with open(self.p("f"), "wb") as f:
            f.write(b"data")
        server, c = self.session()
        h = c.open("f", FXF["READ"] | FXF["WRITE"])
        for off in (1 << 63, (1 << 64) - 1, (1 << 64) - 4096):
            self.assertEqual(c.call("READ", string(h) + u64(off) + u32(10)), BAD_MESSAGE, off)
            self.assertEqual(c.call("WRITE", string(h) + u64(off) + string(b"x")), BAD_MESSAGE, off)
        self.assertEqual(read_file(self.p("f")), b"data")
        self.assertEqual(c.read(h, 0, 10), b"data")

    def test_zero_length_reads_and_writes(self):
        with open(self.p("f"), "wb") as f:
            f.write(b"data")
        server, c = self.session()
        h = c.open("f", FXF["READ"] | FXF["WRITE"])
        for off in (0, 2, 4, 5, 1 << 40):
            self.assertEqual(c.read(h, off, 0), b"", off)
            self.assertEqual(c.write(h, off, b""), (0, "Success"), off)
        self.assertEqual(read_file(self.p("f")), b"data")

    def test_write_longer_than_max_write_length_in_one_packet(self):
        """Anything that fits a packet is written whole, as OpenSSH does."""
        server, c = self.session()
        h = c.open("f", WC)
        data = random.Random(3).randbytes(MAX_PACKET - 200)
        self.assertEqual(c.write(h, 5, data), (0, "Success"))
        self.assertEqual(read_file(self.p("f")), b"\0" * 5 + data)

    def test_trailing_bytes_after_a_request_are_ignored(self):
        server, c = self.session()
        kind, r = c.request("REALPATH", string("/") + b"trailing garbage")
        self.assertEqual(decode_reply(kind, r), ("NAME", [(b"/", b"/", {"flags": 0})]))
        kind, r = c.request("MKDIR", string("d") + NO_ATTRS + b"\0\0\0\0more")
        self.assertEqual(decode_reply(kind, r), OK)
        self.assertTrue(os.path.isdir(self.p("d")))


# --- malformed requests: BAD_MESSAGE and the session goes on (ours only) -----------

def truncations(body):
    """Cut points inside a request body: nothing, every prefix up to 12
    bytes, one byte short."""
    cuts = set(range(0, min(len(body), 13))) | {len(body) - 1}
    return sorted(c for c in cuts if 0 <= c < len(body))


@differs_from_openssh("OpenSSH ends the session on a malformed request; we answer "
                      "SSH_FX_BAD_MESSAGE and go on")
class Malformed(BadInputTestCase):
    def setUp(self):
        super().setUp()
        with open(self.p("f"), "wb") as f:
            f.write(b"file f")
        os.mkdir(self.p("d"))

    def requests(self, h, dh):
        """Well-formed bodies of every request and extension."""
        full_attrs = attrs(size=1, uid=0, gid=0, perm=0o600, atime=1, mtime=2)
        return [
            ("OPEN", string("new") + u32(WC) + full_attrs),
            ("CLOSE", string(h)), ("READ", string(h) + u64(0) + u32(4)),
            ("WRITE", string(h) + u64(0) + string(b"zzzz")),
            ("LSTAT", string("f")), ("FSTAT", string(h)), ("STAT", string("f")),
            ("SETSTAT", string("f") + full_attrs), ("FSETSTAT", string(h) + full_attrs),
            ("OPENDIR", string("d")), ("READDIR", string(dh)), ("REMOVE", string("f")),
            ("MKDIR", string("newdir") + attrs(perm=0o700)), ("RMDIR", string("d")),
            ("REALPATH", string("f")), ("RENAME", string("f") + string("renamed")),
            ("READLINK", string("f")), ("SYMLINK", string("f") + string("sym")),
        ], [
            ("posix-rename@openssh.com", string("f") + string("renamed2")),
            ("statvfs@openssh.com", string("f")), ("fstatvfs@openssh.com", string(h)),
            ("hardlink@openssh.com", string("f") + string("hard")),
            ("fsync@openssh.com", string(h)),
            ("lsetstat@openssh.com", string("f") + attrs(uid=0, gid=0, perm=0o600, atime=1, mtime=2)),
            ("expand-path@openssh.com", string("~/f")),
            ("copy-data", string(h) + u64(0) + u64(0) + string(h) + u64(0)),
            ("home-directory", string("root")),
            ("users-groups-by-id@openssh.com", string(u32(0)) + string(u32(0))),
        ]

    def snapshot(self):
        out = {}
        for root, dirs, files in os.walk(self.dir):
            for n in dirs + files:
                p = os.path.join(root, n)
                st = os.lstat(p)
                out[p] = (st.st_mode, st.st_size, st.st_mtime_ns, st.st_uid,
                          read_file(p) if os.path.isfile(p) else None)
        return out

    def test_every_request_truncated_anywhere(self):
        server, c = self.session()
        self.write_canary(c)
        h = c.open("f", FXF["READ"] | FXF["WRITE"])
        dh = c.opendir("d")
        plain, extended = self.requests(h, dh)
        before = self.snapshot()
        rid = 5000
        for kind, body in plain:
            for cut in truncations(body):
                rid += 1
                c.send_packet(bytes([FXP[kind]]) + u32(rid) + body[:cut])
                k, got_id, r = c.recv_reply()
                self.assertEqual((got_id, decode_reply(k, r)), (rid, BAD_MESSAGE), (kind, cut))
        for name, body in extended:
            for cut in truncations(body):
                rid += 1
                c.send_packet(bytes([FXP["EXTENDED"]]) + u32(rid) + string(name) + body[:cut])
                k, got_id, r = c.recv_reply()
                self.assertEqual((got_id, decode_reply(k, r)), (rid, BAD_MESSAGE), (name, cut))
        name = string("limits@openssh.com")
        for cut in range(0, len(name)):
            rid += 1
            c.send_packet(bytes([FXP["EXTENDED"]]) + u32(rid) + name[:cut])
            k, got_id, r = c.recv_reply()
            self.assertEqual((got_id, decode_reply(k, r)), (rid, BAD_MESSAGE), ("name", cut))
        self.assertEqual(self.snapshot(), before, "a malformed request changed the files")
        # the handles still work
        self.assertEqual(c.read(h, 0, 100), b"file f")
        self.assertEqual(c.call("READDIR", string(dh))[0], "NAME")
        self.check_canary(c)

    def test_lengths_pointing_past_the_packet(self):
        server, c = self.session()
        self.write_canary(c)
        h = c.open("f", FXF["READ"] | FXF["WRITE"])
        cases = [
            ("STAT", u32(1000) + b"f"),
            ("STAT", u32(0xFFFFFFFF) + b"f"),
            ("OPEN", u32(0x7FFFFFFF) + b"new"),
            ("WRITE", string(h) + u64(0) + u32(1000) + b"short"),
            ("WRITE", string(h) + u64(0) + u32(0xFFFFFFFF) + b"short"),
            ("SETSTAT", string("f") + u32(0x80000000) + u32(0xFFFFFFFF)),   # extended attrs, huge count
            ("SETSTAT", string("f") + u32(0x80000000) + u32(2) + string("a") + string("b")),
            ("SETSTAT", string("f") + u32(0x8000000F)),
            ("RENAME", string("f") + u32(50) + b"x"),
            ("READ", u32(len(h) + 1) + h),
        ]
        for kind, body in cases:
            self.assertEqual(c.call(kind, body), BAD_MESSAGE, (kind, body[:20]))
        self.assertEqual(c.call_ext("users-groups-by-id@openssh.com", string(b"\0\0\0") + string(b"")),
                         BAD_MESSAGE)
        self.assertEqual(c.call_ext("users-groups-by-id@openssh.com", string(u32(0)) + string(b"\0\0\0\0\0")),
                         BAD_MESSAGE)
        self.assertEqual(c.call_ext("users-groups-by-id@openssh.com", u32(100) + u32(0)), BAD_MESSAGE)
        self.assertEqual(read_file(self.p("f")), b"file f")
        self.assertFalse(os.path.exists(self.p("new")))
        self.check_canary(c)

    def test_paths_with_embedded_nul(self):
        server, c = self.session()
        self.write_canary(c)
        before = self.snapshot()
        cases = [
            ("OPEN", string("new\0x") + u32(WC) + NO_ATTRS),
            ("OPEN", string("f\0") + u32(FXF["WRITE"] | FXF["TRUNC"]) + NO_ATTRS),
            ("STAT", string("f\0x")), ("LSTAT", string("f\0")),
            ("SETSTAT", string("f\0") + attrs(perm=0)),
            ("OPENDIR", string("d\0")), ("REMOVE", string("f\0x")), ("REMOVE", string("f\0")),
            ("MKDIR", string("newdir\0x") + NO_ATTRS), ("RMDIR", string("d\0")),
            ("REALPATH", string("f\0")), ("RENAME", string("f") + string("g\0h")),
            ("RENAME", string("f\0x") + string("g")), ("READLINK", string("l\0")),
            ("SYMLINK", string("f\0x") + string("sym")), ("SYMLINK", string("f") + string("sym\0x")),
            ("STAT", string("\0")),
        ]
        for kind, body in cases:
            self.assertEqual(c.call(kind, body), BAD_MESSAGE, (kind, body))
        for name, body in [
                ("posix-rename@openssh.com", string("f") + string("g\0")),
                ("hardlink@openssh.com", string("f\0") + string("g")),
                ("statvfs@openssh.com", string("f\0")),
                ("lsetstat@openssh.com", string("f\0") + attrs(perm=0)),
                ("expand-path@openssh.com", string("~\0")),
                ("home-directory", string("root\0x")),
                ("limits@openssh.com\0x", b""),
                ("posix-rename@openssh.com\0", string("f") + string("g"))]:
            self.assertEqual(c.call_ext(name, body), BAD_MESSAGE, name)
        self.assertEqual(self.snapshot(), before, "a request with a NUL changed the files")
        self.check_canary(c)


@differs_from_openssh("OpenSSH 9.2 sends no reply to an unknown request type")
class UnknownRequestTypes(BadInputTestCase):
    TYPES = [0, 2, 21, 22, 99, 100, 101, 102, 103, 104, 105, 106, 199, 201, 202, 254, 255]

    def test_unknown_types_get_op_unsupported_with_their_id(self):
        server, c = self.session()
        self.write_canary(c)
        # all at once, each with a body, then a known request
        for i, kind in enumerate(self.TYPES):
            c.send_packet(bytes([kind]) + u32(9000 + i) + string("f") + b"\0" * i)
        c.send_packet(bytes([FXP["REALPATH"]]) + u32(9999) + string("/"))
        for i, kind in enumerate(self.TYPES):
            k, rid, r = c.recv_reply()
            self.assertEqual((rid, decode_reply(k, r)), (9000 + i, OP_UNSUPPORTED), kind)
        k, rid, r = c.recv_reply()
        self.assertEqual((rid, decode_reply(k, r)), (9999, ("NAME", [(b"/", b"/", {"flags": 0})])))
        self.check_canary(c)

    def test_unknown_type_without_body(self):
        server, c = self.session()
        for kind in (21, 200 + 55):
            c.send_packet(bytes([kind]) + u32(31))
            k, rid, r = c.recv_reply()
            self.assertEqual((rid, decode_reply(k, r)), (31, OP_UNSUPPORTED))


class UnknownExtensions(BadInputTestCase):
    def test_unknown_extended_requests(self):
        server, c = self.session()
        self.write_canary(c)
        for name in ("", "x", "a" * 5000, "check-file", "copy-file", "version-select",
                     "space-available", "posix-rename@openssh.co", "LIMITS@OPENSSH.COM",
                     "limits@openssh.com ", "\xff\xfe", "statvfs@openssh.com@openssh.com"):
            self.assertEqual(c.call_ext(name, string("f") + u64(0)), OP_UNSUPPORTED, name)
        self.check_canary(c)


if __name__ == "__main__":
    tap.main()
