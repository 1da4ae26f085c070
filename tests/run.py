#!/usr/bin/python3
"""Run every test suite and add them up.

A "test" is one doctest TEST_CASE or one TAP line ("ok"/"not ok") printed by a
suite of ours (a Python unittest method, a client scenario, the fuzz run). A
suite that exits non-zero without reporting a failed test counts as one failed
test, so a crash is never lost. The last line is "N passed, M failed"; the exit
status is non-zero when M > 0.
"""
import argparse
import glob
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = "/usr/bin/python3"  # Debian's interpreter: python3-paramiko lives there

DOCTEST_RE = re.compile(r"^\[doctest\] test cases:\s*(\d+) \|\s*(\d+) passed \|\s*(\d+) failed")
TAP_OK_RE = re.compile(r"^ok \d+ ")
TAP_NOT_OK_RE = re.compile(r"^not ok \d+ ")


class Suite:
    def __init__(self, name, argv, kind="tap", timeout=900, env=None):
        self.name, self.argv, self.kind, self.timeout = name, argv, kind, timeout
        self.env = env or {}


def discover(build):
    suites = []
    for binary in ("common_test", "server_test", "sftpsh_test"):
        suites.append(Suite(f"unit/{binary}", [os.path.join(build, "unit", binary)],
                            kind="doctest", timeout=300))
    groups = [("integration", {}), ("interop", {}), ("e2e", {})]
    for group, env in groups:
        for path in sorted(glob.glob(os.path.join(ROOT, "tests", group, "test_*.py"))):
            name = f"{group}/{os.path.basename(path)[:-3]}"
            suites.append(Suite(name, [PY, path, "--build", build], env=env))
    # The sanitizer build: its unit tests, then the integration suites again
    # against the ASan+UBSan server.
    asan_env = {"ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0:exitcode=86",
                "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1:exitcode=86"}
    for binary in ("server_test", "sftpsh_test"):
        suites.append(Suite(f"asan/{binary}", [os.path.join(build, "asan", binary)],
                            kind="doctest", timeout=600, env=asan_env))
    for path in sorted(glob.glob(os.path.join(ROOT, "tests", "integration", "test_*.py"))):
        name = f"asan/{os.path.basename(path)[:-3]}"
        suites.append(Suite(name, [PY, path, "--build", build, "--server",
                                   os.path.join(build, "asan", "sftp-server")],
                            env=asan_env))
    fuzz = os.path.join(ROOT, "tests", "fuzz", "run_fuzz.py")
    if os.path.exists(fuzz):
        suites.append(Suite("fuzz", [PY, fuzz, "--build", build], timeout=600))
    return suites


def run_suite(suite):
    """Run one suite, echoing its output; return (passed, failed)."""
    print(f"=== {suite.name}", flush=True)
    env = dict(os.environ)
    env.update(suite.env)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    passed = failed = 0
    doctest_counts = None
    start = time.monotonic()
    try:
        proc = subprocess.Popen(suite.argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, env=env, cwd=ROOT,
                                start_new_session=True)
    except OSError as e:
        print(f"not ok - {suite.name}: cannot start: {e}", flush=True)
        return 0, 1
    timed_out = False
    deadline = start + suite.timeout
    import selectors
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    buf = b""
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            timed_out = True
            break
        if not sel.select(timeout=min(remaining, 5)):
            continue
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            break
        buf += chunk
        while b"\n" in buf:
            raw, buf = buf.split(b"\n", 1)
            line = raw.decode(errors="replace")
            print(f"  {line}", flush=True)
            if suite.kind == "doctest":
                m = DOCTEST_RE.match(line)
                if m:
                    doctest_counts = (int(m.group(2)), int(m.group(3)))
            elif TAP_OK_RE.match(line):
                passed += 1
            elif TAP_NOT_OK_RE.match(line):
                failed += 1
    if timed_out:
        os.killpg(proc.pid, 9)
    rc = proc.wait()
    if buf:
        print(f"  {buf.decode(errors='replace')}", flush=True)
    if doctest_counts:
        passed, failed = doctest_counts
    if timed_out:
        print(f"not ok - {suite.name}: timed out after {suite.timeout}s", flush=True)
        failed += 1
    elif rc != 0 and failed == 0:
        print(f"not ok - {suite.name}: exited {rc} without reporting a failed test", flush=True)
        failed += 1
    elif passed + failed == 0:
        print(f"not ok - {suite.name}: ran no test", flush=True)
        failed += 1
    print(f"--- {suite.name}: {passed} passed, {failed} failed "
          f"({time.monotonic() - start:.1f}s)", flush=True)
    return passed, failed


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build", default=os.path.join(ROOT, "build"))
    parser.add_argument("--only", action="append", default=[],
                        help="run only suites whose name contains this (repeatable)")
    args = parser.parse_args()
    build = os.path.abspath(args.build)
    if os.geteuid() != 0:
        print("make check needs root: the end-to-end tests create users, run sshd "
              "and check privilege drops. Run it as root.", flush=True)
        print("0 passed, 1 failed")
        return 1
    suites = discover(build)
    if args.only:
        suites = [s for s in suites if any(o in s.name for o in args.only)]
    total_passed = total_failed = 0
    failed_suites = []
    start = time.monotonic()
    for suite in suites:
        p, f = run_suite(suite)
        total_passed += p
        total_failed += f
        if f:
            failed_suites.append(suite.name)
    print(f"=== {len(suites)} suites in {time.monotonic() - start:.0f}s", flush=True)
    if failed_suites:
        print("failed suites: " + ", ".join(failed_suites), flush=True)
    print(f"{total_passed} passed, {total_failed} failed", flush=True)
    return 1 if total_failed else 0


if __name__ == "__main__":
    sys.exit(main())
