#!/usr/bin/python3
"""What the jailed process can and cannot do, seen from inside, per privilege mode.

sftpsh is configured (`Server`) to run the jail probe (tests/helpers/jail_probe.cc,
built to BUILD/tests/jail_probe) instead of the server. The probe runs under
sftpsh's seccomp filter, with everything sftpsh set up, reports its state,
then attempts one forbidden operation per session: each must fail (an error,
or the process killed by the filter), not merely show `Seccomp: 2`.

The server's own, tighter filter (installed by the server after start-up) is
not visible to the probe; the server's tests cover it.
"""
import os
import re
import select
import subprocess
import time

import e2e_env
from e2e_env import E2E_ROOT, E2eTest, sshdlib

PROBE = f"{E2E_ROOT}/jail_probe"
FORBIDDEN = ("socket", "socket_unix", "execve", "execveat_self", "ptrace", "mount",
             "unshare", "chroot", "setuid0", "setresuid0", "kill1")


def setUpModule():
    env = e2e_env.setup()
    env.site.install_binary(os.path.join(e2e_env.tap.ARGS.build, "tests", "jail_probe"), PROBE)
    env.exec_marker = e2e_env.compile_c("exec_marker.c", f"{E2E_ROOT}/exec_marker", "-static")


def tearDownModule():
    e2e_env.teardown()


def handover_records(visible):
    """The hand-over text as the probe shows it (%XX-escaped) -> {record: [rest]}."""
    text = re.sub(r"%([0-9A-F]{2})", lambda m: chr(int(m.group(1), 16)), visible)
    out = {}
    for line in text.splitlines():
        key, _, rest = line.partition(" ")
        out.setdefault(key, []).append(rest)
    return out


class ProbeSession:
    """One `ssh -s sftp` session whose "server" is the probe."""

    def __init__(self, env, user, opts=()):
        self.proc = subprocess.Popen(env.sshd.ssh_argv(user, "sftp", opts=["-s", *opts]),
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE)
        self.buf = b""
        self.report = self._read_until(b"ready\n")

    def _read_until(self, marker, timeout=20):
        deadline = time.monotonic() + timeout
        while marker not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"probe did not say {marker!r}: {self.buf!r}")
            ready, _, _ = select.select([self.proc.stdout], [], [], left)
            if not ready:
                continue
            chunk = os.read(self.proc.stdout.fileno(), 65536)
            if not chunk:
                err = self.proc.stderr.read().decode(errors="replace")
                raise AssertionError(f"probe session ended early: {self.buf!r} {err}")
            self.buf += chunk
        text, self.buf = self.buf.split(marker, 1)
        return text.decode(errors="replace")

    def finish(self, *commands, timeout=20):
        """Send commands, close input; return (all further output, exit status)."""
        try:
            out, err = self.proc.communicate(
                "".join(c + "\n" for c in commands).encode(), timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            out, err = self.proc.communicate()
        return (self.buf + out).decode(errors="replace"), self.proc.returncode

    def fields(self):
        out = {}
        for line in self.report.splitlines():
            key, _, value = line.partition(" ")
            out.setdefault(key, []).append(value)
        return out


class ModeTests:
    mode = None

    @classmethod
    def setUpClass(cls):
        e2e_env.ENV.set_mode(cls.mode)

    def setUp(self):
        super().setUp()
        self.env.write_config(f"Server {PROBE}", "Umask 027")

    def tearDown(self):
        self.env.write_config()
        bin_dir = os.path.join(self.env.alice_jail, "bin")
        if os.path.lexists(bin_dir):
            sshdlib._remove_tree(bin_dir)
        super().tearDown()

    def test_probe_sees_what_sftpsh_left(self):
        env, alice = self.env, self.env.alice
        session = ProbeSession(env, alice, opts=["-o", "SetEnv=SFTPSH_E2E_CLIENT=1 LD_DEBUG=all"])
        try:
            f = session.fields()
            pids = env.sshd.session_processes(alice.uid)
            self.assertEqual(len(pids), 1, pids)
            self.assertEqual(os.readlink(f"/proc/{pids[0]}/root"), env.alice_jail)
        finally:
            out, status = session.finish("exit")
        self.assertEqual(status, 0, out)
        self.assertEqual(f["ids"], [f"{alice.uid} {alice.uid} {alice.gid} {alice.gid}"])
        self.assertEqual(f["no_new_privs"], ["1"])
        self.assertEqual(f["seccomp"], ["2"])
        self.assertEqual(f["ambient_count"], ["0"])
        securebits = int(f["securebits"][0])
        if self.mode == "capability":
            self.assertNotEqual(f["bounding_count"], ["0"], "documented: bounding set stays")
        else:
            self.assertEqual(f["bounding_count"], ["0"])
            self.assertEqual(securebits & 0x3, 0x3, "SECBIT_NOROOT not set and locked")
        self.assertEqual(f["cwd"], ["/"])
        self.assertEqual(f["root_entries"], ["files"])
        argv = f["argv"][0].split()
        self.assertIn("-u", argv)
        self.assertIn(argv[argv.index("-u") + 1], ("027", "0027"))
        handover = handover_records(f["handover"][0])
        self.assertEqual(handover["user"][0].split()[:3],
                         [alice.name, str(alice.uid), str(alice.gid)])
        names = {r.split()[0] for r in handover.get("passwd", [])}
        self.assertTrue({alice.name, "root"} <= names, names)
        groups = {r.split()[0] for r in handover.get("group", [])}
        self.assertIn(self.env.group, groups)
        log_fd = int(handover["logfd"][0])
        self.assertGreaterEqual(log_fd, 3, "syslog socket not handed over")
        fds = {int(x) for x in f["fds"][0].split(",")}
        self.assertEqual(fds, {0, 1, 2, int(argv[argv.index("-H") + 1]), log_fd},
                         "fds other than stdio, the hand-over and the log socket")
        env_vars = f.get("env", [])
        self.assertFalse([v for v in env_vars if v.startswith(("LD_", "SFTPSH_E2E_"))], env_vars)

    def test_inherited_fds_are_closed(self):
        """sftpsh run by hand with an extra fd open on a host file: the jailed
        process must not get it (a way out of any chroot)."""
        alice = self.env.alice
        # At a number sftpsh's own descriptors never reach: the probe reports
        # numbers only, and a low one may be reused by sftpsh for the hand-over.
        opened = os.open(f"{E2E_ROOT}/secret.txt", os.O_RDONLY)
        leak = os.dup2(opened, 100)
        os.close(opened)
        try:
            proc = subprocess.Popen(
                ["setpriv", f"--reuid={alice.uid}", f"--regid={alice.gid}", "--init-groups",
                 "env", "-i", "SSH_CONNECTION=127.0.0.1 1 127.0.0.1 22",
                 e2e_env.SHELL, "-c", e2e_env.SERVER],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                pass_fds=(leak,))
            out, err = proc.communicate(b"exit\n", timeout=30)
        finally:
            os.close(leak)
        self.assertEqual(proc.returncode, 0, err)
        report = out.decode(errors="replace").split("ready\n")[0]
        fds = [l.split(" ", 1)[1] for l in report.splitlines() if l.startswith("fds ")]
        self.assertEqual(len(fds), 1, report)
        self.assertNotIn(str(leak), fds[0].split(","), f"inherited fd {leak} reached the jail")

    def test_climbing_out_with_dotdot_stays_in_the_jail(self):
        session = ProbeSession(self.env, self.env.alice)
        out, _ = session.finish("try dotdot", "try open_etc_passwd", "try open_proc", "exit")
        self.assertIn("dotdot_root_entries files\n", out)
        self.assertRegex(out, r"result open_etc_passwd rc -1 errno ENOENT")
        self.assertRegex(out, r"result open_proc rc -1 errno ENOENT")

    def test_forbidden_calls_fail(self):
        env = self.env
        # an executable where the probe's execve looks, so only the filter stops it
        sshdlib.make_dir(os.path.join(env.alice_jail, "bin"))
        env.site.install_binary(env.exec_marker, os.path.join(env.alice_jail, "bin", "sh"))
        outcomes = {}
        for what in FORBIDDEN:
            session = ProbeSession(env, env.alice)
            out, status = session.finish(f"try {what}", "try open_proc", "exit")
            m = re.search(rf"result {what} rc (-?\d+) errno (\w+)", out)
            if m is None:
                outcomes[what] = f"killed (exit {status})"
                self.assertNotEqual(status, 0, f"{what}: no result but a clean exit: {out!r}")
            else:
                outcomes[what] = f"rc {m.group(1)} {m.group(2)}"
                self.assertEqual(m.group(1), "-1", f"{what} succeeded: {out!r}")
                # it survived, so the next command still ran: a real answer, not a hang
                self.assertIn("result open_proc rc -1 errno ENOENT", out)
            self.assertNotIn("EXECUTED INSIDE THE JAIL", out, what)
        print(f"# {self.mode}: " + ", ".join(f"{k}={v}" for k, v in outcomes.items()), flush=True)


class CapabilityMode(ModeTests, E2eTest):
    mode = "capability"


class SetuidMode(ModeTests, E2eTest):
    mode = "setuid"


class UsernsMode(ModeTests, E2eTest):
    mode = "userns"


if __name__ == "__main__":
    e2e_env.tap.main("__main__")
