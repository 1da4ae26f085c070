#!/usr/bin/python3
"""Interop: rclone's sftp backend, configured to use SFTP only.

By default rclone probes the remote with shell commands (`echo ${ShellId}...`,
md5sum, sha1sum, df), which an SFTP-only account denies. shell_type = none and
disable_hashcheck = true stop that (rclone#6351, PR#7680); every test checks
in the sshd log that no command session was opened.
"""
import json
import os
import re

import interop_env
from interop_env import ClientTest, make_tree, tree_listing, sshdlib


def setUpModule():
    env = interop_env.setup()
    known = os.path.join(env.site.client_dir, "known_hosts_rclone")
    sshdlib.write_file(known, env.sshd.known_hosts_line(), 0o644)
    conf = os.path.join(env.site.client_dir, "rclone.conf")
    sshdlib.write_file(conf, "\n".join([
        "[t]",
        "type = sftp",
        "host = 127.0.0.1",
        f"port = {env.sshd.port}",
        f"user = {env.user.name}",
        f"key_file = {env.user.key}",
        f"known_hosts_file = {known}",
        "shell_type = none",
        "disable_hashcheck = true",
        "md5sum_command = none",
        "sha1sum_command = none",
        "ask_password = false",
    ]) + "\n", 0o600)
    Rclone.conf = conf


def tearDownModule():
    interop_env.teardown()


class Rclone(ClientTest):
    conf = None

    def rclone(self, *args, check=True):
        return sshdlib.run(["rclone", "--config", self.conf, "--log-level", "ERROR",
                            "--retries", "1", "--low-level-retries", "1", *args],
                           check=check, timeout=300)

    def test_large_file_round_trip(self):
        remote, local = self.env.workdir("rclone-big")
        self.rclone("copyto", self.env.big, "t:rclone-big/big.bin")
        self.assert_big_file(os.path.join(remote, "big.bin"))
        self.assert_owned_by_user(os.path.join(remote, "big.bin"))
        self.rclone("copyto", "t:rclone-big/big.bin", os.path.join(local, "big.bin"))
        self.assert_big_file(os.path.join(local, "big.bin"))
        self.assert_sftp_only()

    def test_mkdir_moveto_lsjson_delete_about(self):
        remote, local = self.env.workdir("rclone-ops")
        small = os.path.join(local, "small.txt")
        with open(small, "w") as f:
            f.write("rclone\n")
        os.utime(small, (1_500_000_000, 1_600_000_000))
        self.rclone("mkdir", "t:rclone-ops/d/sub")
        self.rclone("copyto", small, "t:rclone-ops/d/f.txt")
        self.rclone("moveto", "t:rclone-ops/d/f.txt", "t:rclone-ops/d/g.txt")
        listing = json.loads(self.rclone("lsjson", "t:rclone-ops/d").stdout)
        by_name = {e["Name"]: e for e in listing}
        self.assertEqual(sorted(by_name), ["g.txt", "sub"])
        self.assertTrue(by_name["sub"]["IsDir"])
        self.assertEqual(by_name["g.txt"]["Size"], 7)
        self.assertTrue(by_name["g.txt"]["ModTime"].startswith("2020-09-13T12:26:40"),
                        by_name["g.txt"]["ModTime"])  # set with SETSTAT
        g = os.path.join(remote, "d", "g.txt")
        self.assertEqual(int(os.stat(g).st_mtime), 1_600_000_000)
        self.assertFalse(os.path.exists(os.path.join(remote, "d", "f.txt")))
        self.rclone("rmdir", "t:rclone-ops/d/sub")
        self.assertFalse(os.path.exists(os.path.join(remote, "d", "sub")))
        self.rclone("deletefile", "t:rclone-ops/d/g.txt")
        self.assertEqual(os.listdir(os.path.join(remote, "d")), [])
        about = json.loads(self.rclone("about", "--json", "t:").stdout)  # statvfs@openssh.com
        self.assertGreater(about.get("total", 0), 0, about)
        self.rclone("purge", "t:rclone-ops/d")
        self.assertFalse(os.path.exists(os.path.join(remote, "d")))
        self.assert_sftp_only()

    def test_sync_check_and_copy_back(self):
        remote, local = self.env.workdir("rclone-tree")
        src = os.path.join(local, "src")
        files = make_tree(src)
        self.rclone("sync", src, "t:rclone-tree/tree")
        self.assertEqual(tree_listing(os.path.join(remote, "tree")), files)
        # --download compares content, not only sizes (no remote hashes here)
        self.rclone("check", "--download", src, "t:rclone-tree/tree")
        # a changed remote file must make check fail: proves check reads data
        with open(os.path.join(remote, "tree", "a.txt"), "wb") as f:
            f.write(b"ALPHA\n")
        r = self.rclone("check", "--download", src, "t:rclone-tree/tree", check=False)
        self.assertNotEqual(r.returncode, 0)
        self.rclone("sync", "--ignore-times", src, "t:rclone-tree/tree")
        self.assertEqual(tree_listing(os.path.join(remote, "tree")), files)
        self.rclone("copy", "t:rclone-tree/tree", os.path.join(local, "back"))
        self.assertEqual(tree_listing(os.path.join(local, "back")), files)
        self.assert_sftp_only()

    def test_missing_file_fails(self):
        self.env.workdir("rclone-err")
        r = self.rclone("copyto", "t:rclone-err/none", "/dev/null", check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertRegex(r.stderr, re.compile("not found|doesn't exist|no such file", re.I))
        self.assert_sftp_only()


if __name__ == "__main__":
    interop_env.main()
