"""Run a test module's unittest cases and report them as TAP lines.

Every suite of ours prints "ok N - name" or "not ok N - name" per test and
exits non-zero when one failed; tests/run.py adds the suites up. A skipped test
counts as failed: a test that cannot run has not passed.
"""
import argparse
import os
import sys
import time
import traceback
import unittest

ARGS = argparse.Namespace()


def parse_args(argv=None, extra=None):
    """Parse the options every suite accepts (and any the suite adds)."""
    parser = argparse.ArgumentParser()
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    parser.add_argument("--build", default=os.path.join(root, "build"),
                        help="build directory")
    parser.add_argument("--server", default=None,
                        help="sftp-server binary under test "
                             "(default: BUILD/sftp-server)")
    parser.add_argument("-k", dest="pattern", default=None,
                        help="only tests whose name contains this")
    if extra:
        extra(parser)
    args = parser.parse_args(argv)
    args.build = os.path.abspath(args.build)
    args.root = root
    if args.server is None:
        args.server = os.path.join(args.build, "sftp-server")
    args.server = os.path.abspath(args.server)
    ARGS.__dict__.update(vars(args))
    return args


class _TapResult(unittest.TestResult):
    def __init__(self):
        super().__init__()
        self.number = 0
        self.passed = 0
        self.failed = 0
        self._start = 0.0

    def startTest(self, test):
        super().startTest(test)
        self._start = time.monotonic()

    def _name(self, test):
        return test.id().split(".", 1)[-1]

    def _report(self, test, ok, detail=None):
        self.number += 1
        elapsed = time.monotonic() - self._start
        if ok:
            self.passed += 1
            print(f"ok {self.number} - {self._name(test)} ({elapsed:.2f}s)", flush=True)
        else:
            self.failed += 1
            print(f"not ok {self.number} - {self._name(test)} ({elapsed:.2f}s)", flush=True)
            for line in (detail or "").rstrip().splitlines():
                print(f"#   {line}", flush=True)

    def addSuccess(self, test):
        self._report(test, True)

    def addFailure(self, test, err):
        self._report(test, False, "".join(traceback.format_exception(*err)))

    def addError(self, test, err):
        self._report(test, False, "".join(traceback.format_exception(*err)))

    def addSubTest(self, test, subtest, err):
        # A failed subtest fails its test: reported once, as a failure.
        if err is not None:
            self._report(subtest, False, "".join(traceback.format_exception(*err)))

    def addSkip(self, test, reason):
        self._report(test, False, f"skipped: {reason} (a skipped test is a failed test)")

    def addExpectedFailure(self, test, err):
        self._report(test, False, "expected failures are not allowed")

    def addUnexpectedSuccess(self, test):
        self._report(test, False, "unexpected success")


def _iter_tests(suite):
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from _iter_tests(item)
        else:
            yield item


def main(module_name="__main__", extra_args=None):
    """Entry point for a suite file: parse args, run, print TAP, exit."""
    args = parse_args(extra=extra_args)
    module = sys.modules[module_name]
    loader = unittest.TestLoader()
    suite = loader.loadTestsFromModule(module)
    if args.pattern:
        suite = unittest.TestSuite(
            t for t in _iter_tests(suite) if args.pattern in t.id())
    result = _TapResult()
    suite.run(result)
    # A failure in setUpClass/tearDownClass is reported by unittest as an error
    # on a pseudo-test; _TapResult already counted it.
    print(f"# {result.passed} passed, {result.failed} failed", flush=True)
    if result.number == 0:
        print("not ok 1 - suite ran no test", flush=True)
        sys.exit(1)
    sys.exit(1 if result.failed else 0)
