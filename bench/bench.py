#!/usr/bin/python3
"""Our sftp-server against OpenSSH's, side by side (issue 6).

    bench/bench.py --build BUILD [--quick] [--rows PATTERN,...] [--reps N]
                   [--ours PATH] [--openssh PATH] [--json FILE] [--list]

Every row runs both servers in the same run, alternating (the order turns
over each repetition), after one untimed warm-up run of each, and reports
medians. Transfer rows also run the transport limit (bench/sockcopy: the
same bytes file -> socketpair -> sink, no protocol) in the same rotation.

Clients: the real OpenSSH `sftp` client (`sftp -q -b BATCH -D SERVER`, no
sshd), and bench/loadgen (`lg_*` rows), which keeps 64 requests of 255 KiB in
flight and does almost nothing per byte, so the server is what is measured.
Each server runs under bench/srvwrap, which records its CPU (user+sys,
wait4) and peak RSS (VmHWM at its exit). Files live in /dev/shm and are
removed at the end.

Ratios are ours/OpenSSH of the same quantity: for times and CPU seconds
< 1.00 means ours is faster/cheaper. Wall times on a shared 2-core VM swing;
CPU seconds are steadier. Nothing here asserts: `targets` only reports
where each row stands against issue 6.

The last line is machine-readable: `BENCH {json}`.
"""
import argparse
import fnmatch
import json
import os
import platform
import statistics
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from benchlib import GIB, MIB, BenchError  # noqa: E402


class Sizes:
    def __init__(self, quick):
        self.quick = quick
        self.big = 64 * MIB if quick else GIB
        self.small_count = 1000 if quick else 10000
        self.small_size = 4096
        self.ls_count = 10000 if quick else 100000
        self.stat_count = 1000 if quick else 5000
        self.lg_stat_count = 20000 if quick else 100000
        self.reps = 3 if quick else 7
        self.startup_count = 100  # p10 needs enough starts on a loaded machine
        self.sessions = (8, 64)  # one session: lg_get, lg_put_file


def fmt_bytes(n):
    return f"{n // GIB} GiB" if n % GIB == 0 else f"{n // MIB} MiB"


# ---- rows --------------------------------------------------------------------

class Row:
    """One benchmark row. `run(bench, label, cmd)` returns a metrics dict with
    at least wall_s; `units` is what `rate` counts (bytes -> MB/s)."""

    def __init__(self, name, title, run, units=None, unit_name="MB/s", limit=None,
                 prepare=None, check=None, targets=()):
        self.name, self.title, self.run = name, title, run
        self.units, self.unit_name, self.limit = units, unit_name, limit
        self.prepare, self.check, self.targets = prepare, check, targets


def t_time(max_ratio):
    return (f"time<={max_ratio:.3g}x", lambda r: r["time_ratio"] <= max_ratio)


def t_cpu(max_ratio):
    return (f"srvCPU<={max_ratio:g}x", lambda r: r["cpu_ratio"] <= max_ratio)


def t_rss():
    return ("RSS<=1x", lambda r: r["rss_ratio"] <= 1.0)


def t_limit(fraction):
    return (f">={fraction:.0%}limit", lambda r: r.get("ours_limit_fraction", 0) >= fraction)


def t_startup(ms):
    return (f"<{ms:g}ms", lambda r: r["ours"]["wall_s"] * 1e3 < ms)


class Bench:
    def __init__(self, args):
        self.args = args
        self.sizes = Sizes(args.quick)
        self.build = os.path.abspath(args.build)
        self.servers = benchlib.servers(self.build, args.ours, args.openssh)
        self.wrap = benchlib.tool(self.build, "srvwrap")
        self.loadgen = benchlib.tool(self.build, "loadgen")
        self.sockcopy = benchlib.tool(self.build, "sockcopy")
        self.work = None
        self.results = {}
        # One run takes seconds; a session still going after this has hung.
        self.timeout = 60 if args.quick else 180

    # -- data --
    def p(self, *parts):
        return os.path.join(self.work, *parts)

    def make_data(self, rows):
        z = self.sizes
        need = {n for r in rows for n in r.needs}
        t0 = time.perf_counter()
        if "big" in need:
            benchlib.write_file(self.p("big.bin"), z.big)
        if "small" in need:
            benchlib.make_files(self.p("small"), z.small_count, z.small_size)
        if "many" in need:
            benchlib.make_files(self.p("many"), max(z.ls_count, z.stat_count), 0)
        print(f"# test data in {self.work} made in {time.perf_counter() - t0:.1f} s", flush=True)

    # -- runners --
    def sftp(self, cmd, lines, args=()):
        return benchlib.run_sftp(self.work, cmd, lines, args, wrap=self.wrap,
                                 timeout=self.timeout)

    def limit_run(self, sink, transport="socket"):
        r = benchlib.run_json_tool([self.sockcopy, "--transport", transport,
                                    self.p("big.bin"), sink], timeout=self.timeout)
        return {"wall_s": r["wall_s"], "server_cpu_s": r["sender_cpu_s"],
                "client_cpu_s": r["receiver_cpu_s"]}

    def lg(self, cmd, mode, *opts):
        r = benchlib.run_json_tool([self.loadgen, "--mode", mode, *map(str, opts), "--", cmd],
                                   timeout=self.timeout)
        if r.get("server_failures"):
            raise BenchError(f"loadgen: {r['server_failures']} server(s) failed")
        if mode in ("get", "put") and r["bytes"] != self.sizes.big:
            raise BenchError(f"loadgen {mode}: {r['bytes']} bytes moved, "
                             f"expected {self.sizes.big}")
        return {"wall_s": r["wall_s"], "server_cpu_s": r["server_cpu_s"],
                "server_user_s": r["server_user_s"], "server_sys_s": r["server_sys_s"],
                "server_hwm_kb": r["server_hwm_kb"], "client_cpu_s": r["client_cpu_s"],
                "bytes": r["bytes"], "ops": r["ops"], "names": r["names"]}

    def startup(self, cmd):
        r = benchlib.run_json_tool([self.loadgen, "--mode", "startup", "--count",
                                    str(self.sizes.startup_count), "--", cmd],
                                   timeout=self.timeout)
        # The p10, not the median: on this loaded VM a start-up waits ~3 ms for
        # a CPU now and then, and the median flips between the two modes.
        return {"wall_s": r["version_ms_p10"] / 1e3,
                "server_cpu_s": r["server_cpu_ms_median"] / 1e3, "client_cpu_s": -1,
                "server_hwm_kb": r["server_hwm_kb"], "median_ms": r["version_ms_median"],
                "p90_ms": r["version_ms_p90"], "min_ms": r["version_ms_min"],
                "exit_ms": r["exit_ms_median"]}

    # -- the rows --
    def rows(self):
        z = self.sizes
        big = self.p("big.bin")
        out_local = self.p("get.out")
        out_remote = self.p("put.out")
        rows = []

        def size_is(path, size):
            def check():
                if os.path.getsize(path) != size:
                    raise BenchError(f"{path}: {os.path.getsize(path)} bytes, expected {size}")
            return check

        def count_is(path, count):
            def check():
                n = len(os.listdir(path))
                if n != count:
                    raise BenchError(f"{path}: {n} entries, expected {count}")
            return check

        for b32 in (False, True):
            args = ("-B", "32768") if b32 else ()
            suffix = "_B32k" if b32 else ""
            label = " -B 32768" if b32 else ""
            if b32:
                tg = [t_time(1.0), t_rss()]
                tg_null = tg
            else:
                tg = [t_cpu(0.6), t_time(1.0), t_rss()]
                tg_null = [t_cpu(0.6), t_time(1 / 1.2), t_limit(0.9), t_rss()]
            rows += [
                Row(f"get_file{suffix}", f"get {fmt_bytes(z.big)} -> local file{label}",
                    lambda b, l, c, a=args: b.sftp(c, [f"get {big} {out_local}"], a),
                    units=z.big, limit="file", prepare=lambda: benchlib.remove(out_local),
                    check=size_is(out_local, z.big), targets=tg),
                Row(f"get_null{suffix}", f"get {fmt_bytes(z.big)} -> local /dev/null{label}",
                    lambda b, l, c, a=args: b.sftp(c, [f"get {big} /dev/null"], a),
                    units=z.big, limit="null", targets=tg_null),
                Row(f"put_file{suffix}", f"put {fmt_bytes(z.big)} -> remote file{label}",
                    lambda b, l, c, a=args: b.sftp(c, [f"put {big} {out_remote}"], a),
                    units=z.big, limit="file", prepare=lambda: benchlib.remove(out_remote),
                    check=size_is(out_remote, z.big), targets=tg),
                Row(f"put_null{suffix}", f"put {fmt_bytes(z.big)} -> remote /dev/null{label}",
                    lambda b, l, c, a=args: b.sftp(c, [f"put {big} /dev/null"], a),
                    units=z.big, limit="null", check=benchlib.check_dev_null, targets=tg_null),
            ]
        small, put_small, get_small = self.p("small"), self.p("put_small"), self.p("get_small")
        many = self.p("many")
        rows += [
            Row("put_r_small", f"put -r {z.small_count} x 4 KiB files",
                lambda b, l, c: b.sftp(c, [f"put -r {small} {put_small}"]),
                units=z.small_count, unit_name="files/s",
                prepare=lambda: benchlib.remove(put_small),
                check=count_is(put_small, z.small_count), targets=[t_time(1.0), t_rss()]),
            Row("get_r_small", f"get -r {z.small_count} x 4 KiB files",
                lambda b, l, c: b.sftp(c, [f"get -r {small} {get_small}"]),
                units=z.small_count, unit_name="files/s",
                prepare=lambda: benchlib.remove(get_small),
                check=count_is(get_small, z.small_count), targets=[t_time(1.0), t_rss()]),
            Row("ls_l", f"ls -l of {z.ls_count} entries",
                lambda b, l, c: b.sftp(c, [f"ls -l {many}"]),
                units=max(z.ls_count, z.stat_count), unit_name="entries/s",
                targets=[t_time(1.0), t_rss()]),
            Row("stats", f"{z.stat_count} single stats (sftp `ls NAME` lines)",
                lambda b, l, c: b.sftp(c, [f"ls {many}/f{i}" for i in range(z.stat_count)]),
                units=z.stat_count, unit_name="stats/s", targets=[t_time(1.0), t_rss()]),
            Row("startup", f"start-up: spawn -> VERSION (p10 of {z.startup_count} starts)",
                lambda b, l, c: b.startup(c), targets=[t_startup(2.0), t_rss()]),
            Row("lg_get", f"loadgen get {fmt_bytes(z.big)}, 64 x 255 KiB in flight",
                lambda b, l, c: b.lg(c, "get", "--path", big), units=z.big,
                limit="null", targets=[t_cpu(0.6), t_time(1 / 1.2)]),
            Row("lg_put_null", f"loadgen put {fmt_bytes(z.big)} -> /dev/null, 64 x 255 KiB",
                lambda b, l, c: b.lg(c, "put", "--path", "/dev/null", "--bytes", z.big),
                units=z.big, check=benchlib.check_dev_null,
                targets=[t_cpu(0.6), t_time(1 / 1.2)]),
            Row("lg_put_file", f"loadgen put {fmt_bytes(z.big)} -> file, 64 x 255 KiB",
                lambda b, l, c: b.lg(c, "put", "--path", out_remote, "--bytes", z.big),
                units=z.big, prepare=lambda: benchlib.remove(out_remote),
                check=size_is(out_remote, z.big), targets=[t_cpu(0.6), t_time(1.0)]),
            Row("lg_get_pipe", f"loadgen get {fmt_bytes(z.big)} over pipes (as under sshd)",
                lambda b, l, c: b.lg(c, "get", "--path", big, "--transport", "pipe"),
                units=z.big, limit="pipe-null", targets=[t_cpu(0.6), t_time(1 / 1.2)]),
            Row("lg_put_pipe", f"loadgen put {fmt_bytes(z.big)} -> file over pipes",
                lambda b, l, c: b.lg(c, "put", "--path", out_remote, "--bytes", z.big,
                                     "--transport", "pipe"),
                units=z.big, prepare=lambda: benchlib.remove(out_remote),
                check=size_is(out_remote, z.big), targets=[t_cpu(0.6), t_time(1.0)]),
            Row("lg_stat", f"loadgen {z.lg_stat_count} lstats, 64 in flight",
                lambda b, l, c: b.lg(c, "stat", "--path", many, "--names", z.stat_count,
                                     "--count", z.lg_stat_count),
                units=z.lg_stat_count, unit_name="stats/s", targets=[t_time(1.0)]),
            Row("lg_readdir", f"loadgen readdir of {max(z.ls_count, z.stat_count)} entries",
                lambda b, l, c: b.lg(c, "readdir", "--path", many),
                units=max(z.ls_count, z.stat_count), unit_name="entries/s",
                targets=[t_time(1.0)]),
        ]
        for s in z.sessions:
            per = z.big // s
            rows.append(Row(
                f"lg_get_s{s}", f"loadgen get, {s} sessions, {fmt_bytes(z.big)} in all",
                lambda b, l, c, s=s, per=per: b.lg(c, "get", "--path", big, "--sessions", s,
                                                   "--bytes", per, "--offset-stride", per),
                units=z.big, targets=[t_cpu(0.6), t_time(1.0)]))
        for s in z.sessions:
            per = z.big // s
            outs = [out_remote] if s == 1 else [f"{out_remote}.{i}" for i in range(s)]
            rows.append(Row(
                f"lg_put_s{s}", f"loadgen put to files, {s} sessions, {fmt_bytes(z.big)} in all",
                lambda b, l, c, s=s, per=per: b.lg(c, "put", "--path", out_remote,
                                                   "--sessions", s, "--bytes", per),
                units=z.big, prepare=lambda outs=outs: [benchlib.remove(o) for o in outs],
                targets=[t_cpu(0.6), t_time(1.0)]))
        for r in rows:
            r.needs = set()
            if "get" in r.name or "put" in r.name:
                r.needs.add("big")
            if "small" in r.name:
                r.needs = {"small"}
            if r.name in ("ls_l", "stats", "lg_stat", "lg_readdir"):
                r.needs.add("many")
        return rows

    # -- running --
    def measure(self, row):
        contenders = list(self.servers)
        if row.limit:
            contenders.append(("limit", None))
        sink = {"null": "/dev/null", "pipe-null": "/dev/null",
                "file": self.p("limit.out")}.get(row.limit)
        transport = "pipe" if row.limit == "pipe-null" else "socket"

        def once(label, cmd):
            if row.prepare:
                row.prepare()
            if label == "limit":
                benchlib.remove(self.p("limit.out"))
                r = self.limit_run(sink, transport)
            else:
                r = row.run(self, label, cmd)
                if row.check:
                    row.check()
            return r

        for label, cmd in contenders:  # warm-up: page cache, binaries, allocator
            once(label, cmd)
        samples = {label: [] for label, _ in contenders}
        for rep in range(self.sizes.reps):
            k = rep % len(contenders)
            for label, cmd in contenders[k:] + contenders[:k]:
                samples[label].append(once(label, cmd))
        if row.prepare:
            row.prepare()
        benchlib.remove(self.p("limit.out"))
        return self.summarise(row, samples)

    def summarise(self, row, samples):
        res = {"title": row.title, "reps": self.sizes.reps}
        for label, runs in samples.items():
            m = benchlib.median_dict(runs)
            walls = [r["wall_s"] for r in runs]
            m["spread"] = (max(walls) - min(walls)) / statistics.median(walls)
            if row.units:
                m["rate"] = row.units / m["wall_s"] / (1e6 if row.unit_name == "MB/s" else 1)
                if row.unit_name == "MB/s":
                    m["cpu_per_gib_s"] = m.get("server_cpu_s", 0) / (row.units / GIB)
            res[label] = m
        o, a = res["ours"], res["openssh"]
        res["time_ratio"] = o["wall_s"] / a["wall_s"]
        res["cpu_ratio"] = o["server_cpu_s"] / a["server_cpu_s"]
        res["rss_ratio"] = o["server_hwm_kb"] / a["server_hwm_kb"]
        if "limit" in res:
            lim = res["limit"]["wall_s"]
            res["ours_limit_fraction"] = lim / o["wall_s"]
            res["openssh_limit_fraction"] = lim / a["wall_s"]
        res["targets"] = {name: bool(test(res)) for name, test in row.targets}
        return res

    # -- output --
    def print_row(self, row, res):
        unit = "ms" if row.name == "startup" else "s"
        scale = 1e3 if row.name == "startup" else 1
        print(f"\n{row.name}: {row.title}  (median of {res['reps']})")
        print(f"  {'server':8} {'wall ' + unit:>9} {row.unit_name if row.units else '':>11} "
              f"{'%limit':>7} {'srv CPU s':>10} {'usr':>6} {'sys':>6} {'s/GiB':>6} "
              f"{'cli CPU s':>10} {'srv RSS KiB':>11} {'spread':>7}")
        for label in ("ours", "openssh", "limit"):
            m = res.get(label)
            if m is None:
                continue
            lim = res.get(f"{label}_limit_fraction")
            lim_text = f"{lim:.0%}" if lim else ""
            per_gib = f"{m['cpu_per_gib_s']:.3f}" if "cpu_per_gib_s" in m else ""
            rss = str(int(m["server_hwm_kb"])) if "server_hwm_kb" in m else ""
            cli = f"{m['client_cpu_s']:.4f}" if m.get("client_cpu_s", -1) >= 0 else ""
            usr, sys_ = m.get("server_user_s", -1), m.get("server_sys_s", -1)
            split = f"{usr:6.3f} {sys_:6.3f}" if usr >= 0 and sys_ >= 0 else f"{'':6} {'':6}"
            rate = f"{m['rate']:11.1f}" if "rate" in m else f"{'':11}"
            print(f"  {label:8} {m['wall_s'] * scale:9.4f} {rate} "
                  f"{lim_text:>7} {m.get('server_cpu_s', 0):10.4f} {split} "
                  f"{per_gib:>6} {cli:>10} {rss:>11} "
                  f"{m['spread']:7.0%}")
        if row.name == "startup":
            for label in ("ours", "openssh"):
                m = res[label]
                print(f"  {label:8} spawn -> VERSION ms: min {m['min_ms']:.3f}  p10 "
                      f"{m['wall_s'] * 1e3:.3f}  median {m['median_ms']:.3f}  p90 {m['p90_ms']:.3f}"
                      f"  (server CPU per start {m['server_cpu_s'] * 1e3:.3f} ms)")
        print(f"  ours/openssh: time {res['time_ratio']:.2f}  server CPU {res['cpu_ratio']:.2f}"
              f"  peak RSS {res['rss_ratio']:.2f}   targets: " + self.target_text(res))
        sys.stdout.flush()

    @staticmethod
    def target_text(res):
        return ", ".join(f"{k} {'ok' if v else 'MISS'}" for k, v in res["targets"].items()) or "-"

    def print_summary(self, rows):
        print("\n== summary: ratios ours/OpenSSH (time and CPU: < 1.00 = ours better) ==")
        print(f"{'row':14} {'ours':>10} {'openssh':>10} {'time':>6} {'srvCPU':>7} {'RSS':>5} "
              f"{'ours%lim':>8} {'osh%lim':>8}  targets (issue 6)")
        for row in rows:
            res = self.results.get(row.name)
            if res is None:
                continue
            if "error" in res:
                print(f"{row.name:14} FAILED: {res['error'].splitlines()[0][:90]}")
                continue
            ms = row.name == "startup"

            def val(m):
                if ms:
                    return f"{m['wall_s'] * 1e3:.3f}ms"
                if row.unit_name == "MB/s":
                    return f"{m['rate']:.0f}MB/s"
                return f"{m['wall_s']:.3f}s"
            ol, al = res.get("ours_limit_fraction"), res.get("openssh_limit_fraction")
            print(f"{row.name:14} {val(res['ours']):>10} {val(res['openssh']):>10} "
                  f"{res['time_ratio']:6.2f} {res['cpu_ratio']:7.2f} {res['rss_ratio']:5.2f} "
                  f"{(f'{ol:.0%}' if ol else ''):>8} {(f'{al:.0%}' if al else ''):>8}  "
                  + self.target_text(res))

    def main(self):
        if self.args.list:
            self.work = "/dev/shm/sftpsh-bench.list"
            for r in self.rows():
                print(f"{r.name:14} {r.title}")
            return 0
        self.work = benchlib.make_workdir()
        try:
            return self.run_rows()
        finally:
            if not self.args.keep:
                benchlib.remove(self.work)

    def run_rows(self):
        all_rows = self.rows()
        rows = all_rows
        if self.args.rows:
            pats = [p.strip() for p in self.args.rows.split(",") if p.strip()]
            rows = [r for r in all_rows if any(fnmatch.fnmatch(r.name, p) or r.name == p
                                               for p in pats)]
            if not rows:
                raise BenchError(f"no row matches {self.args.rows} (see --list)")
        if self.args.reps:
            self.sizes.reps = self.args.reps
        load0 = benchlib.load_average()
        print(f"# sftpsh bench ({'quick' if self.sizes.quick else 'full'}): "
              f"{os.cpu_count()} CPUs, load {load0:.2f}, kernel {platform.release()}")
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        print(f"# tree {benchlib.git_state(root)}")
        for label, cmd in self.servers:
            print(f"# {label:8} {cmd} ({benchlib.identify(cmd)})")
        print("# ratios are ours/OpenSSH; for time and CPU < 1.00 means ours is better")
        t0 = time.perf_counter()
        self.make_data(rows)
        failed = []
        for row in rows:
            try:
                res = self.measure(row)
            except BenchError as e:
                # One broken row (a server that hangs or fails) must not cost
                # the others: report it and go on.
                failed.append(row.name)
                self.results[row.name] = {"title": row.title, "error": str(e)}
                print(f"\n{row.name}: {row.title}\n  FAILED: {e}", flush=True)
                continue
            self.results[row.name] = res
            self.print_row(row, res)
        load1 = benchlib.load_average()
        elapsed = time.perf_counter() - t0
        self.print_summary(rows)
        if failed:
            print(f"# FAILED rows: {', '.join(failed)} (see above)")
        print(f"# {elapsed:.0f} s; load average {load0:.2f} -> {load1:.2f} "
              "(other work on this machine makes wall times noisy; CPU seconds are steadier)")
        summary = {
            "schema": 1, "quick": self.sizes.quick, "reps": self.sizes.reps,
            "cpus": os.cpu_count(), "load": [load0, load1], "elapsed_s": round(elapsed, 1),
            "servers": dict(self.servers),
            "rows": {name: _round(res) for name, res in self.results.items()},
        }
        if self.args.json:
            with open(self.args.json, "w") as f:
                json.dump(summary, f, indent=1)
        print("BENCH " + json.dumps(summary, separators=(",", ":")))
        return 0


def _round(x):
    if isinstance(x, float):
        return float(f"{x:.5g}")
    if isinstance(x, dict):
        return {k: _round(v) for k, v in x.items()}
    return x


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build", help="build directory (default: build)")
    ap.add_argument("--quick", action="store_true", help="small sizes, 3 reps: under a minute")
    ap.add_argument("--rows", help="comma-separated row names or globs (e.g. 'get_*,lg_*')")
    ap.add_argument("--reps", type=int, help="repetitions per server per row")
    ap.add_argument("--ours", help="our server (default: BUILD/sftp-server)")
    ap.add_argument("--openssh", help=f"OpenSSH's server (default: {benchlib.OPENSSH_SERVER})")
    ap.add_argument("--json", help="also write the summary to this file")
    ap.add_argument("--keep", action="store_true", help="keep the /dev/shm work directory")
    ap.add_argument("--list", action="store_true", help="list the rows and exit")
    args = ap.parse_args()
    try:
        return Bench(args).main()
    except BenchError as e:
        print(f"bench: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
