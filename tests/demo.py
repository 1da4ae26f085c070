#!/usr/bin/python3
"""`make demo`: sftpsh doing its job on this machine, then gone without a trace.

As root: creates a throwaway user whose login shell is sftpsh and whose home is
/srv/sftpsh-e2e/jail/<user>/./, starts a private sshd on 127.0.0.1 (with the
shipped etc/sshd_config.d/sftpsh.conf), runs a real sftp session (upload,
list, download) and a denied `ssh user@127.0.0.1 id`, shows what the client
and syslog saw, and removes everything it created (user, group, files, sshd,
the /etc/shells line). Uses the end-to-end build (BUILD/e2e/sftpsh), whose
config and server paths point into /srv/sftpsh-e2e.
"""
import argparse
import os
import re
import sys
import textwrap

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "lib"))
sys.path.insert(0, os.path.join(HERE, "e2e"))

import sshd as sshdlib  # noqa: E402
from sshd import run  # noqa: E402

ROOT = "/srv/sftpsh-e2e"


def say(title):
    print(f"\n\033[1m==> {title}\033[0m" if sys.stdout.isatty() else f"\n==> {title}", flush=True)


def show(text, prefix="    "):
    text = text.rstrip("\n")
    if text:
        print(textwrap.indent(text, prefix), flush=True)


def shown_command(argv, config):
    """The argv as a person would type it (without our -F test config)."""
    out = [a for a in argv if a not in ("-F", config)]
    return " ".join(a if a and " " not in a else repr(a) for a in out)


def demo(build):
    import e2e_env  # the lock and the snippet helper
    lock = e2e_env.lock_e2e_root()
    site = sshdlib.TestSite(path=ROOT)
    ok = True
    try:
        say("Installing sftpsh and its server into " + ROOT)
        shell = site.install_binary(os.path.join(build, "e2e", "sftpsh"), f"{ROOT}/sftpsh")
        site.install_binary(os.path.join(build, "sftp-server"), f"{ROOT}/sftp-server")
        if run(["setcap", "cap_sys_chroot+ep", shell], check=False).returncode == 0:
            mode = "file capability cap_sys_chroot"
        else:
            os.chmod(shell, 0o4755)
            mode = "setuid root (this filesystem has no extended attributes)"
        site.add_shell(shell)
        sshdlib.write_file(f"{ROOT}/sftpsh.conf", "LogLevel INFO\n", 0o644)
        show(f"{shell}  ({mode})\n{ROOT}/sftp-server\n{ROOT}/sftpsh.conf")

        say("Creating a throwaway jailed user")
        group = site.add_group("sftponly")
        site.sub("jail")
        jail = site.sub("jail", "demo")
        user = site.add_user("demo", f"{jail}/./", shell, groups=[group])
        site.sub("jail", "demo", "upload", uid=user.uid, gid=user.gid)
        show(run(["getent", "passwd", user.name]).stdout)
        show(f"jail {jail} (root-owned, empty: it is also the home sshd and PAM see, so "
             f"the user can't plant ~/.ssh/rc or ~/.pam_environment there)\n"
             f"with one directory the user owns, for uploads: upload/")

        say("Starting a private sshd on 127.0.0.1 with etc/sshd_config.d/sftpsh.conf")
        site.catch_syslog()
        snippet = f"{ROOT}/sshd-sftpsh.conf"
        sshdlib.write_file(snippet, e2e_env.shipped_snippet(group, site.keys_dir), 0o644)
        sshd = sshdlib.PrivateSshd(site, "demo", f"{ROOT}/sftp-server", include=[snippet],
                                   syslog=True).start()
        show(f"listening on 127.0.0.1:{sshd.port}  (Subsystem sftp {ROOT}/sftp-server)")

        local = site.sub("local", mode=0o700)
        hello = os.path.join(local, "hello.txt")
        with open(hello, "w") as f:
            f.write("Hello from outside the jail!\n")
        back = os.path.join(local, "hello-back.txt")

        say(f"A real sftp session as {user.name}: upload, list, download")
        batch = ["pwd", f"put {hello} upload/hello.txt", "ls -la /", "ls -l upload",
                 f"get upload/hello.txt {back}"]
        print(f"    $ {shown_command(sshd.sftp_argv(user), sshd.ssh_config)}", flush=True)
        r = sshd.sftp_batch(user, batch, check=False)
        show(r.stdout)
        show(r.stderr)
        with open(back) if os.path.exists(back) else open(os.devnull) as f:
            same = f.read() == "Hello from outside the jail!\n"
        on_host = os.path.join(jail, "upload", "hello.txt")
        show(f"-> on the host the file is {on_host}; downloaded copy "
             f"{'matches' if same else 'DIFFERS'}")
        ok &= r.returncode == 0 and same and os.path.exists(on_host)

        say(f"Anything else is denied: ssh {user.name}@127.0.0.1 id")
        argv = sshd.ssh_argv(user, "id")
        print(f"    $ {shown_command(argv, sshd.ssh_config)}", flush=True)
        d = run(argv, check=False)
        show(d.stdout, "    stdout: ")
        show(d.stderr, "    stderr: ")
        print(f"    exit status {d.returncode}", flush=True)
        ok &= d.returncode != 0 and d.stdout == "" and "SFTP only" in d.stderr

        say("What sftpsh and the jailed server sent to syslog")
        show("\n".join(re.sub(r"^<\d+>", "", l) for l in site.syslog.text().splitlines()
                       if "sftpsh[" in l or "sftp-server[" in l))
    finally:
        say("Cleaning up: sshd, user, group, files, /etc/shells line")
        problems = site.close()
        os.close(lock)
        show("nothing left behind" if not problems else "LEFT BEHIND: " + "; ".join(problems))
        ok &= not problems
    say("Demo " + ("succeeded" if ok else "FAILED"))
    return 0 if ok else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build", default=os.path.join(os.path.dirname(HERE), "build"))
    args = parser.parse_args()
    if os.geteuid() != 0:
        print("make demo needs root: it creates a user and runs sshd.", file=sys.stderr)
        return 1
    return demo(os.path.abspath(args.build))


if __name__ == "__main__":
    sys.exit(main())
