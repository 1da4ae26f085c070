"""Helpers shared by bench.py and bench_cpu.py: running the real `sftp`
client against a server (`sftp -D`), the bench tools in BUILD/bench/, and
making test data in /dev/shm.

Nothing here asserts a timing: benchmarks report, tests assert.
"""
import json
import os
import signal
import statistics
import subprocess
import tempfile
import threading
import time

OPENSSH_SERVER = "/usr/lib/openssh/sftp-server"
SFTP = "/usr/bin/sftp"
MIB = 1 << 20
GIB = 1 << 30


class BenchError(Exception):
    pass


def tool(build, name):
    path = os.path.join(build, "bench", name)
    if not os.access(path, os.X_OK):
        raise BenchError(f"{path} is missing: run `make bench-tools BUILD={build}`")
    return path


def servers(build, ours=None, openssh=None):
    """The two servers, as (label, absolute command) in the order they are
    compared: ours first."""
    ours = os.path.abspath(ours or os.path.join(build, "sftp-server"))
    openssh = openssh or OPENSSH_SERVER
    for path in (ours, openssh):
        if not os.access(path, os.X_OK):
            raise BenchError(f"{path} is not an executable server")
    return [("ours", ours), ("openssh", openssh)]


def make_workdir():
    return tempfile.mkdtemp(prefix="sftpsh-bench.", dir="/dev/shm")


def write_file(path, size, block=MIB):
    """A file of `size` bytes of a non-zero, non-repeating-per-page pattern
    (tmpfs stores real pages either way; the pattern keeps it honest)."""
    pattern = bytes((i * 131 + 7) & 0xFF for i in range(block + 251))
    with open(path, "wb") as f:
        written = 0
        k = 0
        while written < size:
            n = min(block, size - written)
            start = k % 251
            f.write(pattern[start:start + n])
            written += n
            k += 1


def make_files(directory, count, size, prefix="f"):
    """`count` files prefix0..prefix{count-1} of `size` bytes each."""
    os.makedirs(directory, exist_ok=True)
    data = bytes((i * 7 + 1) & 0xFF for i in range(size))
    for i in range(count):
        fd = os.open(os.path.join(directory, f"{prefix}{i}"),
                     os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        if size:
            os.write(fd, data)
        os.close(fd)


def remove(path):
    """Removes a file or a tree if it exists (outside any timed region)."""
    if os.path.isdir(path) and not os.path.islink(path):
        subprocess.run(["rm", "-rf", "--", path], check=True)
    elif os.path.lexists(path):
        os.unlink(path)


def check_dev_null():
    """`put x /dev/null` makes the server open /dev/null for writing (and a
    client could chmod it): stop if it is no longer a 0666 character device."""
    st = os.stat("/dev/null")
    import stat as stat_module
    if not stat_module.S_ISCHR(st.st_mode) or (st.st_mode & 0o777) != 0o666:
        raise BenchError("/dev/null is no longer a 0666 character device: "
                         f"mode {oct(st.st_mode)}; fix it (mknod -m 666 /dev/null c 1 3)")


def _seconds(ru):
    return ru.ru_utime + ru.ru_stime


def run_sftp(workdir, server_cmd, batch_lines, sftp_args=(), wrap=None, timeout=900):
    """Runs `sftp -q -b BATCH [ARGS] -D "WRAP SERVER"` and returns a dict:
    wall_s, server_cpu_s, server_user_s, server_sys_s, server_hwm_kb,
    client_cpu_s (the sftp process alone).

    `wrap` is the srvwrap tool (records the server's rusage and peak RSS);
    without it only wall_s and client+server CPU are known. `server_cmd` may
    carry arguments (sftp splits -D like a shell, without quotes here)."""
    batch = os.path.join(workdir, ".batch")
    with open(batch, "w") as f:
        f.write("\n".join(batch_lines) + "\n")
    result_file = os.path.join(workdir, ".server.json")
    if os.path.exists(result_file):
        os.unlink(result_file)
    direct = f"{wrap} {result_file} {server_cmd}" if wrap else server_cmd
    argv = [SFTP, "-q", "-b", batch, *sftp_args, "-D", direct]
    err_path = os.path.join(workdir, ".stderr")
    with open(err_path, "w+b") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=err)
        # A hung session is killed (wait4 keeps the rusage, so no polling).
        guard = threading.Timer(timeout, lambda: os.kill(proc.pid, signal.SIGKILL))
        guard.start()
        try:
            _, status, ru = os.wait4(proc.pid, 0)
        finally:
            guard.cancel()
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
        raise BenchError(f"sftp with {server_cmd}: no end after {timeout} s (hung?), killed")
    if proc.returncode != 0:
        raise BenchError(f"sftp failed ({proc.returncode}) with {server_cmd}:\n"
                         f"  batch: {batch_lines[:3]}...\n  {stderr.strip()[:2000]}")
    out = {"wall_s": wall, "tree_cpu_s": _seconds(ru)}
    if wrap:
        with open(result_file) as f:
            s = json.load(f)
        if s["exit"] != 0:
            raise BenchError(f"server exited {s['exit']}: {stderr.strip()[:2000]}")
        out.update({
            "server_cpu_s": s["user_s"] + s["sys_s"],
            "server_user_s": s["user_s"],
            "server_sys_s": s["sys_s"],
            "server_hwm_kb": s["hwm_kb"],
            "client_cpu_s": max(0.0, _seconds(ru) - s["user_s"] - s["sys_s"]
                                - s["wrap_user_s"] - s["wrap_sys_s"]),
        })
    return out


def run_json_tool(argv, timeout=900):
    """Runs a bench tool that prints one JSON line; returns it as a dict."""
    try:
        proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        raise BenchError(f"{' '.join(argv)}: no result after {timeout} s (hung?)") from None
    if proc.returncode != 0:
        raise BenchError(f"{' '.join(argv)} failed ({proc.returncode}):\n"
                         f"{proc.stderr.strip()[:2000]}")
    lines = [l for l in proc.stdout.splitlines() if l.startswith("{")]
    if not lines:
        raise BenchError(f"{argv[0]} printed no result: {proc.stdout[:500]}")
    return json.loads(lines[-1])


def median_dict(samples):
    """Field-wise median of a list of dicts of numbers."""
    keys = [k for k, v in samples[0].items() if isinstance(v, (int, float))]
    return {k: statistics.median(s[k] for s in samples) for k in keys}


def identify(path):
    """sha256 prefix and modification time of a binary: which build a table
    came from."""
    import hashlib
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    mtime = time.strftime("%Y-%m-%d %H:%M", time.localtime(os.path.getmtime(path)))
    return f"sha256 {h.hexdigest()[:12]}, built {mtime}"


def git_state(root):
    proc = subprocess.run(["git", "-C", root, "describe", "--always", "--dirty"],
                          capture_output=True, text=True)
    return proc.stdout.strip() or "unknown"


def load_average():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])
