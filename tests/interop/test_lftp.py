#!/usr/bin/python3
"""Interop: lftp's sftp:// (it offers protocol version 6; the server must answer 3)."""
import os
import re

import interop_env
from interop_env import ClientTest, make_tree, tree_listing, sshdlib


def setUpModule():
    interop_env.setup()


def tearDownModule():
    interop_env.teardown()


def quote(s):
    """lftp's command-line quoting."""
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


class Lftp(ClientTest):
    def lftp(self, *commands, check=True):
        script = "\n".join([
            # lftp runs "<connect-program> [-p port] [-l user] host -s sftp".
            f"set sftp:connect-program {quote('ssh -a -x -F ' + self.sshd.ssh_config)}",
            "set cmd:fail-exit yes",
            "set net:max-retries 1",
            "set net:timeout 30",
            "set xfer:clobber on",
            f"open -u {self.user.name}, sftp://127.0.0.1:{self.sshd.port}",
            *commands,
        ]) + "\n"
        return sshdlib.run(["lftp", "-f", "/dev/stdin"], input=script, stdin=None,
                           check=check, timeout=300)

    def test_large_file_round_trip(self):
        remote, local = self.env.workdir("lftp-big")
        self.lftp(f"cd {quote(remote)}",
                  f"put {quote(self.env.big)} -o big.bin",
                  f"get big.bin -o {quote(local + '/big.bin')}")
        self.assert_big_file(os.path.join(remote, "big.bin"))
        self.assert_owned_by_user(os.path.join(remote, "big.bin"))
        self.assert_big_file(os.path.join(local, "big.bin"))
        self.assert_sftp_only()

    def test_resume_get_and_put(self):
        """get -c / put -c continue after the bytes already there (zeros we
        planted), so a full re-transfer would be caught."""
        remote, local = self.env.workdir("lftp-resume")
        expected = self.plant_partial_transfers(remote, local, 3 * 1024 * 1024 + 5)
        self.lftp(f"cd {quote(remote)}",
                  f"put -c {quote(self.env.big)} -o up.bin",
                  f"get -c down.bin -o {quote(local + '/down.bin')}")
        self.assert_resumed(remote, local, expected)
        self.assert_sftp_only()

    def test_mkdir_mv_chmod_ln_ls_rm(self):
        remote, local = self.env.workdir("lftp-ops")
        small = os.path.join(local, "small.txt")
        with open(small, "w") as f:
            f.write("lftp!\n")
        r = self.lftp(f"cd {quote(remote)}",
                      "mkdir -p d/sub/deeper",
                      f"put {quote(small)} -o d/f.txt",
                      "mv d/f.txt d/g.txt",
                      "chmod 600 d/g.txt",
                      "ln -s g.txt d/sym",
                      "cls -l d/",
                      "rmdir d/sub/deeper",
                      "rm -r d/sub",
                      "ls d")
        d = os.path.join(remote, "d")
        self.assertEqual(sorted(os.listdir(d)), ["g.txt", "sym"])
        self.assertEqual(os.stat(os.path.join(d, "g.txt")).st_mode & 0o7777, 0o600)
        self.assertEqual(os.readlink(os.path.join(d, "sym")), "g.txt")
        self.assertRegex(r.stdout, r"(?m)^-rw------- .* d/g\.txt$")
        self.assertRegex(r.stdout, r"(?m)^l.* d/sym@? -> g\.txt$")
        # "ls" shows the server's longnames: names, not numbers.
        self.assertRegex(r.stdout, rf"(?m)^-rw-------.* {re.escape(self.user.name)} .* g\.txt$")
        self.assert_sftp_only()

    def test_mirror_both_ways(self):
        remote, local = self.env.workdir("lftp-mirror")
        src = os.path.join(local, "src")
        files = make_tree(src)
        self.lftp(f"cd {quote(remote)}",
                  f"mirror -R {quote(src)} tree",
                  f"mirror tree {quote(local + '/back')}")
        self.assertEqual(tree_listing(os.path.join(remote, "tree")), files)
        self.assertEqual(tree_listing(os.path.join(local, "back")), files)
        self.assert_sftp_only()

    def test_missing_file_fails(self):
        remote, _ = self.env.workdir("lftp-err")
        r = self.lftp(f"cd {quote(remote)}", "get nothing-here -o /dev/null", check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertRegex(r.stderr, r"No such file")
        self.assert_sftp_only()


if __name__ == "__main__":
    interop_env.main()
