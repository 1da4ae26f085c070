#!/usr/bin/python3
"""Server CPU cost in instructions and system calls, ours against OpenSSH's.

    bench/bench_cpu.py --build BUILD [--quick] [--no-perf] [--top N]
                       [--ours PATH] [--openssh PATH] [--json FILE]

Each scenario is one real `sftp -q -b BATCH -D "TOOL SERVER"` session (no
sshd, files in /dev/shm), the server run under
  - callgrind (`valgrind --tool=callgrind`): user-space instructions (Ir) of
    the server process alone, counted exactly; the kernel's work is not in it;
  - `strace -f -c`: the server's system calls, by name;
  - optionally `perf record -e cpu-clock` on a bigger transfer: where the
    server's CPU time goes, kernel included (this VM has no hardware
    counters, so `perf stat -e instructions` is not supported here).
Costs are net of an empty session (INIT, the client's limits@ and
realpath("."), then EOF) and divided by the scenario's units: bytes for
get/put, entries for `ls -l`, batch lines `ls DIR/NAME` for single stats
(each is an LSTAT and a users-groups-by-id request), files for the
small-file rows.

Our server skips its seccomp filter under valgrind (RUNNING_ON_VALGRIND: the
filter would not allow valgrind's own calls), so the empty session's Ir has
no filter construction in it; per-unit figures are unaffected. Under strace
and perf the filter is on. Every scenario must end with the server's exit
status 0 (srvwrap checks it), or the run fails.

The last line is machine-readable: `CPU {json}`.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from benchlib import MIB, BenchError  # noqa: E402

VALGRIND = "/usr/bin/valgrind"
STRACE = "/usr/bin/strace"
PERF = "/usr/bin/perf"


def short_name(function):
    """A C++ name without template arguments, argument list and namespaces
    a reader does not need: `sftpsh::server::(anonymous namespace)::f(int)`
    -> `f`, `fmt::v9::detail::vformat_to<char>(...)` -> `fmt::vformat_to<>`."""
    function = function.replace("(anonymous namespace)::", "")
    out, depth = [], 0
    for ch in function:  # drop what is inside <...>
        if ch == "<":
            depth += 1
            if depth == 1:
                out.append("<>")
        elif ch == ">" and depth:
            depth -= 1
        elif not depth:
            out.append(ch)
    function = "".join(out)
    for suffix in (" const", " &&", " &"):
        function = function.removesuffix(suffix)
    # argument lists, also of enclosing functions of local classes and lambdas
    function = function.replace("operator()", "operator@@")
    out, depth = [], 0
    for ch in function:
        if ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        elif not depth:
            out.append(ch)
    function = "".join(out).replace("operator@@", "operator()").replace(" const::", "::")
    if not function.startswith("operator"):
        function = re.sub(r"^(?:\S+ )+(?=\S)", "", function)  # a return type
    for prefix in ("sftpsh::server::", "fmt::v9::detail::", "fmt::v9::", "std::"):
        function = function.replace(prefix, "fmt::" if prefix.startswith("fmt") else "")
    return function


class Cpu:
    def __init__(self, args):
        self.args = args
        self.build = os.path.abspath(args.build)
        self.servers = benchlib.servers(self.build, args.ours, args.openssh)
        self.wrap = benchlib.tool(self.build, "srvwrap")
        for path in (VALGRIND, STRACE):
            if not os.access(path, os.X_OK):
                raise BenchError(f"{path} is missing (make deps installs valgrind and strace)")
        q = args.quick
        self.xfer = (16 if q else 64) * MIB
        self.entries = 1000 if q else 5000
        self.small = 200 if q else 1000
        self.stats = 200 if q else 1000
        self.perf_bytes = (256 if q else 1024) * MIB
        self.work = None

    def p(self, *parts):
        return os.path.join(self.work, *parts)

    def scenarios(self):
        """(name, title, batch lines, units, unit name, prepare)"""
        big, ls_dir, small = self.p("big.bin"), self.p("dir"), self.p("small")
        put_out, put_small, get_small = self.p("put.out"), self.p("put_small"), self.p("get_small")
        mib = self.xfer // MIB
        return [
            ("empty", "empty session", [], 1, "session", None),
            ("get", f"get {mib} MiB -> /dev/null", [f"get {big} /dev/null"], self.xfer,
             "byte", None),
            ("put", f"put {mib} MiB -> file", [f"put {big} {put_out}"], self.xfer, "byte",
             lambda: benchlib.remove(put_out)),
            ("ls", f"ls -l of {self.entries} entries", [f"ls -l {ls_dir}"], self.entries,
             "entry", None),
            ("stat", f"{self.stats} single stats (ls NAME)",
             [f"ls {ls_dir}/f{i}" for i in range(self.stats)], self.stats, "stat", None),
            ("put_small", f"put -r {self.small} x 4 KiB", [f"put -r {small} {put_small}"],
             self.small, "file", lambda: benchlib.remove(put_small)),
            ("get_small", f"get -r {self.small} x 4 KiB", [f"get -r {small} {get_small}"],
             self.small, "file", lambda: benchlib.remove(get_small)),
        ]

    # -- one server under one tool --
    def run_under(self, wrapper, server, lines, prepare):
        if prepare:
            prepare()
        # srvwrap outside the tool only checks the exit status (valgrind,
        # strace and perf pass the server's on): a server killed by its own
        # seccomp filter under the tool must not count as a measurement.
        return benchlib.run_sftp(self.work, f"{wrapper} {server}", lines, wrap=self.wrap)

    def callgrind(self, server, lines, prepare):
        out = self.p(".callgrind.out")
        if os.path.exists(out):
            os.unlink(out)
        self.run_under(f"{VALGRIND} -q --tool=callgrind --callgrind-out-file={out}", server,
                       lines, prepare)
        with open(out) as f:
            text = f.read()
        m = re.search(r"^(?:summary|totals):\s*(\d+)", text, re.M)
        if not m:
            raise BenchError(f"no instruction total in {out}")
        return int(m.group(1)), out

    @staticmethod
    def function_costs(out):
        """Self instructions per function ("name (object)") from callgrind_annotate."""
        proc = subprocess.run(["callgrind_annotate", "--inclusive=no", "--threshold=100", "--auto=no",
                               out],
                              capture_output=True, text=True)
        costs = {}
        for line in proc.stdout.splitlines():
            m = re.match(r"^\s*([\d,]+)\s+\(\s*([\d.]+)%\)\s+(.*)$", line)
            if not m or "PROGRAM TOTALS" in line:
                continue
            where = m.group(3).strip()  # file:function [object]
            obj = ""
            o = re.search(r" \[([^\]]*)\]$", where)
            if o:
                obj, where = os.path.basename(o.group(1)), where[:o.start()]
            function = short_name(where.split(":", 1)[1] if ":" in where else where)
            name = f"{function} ({obj})" if obj else function
            costs[name] = costs.get(name, 0) + int(m.group(1).replace(",", ""))
        return costs

    @staticmethod
    def top_net(costs, baseline, n):
        """The n functions with the most self instructions beyond the empty
        session's: (net Ir, % of the scenario's net total, name)."""
        net = {k: v - baseline.get(k, 0) for k, v in costs.items()}
        total = sum(v for v in net.values() if v > 0) or 1
        top = sorted(net.items(), key=lambda kv: -kv[1])[:n]
        return [(v, 100.0 * v / total, k) for k, v in top if v > 0]

    def strace(self, server, lines, prepare):
        out = self.p(".strace.txt")
        if os.path.exists(out):
            os.unlink(out)
        self.run_under(f"{STRACE} -f -c -o {out}", server, lines, prepare)
        calls = {}
        with open(out) as f:
            for line in f:
                parts = line.split()
                # % time, seconds, usecs/call, calls, [errors,] syscall
                if len(parts) >= 5 and re.match(r"^[\d.]+$", parts[0]):
                    name = parts[-1]
                    calls[name] = int(parts[3])
        total = calls.pop("total", sum(calls.values()))
        return total, calls

    def perf_profile(self, server, lines, prepare, n):
        out = self.p(".perf.data")
        self.run_under(f"{PERF} record -q -e cpu-clock -o {out} --", server, lines, prepare)
        proc = subprocess.run([PERF, "report", "-i", out, "--stdio", "--sort", "dso,sym"],
                              capture_output=True, text=True)
        rows = []
        for line in proc.stdout.splitlines():
            m = re.match(r"^\s*([\d.]+)%\s+(\S+)\s+\[(.)\]\s+(.*)$", line)
            if m:
                rows.append((float(m.group(1)), m.group(2), m.group(3), m.group(4).strip()))
        os.unlink(out)
        return rows[:n]

    # -- main --
    def make_data(self):
        benchlib.write_file(self.p("big.bin"), self.xfer)
        if not self.args.no_perf:
            benchlib.write_file(self.p("perf.bin"), self.perf_bytes)
        benchlib.make_files(self.p("dir"), self.entries, 0)
        benchlib.make_files(self.p("small"), self.small, 4096)

    def main(self):
        self.work = benchlib.make_workdir()
        try:
            return self.run()
        finally:
            if not self.args.keep:
                benchlib.remove(self.work)

    def run(self):
        t0 = time.perf_counter()
        self.make_data()
        scen = self.scenarios()
        print(f"# sftpsh bench-cpu: server cost per unit, net of an empty session "
              f"({'quick' if self.args.quick else 'full'})")
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        print(f"# tree {benchlib.git_state(root)}")
        for label, cmd in self.servers:
            print(f"# {label:8} {cmd} ({benchlib.identify(cmd)})")
        ir, sc, sc_by_name, tops = {}, {}, {}, {}
        for label, server in self.servers:
            baseline = {}
            for name, title, lines, units, unit, prepare in scen:
                ir[(label, name)], out = self.callgrind(server, lines, prepare)
                costs = self.function_costs(out)
                if name == "empty":
                    baseline = costs
                else:
                    tops[(label, name)] = self.top_net(costs, baseline, self.args.top)
                sc[(label, name)], sc_by_name[(label, name)] = self.strace(server, lines,
                                                                          prepare)
        results = {}
        for name, title, lines, units, unit, prepare in scen:
            row = {"title": title, "units": units, "unit": unit}
            for label, _ in self.servers:
                if name == "empty":
                    row[label] = {"ir": ir[(label, name)], "syscalls": sc[(label, name)]}
                    continue
                net_ir = ir[(label, name)] - ir[(label, "empty")]
                net_sc = sc[(label, name)] - sc[(label, "empty")]
                net_by = {k: v - sc_by_name[(label, "empty")].get(k, 0)
                          for k, v in sc_by_name[(label, name)].items()}
                row[label] = {"ir": ir[(label, name)], "net_ir": net_ir,
                              "ir_per_unit": net_ir / units, "syscalls": sc[(label, name)],
                              "net_syscalls": net_sc, "syscalls_per_unit": net_sc / units,
                              "syscalls_by_name": dict(sorted(
                                  ((k, v) for k, v in net_by.items() if v), key=lambda kv: -kv[1]))}
            if name != "empty":
                o, a = row["ours"], row["openssh"]
                row["ir_ratio"] = o["net_ir"] / a["net_ir"] if a["net_ir"] else None
                row["syscall_ratio"] = (o["net_syscalls"] / a["net_syscalls"]
                                        if a["net_syscalls"] else None)
            results[name] = row
        self.print_tables(scen, results, tops)

        perf = {}
        if not self.args.no_perf:
            if not os.access(PERF, os.X_OK):
                print("\n# perf is not installed: no kernel profile")
            else:
                perf = self.print_perf()
        elapsed = time.perf_counter() - t0
        print(f"# {elapsed:.0f} s")
        summary = {"schema": 1, "quick": self.args.quick, "servers": dict(self.servers),
                   "rows": results, "perf": perf,
                   "top_functions": {f"{l}/{n}": [[c, p, f] for c, p, f in v]
                                     for (l, n), v in tops.items()}}
        if self.args.json:
            with open(self.args.json, "w") as f:
                json.dump(summary, f, indent=1)
        print("CPU " + json.dumps(summary, separators=(",", ":")))
        return 0

    def print_tables(self, scen, results, tops):
        print("\n== callgrind: server user-space instructions, net of an empty session ==")
        print(f"{'scenario':28} {'ours Ir':>14} {'openssh Ir':>14} {'ours/unit':>11} "
              f"{'osh/unit':>11} {'ratio':>6}")
        for name, title, *_ in scen:
            r = results[name]
            o, a = r["ours"], r["openssh"]
            if name == "empty":
                print(f"{title:28} {o['ir']:14,} {a['ir']:14,} {'(baseline)':>11}")
                continue
            print(f"{title:28} {o['net_ir']:14,} {a['net_ir']:14,} "
                  f"{o['ir_per_unit']:11.4g} {a['ir_per_unit']:11.4g} {r['ir_ratio']:6.3f}"
                  f"   per {r['unit']}")
        print("\n== strace -f -c: server system calls, net of an empty session ==")
        print(f"{'scenario':28} {'ours':>8} {'openssh':>8} {'ours/unit':>10} {'osh/unit':>10} "
              f"{'ratio':>6}")
        for name, title, *_ in scen:
            r = results[name]
            o, a = r["ours"], r["openssh"]
            if name == "empty":
                print(f"{title:28} {o['syscalls']:8} {a['syscalls']:8} {'(baseline)':>10}")
                continue
            per = "per MiB" if r["unit"] == "byte" else f"per {r['unit']}"
            scale = MIB if r["unit"] == "byte" else 1
            print(f"{title:28} {o['net_syscalls']:8} {a['net_syscalls']:8} "
                  f"{o['syscalls_per_unit'] * scale:10.3f} {a['syscalls_per_unit'] * scale:10.3f} "
                  f"{r['syscall_ratio'] if r['syscall_ratio'] is not None else 0:6.2f}   {per}")
        print("\n== which system calls (net counts) ==")
        for name, title, *_ in scen:
            if name == "empty":
                continue
            for label, _ in self.servers:
                by = results[name][label]["syscalls_by_name"]
                top = ", ".join(f"{k} {v}" for k, v in list(by.items())[:7] if v)
                print(f"{title:28} {label:8} {top}")
        print("\n== where the instructions go: top functions by self Ir beyond the empty "
              "session (callgrind) ==")
        for name, title, *_ in scen:
            if name == "empty":
                continue
            for label, _ in self.servers:
                fs = tops.get((label, name), [])
                text = "; ".join(f"{f[:48]} {p:.0f}%" for c, p, f in fs)
                print(f"{title:28} {label:8} {text}")
        sys.stdout.flush()

    def print_perf(self):
        mib = self.perf_bytes // MIB
        big, out = self.p("perf.bin"), self.p("put.out")
        cases = [("get", f"get {mib} MiB -> /dev/null", [f"get {big} /dev/null"], None),
                 ("put", f"put {mib} MiB -> file", [f"put {big} {out}"],
                  lambda: benchlib.remove(out))]
        print(f"\n== perf record -e cpu-clock: server CPU time by symbol (kernel [k] + user [.]) ==")
        result = {}
        for name, title, lines, prepare in cases:
            for label, server in self.servers:
                rows = self.perf_profile(server, lines, prepare, self.args.top)
                result[f"{label}/{name}"] = rows
                text = "; ".join(f"{s[:34]}[{k}] {p:.0f}%" for p, d, k, s in rows)
                print(f"{title:24} {label:8} {text}")
        benchlib.remove(out)
        return result


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build", help="build directory (default: build)")
    ap.add_argument("--quick", action="store_true", help="smaller transfers and directories")
    ap.add_argument("--no-perf", action="store_true", help="skip the perf profile")
    ap.add_argument("--top", type=int, default=6, help="functions/symbols shown per profile")
    ap.add_argument("--ours", help="our server (default: BUILD/sftp-server)")
    ap.add_argument("--openssh", help=f"OpenSSH's server (default: {benchlib.OPENSSH_SERVER})")
    ap.add_argument("--json", help="also write the summary to this file")
    ap.add_argument("--keep", action="store_true", help="keep the /dev/shm work directory")
    args = ap.parse_args()
    try:
        return Cpu(args).main()
    except BenchError as e:
        print(f"bench-cpu: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
