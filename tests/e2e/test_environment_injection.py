#!/usr/bin/python3
"""A client's environment must never run code in sftpsh or the server
(DESIGN.md §1), in every privilege mode.

A real library (evil_library.c) is offered through LD_PRELOAD, and as
libnss_systemd.so.2 through LD_LIBRARY_PATH (a static glibc dlopen()s NSS
modules for getgrouplist and lookup misses), by each way a client can set
variables: AcceptEnv (ssh -o SetEnv), ~/.ssh/environment and authorized_keys
environment="..." (PermitUserEnvironment yes, a second sshd), and by running
sftpsh directly. Controls show the same library and variables do run code in
ordinary programs, so "no marker" means something.
"""
import os
import re
import shutil

import e2e_env
from e2e_env import E2E_ROOT, SHELL, SERVER, E2eTest, run, sshdlib

EVIL_DIR = f"{E2E_ROOT}/evil"
PRELOAD = f"{EVIL_DIR}/libevil.so:/files/libevil.so"  # ld.so takes ":" too
NSS_DIR = f"{EVIL_DIR}/nss"
MARKER = re.compile(r"^\d+-uid\d+-")


def setUpModule():
    env = e2e_env.setup(extra_sshds=[("userenv", dict(config_lines=[
        "PermitUserEnvironment yes", "AcceptEnv LD_*"]))])
    env.site.sub("evil")
    env.site.sub("evil", "nss")
    # host view; alice's and bob's writable directories as seen in the jail
    marks = f'"{env.marks}", "/files", "/bob/files"'
    e2e_env.compile_c("evil_library.c", f"{EVIL_DIR}/libevil.so", "-shared", "-fPIC",
                      f"-DMARK_DIRS={marks}")
    shutil.copyfile(f"{EVIL_DIR}/libevil.so", f"{NSS_DIR}/libnss_systemd.so.2")
    # in alice's jail too, so a server that kept LD_PRELOAD would find it
    shutil.copyfile(f"{EVIL_DIR}/libevil.so", os.path.join(env.alice_jail, "files", "libevil.so"))
    e2e_env.compile_c("nss_probe.c", f"{EVIL_DIR}/nss_probe", "-static")
    for path in (f"{NSS_DIR}/libnss_systemd.so.2", f"{env.alice_jail}/files/libevil.so"):
        os.chmod(path, 0o755)
    env.userenv = env.extra["userenv"]


def tearDownModule():
    e2e_env.teardown()


def markers():
    """Marker files the evil library left, wherever it could write."""
    env = e2e_env.ENV
    found = []
    for d in (env.marks, os.path.join(env.alice_jail, "files"), f"{E2E_ROOT}/jails/bob/files"):
        found += [os.path.join(d, n) for n in os.listdir(d) if MARKER.match(n)]
    return found


def clear_markers():
    for path in markers():
        os.unlink(path)


def as_user(user, argv, env_vars):
    """Run argv as user with exactly env_vars (setpriv and env get none of them)."""
    return run(["setpriv", f"--reuid={user.uid}", f"--regid={user.gid}", "--init-groups",
                "env", "-i", *[f"{k}={v}" for k, v in env_vars.items()], *argv],
               check=False, timeout=60)


class InjectionTest(E2eTest):
    def setUp(self):
        super().setUp()
        clear_markers()

    def tearDown(self):
        clear_markers()
        for user in (self.env.alice, self.env.bob, self.env.plain):
            user.set_key_options(None)
        for home in (f"{E2E_ROOT}/jails/bob", f"{E2E_ROOT}/jail/plain"):
            shutil.rmtree(os.path.join(home, ".ssh"), ignore_errors=True)
        super().tearDown()

    def assert_no_code_ran(self, *results):
        self.assertEqual(markers(), [], "the evil library ran")
        for r in results:
            err = r.stderr if isinstance(r.stderr, str) else r.stderr.decode(errors="replace")
            self.assertNotIn("EVIL LIBRARY", err)

    def write_ssh_file(self, home, name, text, owner):
        d = os.path.join(home, ".ssh")
        sshdlib.make_dir(d, 0o755, owner.uid, owner.gid)
        sshdlib.write_file(os.path.join(d, name), text, 0o644, owner.uid, owner.gid)


class Controls(InjectionTest):
    """The library, the variables and both sshds really do run code where
    nothing stops them: otherwise the tests below would prove nothing."""

    def test_accept_env_ld_preload_runs_code_in_an_ordinary_shell(self):
        r = self.env.ssh(self.env.plain, "true", opts=["-o", f"SetEnv=LD_PRELOAD={PRELOAD}"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(markers(), "control: LD_PRELOAD sent by the client ran no code")

    def test_static_getgrouplist_loads_nss_module_from_ld_library_path(self):
        r = as_user(self.env.plain, [f"{EVIL_DIR}/nss_probe"], {"LD_LIBRARY_PATH": NSS_DIR})
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(markers(), "control: a static glibc did not dlopen the NSS module")

    def test_user_environment_file_runs_code_in_an_ordinary_shell(self):
        env = self.env
        self.write_ssh_file(f"{E2E_ROOT}/jail/plain", "environment",
                            f"LD_PRELOAD={PRELOAD}\n", env.plain)
        r = env.ssh(env.plain, "true", sshd=env.userenv)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(markers(), "control: ~/.ssh/environment ran no code")

    def test_user_rc_with_client_env_runs_code_outside_any_jail(self):
        """Why the shipped snippet sets PermitUserRC no: sshd runs ~/.ssh/rc
        through /bin/sh in the client's environment, before the login shell
        can refuse anything. With the snippet (main sshd): no rc, no code."""
        env = self.env
        self.write_ssh_file(f"{E2E_ROOT}/jails/bob", "rc", "true\n", env.bob)
        opts = ["-o", f"SetEnv=LD_PRELOAD={PRELOAD}"]
        r = env.ssh(env.bob, "id", sshd=env.sshd, opts=opts)
        self.assert_denied(r, env.bob, 'command "id"')
        self.assert_no_code_ran(r)
        r = env.ssh(env.bob, "id", sshd=env.userenv, opts=opts)
        self.assertTrue([m for m in markers() if m.endswith("-sh")],
                        f"control: no marker from /bin/sh ({markers()})")


class ModeTests:
    mode = None

    @classmethod
    def setUpClass(cls):
        e2e_env.ENV.write_config()
        e2e_env.ENV.set_mode(cls.mode)

    def sftp_works(self, user, sshd=None, opts=()):
        start = "/files" if user is self.env.alice else "."
        r = self.env.sftp(user, f"ls {start}", sshd=sshd, opts=opts)
        self.assertEqual(r.returncode, 0, r.stderr)
        return r

    def test_accept_env_ld_preload(self):
        env = self.env
        opts = ["-o", f"SetEnv=LD_PRELOAD={PRELOAD}"]
        s = self.sftp_works(env.alice, opts=opts)
        d = env.ssh(env.alice, "id", opts=opts)
        self.assert_denied(d, env.alice, 'command "id"')
        self.assert_no_code_ran(s, d)

    def test_accept_env_ld_library_path_nss_module(self):
        env = self.env
        opts = ["-o", f"SetEnv=LD_LIBRARY_PATH={NSS_DIR}"]
        s = self.sftp_works(env.alice, opts=opts)
        d = env.ssh(env.alice, "id", opts=opts)
        self.assert_denied(d, env.alice, 'command "id"')
        self.assert_no_code_ran(s, d)

    def test_user_environment_file(self):
        """PermitUserEnvironment yes and a ~/.ssh/environment naming the evil
        library. Planted by the test as root: bob can't write his home any more
        (sftpsh refuses to serve while he could, home_check.h), but an admin's
        file or an older layout may still hold one."""
        env = self.env
        self.write_ssh_file(f"{E2E_ROOT}/jails/bob", "environment",
                            f"LD_PRELOAD={PRELOAD}\nLD_LIBRARY_PATH={NSS_DIR}\n", env.bob)
        s = self.sftp_works(env.bob, sshd=env.userenv)
        d = env.ssh(env.bob, "id", sshd=env.userenv)
        self.assert_denied(d, env.bob, 'command "id"')
        self.assert_no_code_ran(s, d)

    def test_authorized_keys_environment_option(self):
        env = self.env
        env.alice.set_key_options(f'environment="LD_PRELOAD={PRELOAD}",'
                                  f'environment="LD_LIBRARY_PATH={NSS_DIR}"')
        s = self.sftp_works(env.alice, sshd=env.userenv)
        d = env.ssh(env.alice, "id", sshd=env.userenv)
        self.assert_denied(d, env.alice, 'command "id"')
        self.assert_no_code_ran(s, d)

    def test_user_rc_is_denied_not_run(self):
        """Without the snippet (PermitUserRC yes), sshd asks the shell to run
        ~/.ssh/rc: sftpsh refuses that command like any other."""
        env = self.env
        ran = f"{env.marks}/rc-ran"
        self.write_ssh_file(f"{E2E_ROOT}/jails/bob", "rc", f"touch {ran}\n", env.bob)
        d = env.ssh(env.bob, "id", sshd=env.userenv)
        self.assert_denied(d, env.bob, f'command "/bin/sh {env.bob.home}/.ssh/rc"')
        self.assertFalse(os.path.exists(ran), "~/.ssh/rc ran")
        self.sftp_works(env.bob, sshd=env.userenv)  # no rc for subsystems
        self.assertFalse(os.path.exists(ran), "~/.ssh/rc ran")

    def test_direct_invocation_with_both_variables(self):
        """sftpsh run by hand, with LD_PRELOAD and LD_LIBRARY_PATH set: as a
        user whose shell it is not (refused) and as alice (served, stdin empty)."""
        env = self.env
        variables = {"LD_PRELOAD": PRELOAD, "LD_LIBRARY_PATH": NSS_DIR,
                     "SSH_CONNECTION": "127.0.0.1 1 127.0.0.1 22", "PATH": "/usr/bin:/bin"}
        other = as_user(env.plain, [SHELL, "-c", SERVER], variables)
        self.assertNotEqual(other.returncode, 0, "served a user whose shell is not sftpsh")
        own = as_user(env.alice, [SHELL, "-c", SERVER], variables)
        self.assertEqual(own.returncode, 0, own.stderr)
        self.assert_no_code_ran(other, own)


class CapabilityMode(ModeTests, InjectionTest):
    mode = "capability"


class SetuidMode(ModeTests, InjectionTest):
    mode = "setuid"


class UsernsMode(ModeTests, InjectionTest):
    mode = "userns"


if __name__ == "__main__":
    e2e_env.tap.main("__main__")
