#!/usr/bin/python3
"""`make install` (mk/install.mk) into a throwaway PREFIX, as root.

The privilege sftpsh gets: the file capability where setcap works; setuid
root only where the filesystem takes no capabilities ("Operation not
supported") or with SFTPSH_SETUID=yes; a failure (setcap missing, any other
setcap error) fails the install and never turns into setuid root. Also:
/etc/shells (SHELLS here) gets a line of its own even when its last line has
no newline, and existing directories keep their modes. setcap's failures are
played by small scripts given as SETCAP; the rest is the real thing. Uses the
release build (BUILD/sftpsh, BUILD/sftp-server) without rebuilding it.
"""
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
import tap  # noqa: E402

FAKE_SETCAP = """#!/bin/sh
echo "Failed to set capabilities on file \\`$2' ({reason})" >&2
echo "usage: setcap [-h] [-q] [-v] [-n <rootid>] (-r|-|<caps>) <filename> [ ... ]" >&2
exit 1
"""


class Install(unittest.TestCase):
    maxDiff = 4000

    def setUp(self):
        if os.geteuid() != 0:
            self.fail("make install tests need root (setcap, setuid root)")
        build = tap.ARGS.build
        for name in ("sftpsh", "sftp-server"):
            if not os.path.exists(os.path.join(build, name)):
                self.fail(f"{build}/{name} missing: build it first")
        self.dir = tempfile.mkdtemp(prefix="sftpsh-install.", dir="/srv")
        self.prefix = os.path.join(self.dir, "prefix")
        self.etc = os.path.join(self.dir, "etc")
        self.shells = os.path.join(self.dir, "shells")
        with open(self.shells, "w") as f:
            f.write("# /etc/shells: valid login shells\n/bin/sh\n")
        self.shell = os.path.join(self.prefix, "sbin", "sftpsh")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def fake_setcap(self, reason):
        path = os.path.join(self.dir, "setcap")
        with open(path, "w") as f:
            f.write(FAKE_SETCAP.replace("{reason}", reason))
        os.chmod(path, 0o755)
        return path

    def make(self, *extra, target="install"):
        build = tap.ARGS.build
        env = {k: v for k, v in os.environ.items()
               if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "DESTDIR")}
        argv = ["make", "-C", ROOT, "--no-print-directory",
                "-o", f"{build}/sftpsh", "-o", f"{build}/sftp-server", target,
                f"BUILD={build}", f"PREFIX={self.prefix}", f"SYSCONFDIR={self.etc}",
                f"SHELLS={self.shells}", *extra]
        return subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)

    def mode(self):
        return stat.S_IMODE(os.stat(self.shell).st_mode)

    def capabilities(self):
        return subprocess.run(["getcap", self.shell], capture_output=True, text=True).stdout

    def test_file_capability_where_setcap_works(self):
        r = self.make()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("cap_sys_chroot=ep", self.capabilities())
        self.assertEqual(self.mode(), 0o755, "setuid although the capability was set")

    def test_missing_setcap_fails_instead_of_setuid_root(self):
        r = self.make("SETCAP=/nonexistent/setcap")
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn("/nonexistent/setcap not found", r.stderr)
        self.assertIn("SFTPSH_SETUID=yes", r.stderr)
        self.assertFalse(self.mode() & stat.S_ISUID, "setuid root although setcap was missing")
        self.assertEqual(self.capabilities().strip(), "")

    def test_other_setcap_failure_fails_with_its_message(self):
        r = self.make(f"SETCAP={self.fake_setcap('Permission denied')}")
        self.assertNotEqual(r.returncode, 0, r.stdout)
        self.assertIn("(Permission denied)", r.stderr, "setcap's own error not shown")
        self.assertFalse(self.mode() & stat.S_ISUID, "setuid root after a setcap error")

    def test_setuid_root_only_without_file_capabilities(self):
        r = self.make(f"SETCAP={self.fake_setcap('Operation not supported')}")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("(Operation not supported)", r.stdout, "setcap's own error not shown")
        self.assertIn("setuid root", r.stdout)
        st = os.stat(self.shell)
        self.assertEqual((stat.S_IMODE(st.st_mode), st.st_uid), (0o4755, 0))

    def test_setuid_root_on_request(self):
        r = self.make("SFTPSH_SETUID=yes", "SETCAP=/nonexistent/setcap")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(self.mode(), 0o4755)
        self.assertEqual(self.capabilities().strip(), "")

    def test_shells_line_of_its_own_even_without_final_newline(self):
        with open(self.shells, "w") as f:
            f.write("/bin/sh\n/bin/bash")  # no newline after the last line
        for _ in range(2):  # installing twice is harmless
            r = self.make()
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        with open(self.shells) as f:
            self.assertEqual(f.read(), f"/bin/sh\n/bin/bash\n{self.shell}\n")

    def test_existing_directories_keep_their_modes(self):
        sbin = os.path.join(self.prefix, "sbin")
        os.makedirs(sbin)
        os.makedirs(self.etc)
        os.chmod(self.prefix, 0o711)
        os.chmod(sbin, 0o750)
        os.chmod(self.etc, 0o700)
        r = self.make()
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        modes = {p: stat.S_IMODE(os.stat(p).st_mode) for p in (self.prefix, sbin, self.etc)}
        self.assertEqual(modes, {self.prefix: 0o711, sbin: 0o750, self.etc: 0o700})
        self.assertTrue(os.path.isfile(self.shell))
        # and the ones it had to create are 0755
        libexec = os.path.join(self.prefix, "libexec", "sftpsh")
        self.assertEqual(stat.S_IMODE(os.stat(libexec).st_mode), 0o755)


if __name__ == "__main__":
    tap.main()
