#!/usr/bin/python3
"""Interop: curl's sftp:// (libssh2): transfers, directory listings, -Q quote
commands and -C - resume."""
import base64
import hashlib
import os
import re

import interop_env
from interop_env import ClientTest, sshdlib


def setUpModule():
    interop_env.setup()


def tearDownModule():
    interop_env.teardown()


class Curl(ClientTest):
    def curl(self, path, *args, check=True):
        blob = base64.b64decode(self.env.site.host_pub.split()[1])
        fingerprint = base64.b64encode(hashlib.sha256(blob).digest()).decode()
        url = f"sftp://127.0.0.1:{self.sshd.port}{path}"
        return sshdlib.run(["curl", "-sS", "--hostpubsha256", fingerprint,
                            "--key", self.user.key, "--pubkey", self.user.key + ".pub",
                            "-u", f"{self.user.name}:", *args, url],
                           check=check, timeout=300)

    def test_large_file_round_trip(self):
        remote, local = self.env.workdir("curl-big")
        self.curl("/~/curl-big/big.bin", "-T", self.env.big)
        self.assert_big_file(os.path.join(remote, "big.bin"))
        self.assert_owned_by_user(os.path.join(remote, "big.bin"))
        self.curl("/~/curl-big/big.bin", "-o", os.path.join(local, "big.bin"))
        self.assert_big_file(os.path.join(local, "big.bin"))
        self.assert_sftp_only()

    def test_resume_download_and_upload(self):
        """-C - continues after the bytes already there (zeros we planted)."""
        remote, local = self.env.workdir("curl-resume")
        expected = self.plant_partial_transfers(remote, local, 4 * 1024 * 1024 + 3)
        self.curl("/~/curl-resume/up.bin", "-C", "-", "-T", self.env.big)
        self.curl("/~/curl-resume/down.bin", "-C", "-", "-o", os.path.join(local, "down.bin"))
        self.assert_resumed(remote, local, expected)
        self.assert_sftp_only()

    def test_quote_commands_and_listing(self):
        remote, local = self.env.workdir("curl-ops")
        with open(os.path.join(local, "f.txt"), "w") as f:
            f.write("curl\n")
        self.curl("/~/curl-ops/f.txt", "-T", os.path.join(local, "f.txt"))
        r = self.curl("/~/curl-ops/", "-Q", f"mkdir {remote}/d",
                      "-Q", f"mkdir {remote}/gone",
                      "-Q", f"rename {remote}/f.txt {remote}/d/g.txt",
                      "-Q", f"chmod 0640 {remote}/d/g.txt",
                      "-Q", f"symlink {remote}/d/g.txt {remote}/sym",
                      "-Q", f"rmdir {remote}/gone",
                      "-Q", "statvfs " + remote)
        self.assertEqual(sorted(os.listdir(remote)), ["d", "sym"])
        self.assertEqual(os.stat(os.path.join(remote, "d", "g.txt")).st_mode & 0o7777, 0o640)
        self.assertEqual(os.readlink(os.path.join(remote, "sym")), f"{remote}/d/g.txt")
        name = re.escape(self.user.name)
        # curl prints the server's longnames: names, not numbers
        self.assertRegex(r.stdout, rf"(?m)^drwx.* {name} +{name} .* d$")
        self.assertRegex(r.stdout, rf"(?m)^lrwxrwxrwx .* sym -> {re.escape(remote)}/d/g\.txt$")
        self.curl("/~/curl-ops/", "-Q", f"rm {remote}/d/g.txt", "-Q", f"rm {remote}/sym")
        self.assertEqual(os.listdir(remote), ["d"])
        self.assertEqual(os.listdir(os.path.join(remote, "d")), [])
        self.assert_sftp_only()

    def test_errors_are_reported(self):
        remote, _ = self.env.workdir("curl-err")
        r = self.curl("/~/curl-err/missing", "-o", "/dev/null", check=False)
        self.assertEqual(r.returncode, 78, r.stderr)  # CURLE_REMOTE_FILE_NOT_FOUND
        r = self.curl("/~/curl-err/", "-Q", f"rmdir {remote}/missing", check=False)
        self.assertEqual(r.returncode, 21, r.stderr)  # CURLE_QUOTE_ERROR
        self.assertRegex(r.stderr, re.compile("no such file", re.I))
        self.assert_sftp_only()


if __name__ == "__main__":
    interop_env.main()
