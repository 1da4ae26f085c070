#!/usr/bin/python3
"""OpenSSH's own clients against the server under test: `sftp -D server -b
batch` (no sshd: sftp runs the server itself) and scp in SFTP mode through a
stand-in for ssh (`scp -S`), for `~` and `~user` paths (expand-path).

The server runs through a small wrapper that records its exit status and
stderr, so a crash or sanitizer report fails the test like anywhere else.
"""
import hashlib
import os
import random
import shlex
import stat
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import tap  # noqa: E402
from sftp_process import load_tests  # noqa: E402,F401  (unittest's hook)
from sftp_process import (  # noqa: E402
    ServerTestCase, TestUser, crash_report, group_names, ls_long, private_dev_shell, rmtree,
    server_env, server_long_name, user_names)

SFTP = "/usr/bin/sftp"
SCP = "/usr/bin/scp"
USER = None
USER_HOME = None


def setUpModule():
    global USER, USER_HOME
    USER = TestUser.create()
    USER_HOME = USER.home


def tearDownModule():
    if USER is not None:
        USER.remove()


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_file(path, data, mode=None):
    with open(path, "wb") as f:
        f.write(data)
    if mode is not None:
        os.chmod(path, mode)


def read_file(path):
    with open(path, "rb") as f:
        return f.read()


class BatchTestCase(ServerTestCase):
    def setUp(self):
        self.dir = self.make_tempdir()
        self.local = os.path.join(self.dir, "local")
        self.remote = os.path.join(self.dir, "remote")
        os.mkdir(self.local)
        os.mkdir(self.remote)
        self.runs = 0

    def L(self, *parts):
        return os.path.join(self.local, *parts)

    def R(self, *parts):
        return os.path.join(self.remote, *parts)

    def wrapper(self, options, cwd=None):
        """A script that runs the server under test in `cwd` (default: the
        remote directory) with a private /dev and /dev/log (see
        sftp_process.private_dev_argv) and records its exit status and
        stderr."""
        self.runs += 1
        base = os.path.join(self.dir, f"server{self.runs}")
        script = base + ".sh"
        server = private_dev_shell([tap.ARGS.server, *options], self.private_dev())
        with open(script, "w") as f:
            f.write("#!/bin/sh\n"
                    f"cd {shlex.quote(cwd or self.remote)} || exit 97\n"
                    f"{server} 2>{shlex.quote(base + '.err')}\n"
                    f"echo $? >{shlex.quote(base + '.rc')}\n")
        os.chmod(script, 0o755)
        self.addCleanup(self.check_wrapped_server, base)
        return script

    def check_wrapped_server(self, base):
        try:
            rc = int(read_file(base + ".rc"))
        except (OSError, ValueError):
            rc = None
        err = read_file(base + ".err").decode(errors="replace") if os.path.exists(base + ".err") else ""
        report = crash_report(rc, err, 0)
        if report:
            if getattr(self, "_test_failed", False):
                print("#   and then: " + report.replace("\n", "\n#   "), flush=True)
            else:
                self.fail(report)

    def sftp(self, commands, options=(), expect_ok=True, client_args=(), timeout=300):
        """Run `sftp -b` with these commands in the local directory; return
        (stdout, stderr). expect_ok: sftp must exit 0 (else must not)."""
        batch = os.path.join(self.dir, f"batch{self.runs + 1}")
        with open(batch, "w") as f:
            f.write("\n".join(commands) + "\n")
        argv = [SFTP, "-q", *client_args, "-b", batch, "-D", self.wrapper(options)]
        proc = subprocess.run(argv, cwd=self.local, capture_output=True, timeout=timeout,
                              stdin=subprocess.DEVNULL, env=server_env({"HOME": self.dir}))
        out, err = proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")
        if expect_ok:
            self.assertEqual(proc.returncode, 0, f"sftp failed\n{err}\n{out}")
        else:
            self.assertNotEqual(proc.returncode, 0, f"sftp succeeded\n{out}")
        return out, err

    @staticmethod
    def output_of(out, command):
        """The lines a batch command printed (sftp echoes "sftp> command")."""
        lines, inside = [], False
        for line in out.splitlines():
            if line.startswith("sftp> "):
                inside = line[6:].lstrip("-") == command
                continue
            if inside:
                lines.append(line)
        return lines


class Transfers(BatchTestCase):
    def test_large_file_put_and_get_by_checksum(self):
        size = 64 * 1024 * 1024 + 12345
        data = random.Random(1).randbytes(size)
        write_file(self.L("big"), data)
        want = hashlib.sha256(data).hexdigest()
        del data
        self.sftp(["put -f big", "get big big.back"])
        self.assertEqual(sha256_file(self.R("big")), want)
        self.assertEqual(sha256_file(self.L("big.back")), want)

    def test_small_odd_buffers_and_many_requests(self):
        data = random.Random(2).randbytes(3 * 1024 * 1024 + 7)
        write_file(self.L("f"), data)
        self.sftp(["put f", "get f f.back"], client_args=["-B", "1001", "-R", "300"])
        self.assertEqual(read_file(self.R("f")), data)
        self.assertEqual(read_file(self.L("f.back")), data)

    def test_empty_file(self):
        write_file(self.L("empty"), b"")
        self.sftp(["put empty", "get empty empty.back"])
        self.assertEqual(os.path.getsize(self.R("empty")), 0)
        self.assertEqual(os.path.getsize(self.L("empty.back")), 0)

    def test_recursive_put_and_get_of_a_tree(self):
        tree = self.L("tree")
        rng = random.Random(3)
        dirs = ["", "a", "a/b", "a/b/c", "a/b/c/d", "empty", "with space", "ünïcødé", "-dash",
                ".hidden"]
        for d in dirs:
            os.makedirs(os.path.join(tree, d), exist_ok=True)
        sizes = [0, 1, 4095, 4096, 4097, 65536, 65537, 261120, 300001]
        for i, d in enumerate(dirs):
            if d == "empty":
                continue
            for j, size in enumerate(sizes[i % 3::2]):
                write_file(os.path.join(tree, d, f"file {i}-{j}.bin"), rng.randbytes(size),
                           0o600 + (j % 2) * 0o44)
        write_file(os.path.join(tree, ".dotfile"), b"dot")
        os.utime(os.path.join(tree, "a", "b"), (1000000000, 1000000000))
        self.sftp(["put -rp tree"])
        diff = subprocess.run(["diff", "-r", tree, self.R("tree")], capture_output=True)
        self.assertEqual(diff.returncode, 0, diff.stdout.decode(errors="replace"))
        # -p kept modes and times
        for d in dirs:
            for name in os.listdir(os.path.join(tree, d)):
                src, dst = os.path.join(tree, d, name), self.R("tree", d, name)
                if os.path.isfile(src):
                    s, t = os.stat(src), os.stat(dst)
                    self.assertEqual((stat.S_IMODE(t.st_mode), int(t.st_mtime)),
                                     (stat.S_IMODE(s.st_mode), int(s.st_mtime)), dst)
        self.sftp(["get -r tree back"])
        diff = subprocess.run(["diff", "-r", tree, self.L("back")], capture_output=True)
        self.assertEqual(diff.returncode, 0, diff.stdout.decode(errors="replace"))

    def test_reput_and_reget_resume(self):
        data = random.Random(4).randbytes(9 * 1024 * 1024 + 3)
        write_file(self.L("f"), data)
        write_file(self.R("f"), data[:3 * 1024 * 1024 + 123])
        self.sftp(["reput f"])
        self.assertEqual(sha256_file(self.R("f")), hashlib.sha256(data).hexdigest())
        write_file(self.R("g"), data)
        write_file(self.L("g"), data[:5 * 1024 * 1024 - 1])
        self.sftp(["reget g"])
        self.assertEqual(sha256_file(self.L("g")), hashlib.sha256(data).hexdigest())
        # put -a / get -a are the same
        write_file(self.R("h"), data[:100])
        write_file(self.L("h"), data[:200])
        self.sftp(["put -a h", "get -a f h2"])
        self.assertEqual(read_file(self.R("h")), data[:200])
        self.assertEqual(read_file(self.L("h2")), data)

    def test_cp_uses_copy_data(self):
        data = random.Random(5).randbytes(5 * 1024 * 1024 + 1)
        write_file(self.R("src"), data)
        self.sftp(["cp src dst", "copy src sub-copy"])
        self.assertEqual(read_file(self.R("dst")), data)
        self.assertEqual(read_file(self.R("sub-copy")), data)


class Listing(BatchTestCase):
    def populate(self):
        specs = {"plain": (0o644, 0, 0, 1600000000), "exec": (0o755, 0, 0, time.time() - 3600),
                 "owned": (0o600, USER.uid, USER.gid, 1500000000),
                 "unknown": (0o640, 4242424, 4343434, 1400000000),
                 "setuid": (0o4755, 0, 0, 1300000000), "with space": (0o644, 0, 0, 1200000000),
                 ".hidden": (0o644, 0, 0, 1100000000)}
        for name, (mode, uid, gid, mtime) in specs.items():
            write_file(self.R(name), name.encode() * 3)
            os.chown(self.R(name), uid, gid)
            os.chmod(self.R(name), mode)
            os.utime(self.R(name), (mtime, mtime))
        os.mkdir(self.R("dir"), 0o750)
        os.utime(self.R("dir"), (1000000000, 1000000000))
        os.symlink("plain", self.R("link"))
        os.utime(self.R("link"), (1000000500, 1000000500), follow_symlinks=False)
        os.link(self.R("plain"), self.R("hard"))

    def expected(self, names, remote):
        users, groups = user_names(), group_names()
        lines = []
        for name in sorted(names):
            st = os.lstat(self.R(name))
            if remote:
                lines.append(ls_long(name, st, users.get(st.st_uid), groups.get(st.st_gid),
                                     remote=True))
            else:
                lines.append(server_long_name(name, st, users, groups))
        return lines

    def test_ls_l_with_names_from_users_groups_by_id(self):
        self.populate()
        out, err = self.sftp(["ls -l", "ls -ln", "ls -la"])
        visible = [n for n in os.listdir(self.remote) if not n.startswith(".")]
        self.assertEqual(self.output_of(out, "ls -l"), self.expected(visible, remote=True))
        # sftp 9.2 shows names with -n too (its do_ls_dir ignores the flag)
        self.assertEqual(self.output_of(out, "ls -ln"), self.expected(visible, remote=True))
        self.assertEqual(self.output_of(out, "ls -la"),
                         self.expected(os.listdir(self.remote) + [".", ".."], remote=True))

    def test_ls_l_shows_the_servers_long_names(self):
        """Without users-groups-by-id the client prints the server's long
        names as they are: the format WinSCP and FileZilla parse."""
        self.populate()
        out, err = self.sftp(["ls -l", "ls -l dir", "ls -1"], options=["-P", "users-groups-by-id"])
        visible = [n for n in os.listdir(self.remote) if not n.startswith(".")]
        self.assertEqual(self.output_of(out, "ls -l"), self.expected(visible, remote=False))
        self.assertEqual(self.output_of(out, "ls -l dir"), [])
        self.assertEqual(self.output_of(out, "ls -1"), sorted(visible))

    def test_ls_of_a_subdirectory_and_a_glob(self):
        os.mkdir(self.R("sub"))
        for n in ("x1", "x2", "y1"):
            write_file(self.R("sub", n), n.encode())
            os.utime(self.R("sub", n), (1500000000, 1500000000))
        out, err = self.sftp(["ls -1 sub", "ls -1 sub/x*", "ls -l sub/y1"])
        self.assertEqual(self.output_of(out, "ls -1 sub"), ["sub/x1", "sub/x2", "sub/y1"])
        self.assertEqual(self.output_of(out, "ls -1 sub/x*"), ["sub/x1", "sub/x2"])
        st = os.lstat(self.R("sub", "y1"))
        self.assertEqual(self.output_of(out, "ls -l sub/y1"),
                         [ls_long("sub/y1", st, "root", "root", remote=True)])

    def test_pwd_and_cd(self):
        os.mkdir(self.R("sub"))
        out, err = self.sftp(["pwd", "cd sub", "pwd", "cd ..", "pwd", "-cd missing", "pwd"])
        self.assertEqual(self.output_of(out, "pwd"),
                         [f"Remote working directory: {self.remote}",
                          f"Remote working directory: {self.R('sub')}",
                          f"Remote working directory: {self.remote}",
                          f"Remote working directory: {self.remote}"])

    def test_df(self):
        out, err = self.sftp(["df", "df -i", "df -h"])
        v = os.statvfs(self.remote)
        lines = self.output_of(out, "df")
        self.assertEqual(lines[0].split(), ["Size", "Used", "Avail", "(root)", "%Capacity"])
        size, used, avail, root, cap = lines[1].split()
        self.assertEqual(int(size), v.f_frsize * v.f_blocks // 1024)
        slack = v.f_frsize * v.f_blocks // 1024 // 100      # others write meanwhile
        self.assertLessEqual(abs(int(avail) - v.f_frsize * v.f_bavail // 1024), slack)
        self.assertLessEqual(abs(int(root) - v.f_frsize * v.f_bfree // 1024), slack)
        self.assertLessEqual(abs(int(used) - v.f_frsize * (v.f_blocks - v.f_bfree) // 1024), slack)
        self.assertRegex(cap, r"^\d+%$")
        lines = self.output_of(out, "df -i")
        self.assertEqual(lines[0].split(), ["Inodes", "Used", "Avail", "(root)", "%Capacity"])
        inodes, used, avail, root, cap = lines[1].split()
        self.assertEqual(int(inodes), v.f_files)
        self.assertLessEqual(abs(int(avail) - v.f_favail), max(v.f_files // 100, 1000))
        lines = self.output_of(out, "df -h")
        self.assertEqual(lines[0].split(), ["Size", "Used", "Avail", "(root)", "%Capacity"])
        self.assertRegex(lines[1], r"^\s*\S+B\s+\S+B\s+\S+B\s+\S+B\s+\d+%$")


class Changes(BatchTestCase):
    def test_rename(self):
        for n in ("a", "c", "d", "e"):
            write_file(self.R(n), n.encode())
        os.mkdir(self.R("dir"))
        out, err = self.sftp(["rename a b", "rename b c", "rename dir dir2",
                              "-rename -l d e", "rename -l d f"])
        self.assertEqual(sorted(os.listdir(self.remote)), ["c", "dir2", "e", "f"])
        self.assertEqual(read_file(self.R("c")), b"a")        # posix-rename overwrote c
        self.assertEqual(read_file(self.R("e")), b"e")        # legacy rename refused
        self.assertEqual(read_file(self.R("f")), b"d")
        self.assertIn(f'remote rename "{self.R("d")}" to "{self.R("e")}": Failure', err)

    def test_links(self):
        write_file(self.R("a"), b"data")
        self.sftp(["ln -s a sym", "symlink /absolute/target sym2", "ln a hard",
                   "-ln -s a sym", "-ln a hard"])
        self.assertEqual(os.readlink(self.R("sym")), "a")
        self.assertEqual(os.readlink(self.R("sym2")), "/absolute/target")
        self.assertEqual(os.stat(self.R("hard")).st_ino, os.stat(self.R("a")).st_ino)
        self.assertEqual(os.stat(self.R("a")).st_nlink, 2)

    def test_chmod_chown_chgrp(self):
        write_file(self.R("f"), b"f", 0o644)
        os.mkdir(self.R("d"))
        self.sftp(["chmod 600 f", "chmod 1777 d", f"chown {USER.uid} f", f"chgrp {USER.gid} d",
                   "chmod 4750 f"])
        st = os.stat(self.R("f"))
        self.assertEqual((stat.S_IMODE(st.st_mode), st.st_uid), (0o4750, USER.uid))
        st = os.stat(self.R("d"))
        self.assertEqual((stat.S_IMODE(st.st_mode), st.st_gid), (0o1777, USER.gid))

    def test_mkdir_rmdir_rm(self):
        for n in ("x.tmp", "y.tmp", "keep"):
            write_file(self.R(n), b"")
        out, err = self.sftp(["mkdir d", "mkdir d/e", "-mkdir d", "rmdir d/e", "-rmdir missing",
                              "-rmdir keep", "rm *.tmp", "-rm missing", "mkdir full",
                              "put /etc/hostname full/", "-rmdir full"])
        self.assertEqual(sorted(os.listdir(self.remote)), ["d", "full", "keep"])
        self.assertEqual(os.listdir(self.R("d")), [])
        self.assertEqual(os.listdir(self.R("full")), ["hostname"])
        self.assertIn(f'remote mkdir "{self.R("d")}": Failure', err)
        self.assertIn(f'remote rmdir "{self.R("missing")}": No such file or directory', err)
        self.assertIn(f'remote rmdir "{self.R("full")}": Failure', err)

    def test_umask_option_and_put_modes(self):
        write_file(self.L("f"), b"x", 0o666)
        self.sftp(["put f", "mkdir d"], options=["-u", "027"])
        # sftp creates the file with the local mode, then the server's umask applies
        self.assertEqual(stat.S_IMODE(os.stat(self.R("f")).st_mode), 0o640)
        self.assertEqual(stat.S_IMODE(os.stat(self.R("d")).st_mode), 0o750)

    def test_read_only_server(self):
        write_file(self.L("up"), b"upload")
        write_file(self.R("down"), b"download")
        out, err = self.sftp(["get down", "-put up", "-mkdir d", "-rm down", "-rename down x",
                              "-ln -s down sym", "-chmod 600 down"], options=["-R"])
        self.assertEqual(read_file(self.L("down")), b"download")
        self.assertEqual(os.listdir(self.remote), ["down"])     # not even an empty "up"
        self.assertEqual(stat.S_IMODE(os.stat(self.R("down")).st_mode), 0o644)
        self.assertIn("Permission denied", err)


class ScpTilde(BatchTestCase):
    """Modern scp speaks SFTP and expands ~ and ~user with expand-path."""

    def scp(self, *args, cwd=None):
        fake_ssh = os.path.join(self.dir, "fake-ssh")
        with open(fake_ssh, "w") as f:
            # scp runs "<ssh> [options] -s -- host sftp": run the server instead
            f.write(f"#!/bin/sh\nexec {shlex.quote(self.wrapper([], cwd=cwd))}\n")
        os.chmod(fake_ssh, 0o755)
        proc = subprocess.run([SCP, "-q", "-S", fake_ssh, *args], cwd=self.local,
                              capture_output=True, timeout=120, stdin=subprocess.DEVNULL,
                              env=server_env({"HOME": self.dir}))
        self.assertEqual(proc.returncode, 0, proc.stderr.decode(errors="replace"))

    def test_tilde_is_the_start_directory(self):
        write_file(self.L("f"), b"tilde")
        os.mkdir(self.R("sub"))
        self.scp("f", "host:~/up1")
        self.scp("f", "host:~/sub/../sub/up2")
        self.scp("f", "host:up3")
        self.assertEqual(read_file(self.R("up1")), b"tilde")
        self.assertEqual(read_file(self.R("sub", "up2")), b"tilde")
        self.assertEqual(read_file(self.R("up3")), b"tilde")
        self.scp("host:~/up1", "back")
        self.assertEqual(read_file(self.L("back")), b"tilde")

    def test_tilde_user(self):
        write_file(self.L("f"), b"to a home")
        os.mkdir(os.path.join(USER_HOME, "in"))
        self.scp("f", f"host:~{USER.name}/in/g")
        self.assertEqual(read_file(os.path.join(USER_HOME, "in", "g")), b"to a home")
        self.scp(f"host:~{USER.name}/in/g", "g.back")
        self.assertEqual(read_file(self.L("g.back")), b"to a home")
        rmtree(os.path.join(USER_HOME, "in"))


if __name__ == "__main__":
    tap.main()
