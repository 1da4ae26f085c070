"""What every interop suite shares: a private sshd whose `Subsystem sftp` is the
server under test (--server, default BUILD/sftp-server), one ordinary test user
with a normal shell and a home in the site, a large random file, and checks.

Each client works in its own directory of the user's home, so the files the
server wrote can be checked on the host, not only through the client.
"""
import hashlib
import os
import re
import shutil
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))

import tap  # noqa: E402
import sshd as sshdlib  # noqa: E402

# Large enough to need many requests in flight and several SSH windows, small
# enough that nine clients x two directions stay within a few minutes. The odd
# tail catches off-by-one errors at the last read/write.
BIG_SIZE = 32 * 1024 * 1024 + 12345


class Env:
    def __init__(self):
        self.site = sshdlib.TestSite(prefix="sftpsh-interop")
        try:
            self._setup()
        except BaseException:
            self.site.close()
            raise

    def _setup(self):
        site = self.site
        # a copy: the checkout may sit under a 0700 /root the user can't enter
        self.server = site.install_binary(tap.ARGS.server,
                                          os.path.join(site.sub("bin"), "sftp-server"))
        homes = site.sub("home")
        home = os.path.join(homes, "user")
        self.user = site.add_user("user", home, "/bin/sh")
        sshdlib.make_dir(home, 0o755, self.user.uid, self.user.gid)
        self.home = home
        self.local = site.sub("local", mode=0o700)
        self.big = os.path.join(self.local, "big.bin")
        with open(self.big, "wb") as f:
            f.write(os.urandom(BIG_SIZE))
        self.big_sha = sha256(self.big)
        self.sshd = sshdlib.PrivateSshd(site, "interop", self.server).start()
        self._logging_sshd = None

    def logging_sshd(self):
        """A second sshd whose server runs with -l INFO and logs to a /dev/log
        we read, as admins run it (started on first use)."""
        if self._logging_sshd is None:
            self.site.catch_syslog()
            self._logging_sshd = sshdlib.PrivateSshd(self.site, "logging", f"{self.server} -l INFO",
                                                     syslog=True).start()
        return self._logging_sshd

    def workdir(self, name):
        """A fresh directory NAME in the user's home (host path) and a local one."""
        remote = os.path.join(self.home, name)
        shutil.rmtree(remote, ignore_errors=True)
        sshdlib.make_dir(remote, 0o755, self.user.uid, self.user.gid)
        local = os.path.join(self.local, name)
        shutil.rmtree(local, ignore_errors=True)
        os.makedirs(local)
        return remote, local

    def close(self):
        return self.site.close()


ENV = None


def setup():
    global ENV
    if ENV is None:
        ENV = Env()
    return ENV


def teardown():
    """Remove everything; a cleanup problem fails the suite (tearDownModule)."""
    global ENV
    if ENV is not None:
        problems = ENV.close()
        ENV = None
        if problems:
            raise RuntimeError("cleanup left something behind: " + "; ".join(problems))


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while True:
            chunk = f.read(1 << 20)
            if not chunk:
                return h.hexdigest()
            h.update(chunk)


def make_tree(root):
    """A small tree with nested dirs, an empty file, odd names and sizes."""
    files = {
        "a.txt": b"alpha\n",
        "empty": b"",
        "sub/b.bin": os.urandom(70000),
        "sub/deeper/c with space.txt": b"gamma " * 1000,
        "sub/deeper/d-\u00e9t\u00e9.txt": b"delta\n",
    }
    for rel, data in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    return files


def tree_listing(root):
    """{relative path: content} for every file under root."""
    out = {}
    for dirpath, _, names in os.walk(root):
        for n in names:
            p = os.path.join(dirpath, n)
            with open(p, "rb") as f:
                out[os.path.relpath(p, root)] = f.read()
    return out


class ClientTest(unittest.TestCase):
    """Base for client scenarios: every scenario must have used SFTP only."""

    maxDiff = 4000

    def setUp(self):
        self.env = ENV
        self.sshd = ENV.sshd
        self.user = ENV.user
        self._log_mark = ENV.sshd.log_mark()

    def assert_sftp_only(self):
        """The client opened at least one sftp subsystem and never ran a command."""
        log = self.sshd.log_since(self._log_mark)
        self.assertRegex(log, r"Starting session: subsystem .sftp. for " + re.escape(self.user.name) + " ",
                         "no SFTP subsystem session in the sshd log")
        commands = [l for l in log.splitlines()
                    if re.search(r"Starting session: (command|shell)", l)]
        self.assertEqual(commands, [], "the client ran commands (not SFTP only)")

    def assert_big_file(self, path):
        self.assertEqual(os.path.getsize(path), BIG_SIZE, path)
        self.assertEqual(sha256(path), ENV.big_sha, f"{path}: checksum differs")

    def assert_owned_by_user(self, path):
        st = os.lstat(path)
        self.assertEqual((st.st_uid, st.st_gid), (self.user.uid, self.user.gid), path)

    def plant_partial_transfers(self, remote, local, part):
        """Sets up a resumed upload to remote/up.bin and a resumed download of
        remote/down.bin (the big file) to local/down.bin, each with its first
        `part` bytes "already transferred" as zeros, so a full re-transfer
        would be caught. Returns the bytes both files must hold afterwards."""
        with open(self.env.big, "rb") as f:
            big = f.read()
        for path in (os.path.join(remote, "up.bin"), os.path.join(local, "down.bin")):
            with open(path, "wb") as f:
                f.write(bytes(part))
        shutil.copyfile(self.env.big, os.path.join(remote, "down.bin"))
        for name in ("up.bin", "down.bin"):
            os.chown(os.path.join(remote, name), self.user.uid, self.user.gid)
        return bytes(part) + big[part:]

    def assert_resumed(self, remote, local, expected):
        for path in (os.path.join(remote, "up.bin"), os.path.join(local, "down.bin")):
            with open(path, "rb") as f:
                got = f.read()
            self.assertEqual(len(got), len(expected), path)
            self.assertTrue(got == expected, f"{path}: resumed content differs")


def main():
    tap.main("__main__")
