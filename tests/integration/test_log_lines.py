#!/usr/bin/python3
"""Log lines, compared with OpenSSH's sftp-server for the same session.

Admins' log tools (and fail2ban filters) match OpenSSH's wording, so at INFO
and VERBOSE the server under test must write the same lines as
/usr/lib/openssh/sftp-server for the same real `sftp` batch, except:
  * our extra "session totals ..." line (bytes read/written, requests);
  * users-groups-by-id's counts: OpenSSH 9.2 counts groups as users.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
import tap  # noqa: E402

OPENSSH = "/usr/lib/openssh/sftp-server"
BATCH = """put f g
get g h
mkdir d
rename g d/g
ls -l d
chmod 600 d/g
rm d/g
rmdir d
ln -s f l
get nonexistent
df .
"""


def session_log(server, level):
    """The server's -e log of BATCH, run in a fresh directory."""
    work = tempfile.mkdtemp(prefix="sftpsh-log.")
    try:
        with open(os.path.join(work, "f"), "w") as f:
            f.write("hello\n")
        with open(os.path.join(work, "batch"), "w") as f:
            f.write(BATCH)
        # `-b -` would stop at the failing get; a batch file line starting
        # with nothing special does too, so the failing get is last but one.
        proc = subprocess.run(["sftp", "-b", "batch", "-D", f"{server} -e -l {level}"],
                              cwd=work, capture_output=True, text=True, timeout=60)
        lines = []
        for line in proc.stderr.splitlines():
            line = line.rstrip("\r")
            if not line or line.startswith(("sftp>", "Fetching", "Uploading", "Couldn't",
                                            "File \"", "Remote")):
                continue
            line = re.sub(r"modtime \d{8}-\d\d:\d\d:\d\d", "modtime <t>", line)
            line = line.replace(work, "<DIR>")
            lines.append(line)
        return lines
    finally:
        shutil.rmtree(work, ignore_errors=True)


def comparable(lines):
    return [l for l in lines if not l.startswith("session totals for local user")
            and not l.startswith("users-groups-by-id:")]


class LogLines(unittest.TestCase):
    def compare(self, level):
        ours = session_log(tap.ARGS.server, level)
        theirs = session_log(OPENSSH, level)
        self.assertGreater(len(theirs), 5, "OpenSSH's server logged nothing: test is broken")
        self.assertEqual(comparable(ours), comparable(theirs))
        return ours

    def test_info_lines_are_openssh_lines(self):
        ours = self.compare("INFO")
        self.assertTrue(any(l.startswith('open "') and "flags" in l for l in ours))
        self.assertTrue(any(l.startswith('close "') and "bytes read" in l for l in ours))

    def test_verbose_lines_are_openssh_lines(self):
        self.compare("VERBOSE")

    def test_session_totals_line_counts_the_bytes(self):
        ours = session_log(tap.ARGS.server, "INFO")
        totals = [l for l in ours if l.startswith("session totals for local user")]
        self.assertEqual(len(totals), 1, ours)
        # "hello\n" uploaded (6 bytes written) and downloaded (6 bytes read)
        self.assertRegex(totals[0], r": bytes read 6 written 6, requests \d+$")


if __name__ == "__main__":
    tap.main()
