#!/usr/bin/python3
"""Interop: OpenSSH's sftp and scp (SFTP mode) through a private sshd whose
`Subsystem sftp` is the server under test."""
import os
import re

import interop_env
from interop_env import ClientTest, make_tree, tree_listing


def setUpModule():
    interop_env.setup()


def tearDownModule():
    interop_env.teardown()


class OpenSshSftp(ClientTest):
    def test_large_file_round_trip(self):
        remote, local = self.env.workdir("sftp-big")
        self.sshd.sftp_batch(self.user, [
            f"put {self.env.big} sftp-big/big.bin",
            f"get sftp-big/big.bin {local}/big.bin",
        ])
        self.assert_big_file(os.path.join(remote, "big.bin"))
        self.assert_owned_by_user(os.path.join(remote, "big.bin"))
        self.assert_big_file(os.path.join(local, "big.bin"))
        self.assert_sftp_only()

    def test_reget_and_reput_resume(self):
        """A resumed transfer keeps the bytes already there: we plant zeros as the
        "already transferred" part, so a full re-transfer would be caught."""
        remote, local = self.env.workdir("sftp-resume")
        expected = self.plant_partial_transfers(remote, local, 5 * 1024 * 1024 + 7)
        self.sshd.sftp_batch(self.user, [
            f"reput {self.env.big} sftp-resume/up.bin",
            f"reget sftp-resume/down.bin {local}/down.bin",
        ])
        self.assert_resumed(remote, local, expected)
        self.assert_sftp_only()

    def test_mkdir_rename_chmod_links_ls_remove(self):
        remote, local = self.env.workdir("sftp-ops")
        small = os.path.join(local, "small.txt")
        with open(small, "w") as f:
            f.write("hello, sftp\n")
        r = self.sshd.sftp_batch(self.user, [
            "cd sftp-ops",
            "mkdir d",
            "mkdir d/sub",
            f"put {small} d/f.txt",
            "rename d/f.txt d/g.txt",
            "chmod 640 d/g.txt",
            "ln -s g.txt d/sym",
            "ln d/g.txt d/hard",
            "cp d/g.txt d/copy.txt",
            "ls -l d",
            "rm d/hard",
            "rmdir d/sub",
            "pwd",
            "df",
        ])
        d = os.path.join(remote, "d")
        self.assertEqual(sorted(os.listdir(d)), ["copy.txt", "g.txt", "sym"])
        self.assertEqual(os.stat(os.path.join(d, "g.txt")).st_mode & 0o7777, 0o640)
        self.assertEqual(os.readlink(os.path.join(d, "sym")), "g.txt")
        with open(os.path.join(d, "copy.txt")) as f:
            self.assertEqual(f.read(), "hello, sftp\n")
        self.assert_owned_by_user(os.path.join(d, "g.txt"))
        name = re.escape(self.user.name)
        # ls -l prints the server's longnames verbatim: names, not numbers.
        self.assertRegex(r.stdout, rf"(?m)^-rw-r----- +(\d+|\?) +{name} +{name} +12 "
                         rf"\w{{3}} [ \d]\d +(\d\d:\d\d|\d{{4}}) d/g.txt$")
        self.assertRegex(r.stdout, rf"(?m)^lrwxrwxrwx +(\d+|\?) +{name} +{name} +\d+ .* d/sym$")
        self.assertRegex(r.stdout, rf"(?m)^drwx[-r][-w][-x].* {name} +{name} .* d/sub$")
        self.assertRegex(r.stdout, r"(?m)^Remote working directory: " + re.escape(remote) + "$")
        self.assertRegex(r.stdout, r"Size +Used +Avail")
        self.assert_sftp_only()

    def test_recursive_put_and_get(self):
        remote, local = self.env.workdir("sftp-tree")
        src = os.path.join(local, "src")
        files = make_tree(src)
        self.sshd.sftp_batch(self.user, [
            f"put -r {src} sftp-tree/tree",
            f"get -r sftp-tree/tree {local}/back",
        ])
        self.assertEqual(tree_listing(os.path.join(remote, "tree")), files)
        self.assertEqual(tree_listing(os.path.join(local, "back")), files)
        self.assert_sftp_only()

    def test_transfers_logged_in_openssh_format(self):
        """`-l INFO` lines as OpenSSH's server writes them, to syslog: admins'
        log tools parse these."""
        remote, local = self.env.workdir("sftp-log")
        self.sshd = self.env.logging_sshd()
        self._log_mark = self.sshd.log_mark()
        syslog = self.env.site.syslog
        mark = syslog.mark()
        with open(os.path.join(local, "f.txt"), "wb") as f:
            f.write(b"x" * 1000)
        self.sshd.sftp_batch(self.user, [f"put {local}/f.txt sftp-log/f.txt",
                                         f"get sftp-log/f.txt {local}/g.txt"])
        path = re.escape(f"{remote}/f.txt")
        lines = []
        for _ in range(20):
            lines = [l for l in syslog.since(mark) if "sftp-server[" in l]
            if len([l for l in lines if re.search(r'close "', l)]) >= 2:
                break
        text = "\n".join(lines)
        self.assertRegex(text, rf"session opened for local user {re.escape(self.user.name)} "
                               r"from \[127\.0\.0\.1\]")
        self.assertRegex(text, rf'open "{path}" flags WRITE,CREATE,TRUNCATE mode 0644')
        self.assertRegex(text, rf'close "{path}" bytes read 0 written 1000')
        self.assertRegex(text, rf'open "{path}" flags READ mode 0666')
        self.assertRegex(text, rf'close "{path}" bytes read 1000 written 0')
        self.assert_sftp_only()

    def test_errors_are_reported(self):
        """A failing request fails the batch with the server's message."""
        self.env.workdir("sftp-err")
        r = self.sshd.sftp_batch(self.user, ["get sftp-err/missing /dev/null"], check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("not found", r.stderr)
        r = self.sshd.sftp_batch(self.user, ["rmdir sftp-err/missing"], check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertRegex(r.stderr, r"No such file|not found")
        self.assert_sftp_only()


class OpenSshScp(ClientTest):
    def scp(self, *args, check=True):
        return interop_env.sshdlib.run(self.sshd.scp_argv(*args), check=check, timeout=300)

    def test_large_file_round_trip(self):
        remote, local = self.env.workdir("scp-big")
        self.scp(self.env.big, self.sshd.remote(self.user, "scp-big/big.bin"))
        self.assert_big_file(os.path.join(remote, "big.bin"))
        self.scp(self.sshd.remote(self.user, "scp-big/big.bin"), os.path.join(local, "big.bin"))
        self.assert_big_file(os.path.join(local, "big.bin"))
        self.assert_sftp_only()

    def test_tilde_paths_need_expand_path(self):
        """scp u@h:~user/f and ~/f: modern scp resolves them with expand-path."""
        remote, local = self.env.workdir("scp-tilde")
        src = os.path.join(local, "t.txt")
        with open(src, "w") as f:
            f.write("tilde\n")
        name = self.user.name
        self.scp(src, self.sshd.remote(self.user, f"~{name}/scp-tilde/t1.txt"))
        self.scp(src, self.sshd.remote(self.user, "~/scp-tilde/t2.txt"))
        self.scp(self.sshd.remote(self.user, f"~{name}/scp-tilde/t1.txt"),
                 os.path.join(local, "back1.txt"))
        self.scp(self.sshd.remote(self.user, "~/scp-tilde/t2.txt"), os.path.join(local, "back2.txt"))
        for p in ("t1.txt", "t2.txt"):
            with open(os.path.join(remote, p)) as f:
                self.assertEqual(f.read(), "tilde\n")
        for p in ("back1.txt", "back2.txt"):
            with open(os.path.join(local, p)) as f:
                self.assertEqual(f.read(), "tilde\n")
        r = self.scp(self.sshd.remote(self.user, "~nosuchuser-sftpsh/x"), "/dev/null", check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assert_sftp_only()

    def test_recursive_and_preserve(self):
        remote, local = self.env.workdir("scp-tree")
        src = os.path.join(local, "src")
        files = make_tree(src)
        os.chmod(os.path.join(src, "a.txt"), 0o604)
        os.utime(os.path.join(src, "a.txt"), (1_000_000_000, 1_234_567_890))
        self.scp("-r", "-p", src, self.sshd.remote(self.user, "scp-tree/tree"))
        self.scp("-r", self.sshd.remote(self.user, "scp-tree/tree"), os.path.join(local, "back"))
        self.assertEqual(tree_listing(os.path.join(remote, "tree")), files)
        self.assertEqual(tree_listing(os.path.join(local, "back")), files)
        st = os.stat(os.path.join(remote, "tree", "a.txt"))
        self.assertEqual(st.st_mode & 0o777, 0o604)
        self.assertEqual(int(st.st_mtime), 1_234_567_890)
        self.assert_sftp_only()

    def test_remote_to_remote_through_client(self):
        remote, local = self.env.workdir("scp-3")
        with open(os.path.join(remote, "a.txt"), "w") as f:
            f.write("three\n")
        os.chown(os.path.join(remote, "a.txt"), self.user.uid, self.user.gid)
        self.scp("-3", self.sshd.remote(self.user, "scp-3/a.txt"),
                 self.sshd.remote(self.user, "scp-3/b.txt"))
        with open(os.path.join(remote, "b.txt")) as f:
            self.assertEqual(f.read(), "three\n")
        self.assert_sftp_only()


if __name__ == "__main__":
    interop_env.main()
