#!/usr/bin/python3
"""Differential test: one scripted sequence of requests (every request type
and extension, successes and errors) sent to OpenSSH's sftp-server and to the
server under test, each in its own freshly made, identical directory tree. The
decoded replies must be equal after the normalisations below, and so must the
trees the two sessions leave behind.

Normalisations (what legitimately differs between two runs or two servers):
  * Handles: a HANDLE reply compares as "<handle>"; later steps use whatever
    handle that server gave. Ours are 8 bytes, OpenSSH's 4 (slot numbers).
  * Times: an atime/mtime at or after the start of the script (set by the
    script's own activity, e.g. a directory that got an entry) compares as
    "<now>", and so does the date column of such an entry's long name. Every
    time in the fixture is set explicitly, long before.
  * The fixture's path: each tree lives in its own directory (same length:
    "ref" and "sut" under one parent); it is replaced by "<ROOT>" in names.
  * READDIR: OpenSSH stops at 100 entries a reply, ours carries more while the
    reply stays under 32 KiB, and
    directory order differs between two directories: all entries up to EOF
    are compared as one sorted list.
  * statvfs/fstatvfs: the free block and inode counts move as the machine
    writes; they compare as "<free>" (the other fields must be equal: both
    trees are on one file system).
  * limits@openssh.com max-open-handles: our own cap ("<n>", checked > 0).

Deliberate differences, left out of the script and tested in
test_protocol.py / test_bad_input.py instead:
  * unknown request types (OpenSSH: no reply; ours: SSH_FX_OP_UNSUPPORTED);
  * malformed requests and paths with NUL (OpenSSH ends the session; ours:
    SSH_FX_BAD_MESSAGE and go on);
  * copy-data between two names of one file (OpenSSH copies; ours: FAILURE);
  * a stale handle after its slot was reused (OpenSSH acts on the new file);
  * home-directory of another user: OpenSSH 9.2 answers the session user's
    home whatever the name (a bug fixed in 9.3), so only the own name is used;
  * copy-data whose read or write fails in its last chunk (e.g. from a
    write-only handle): OpenSSH 9.2 reports success, having copied nothing;
  * copy-data whose source ends before the requested length: OpenSSH's
    answer depends on its 64 KiB chunking; ours is End of file;
  * READ/WRITE at an offset below 2^63 but past the file system's largest
    file: OpenSSH's lseek() fails (Bad message); ours reads End of file and
    a write fails with EFBIG (Failure);
  * the message of an open refused for too many handles.
"""
import itertools
import os
import random
import re
import stat
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import tap  # noqa: E402
from sftp_process import load_tests  # noqa: E402,F401  (unittest's hook)
from sftp_process import (  # noqa: E402
    FXF, NO_ATTRS, OPENSSH_SERVER, Reader, ServerTestCase, TestUser, attrs, crash_report,
    decode_reply, string, u32, u64)

USER = None
USER_HOME = None


def setUpModule():
    global USER, USER_HOME
    USER = TestUser.create()
    USER_HOME = USER.home


def tearDownModule():
    if USER is not None:
        USER.remove()


OLD = 1000000000   # every fixture time is at or near this
R, W, A, C, T, X = (FXF[k] for k in ("READ", "WRITE", "APPEND", "CREAT", "TRUNC", "EXCL"))
INVALID_HANDLE = b"\xde\xad\xbe\xef"


def make_fixture(root, owner):
    """The same tree, byte for byte and time for time, wherever it is made.
    owner: (uid, gid) of what the session may write; some entries stay root's."""
    uid, gid = owner
    rng = random.Random(42)

    def f(name, data, mode=0o644, own=True):
        p = os.path.join(root, name)
        with open(p, "wb") as fh:
            fh.write(data)
        os.chmod(p, mode)
        if own:
            os.chown(p, uid, gid)

    def d(name, mode=0o755, own=True):
        p = os.path.join(root, name)
        os.mkdir(p)
        os.chmod(p, mode)
        if own:
            os.chown(p, uid, gid)

    f("f1", b"hello world\n" * 100)
    f("f2", b"0123456789", 0o600)
    f("big", rng.randbytes(300000))
    f("ro", b"read only", 0o444)
    f("rootfile", b"root's", 0o644, own=False)
    d("d1")
    f("d1/a", b"a")
    f("d1/b", b"bb", 0o4755)
    d("d1/sub", 0o2750)
    f("d1/sub/c", b"ccc")
    os.mkfifo(os.path.join(root, "d1", "fifo"), 0o640)
    os.chown(os.path.join(root, "d1", "fifo"), uid, gid)
    d("many")
    for i in range(150):
        f(f"many/entry-{i:03d}" + "-" * (i % 17), b"x" * i)
    d("empty", 0o1777)
    d("secret", 0o700, own=False)
    f("secret/x", b"secret", 0o600, own=False)
    os.symlink("f1", os.path.join(root, "link"))
    os.symlink("nowhere", os.path.join(root, "dangling"))
    os.symlink(os.path.join(root, "f1"), os.path.join(root, "abslink"))
    os.symlink("loop", os.path.join(root, "loop"))
    f("hard1", b"linked")
    os.link(os.path.join(root, "hard1"), os.path.join(root, "hard2"))
    for sym in ("link", "dangling", "abslink", "loop"):
        os.lchown(os.path.join(root, sym), uid, gid)
    # times last, deepest first, so that nothing touches them afterwards
    paths = []
    for dirpath, dirs, files in os.walk(root):
        paths += [os.path.join(dirpath, n) for n in dirs + files]
    for i, p in enumerate(sorted(paths, key=lambda p: -p.count("/"))):
        os.utime(p, (OLD + i, OLD + 100000 + i), follow_symlinks=False)
    os.chown(root, uid, gid)
    os.chmod(root, 0o755)
    os.utime(root, (OLD, OLD + 7))


class Step:
    """One request of the script. kind: a request type name, "EXT:<name>", or
    "READDIR*" (READDIR until a STATUS). body(ctx) builds the body; save
    stores a HANDLE reply in ctx under that name."""

    def __init__(self, label, kind, body, save=None):
        self.label, self.kind, self.body, self.save = label, kind, body, save


def h(name):
    return lambda ctx: string(ctx.get(name, INVALID_HANDLE))


def build_script(uid, gid, user_name):
    s = []

    def add(label, kind, body=b"", save=None):
        s.append(Step(label, kind, body if callable(body) else (lambda ctx, b=body: b), save))

    # realpath and stat
    for p in (".", "", "/", "f1", "missing", "missing/x", "link", "loop", "d1/../f1", "f1/x",
              "d1//sub/", "/../..", "secret/x"):
        add(f"realpath {p!r}", "REALPATH", string(p))
    for p in ("f1", "d1", "d1/sub", "link", "dangling", "missing", "loop", "f1/x", "x" * 300,
              "many", "empty", "secret/x", "d1/fifo", "abslink", "hard1"):
        add(f"stat {p!r}", "STAT", string(p))
        add(f"lstat {p!r}", "LSTAT", string(p))

    # reading a file
    add("open f1 READ", "OPEN", string("f1") + u32(R) + NO_ATTRS, save="h1")
    add("fstat h1", "FSTAT", h("h1"))
    for off, n in ((0, 100), (1190, 100), (1200, 10), (5000, 10), (0, 0), (1200, 0),
                   (1 << 63, 10), (7, 300000), (0, 0xFFFFFFFF)):
        add(f"read h1 {off} {n}", "READ", lambda ctx, o=off, n=n: h("h1")(ctx) + u64(o) + u32(n))
    add("write to read-only h1", "WRITE", lambda ctx: h("h1")(ctx) + u64(0) + string(b"x"))
    add("zero write to read-only h1", "WRITE", lambda ctx: h("h1")(ctx) + u64(0) + string(b""))
    add("fsync h1", "EXT:fsync@openssh.com", h("h1"))
    add("fstatvfs h1", "EXT:fstatvfs@openssh.com", h("h1"))
    add("fsetstat read-only h1 size", "FSETSTAT", lambda ctx: h("h1")(ctx) + attrs(size=0))
    add("readdir on file h1", "READDIR", h("h1"))
    add("close h1", "CLOSE", h("h1"))
    add("close h1 again", "CLOSE", h("h1"))
    add("read closed h1", "READ", lambda ctx: h("h1")(ctx) + u64(0) + u32(10))
    add("fstat closed h1", "FSTAT", h("h1"))

    # writing a file
    add("open new WCT 0640", "OPEN", string("new") + u32(W | C | T) + attrs(perm=0o640), save="h2")
    for off, data in ((0, b"abc"), (10, b"tail"), (3, b""), (1 << 63, b"x"),
                      (2, b"overwrite")):
        add(f"write h2 {off} {len(data)}", "WRITE",
            lambda ctx, o=off, d=data: h("h2")(ctx) + u64(o) + string(d))
    add("fstat h2", "FSTAT", h("h2"))
    add("read write-only h2", "READ", lambda ctx: h("h2")(ctx) + u64(0) + u32(10))
    add("fsetstat h2 perm", "FSETSTAT", lambda ctx: h("h2")(ctx) + attrs(perm=0o100600))
    add("fsetstat h2 times", "FSETSTAT", lambda ctx: h("h2")(ctx) + attrs(atime=OLD + 5, mtime=OLD + 6))
    add("fsetstat h2 size", "FSETSTAT", lambda ctx: h("h2")(ctx) + attrs(size=5))
    add("fsetstat h2 own ids", "FSETSTAT", lambda ctx: h("h2")(ctx) + attrs(uid=uid, gid=gid))
    add("fsetstat h2 root ids", "FSETSTAT", lambda ctx: h("h2")(ctx) + attrs(uid=0, gid=0))
    add("fsetstat h2 nothing", "FSETSTAT", lambda ctx: h("h2")(ctx) + NO_ATTRS)
    add("fsync h2", "EXT:fsync@openssh.com", h("h2"))
    add("close h2", "CLOSE", h("h2"))
    add("stat new", "STAT", string("new"))

    # append, excl, trunc, errors
    add("open f2 APPEND", "OPEN", string("f2") + u32(W | A) + NO_ATTRS, save="h3")
    add("append h3", "WRITE", lambda ctx: h("h3")(ctx) + u64(0) + string(b"APP"))
    add("close h3", "CLOSE", h("h3"))
    add("open f2 READ|WRITE", "OPEN", string("f2") + u32(R | W) + NO_ATTRS, save="h4")
    add("read h4", "READ", lambda ctx: h("h4")(ctx) + u64(0) + u32(100))
    add("write h4 middle", "WRITE", lambda ctx: h("h4")(ctx) + u64(4) + string(b"--"))
    add("read h4 again", "READ", lambda ctx: h("h4")(ctx) + u64(0) + u32(100))
    add("close h4", "CLOSE", h("h4"))
    add("open f1 EXCL", "OPEN", string("f1") + u32(W | C | X) + NO_ATTRS, save="hx")
    add("close hx", "CLOSE", h("hx"))
    add("open excl2 EXCL", "OPEN", string("excl2") + u32(W | C | X) + attrs(perm=0o600), save="hx2")
    add("close hx2", "CLOSE", h("hx2"))
    add("open dangling EXCL", "OPEN", string("dangling") + u32(W | C | X) + NO_ATTRS, save="hx3")
    add("close hx3", "CLOSE", h("hx3"))
    add("open missing READ", "OPEN", string("missing") + u32(R) + NO_ATTRS, save="hm")
    add("close hm", "CLOSE", h("hm"))
    add("open nodir/x WC", "OPEN", string("nodir/x") + u32(W | C) + NO_ATTRS, save="hn")
    add("close hn", "CLOSE", h("hn"))
    add("open d1 WRITE", "OPEN", string("d1") + u32(W) + NO_ATTRS, save="hdw")
    add("close hdw", "CLOSE", h("hdw"))
    add("open d1 READ", "OPEN", string("d1") + u32(R) + NO_ATTRS, save="hdr")
    add("read dir as file", "READ", lambda ctx: h("hdr")(ctx) + u64(0) + u32(10))
    add("close hdr", "CLOSE", h("hdr"))
    add("open ro WRITE", "OPEN", string("ro") + u32(W) + NO_ATTRS, save="hro")
    add("close hro", "CLOSE", h("hro"))
    add("open rootfile WRITE", "OPEN", string("rootfile") + u32(W) + NO_ATTRS, save="hrf")
    add("close hrf", "CLOSE", h("hrf"))
    add("open secret/x READ", "OPEN", string("secret/x") + u32(R) + NO_ATTRS, save="hs")
    add("close hs", "CLOSE", h("hs"))
    add("open f2 TRUNC", "OPEN", string("f2") + u32(W | T) + NO_ATTRS, save="ht")
    add("close ht", "CLOSE", h("ht"))
    add("open no access flags", "OPEN", string("f1") + u32(0) + NO_ATTRS, save="h0")
    add("read h0", "READ", lambda ctx: h("h0")(ctx) + u64(0) + u32(5))
    add("close h0", "CLOSE", h("h0"))

    # directories
    for name, path in (("hd1", "d1"), ("hmany", "many"), ("hempty", "empty"), ("hroot", "."),
                       ("hsub", "d1/sub")):
        add(f"opendir {path}", "OPENDIR", string(path), save=name)
        add(f"readdir all {path}", "READDIR*", h(name))
        add(f"readdir {path} after EOF", "READDIR", h(name))
        add(f"close {path}", "CLOSE", h(name))
    for path in ("f1", "missing", "secret", "link", "dangling"):
        add(f"opendir {path}", "OPENDIR", string(path), save="hbad")
        add(f"close {path}", "CLOSE", h("hbad"))
    add("opendir for handle checks", "OPENDIR", string("d1"), save="hd")
    for kind, rest in (("READ", u64(0) + u32(1)), ("WRITE", u64(0) + string(b"x")), ("FSTAT", b""),
                       ("FSETSTAT", attrs(perm=0o700))):
        add(f"{kind} on dir handle", kind, lambda ctx, r=rest: h("hd")(ctx) + r)
    add("fsync dir handle", "EXT:fsync@openssh.com", h("hd"))
    add("fstatvfs dir handle", "EXT:fstatvfs@openssh.com", h("hd"))
    add("close hd", "CLOSE", h("hd"))

    # setstat and lsetstat
    for label, a in (("perm", attrs(perm=0o604)), ("perm with type bits", attrs(perm=0o100640)),
                     ("times", attrs(atime=OLD + 11, mtime=OLD + 12)), ("size", attrs(size=3)),
                     ("grow", attrs(size=70000)), ("own ids", attrs(uid=uid, gid=gid)),
                     ("root ids", attrs(uid=0, gid=0)), ("nothing", NO_ATTRS),
                     ("all", attrs(size=4, uid=uid, gid=gid, perm=0o2644, atime=OLD, mtime=OLD + 1))):
        add(f"setstat f2 {label}", "SETSTAT", string("f2") + a)
        add(f"stat f2 after {label}", "STAT", string("f2"))
    add("setstat missing", "SETSTAT", string("missing") + attrs(perm=0o600))
    add("setstat missing size", "SETSTAT", string("missing") + attrs(size=1))
    add("setstat d1 size+perm", "SETSTAT", string("d1") + attrs(size=0, perm=0o750))
    add("setstat link perm", "SETSTAT", string("link") + attrs(perm=0o640))
    add("setstat rootfile perm", "SETSTAT", string("rootfile") + attrs(perm=0o600))
    add("setstat secret/x times", "SETSTAT", string("secret/x") + attrs(atime=1, mtime=2))
    add("lsetstat link times", "EXT:lsetstat@openssh.com", string("link") + attrs(atime=OLD + 20, mtime=OLD + 21))
    add("lsetstat link perm", "EXT:lsetstat@openssh.com", string("link") + attrs(perm=0o600))
    add("lsetstat link size", "EXT:lsetstat@openssh.com", string("link") + attrs(size=0))
    add("lsetstat dangling ids", "EXT:lsetstat@openssh.com", string("dangling") + attrs(uid=uid, gid=gid))
    add("lsetstat f2 perm", "EXT:lsetstat@openssh.com", string("f2") + attrs(perm=0o640))
    add("lsetstat missing", "EXT:lsetstat@openssh.com", string("missing") + attrs(perm=0o640))
    for p in ("link", "f1", "f2", "dangling"):
        add(f"lstat {p} after lsetstat", "LSTAT", string(p))

    # mkdir, rmdir, remove
    add("mkdir newdir 0750", "MKDIR", string("newdir") + attrs(perm=0o750))
    add("mkdir newdir again", "MKDIR", string("newdir") + NO_ATTRS)
    add("mkdir plain", "MKDIR", string("plain") + NO_ATTRS)
    add("mkdir sticky", "MKDIR", string("sticky") + attrs(perm=0o1777))
    add("mkdir nodir/x", "MKDIR", string("nodir/x") + NO_ATTRS)
    add("mkdir in secret", "MKDIR", string("secret/y") + NO_ATTRS)
    for p in ("newdir", "plain", "sticky"):
        add(f"stat {p}", "STAT", string(p))
    add("rmdir newdir", "RMDIR", string("newdir"))
    add("rmdir d1 (not empty)", "RMDIR", string("d1"))
    add("rmdir f1", "RMDIR", string("f1"))
    add("rmdir missing", "RMDIR", string("missing"))
    add("remove hard2", "REMOVE", string("hard2"))
    add("lstat hard1", "LSTAT", string("hard1"))
    add("remove d1", "REMOVE", string("d1"))
    add("remove missing", "REMOVE", string("missing"))
    add("remove dangling", "REMOVE", string("dangling"))
    add("remove rootfile", "REMOVE", string("rootfile"))
    add("remove secret/x", "REMOVE", string("secret/x"))

    # renames
    for label, old, new in (("file", "f1", "f1r"), ("back", "f1r", "f1"), ("onto file", "f1", "big"),
                            ("dir", "d1", "d1x"), ("dir back", "d1x", "d1"), ("dir onto file", "d1", "f1"),
                            ("file onto dir", "f1", "d1"), ("missing", "missing", "x"),
                            ("symlink", "link", "link2"), ("into missing dir", "f1", "nodir/x"),
                            ("into subdir", "ro", "d1/ro"), ("rootfile", "rootfile", "rf2"),
                            ("same name", "f2", "f2")):
        add(f"rename {label}", "RENAME", string(old) + string(new))
    for label, old, new in (("overwrite", "new", "f2"), ("missing", "missing", "x"),
                            ("dir onto non-empty", "plain", "many"), ("dir onto empty", "plain", "sticky"),
                            ("file onto dir", "f2", "d1"), ("to secret", "excl2", "secret/e")):
        add(f"posix-rename {label}", "EXT:posix-rename@openssh.com", string(old) + string(new))

    # links
    add("symlink sl", "SYMLINK", string("f1") + string("sl"))
    add("symlink sl again", "SYMLINK", string("x") + string("sl"))
    add("symlink absolute", "SYMLINK", string("/etc/passwd") + string("sl2"))
    add("symlink into missing dir", "SYMLINK", string("f1") + string("nodir/sl"))
    for p in ("sl", "sl2", "f1", "missing", "abslink", "link2", "loop"):
        add(f"readlink {p}", "READLINK", string(p))
    add("hardlink f1 hl", "EXT:hardlink@openssh.com", string("f1") + string("hl"))
    add("hardlink again", "EXT:hardlink@openssh.com", string("f1") + string("hl"))
    add("hardlink dir", "EXT:hardlink@openssh.com", string("d1") + string("hld"))
    add("hardlink missing", "EXT:hardlink@openssh.com", string("missing") + string("hlm"))
    add("hardlink rootfile", "EXT:hardlink@openssh.com", string("rf2") + string("hlr"))
    add("hardlink symlink", "EXT:hardlink@openssh.com", string("sl") + string("hls"))
    add("lstat hl", "LSTAT", string("hl"))

    # the other extensions
    for p in (".", "f1", "missing", "secret/x"):
        add(f"statvfs {p}", "EXT:statvfs@openssh.com", string(p))
    add("limits", "EXT:limits@openssh.com")
    for p in ("", "~", "~/", "~/f1", "f1", "~root", "~root/", "~no-such-user-x", "missing/x",
              "~/../..", f"~{user_name}", "/", "/tmp/../", "secret/x", "~/secret/x"):
        add(f"expand-path {p!r}", "EXT:expand-path@openssh.com", string(p))
    add("home-directory self", "EXT:home-directory", string(user_name))
    add("home-directory missing", "EXT:home-directory", string("no-such-user-x"))
    add("users-groups-by-id", "EXT:users-groups-by-id@openssh.com",
        string(b"".join(map(u32, [0, uid, 4242424, 65534]))) + string(b"".join(map(u32, [0, gid, 4242424]))))
    add("users-groups-by-id empty", "EXT:users-groups-by-id@openssh.com", string(b"") + string(b""))
    add("unknown extension", "EXT:nonexistent@example.com", string("x"))

    # copy-data, from a source the script writes itself, so it is the same
    # 300000 bytes whatever the start directory (a short source is a
    # deliberate difference, see above)
    add("open copysrc WCT", "OPEN", string("copysrc") + u32(W | C | T) + NO_ATTRS, save="hs")
    source = random.Random(7).randbytes(300000)
    for at in range(0, len(source), 100000):
        add(f"write copysrc {at}", "WRITE",
            lambda ctx, a=at: h("hs")(ctx) + u64(a) + string(source[a:a + 100000]))
    add("close copysrc", "CLOSE", h("hs"))
    add("open copysrc READ", "OPEN", string("copysrc") + u32(R) + NO_ATTRS, save="hb")
    add("open copy WCT", "OPEN", string("copy") + u32(W | C | T) + NO_ATTRS, save="hc")
    add("open copy2 APPEND", "OPEN", string("copy2") + u32(W | C | A) + NO_ATTRS, save="ha")
    for roff, rlen, woff in ((0, 0, 0), (100, 50, 10), (400000, 0, 0), (0, 200000, 5)):
        add(f"copy-data big {roff}+{rlen} -> copy@{woff}", "EXT:copy-data",
            lambda ctx, a=roff, b=rlen, c=woff: h("hb")(ctx) + u64(a) + u64(b) + h("hc")(ctx) + u64(c))
    add("copy-data to append handle", "EXT:copy-data",
        lambda ctx: h("hb")(ctx) + u64(0) + u64(10) + h("ha")(ctx) + u64(999))
    add("copy-data same handle", "EXT:copy-data",
        lambda ctx: h("hb")(ctx) + u64(0) + u64(10) + h("hb")(ctx) + u64(0))
    add("copy-data bad handle", "EXT:copy-data",
        lambda ctx: h("nonexistent")(ctx) + u64(0) + u64(10) + h("hc")(ctx) + u64(0))
    for name in ("hb", "hc", "ha"):
        add(f"close {name}", "CLOSE", h(name))
    for p in ("copy", "copy2"):
        add(f"stat {p}", "STAT", string(p))

    # the state everything ended in
    for name, path in (("hz", "."), ("hz1", "d1"), ("hz2", "many")):
        add(f"final opendir {path}", "OPENDIR", string(path), save=name)
        add(f"final readdir {path}", "READDIR*", h(name))
        add(f"final close {path}", "CLOSE", h(name))
    return s


# --- running and normalising -----------------------------------------------------

DATE_RE = re.compile(rb"^(\S{10} +\S+ \S+ +\S+ +\d+ )(\w{3} [ \d]\d (?: \d{4}|\d\d:\d\d))( .*)$",
                     re.S)


class Normaliser:
    def __init__(self, root, start):
        self.root = root.encode()
        self.start = start

    def time(self, t):
        return "<now>" if t >= self.start else t

    def attrs(self, a):
        a = dict(a)
        for k in ("atime", "mtime"):
            if k in a:
                a[k] = self.time(a[k])
        return a

    def path(self, b):
        return b.replace(self.root, b"<ROOT>")

    def entry(self, name, longname, a):
        a = self.attrs(a)
        if a.get("mtime") == "<now>":
            longname = DATE_RE.sub(rb"\1<now>\3", longname)
        return (self.path(name), self.path(longname), a)

    def reply(self, step, reply):
        kind = reply[0]
        if kind == "HANDLE":
            return ("HANDLE", "<handle>")
        if kind == "ATTRS":
            return ("ATTRS", self.attrs(reply[1]))
        if kind == "NAME":
            return ("NAME", [self.entry(*e) for e in reply[1]])
        if kind == "EXTENDED_REPLY":
            name = step.kind[4:]
            body = reply[1]
            if name in ("statvfs@openssh.com", "fstatvfs@openssh.com") and len(body) == 88:
                r = Reader(body)
                v = [r.u64() for _ in range(11)]
                for i in (3, 4, 6, 7):
                    v[i] = "<free>"
                return (kind, "statvfs", v)
            if name == "limits@openssh.com" and len(body) == 32:
                r = Reader(body)
                v = [r.u64() for _ in range(4)]
                v[3] = "<n>" if v[3] > 0 else v[3]
                return (kind, "limits", v)
        return reply


def run_script(client, script, norm):
    """The normalised replies, one per step; if the server stops answering,
    a ("NO REPLY", error) entry for that step ends the list."""
    ctx, out = {}, []
    for step in script:
        try:
            out.append(run_step(client, step, ctx, norm))
        except (EOFError, OSError, ValueError, AssertionError) as e:
            out.append(("NO REPLY", f"{type(e).__name__}: {e}"))
            break
    return out


def run_step(client, step, ctx, norm):
    """One step's normalised reply."""
    body = step.body(ctx)
    if step.kind == "READDIR*":
        entries, final = [], None
        for _ in range(10000):
            reply = decode_reply(*client.request("READDIR", body))
            if reply[0] != "NAME":
                final = reply
                break
            entries += reply[1]
        return ("READDIR*", sorted(norm.entry(*e) for e in entries), final)
    if step.kind.startswith("EXT:"):
        reply = decode_reply(*client.extended(step.kind[4:], body))
    else:
        reply = decode_reply(*client.request(step.kind, body))
    if step.save and reply[0] == "HANDLE":
        ctx[step.save] = reply[1]
    return norm.reply(step, reply)


def tree_state(root, norm):
    """Everything v3 can see of a tree (times normalised) plus contents."""
    state = {}
    for dirpath, dirs, files in os.walk(root):
        for n in sorted(dirs + files):
            p = os.path.join(dirpath, n)
            st = os.lstat(p)
            rel = os.path.relpath(p, root)
            item = [stat.filemode(st.st_mode), st.st_uid, st.st_gid, st.st_nlink,
                    norm.time(int(st.st_mtime))]
            if stat.S_ISREG(st.st_mode):
                with open(p, "rb") as f:
                    item.append(f.read())
            elif stat.S_ISLNK(st.st_mode):
                item.append(norm.path(os.readlink(p).encode()))
            else:
                item.append(st.st_size if stat.S_ISDIR(st.st_mode) else None)
            state[rel] = item
    return state


def short(value, limit=600):
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + f"... ({len(text)} chars)"


def describe(i, label, ref, sut):
    """One differing step, readable: for a directory listing only the
    entries that differ."""
    if ref[0] == sut[0] == "READDIR*":
        only_ref = [e for e in ref[1] if e not in sut[1]]
        only_sut = [e for e in sut[1] if e not in ref[1]]
        return (f"step {i} {label}:\n    only openssh: {short(only_ref, 2000)}\n"
                f"    only ours:    {short(only_sut, 2000)}\n"
                f"    end: openssh {ref[2]!r}, ours {sut[2]!r}")
    return f"step {i} {label}:\n    openssh: {short(ref)}\n    ours:    {short(sut)}"


class Differential(ServerTestCase):
    def compare(self, *options, as_user=False):
        parent = self.make_tempdir()
        os.utime(parent, (OLD, OLD))
        owner = (USER.uid, USER.gid) if as_user else (0, 0)
        user_name = USER.name if as_user else "root"
        roots = {}
        for name in ("ref", "sut"):
            roots[name] = os.path.join(parent, name)
            os.mkdir(roots[name])
            make_fixture(roots[name], owner)
        os.utime(parent, (OLD, OLD))
        script = build_script(*owner, user_name)
        start = int(time.time())
        results, trees = {}, {}
        for name, binary in (("ref", OPENSSH_SERVER), ("sut", None)):
            norm = Normaliser(roots[name], start)
            server = self.start_server(*options, cwd=roots[name], binary=binary,
                                       user=owner if as_user else None, umask=0o022)
            client, ver, exts = self.raw(server)
            results[name] = [("VERSION", ver, exts)] + run_script(client, script, norm)
            rc, err = server.close()
            server.finished = True
            report = crash_report(rc, err, 0, what="openssh's server" if binary else "our server")
            if report:
                results[name].append(("SERVER EXIT", report))
            trees[name] = tree_state(roots[name], norm)
        labels = ["init"] + [s.label for s in script]
        self.assertGreaterEqual(len(script), 250)   # the script is all there
        diffs = []
        for i, (label, a, b) in enumerate(itertools.zip_longest(
                labels, results["ref"], results["sut"], fillvalue=None)):
            if a is None or b is None:
                diffs.append(f"the remaining {len(labels) - i} steps were not compared: "
                             f"{'OpenSSH' if a is None else 'our server'} stopped answering")
                break
            if a != b:
                diffs.append(describe(i, label, a, b))
        tree_diffs = [f"  {k}:\n    openssh: {short(trees['ref'].get(k))}\n"
                      f"    ours:    {short(trees['sut'].get(k))}"
                      for k in sorted(set(trees["ref"]) | set(trees["sut"]))
                      if trees["ref"].get(k) != trees["sut"].get(k)]
        if diffs or tree_diffs:
            self.fail(f"options {list(options)}, {'user' if as_user else 'root'}: "
                      f"{len(diffs)} of {len(labels)} replies differ\n" + "\n".join(diffs)
                      + ("\nthe trees left behind differ:\n" + "\n".join(tree_diffs)
                         if tree_diffs else ""))

    def test_as_root(self):
        self.compare()

    def test_as_unprivileged_user(self):
        self.compare(as_user=True)

    def test_read_only(self):
        self.compare("-R", as_user=True)

    def test_umask_and_request_lists(self):
        self.compare("-u", "077", "-P", "remove,posix-rename,fsync,lstat", as_user=True)
        self.compare("-p", "open,close,read,write,stat,opendir,readdir,realpath,copy-data,"
                     "statvfs,limits,expand-path,hardlink")

    def test_start_directory(self):
        self.compare("-d", "d1/sub", as_user=True)


if __name__ == "__main__":
    tap.main()
