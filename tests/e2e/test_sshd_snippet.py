#!/usr/bin/python3
"""The shipped etc/sshd_config.d/sftpsh.conf: what sshd makes of it
(`sshd -T -C ...`), in a minimal config and in Debian's own layout, and that
what only sshd can refuse (forwarding, a terminal) really is refused for a
jailed user while an ordinary user on the same sshd still gets it.
"""
import os
import re
import socket
import subprocess
import threading
import time

import e2e_env
from e2e_env import E2E_ROOT, SNIPPET, E2eTest, run, sshdlib

SSHD = sshdlib.SSHD
DEBIAN_CONFIG = "/etc/ssh/sshd_config"
DEBIAN_INCLUDE = "Include /etc/ssh/sshd_config.d/*.conf"

JAILED_SETTINGS = {
    "allowtcpforwarding": "no",
    "allowstreamlocalforwarding": "no",
    "gatewayports": "no",
    "permitopen": "none",
    "permitlisten": "none",
    "x11forwarding": "no",
    "allowagentforwarding": "no",
    "disableforwarding": "yes",
    "permittunnel": "no",
    "permittty": "no",
    "permituserrc": "no",
    "permituserenvironment": "no",
    "authorizedkeysfile": "/etc/ssh/authorized_keys/%u",
}


def setUpModule():
    env = e2e_env.setup()
    env.set_mode("capability")


def tearDownModule():
    e2e_env.teardown()


def effective(config, user):
    r = run([SSHD, "-T", "-f", config, "-C",
             f"user={user.name},host=client.example,addr=192.0.2.7,laddr=127.0.0.1,lport=22"])
    out = {}
    for line in r.stdout.splitlines():
        key, _, value = line.partition(" ")
        out.setdefault(key.lower(), []).append(value)
    return {k: " ".join(v) for k, v in out.items()}


class ShippedSnippet(E2eTest):
    def write(self, name, text):
        path = os.path.join(E2E_ROOT, name)
        sshdlib.write_file(path, text, 0o644)
        return path

    def minimal_config(self):
        snippet = self.write("T-snippet.conf", e2e_env.shipped_snippet(self.env.group))
        return self.write("T-sshd_config", "\n".join([
            "ListenAddress 127.0.0.1:22",
            f"HostKey {self.env.site.host_key}",
            "UsePAM no",
            f"Include {snippet}",
            "",
        ]))

    def test_effective_settings_for_a_jailed_user(self):
        got = effective(self.minimal_config(), self.env.alice)
        self.assertEqual({k: got.get(k) for k in JAILED_SETTINGS}, JAILED_SETTINGS)

    def test_ordinary_users_keep_the_defaults(self):
        got = effective(self.minimal_config(), self.env.plain)
        self.assertEqual(got["allowtcpforwarding"], "yes")
        self.assertEqual(got["permittty"], "yes")
        self.assertEqual(got["permituserrc"], "yes")
        self.assertNotEqual(got["authorizedkeysfile"], "/etc/ssh/authorized_keys/%u")

    def test_debian_layout_snippet_first_rest_still_applies(self):
        """Debian's sshd_config includes sshd_config.d/*.conf on its first
        lines: the Match block must end with the file (the main file's own
        lines, Subsystem included, still apply) and win for jailed users."""
        with open(DEBIAN_CONFIG) as f:
            main = f.read()
        self.assertIn(DEBIAN_INCLUDE, main, f"{DEBIAN_CONFIG} no longer includes the .d dir")
        snippet = self.write("T-snippet.conf", e2e_env.shipped_snippet(self.env.group))
        main = main.replace(DEBIAN_INCLUDE, f"Include {snippet}")
        config = self.write("T-debian_sshd_config",
                            f"HostKey {self.env.site.host_key}\n" + main)
        jailed, plain = effective(config, self.env.alice), effective(config, self.env.plain)
        self.assertEqual({k: jailed.get(k) for k in JAILED_SETTINGS}, JAILED_SETTINGS)
        # Debian's own lines after the include: X11Forwarding yes and the
        # external sftp-server, which sftpsh accepts as the subsystem command
        self.assertEqual(plain["x11forwarding"], "yes")
        self.assertEqual(plain["subsystem"], "sftp /usr/lib/openssh/sftp-server")
        self.assertEqual(jailed["subsystem"], "sftp /usr/lib/openssh/sftp-server")

    def test_snippet_never_uses_internal_sftp_or_force_command(self):
        with open(SNIPPET) as f:
            active = [l.split("#")[0].strip() for l in f]
        active = [l for l in active if l]
        self.assertFalse([l for l in active if "internal-sftp" in l])
        self.assertFalse([l for l in active if re.match(r"(?i)(ForceCommand|ChrootDirectory|"
                                                        r"Subsystem|AcceptEnv)\b", l)])
        self.assertEqual([l for l in active if l.startswith("Match")], ["Match Group sftponly"])


class Forwarding(E2eTest):
    """ssh -N never runs the login shell: only the snippet stops these."""

    def forward(self, user, spec, flag="-L"):
        return subprocess.Popen(
            self.env.sshd.ssh_argv(user, opts=["-N", flag, spec, "-o", "ExitOnForwardFailure=yes",
                                               "-o", "LogLevel=ERROR"]),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def stop(self, proc):
        proc.terminate()
        try:
            out, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
        return err

    def through_local_port(self, port, timeout=15):
        """Connect to the client's forwarded port; what comes back (b"" = refused)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                s = socket.create_connection(("127.0.0.1", port), timeout=5)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        with s:
            s.settimeout(10)
            try:
                return s.recv(64)
            except (ConnectionResetError, socket.timeout):
                return b""

    def test_local_tcp_forwarding(self):
        target = f"127.0.0.1:{self.env.sshd.port}"  # sshd's banner shows a working forward
        for user, works in ((self.env.plain, True), (self.env.alice, False)):
            with self.subTest(user=user.role):
                port = sshdlib.free_port()
                proc = self.forward(user, f"{port}:{target}")
                try:
                    got = self.through_local_port(port)
                finally:
                    err = self.stop(proc)
                if works:
                    self.assertTrue(got.startswith(b"SSH-2.0-"), f"control failed: {got!r} {err}")
                else:
                    self.assertEqual(got, b"", "a jailed user forwarded a TCP port")

    def test_remote_tcp_forwarding(self):
        for user, works in ((self.env.plain, True), (self.env.alice, False)):
            with self.subTest(user=user.role):
                proc = self.forward(user, f"127.0.0.1:0:127.0.0.1:{self.env.sshd.port}", "-R")
                try:
                    proc.wait(timeout=3)
                    exited = True
                except subprocess.TimeoutExpired:
                    exited = False
                err = self.stop(proc)
                if works:
                    self.assertFalse(exited, f"control failed: {err}")
                else:
                    self.assertTrue(exited, "remote forwarding was accepted for a jailed user")
                    self.assertIn("remote port forwarding failed", err)

    def test_unix_socket_forwarding(self):
        path = os.path.join(E2E_ROOT, "T-forward.sock")
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(path)
        os.chmod(path, 0o666)
        listener.listen(8)
        stop = threading.Event()

        def serve():
            listener.settimeout(0.2)
            while not stop.is_set():
                try:
                    conn, _ = listener.accept()
                except OSError:
                    continue
                with conn:
                    conn.sendall(b"HELLO FROM THE SOCKET\n")
        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        try:
            for user, works in ((self.env.plain, True), (self.env.alice, False)):
                with self.subTest(user=user.role):
                    port = sshdlib.free_port()
                    proc = self.forward(user, f"{port}:{path}")
                    try:
                        got = self.through_local_port(port)
                    finally:
                        err = self.stop(proc)
                    if works:
                        self.assertEqual(got, b"HELLO FROM THE SOCKET\n", f"control failed: {err}")
                    else:
                        self.assertEqual(got, b"", "a jailed user reached a local socket")
        finally:
            stop.set()
            thread.join()
            listener.close()
            os.unlink(path)

    def test_no_terminal_for_jailed_users(self):
        """PermitTTY no: ssh -tt gives up when the terminal is refused (the
        shell still runs without one, and denies the login)."""
        r = self.env.ssh(self.env.alice, opts=["-tt", "-o", "LogLevel=INFO"])
        self.assertIn(b"PTY allocation request failed", r.stderr)
        self.assertNotEqual(r.returncode, 0)
        self.assertEqual(r.stdout, b"")
        self.assert_syslog(rf"Denied user {re.escape(self.env.alice.name)} from 127\.0\.0\.1 "
                           rf"port \d+: interactive login")


if __name__ == "__main__":
    e2e_env.tap.main("__main__")
