#!/usr/bin/python3
"""Interop: the Python clients, paramiko and asyncssh (Debian's packages).

paramiko may send every READ of a file at once (prefetch) and asyncssh keeps
128 requests in flight with parallel writes at their own offsets: the large
round trips exercise both. Both ask for OpenSSH extensions (posix-rename,
statvfs, hardlink, fsync) that the operation tests use.
"""
import asyncio
import os
import re
import stat
import warnings

warnings.filterwarnings("ignore", module="asyncssh")
warnings.filterwarnings("ignore", category=DeprecationWarning)

import interop_env  # noqa: E402
from interop_env import ClientTest, BIG_SIZE  # noqa: E402


def setUpModule():
    interop_env.setup()


def tearDownModule():
    interop_env.teardown()


class Paramiko(ClientTest):
    def setUp(self):
        super().setUp()
        self.client = self.sshd.paramiko_client(self.user)
        self.sftp = self.client.open_sftp()

    def tearDown(self):
        self.sftp.close()
        self.client.close()
        super().tearDown()

    def test_large_file_round_trip_with_prefetch(self):
        remote, local = self.env.workdir("paramiko-big")
        attrs = self.sftp.put(self.env.big, f"{remote}/big.bin")  # confirm=True stats it
        self.assertEqual(attrs.st_size, BIG_SIZE)
        self.assert_big_file(os.path.join(remote, "big.bin"))
        self.assert_owned_by_user(os.path.join(remote, "big.bin"))
        self.sftp.get(f"{remote}/big.bin", f"{local}/big.bin")  # prefetch: all reads at once
        self.assert_big_file(os.path.join(local, "big.bin"))
        self.assert_sftp_only()

    def test_resume_by_offset(self):
        remote, local = self.env.workdir("paramiko-resume")
        with open(self.env.big, "rb") as f:
            big = f.read()
        part = 2 * 1024 * 1024 + 1
        with self.sftp.open(f"{remote}/up.bin", "wb") as f:
            f.write(bytes(part))
        with self.sftp.open(f"{remote}/up.bin", "r+b") as f:
            f.seek(part)
            f.set_pipelined(True)
            f.write(big[part:])
        with open(os.path.join(remote, "up.bin"), "rb") as f:
            self.assertTrue(f.read() == bytes(part) + big[part:], "resumed upload differs")
        with self.sftp.open(f"{remote}/up.bin", "rb") as f:
            f.seek(part)
            f.prefetch(BIG_SIZE - part)
            tail = f.read()
        self.assertTrue(tail == big[part:], "resumed download differs")
        with self.sftp.open(f"{remote}/up.bin", "ab") as f:  # APPEND
            f.write(b"appended")
        self.assertEqual(os.path.getsize(os.path.join(remote, "up.bin")), BIG_SIZE + 8)
        self.assert_sftp_only()

    def test_directory_and_attribute_operations(self):
        remote, _ = self.env.workdir("paramiko-ops")
        s = self.sftp
        s.mkdir(f"{remote}/d", 0o750)
        with s.open(f"{remote}/d/f.txt", "w") as f:
            f.write("paramiko\n")
        with s.open(f"{remote}/d/h.txt", "w") as f:
            f.write("other\n")
        s.rename(f"{remote}/d/f.txt", f"{remote}/d/g.txt")
        with self.assertRaises(IOError):  # v3 RENAME refuses an existing target
            s.rename(f"{remote}/d/h.txt", f"{remote}/d/g.txt")
        s.posix_rename(f"{remote}/d/h.txt", f"{remote}/d/g.txt")
        s.chmod(f"{remote}/d/g.txt", 0o604)
        s.utime(f"{remote}/d/g.txt", (1_000_000_000, 1_111_111_111))
        s.symlink("g.txt", f"{remote}/d/sym")
        self.assertEqual(s.readlink(f"{remote}/d/sym"), "g.txt")
        self.assertTrue(stat.S_ISLNK(s.lstat(f"{remote}/d/sym").st_mode))
        st = s.stat(f"{remote}/d/sym")
        self.assertEqual((st.st_size, st.st_mode & 0o7777, st.st_mtime), (6, 0o604, 1_111_111_111))
        self.assertEqual((st.st_uid, st.st_gid), (self.user.uid, self.user.gid))
        self.assertEqual(s.normalize(f"{remote}/d/../d/./g.txt"), f"{remote}/d/g.txt")
        s.chdir(remote)
        self.assertEqual(s.getcwd(), remote)
        entries = {a.filename: a for a in s.listdir_attr("d")}
        self.assertEqual(sorted(entries), ["g.txt", "sym"])
        name = re.escape(self.user.name)
        self.assertRegex(entries["g.txt"].longname, rf"^-rw----r-- +1 +{name} +{name} +6 ")
        s.truncate("d/g.txt", 2)
        self.assertEqual(os.path.getsize(f"{remote}/d/g.txt"), 2)
        self.assertEqual(os.stat(f"{remote}/d").st_mode & 0o777, 0o750)
        with self.assertRaises(FileNotFoundError):
            s.stat("d/missing")
        with self.assertRaises(IOError):
            s.rmdir("d")  # not empty
        s.remove("d/sym")
        s.remove("d/g.txt")
        s.rmdir("d")
        self.assertEqual(os.listdir(remote), [])
        self.assert_sftp_only()


class AsyncSsh(ClientTest):
    def run_sftp(self, coro_fn):
        import asyncssh

        known = os.path.join(self.env.site.client_dir, "known_hosts_asyncssh")
        with open(known, "w") as f:
            f.write(self.sshd.known_hosts_line())

        async def main():
            async with asyncssh.connect("127.0.0.1", port=self.sshd.port,
                                        username=self.user.name,
                                        client_keys=[self.user.key], known_hosts=known,
                                        agent_path=None, config=[]) as conn:
                async with conn.start_sftp_client() as sftp:
                    return await coro_fn(sftp)
        return asyncio.run(asyncio.wait_for(main(), 300))

    def test_large_file_round_trip_parallel(self):
        remote, local = self.env.workdir("asyncssh-big")

        async def go(sftp):
            await sftp.put(self.env.big, f"{remote}/big.bin")
            await sftp.get(f"{remote}/big.bin", f"{local}/big.bin")
        self.run_sftp(go)
        self.assert_big_file(os.path.join(remote, "big.bin"))
        self.assert_owned_by_user(os.path.join(remote, "big.bin"))
        self.assert_big_file(os.path.join(local, "big.bin"))
        self.assert_sftp_only()

    def test_resume_and_fsync(self):
        remote, _ = self.env.workdir("asyncssh-resume")
        with open(self.env.big, "rb") as f:
            big = f.read()
        part = 1024 * 1024 + 17

        async def go(sftp):
            async with sftp.open(f"{remote}/up.bin", "wb") as f:
                await f.write(bytes(part))
            async with sftp.open(f"{remote}/up.bin", "r+b") as f:
                await f.write(big[part:], part)
                await f.fsync()  # fsync@openssh.com
            async with sftp.open(f"{remote}/up.bin", "rb") as f:
                return await f.read(-1, part)
        tail = self.run_sftp(go)
        self.assertTrue(tail == big[part:], "resumed download differs")
        with open(os.path.join(remote, "up.bin"), "rb") as f:
            self.assertTrue(f.read() == bytes(part) + big[part:], "resumed upload differs")
        self.assert_sftp_only()

    def test_directory_and_attribute_operations(self):
        remote, _ = self.env.workdir("asyncssh-ops")
        import asyncssh

        async def go(sftp):
            out = {}
            await sftp.makedirs(f"{remote}/d/e/f")
            async with sftp.open(f"{remote}/d/a.txt", "w") as f:
                await f.write("asyncssh\n")
            await sftp.rename(f"{remote}/d/a.txt", f"{remote}/d/b.txt")
            await sftp.posix_rename(f"{remote}/d/b.txt", f"{remote}/d/c.txt")
            await sftp.chmod(f"{remote}/d/c.txt", 0o640)
            await sftp.utime(f"{remote}/d/c.txt", (1_000_000_000, 1_222_222_222))
            await sftp.symlink("c.txt", f"{remote}/d/sym")
            await sftp.link(f"{remote}/d/c.txt", f"{remote}/d/hard")  # hardlink@openssh.com
            out["readlink"] = await sftp.readlink(f"{remote}/d/sym")
            out["realpath"] = await sftp.realpath(f"{remote}/d/e/../c.txt")
            out["statvfs"] = await sftp.statvfs(remote)
            out["names"] = sorted(await sftp.listdir(f"{remote}/d"))
            out["longnames"] = {n.filename: n.longname for n in await sftp.readdir(f"{remote}/d")}
            out["glob"] = sorted(await sftp.glob(f"{remote}/d/*.txt"))
            try:
                await sftp.stat(f"{remote}/missing")
                out["missing"] = None
            except asyncssh.SFTPNoSuchFile as e:
                out["missing"] = e
            await sftp.remove(f"{remote}/d/hard")
            await sftp.rmdir(f"{remote}/d/e/f")
            await sftp.rmtree(f"{remote}/d/e")
            return out
        out = self.run_sftp(go)
        d = os.path.join(remote, "d")
        self.assertEqual(sorted(os.listdir(d)), ["c.txt", "sym"])
        st = os.stat(os.path.join(d, "c.txt"))
        self.assertEqual((st.st_mode & 0o7777, int(st.st_mtime), st.st_nlink), (0o640, 1_222_222_222, 1))
        self.assertEqual(os.readlink(os.path.join(d, "sym")), "c.txt")
        self.assertEqual(out["readlink"], "c.txt")
        self.assertEqual(out["realpath"], f"{remote}/d/c.txt")
        self.assertGreater(out["statvfs"].blocks, 0)
        self.assertEqual(out["names"], [".", "..", "c.txt", "e", "hard", "sym"])
        name = re.escape(self.user.name)
        self.assertRegex(out["longnames"]["c.txt"], rf"^-rw-r----- +2 +{name} +{name} +9 ")
        self.assertEqual(out["glob"], [f"{remote}/d/c.txt"])
        self.assertIsNotNone(out["missing"])
        self.assert_sftp_only()


if __name__ == "__main__":
    interop_env.main()
