#!/usr/bin/python3
"""The bounded fuzz run of `make check`: replays the committed seed corpus,
then fuzzes the packet parser and dispatcher for SFTPSH_FUZZ_SECONDS (60).

The fuzzer runs as `nobody` in a throwaway directory (binary, corpus copy and
artifacts inside it) and confines itself there with Landlock. The grown
corpus is kept in BUILD/fuzz/corpus for the next local run; crash inputs are
copied to BUILD/fuzz/artifacts. Prints TAP; a crash fails the run.
"""
import argparse
import os
import pwd
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def as_nobody():
    nobody = pwd.getpwnam("nobody")
    os.setgroups([])
    os.setresgid(nobody.pw_gid, nobody.pw_gid, nobody.pw_gid)
    os.setresuid(nobody.pw_uid, nobody.pw_uid, nobody.pw_uid)


def run(binary, args, workdir, timeout):
    env = {"SFTPSH_FUZZ_DIR": workdir, "PATH": "/usr/bin:/bin",
           "ASAN_OPTIONS": "detect_leaks=1:allocator_may_return_null=1",
           "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1"}
    drop = as_nobody if os.geteuid() == 0 else None
    return subprocess.run([binary] + args, cwd=workdir, env=env, preexec_fn=drop,
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=timeout)


def tail(text, lines=40):
    return "\n".join(text.decode(errors="replace").splitlines()[-lines:])


def report(number, ok, name, detail=""):
    print(f"{'ok' if ok else 'not ok'} {number} - {name}", flush=True)
    if not ok:
        for line in detail.splitlines():
            print(f"#   {line}", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", default=os.path.join(HERE, "..", "..", "build"))
    parser.add_argument("--seconds", type=int,
                        default=int(os.environ.get("SFTPSH_FUZZ_SECONDS", "60")))
    args = parser.parse_args()
    build = os.path.abspath(args.build)
    binary = os.path.join(build, "fuzz", "fuzz_server")
    if not os.path.exists(binary):
        report(1, False, "fuzz target exists", f"{binary} missing: run make fuzz")
        return 1
    kept_corpus = os.path.join(build, "fuzz", "corpus")
    artifacts_out = os.path.join(build, "fuzz", "artifacts")
    os.makedirs(kept_corpus, exist_ok=True)

    work = tempfile.mkdtemp(prefix="sftpsh-fuzz.")
    failed = 0
    try:
        target = os.path.join(work, "fuzz_server")
        shutil.copy2(binary, target)
        corpus = os.path.join(work, "corpus")
        seeds = os.path.join(work, "seeds")
        artifacts = os.path.join(work, "artifacts")
        shutil.copytree(os.path.join(HERE, "corpus"), seeds)
        shutil.copytree(kept_corpus, corpus)
        os.makedirs(artifacts)
        workdir = os.path.join(work, "work")
        os.makedirs(workdir)
        # Layout (see fuzz_server.cc): the root and the binary are root's;
        # corpus dirs are 1777 so inputs can't chmod them; work is nobody's.
        os.chmod(work, 0o755)
        for d in (corpus, seeds, artifacts):
            os.chmod(d, 0o1777)
            for name in os.listdir(d):
                os.chmod(os.path.join(d, name), 0o666)
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            os.chown(workdir, nobody.pw_uid, nobody.pw_gid)
        os.chmod(workdir, 0o700)
        common = ["-timeout=10", "-rss_limit_mb=2048", "-max_len=65536", "-handle_xfsz=0",
                  f"-artifact_prefix={artifacts}/"]

        # 1. Every seed replays without a finding.
        replay = run(target, common + ["-runs=0", seeds], work, 300)
        ok = replay.returncode == 0
        failed += not ok
        report(1, ok, f"seed corpus ({len(os.listdir(seeds))} inputs) replays cleanly",
               tail(replay.stdout))

        # 2. Bounded fuzzing from seeds + the kept corpus.
        fuzz = run(target, common + [f"-max_total_time={args.seconds}", "-print_final_stats=1",
                                     corpus, seeds], work, args.seconds + 300)
        stats = [l for l in fuzz.stdout.decode(errors="replace").splitlines()
                 if l.startswith("stat::number_of_executed_units")]
        ok = fuzz.returncode == 0
        failed += not ok
        report(2, ok, f"{args.seconds} s of fuzzing finds nothing "
                      f"({stats[0].split(':')[-1].strip() if stats else '?'} inputs run)",
               tail(fuzz.stdout))

        for name in os.listdir(corpus):
            dst = os.path.join(kept_corpus, name)
            if not os.path.exists(dst):
                shutil.copy2(os.path.join(corpus, name), dst)
        if os.listdir(artifacts):
            os.makedirs(artifacts_out, exist_ok=True)
            for name in os.listdir(artifacts):
                shutil.copy2(os.path.join(artifacts, name), artifacts_out)
            print(f"# crash inputs copied to {artifacts_out}", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"# {2 - failed} passed, {failed} failed", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
