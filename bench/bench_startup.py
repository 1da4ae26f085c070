#!/usr/bin/python3
"""Start-up through sftpsh: from the exec of the login shell to the server's
VERSION reply, for a real jailed user, in each privilege mode (issue 6's
"under 2 ms"), next to the servers started alone.

Needs root: it creates a throwaway user and jail in /srv/sftpsh-e2e (the e2e
build's compiled-in site; the same /srv lock the e2e suites take) and removes
them after. Every row is `loadgen --mode startup` spawning the program as that
user, with the environment sshd gives a session (USER, HOME, PATH,
SSH_CONNECTION...: what sftpsh accepts without re-executing itself clean).
Benchmarks are not tests: nothing here asserts a time.
"""
import argparse
import fcntl
import json
import os
import pwd
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SITE = "/srv/sftpsh-e2e"
USER = "sftpsh-bench"
OPENSSH = "/usr/lib/openssh/sftp-server"


def run(argv, **kw):
    r = subprocess.run(argv, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise SystemExit(f"bench_startup: {' '.join(argv)} exited {r.returncode}:\n"
                         f"{(r.stderr or r.stdout).strip()[:2000]}")
    return r


def startup(loadgen, count, pw, argv):
    out = run([loadgen, "--mode", "startup", "--count", str(count),
               "--as", f"{pw.pw_uid}:{pw.pw_gid}", "--as-name", pw.pw_name, "--", *argv])
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--count", type=int, default=300)
    args = parser.parse_args()
    build = os.path.abspath(args.build)
    if os.geteuid() != 0:
        print("bench_startup: needs root (a throwaway jailed user); skipped these rows")
        return 0
    sftpsh = os.path.join(build, "e2e", "sftpsh")
    loadgen = os.path.join(build, "bench", "loadgen")
    server = os.path.join(build, "sftp-server")
    for path in (sftpsh, loadgen, server):
        if not os.path.exists(path):
            print(f"bench_startup: {path} missing (make e2e-build bench-tools)")
            return 1
    lock = os.open("/srv", os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    fcntl.flock(lock, fcntl.LOCK_EX)
    if os.path.exists(SITE):
        print(f"bench_startup: {SITE} exists (a test run, or a leftover): not touching it")
        return 1
    made_user = False
    try:
        os.makedirs(os.path.join(SITE, "jail", USER, "upload"))
        for d in (SITE, os.path.join(SITE, "jail"), os.path.join(SITE, "jail", USER)):
            os.chmod(d, 0o755)
        shell = os.path.join(SITE, "sftpsh")
        shutil.copy(sftpsh, shell)
        shutil.copy(server, os.path.join(SITE, "sftp-server"))
        os.chmod(os.path.join(SITE, "sftp-server"), 0o755)
        with open(os.path.join(SITE, "sftpsh.conf"), "w") as f:
            f.write("# bench_startup: built-in defaults\n")
        os.chmod(os.path.join(SITE, "sftpsh.conf"), 0o644)
        run(["useradd", "-M", "-U", "-d", os.path.join(SITE, "jail", USER) + "/./",
             "-s", shell, USER])
        made_user = True
        pw = pwd.getpwnam(USER)
        os.chown(os.path.join(SITE, "jail", USER, "upload"), pw.pw_uid, pw.pw_gid)

        rows = []
        subsystem = os.path.join(SITE, "sftp-server")
        for mode in ("capability", "setuid", "userns"):
            subprocess.run(["setcap", "-r", shell], capture_output=True)
            os.chmod(shell, 0o755)
            if mode == "capability":
                run(["setcap", "cap_sys_chroot+ep", shell])
            elif mode == "setuid":
                os.chmod(shell, 0o4755)
            rows.append((f"sftpsh ({mode}) -> server", startup(
                loadgen, args.count, pw, [shell, "-c", subsystem])))
        rows.append(("our server alone", startup(loadgen, args.count, pw, [server])))
        rows.append(("OpenSSH's server alone", startup(loadgen, args.count, pw, [OPENSSH])))

        print(f"start-up: exec -> VERSION reply, {args.count} runs each, as a jailed user "
              f"with sshd's environment (ms)")
        print(f"{'':34} {'median':>8} {'p10':>8} {'p90':>8}")
        summary = {}
        for name, r in rows:
            print(f"{name:34} {r['version_ms_median']:8.3f} {r['version_ms_p10']:8.3f} "
                  f"{r['version_ms_p90']:8.3f}")
            summary[name] = r["version_ms_median"]
        print("STARTUP " + json.dumps(summary))
    finally:
        if made_user:
            subprocess.run(["userdel", USER], capture_output=True)
            subprocess.run(["groupdel", USER], capture_output=True)
        shutil.rmtree(SITE, ignore_errors=True)
        os.close(lock)
    return 0


if __name__ == "__main__":
    sys.exit(main())
