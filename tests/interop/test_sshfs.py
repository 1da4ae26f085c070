#!/usr/bin/python3
"""Interop: sshfs (FUSE over SFTP): mount the user's home, use it with
ordinary tools (cp, ls, mkdir, mv, chmod, ln, rm, df, >>), unmount.

sshfs relies on posix-rename, statvfs, hardlink and fsync, and sends
O_APPEND writes (sshfs#117)."""
import os
import shutil
import subprocess

import interop_env
from interop_env import ClientTest, sshdlib, make_tree, tree_listing


def setUpModule():
    interop_env.setup()


def tearDownModule():
    interop_env.teardown()


class Sshfs(ClientTest):
    def setUp(self):
        super().setUp()
        self.mnt = self.env.site.sub("mnt-sshfs", mode=0o700)
        self.env.site.record_mount(self.mnt)
        sshdlib.run(["sshfs", "-F", self.sshd.ssh_config,
                     f"{self.user.name}@127.0.0.1:{self.env.home}", self.mnt,
                     "-o", "max_conns=1"], timeout=60)
        self.assertTrue(os.path.ismount(self.mnt), "sshfs did not mount")

    def tearDown(self):
        r = sshdlib.run(["fusermount3", "-u", self.mnt], check=False)
        if r.returncode == 0:
            self.env.site.forget_mount(self.mnt)
        super().tearDown()
        self.assertEqual(r.returncode, 0, f"unmount failed: {r.stderr}")

    def test_large_file_round_trip(self):
        remote, local = self.env.workdir("sshfs-big")
        shutil.copyfile(self.env.big, os.path.join(self.mnt, "sshfs-big", "big.bin"))
        os.sync()
        self.assert_big_file(os.path.join(remote, "big.bin"))
        self.assert_owned_by_user(os.path.join(remote, "big.bin"))
        shutil.copyfile(os.path.join(self.mnt, "sshfs-big", "big.bin"), os.path.join(local, "big.bin"))
        self.assert_big_file(os.path.join(local, "big.bin"))
        self.assert_sftp_only()

    def test_shell_tools_on_the_mount(self):
        remote, _ = self.env.workdir("sshfs-ops")
        m = os.path.join(self.mnt, "sshfs-ops")
        sh = subprocess.run(["/bin/sh", "-euc", """
            cd "$1"
            mkdir -p d/sub
            echo one > d/f.txt
            echo two >> d/f.txt          # O_APPEND
            mv d/f.txt d/g.txt           # posix-rename
            echo new > d/h.txt
            mv -f d/h.txt d/g.txt        # rename over an existing file
            chmod 640 d/g.txt
            ln -s g.txt d/sym
            ln d/g.txt d/hard            # hardlink@openssh.com
            truncate -s 2 d/hard
            rmdir d/sub
            ls -ln d
            df -P .                      # statvfs@openssh.com
            rm d/hard
            cat d/sym
        """, "sh", m], capture_output=True, text=True, timeout=120)
        self.assertEqual(sh.returncode, 0, sh.stderr)
        d = os.path.join(remote, "d")
        self.assertEqual(sorted(os.listdir(d)), ["g.txt", "sym"])
        self.assertEqual(os.stat(os.path.join(d, "g.txt")).st_mode & 0o7777, 0o640)
        self.assertEqual(os.readlink(os.path.join(d, "sym")), "g.txt")
        with open(os.path.join(d, "g.txt")) as f:
            self.assertEqual(f.read(), "ne")  # "new\n" truncated to 2 through the hard link
        self.assertEqual(sh.stdout.splitlines()[-1], "ne")
        # (sshfs caches attributes: link count and size in ls may lag)
        self.assertRegex(sh.stdout, rf"(?m)^-rw-r----- +\d+ +{self.user.uid} +{self.user.gid} .* g.txt$")
        self.assertRegex(sh.stdout, r"(?m)^\S+ +\d+ +\d+ +\d+ +\d+% ")
        self.assert_sftp_only()

    def test_tree_copy_both_ways(self):
        remote, local = self.env.workdir("sshfs-tree")
        src = os.path.join(local, "src")
        files = make_tree(src)
        shutil.copytree(src, os.path.join(self.mnt, "sshfs-tree", "tree"))
        self.assertEqual(tree_listing(os.path.join(remote, "tree")), files)
        shutil.copytree(os.path.join(self.mnt, "sshfs-tree", "tree"), os.path.join(local, "back"))
        self.assertEqual(tree_listing(os.path.join(local, "back")), files)
        with self.assertRaises(FileNotFoundError):
            open(os.path.join(self.mnt, "sshfs-tree", "missing"))
        self.assert_sftp_only()


if __name__ == "__main__":
    interop_env.main()
