#!/usr/bin/python3
"""Interop: Go's github.com/pkg/sftp (what rclone, restic and many Go tools
use), with concurrent reads and writes, so requests arrive out of order.

The client (gosftp/main.go) is compiled at test time, offline, from Debian's
golang-github-pkg-sftp-dev in GOPATH mode, and cached in BUILD/tests/.
"""
import os

import interop_env
from interop_env import ClientTest, make_tree, sshdlib, tap

SOURCE = os.path.join(interop_env.HERE, "gosftp", "main.go")


def build_client():
    out_dir = os.path.join(tap.ARGS.build, "tests")
    binary = os.path.join(out_dir, "gosftp")
    if os.path.exists(binary) and os.path.getmtime(binary) >= os.path.getmtime(SOURCE):
        return binary
    os.makedirs(out_dir, exist_ok=True)
    env = dict(os.environ, GO111MODULE="off", GOPATH="/usr/share/gocode",
               GOCACHE=os.path.join(out_dir, "gocache"), GOFLAGS="", GOPROXY="off",
               CGO_ENABLED="0")
    sshdlib.run(["go", "build", "-o", binary + ".tmp", SOURCE], env=env, timeout=600,
                cwd=os.path.dirname(SOURCE))
    os.rename(binary + ".tmp", binary)
    return binary


def setUpModule():
    env = interop_env.setup()
    GoSftp.binary = build_client()
    GoSftp.hostkey = env.site.host_key + ".pub"


def tearDownModule():
    interop_env.teardown()


class GoSftp(ClientTest):
    binary = hostkey = None

    def go(self, *lines, check=True):
        script = "\n".join("\t".join(l) for l in lines) + "\n"
        return sshdlib.run([self.binary, "-addr", f"127.0.0.1:{self.sshd.port}",
                            "-user", self.user.name, "-key", self.user.key,
                            "-hostkey", self.hostkey],
                           input=script, stdin=None, check=check, timeout=300)

    def test_large_file_round_trip_concurrent(self):
        remote, local = self.env.workdir("go-big")
        self.go(("put", self.env.big, f"{remote}/big.bin"),
                ("get", f"{remote}/big.bin", f"{local}/big.bin"))
        self.assert_big_file(os.path.join(remote, "big.bin"))
        self.assert_owned_by_user(os.path.join(remote, "big.bin"))
        self.assert_big_file(os.path.join(local, "big.bin"))
        self.assert_sftp_only()

    def test_resume_put_and_get(self):
        remote, local = self.env.workdir("go-resume")
        expected = self.plant_partial_transfers(remote, local, 6 * 1024 * 1024 + 11)
        self.go(("resumeput", self.env.big, f"{remote}/up.bin"),
                ("resumeget", f"{remote}/down.bin", f"{local}/down.bin"))
        self.assert_resumed(remote, local, expected)
        self.assert_sftp_only()

    def test_directory_and_attribute_operations(self):
        remote, local = self.env.workdir("go-ops")
        small = os.path.join(local, "small.txt")
        with open(small, "w") as f:
            f.write("go sftp\n")
        r = self.go(("mkdirall", f"{remote}/a/b/c"),
                    ("put", small, f"{remote}/a/f.txt"),
                    ("rename", f"{remote}/a/f.txt", f"{remote}/a/g.txt"),
                    ("put", small, f"{remote}/a/h.txt"),
                    # v3 RENAME refuses an existing target; posix-rename replaces it
                    ("fail", "rename", f"{remote}/a/h.txt", f"{remote}/a/g.txt"),
                    ("posixrename", f"{remote}/a/h.txt", f"{remote}/a/g.txt"),
                    ("chmod", "600", f"{remote}/a/g.txt"),
                    ("truncate", "3", f"{remote}/a/g.txt"),
                    ("chtimes", "1234567890", f"{remote}/a/g.txt"),
                    ("symlink", "g.txt", f"{remote}/a/sym"),
                    ("readlink", f"{remote}/a/sym"),
                    ("link", f"{remote}/a/g.txt", f"{remote}/a/hard"),
                    ("stat", f"{remote}/a/sym"),
                    ("lstat", f"{remote}/a/sym"),
                    ("statvfs", remote),
                    ("realpath", f"{remote}/a/b/../g.txt"),
                    ("getwd",),
                    ("rmdir", f"{remote}/a/b/c"),
                    ("fail", "rmdir", f"{remote}/a"),
                    ("remove", f"{remote}/a/hard"),
                    ("ls", f"{remote}/a"))
        a = os.path.join(remote, "a")
        self.assertEqual(sorted(os.listdir(a)), ["b", "g.txt", "sym"])
        st = os.stat(os.path.join(a, "g.txt"))
        self.assertEqual((st.st_mode & 0o7777, st.st_size, int(st.st_mtime)), (0o600, 3, 1234567890))
        self.assertEqual(os.readlink(os.path.join(a, "sym")), "g.txt")
        lines = r.stdout.splitlines()
        self.assertIn("g.txt", lines)                             # readlink
        self.assertIn("3\t600\t1234567890", lines)               # stat follows the link
        self.assertIn(f"{remote}/a/g.txt", lines)                 # realpath
        self.assertIn(self.env.home, lines)                       # getwd = home
        self.assertIn("g.txt\t3\t600\tfalse", lines)              # ls
        self.assertIn("b\t4096\t755\ttrue", lines)
        self.assertTrue(any(l.startswith("sym\t") for l in lines), lines)
        self.assertTrue(any(l.startswith("failed as expected: rename") for l in lines))
        self.assert_sftp_only()

    def test_tree_upload_and_errors(self):
        remote, local = self.env.workdir("go-tree")
        src = os.path.join(local, "src")
        files = make_tree(src)
        lines = []
        for rel in sorted(files):
            lines.append(("mkdirall", os.path.dirname(f"{remote}/tree/{rel}")))
            lines.append(("put", f"{src}/{rel}", f"{remote}/tree/{rel}"))
        lines += [("fail", "get", f"{remote}/missing", f"{local}/x"),
                  ("fail", "mkdir", f"{remote}/tree"),
                  ("fail", "remove", f"{remote}/nothing")]
        self.go(*lines)
        self.assertEqual(interop_env.tree_listing(os.path.join(remote, "tree")), files)
        self.assert_sftp_only()


if __name__ == "__main__":
    interop_env.main()
