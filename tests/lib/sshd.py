"""A private sshd on 127.0.0.1 for the interop and end-to-end suites (DESIGN.md §5).

TestSite    one root-owned directory under /srv and everything made for the tests:
            users, groups, /etc/shells lines, a /dev/log catcher, FUSE mounts and
            processes. close() removes all of it, also after a failure (atexit and
            SIGTERM/SIGINT/SIGHUP run it). Every step is written to DIR/journal.json
            before it is taken, so a run killed with SIGKILL is cleaned up by the next
            one (recover_stale_sites()).
PrivateSshd one `sshd -D` on 127.0.0.1:<free port> with its own config, host key,
            AuthorizedKeysFile in the site, log file, and client helpers: an ssh_config
            every OpenSSH client takes with -F, argv builders, paramiko/asyncssh
            connection parameters, and the process tree of its sessions.

Never touches the system sshd (port 22, /etc/ssh/sshd_config, /run/sshd.pid): the
private one reads only its own config and writes its pid file in the site.
"""
import atexit
import ctypes
import glob
import json
import os
import pwd
import grp
import secrets
import shutil
import signal
import socket
import stat
import subprocess
import sys
import threading
import time

SSHD = "/usr/sbin/sshd"
SITE_GLOB = "/srv/sftpsh-*"
HOST_ALIAS = "sftpsh-test"
DEV_LOG = "/dev/log"


# --- small process helpers --------------------------------------------------

def run(argv, check=True, timeout=120, **kw):
    """Run argv, capture output as text; raise with both streams on failure."""
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.PIPE)
    kw.setdefault("stdin", subprocess.DEVNULL)
    kw.setdefault("text", True)
    proc = subprocess.run(argv, timeout=timeout, **kw)
    if check and proc.returncode != 0:
        raise RuntimeError(f"{argv!r} exited {proc.returncode}\n"
                           f"stdout: {proc.stdout}\nstderr: {proc.stderr}")
    return proc


def proc_stat_fields(pid):
    """Fields of /proc/PID/stat after the command name (index 0 = state), or None."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            data = f.read().decode(errors="replace")
    except OSError:
        return None
    return data[data.rindex(")") + 2:].split()


def proc_starttime(pid):
    fields = proc_stat_fields(pid)
    return int(fields[19]) if fields else None


def proc_status(pid):
    """/proc/PID/status as a dict of stripped strings ({} if the process is gone)."""
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, value = line.partition(":")
                out[key] = value.strip()
    except OSError:
        pass
    return out


def all_pids():
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def children_map():
    kids = {}
    for pid in all_pids():
        fields = proc_stat_fields(pid)
        if fields:
            kids.setdefault(int(fields[1]), []).append(pid)
    return kids


def descendants(pid):
    """Every live descendant of pid, parents before children."""
    kids = children_map()
    out, todo = [], list(kids.get(pid, []))
    while todo:
        p = todo.pop(0)
        out.append(p)
        todo.extend(kids.get(p, []))
    return out


def alive(pid, starttime=None):
    fields = proc_stat_fields(pid)
    if not fields or fields[0] in ("Z", "X"):
        return False
    return starttime is None or int(fields[19]) == starttime


def kill_pids(pids, timeout=5.0):
    """SIGTERM, then SIGKILL what is left after timeout. Only pids we started."""
    pids = [p for p in pids if alive(p)]
    starts = {p: proc_starttime(p) for p in pids}
    for p in pids:
        try:
            os.kill(p, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and any(alive(p, starts[p]) for p in pids):
        _reap_children()
        time.sleep(0.05)
    for p in pids:
        if alive(p, starts[p]):
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
    _reap_children()


def _reap_children():
    """Reap zombies reparented to us (we are a child subreaper)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def become_subreaper():
    """Orphaned session processes are reparented to us, so close() can find them."""
    PR_SET_CHILD_SUBREAPER = 36
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_file(path, data, mode=0o644, uid=0, gid=0):
    if isinstance(data, str):
        data = data.encode()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, mode)
    try:
        os.write(fd, data)
        os.fchown(fd, uid, gid)
        os.fchmod(fd, mode)
    finally:
        os.close(fd)


def make_dir(path, mode=0o755, uid=0, gid=0):
    os.makedirs(path, exist_ok=True)
    os.chown(path, uid, gid, follow_symlinks=False)
    os.chmod(path, mode)


# --- the site: one directory and everything the tests create --------------

class TestSite:
    """A root-owned test directory under /srv plus all we create for the tests."""

    def __init__(self, path=None, prefix="sftpsh-test"):
        if os.geteuid() != 0:
            raise RuntimeError("the sshd tests need root (useradd, sshd, chroot)")
        become_subreaper()
        recover_stale_sites()
        self.tag = secrets.token_hex(2)
        if path is None:
            path = run(["mktemp", "-d", f"/srv/{prefix}.XXXXXX"]).stdout.strip()
        else:
            os.mkdir(path, 0o755)  # fails if a stale one is left: recovery failed
        self.path = path
        self._closed = False
        self._journal = {"owner": {"pid": os.getpid(), "start": proc_starttime(os.getpid())},
                         "actions": []}
        self.users = {}
        self.sshds = []
        self.syslog = None
        self._record("dir", path=path)
        atexit.register(self.close)  # from here on, whatever happens
        _install_signal_handlers()
        os.chmod(path, 0o755)  # users must traverse it to read their authorized keys
        self.keys_dir = self.sub("authorized_keys")
        self.client_dir = self.sub("client", mode=0o700)
        self.client_home = self.sub("client-home", mode=0o700)
        # Clients read ~/.ssh, ~/.config/rclone, ~/.lftp: point them at the site.
        os.environ["HOME"] = self.client_home
        os.environ.pop("SSH_AUTH_SOCK", None)
        self.host_key = os.path.join(path, "host_ed25519")
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "sftpsh-test-host",
             "-f", self.host_key])
        with open(self.host_key + ".pub") as f:
            self.host_pub = f.read().strip()
        self.known_hosts = os.path.join(self.client_dir, "known_hosts")
        write_file(self.known_hosts, f"{HOST_ALIAS} {self.host_pub}\n", 0o644)

    # journal -------------------------------------------------------------
    def _record(self, kind, **info):
        self._journal["actions"].append(dict(kind=kind, **info))
        self._save()

    def _save(self):
        tmp = os.path.join(self.path, ".journal.tmp")
        with open(tmp, "w") as f:
            json.dump(self._journal, f)
        os.rename(tmp, os.path.join(self.path, "journal.json"))

    def _forget(self, kind, **info):
        self._journal["actions"] = [a for a in self._journal["actions"]
                                    if a != dict(kind=kind, **info)]
        self._save()

    # files -----------------------------------------------------------------
    def sub(self, *parts, mode=0o755, uid=0, gid=0):
        path = os.path.join(self.path, *parts)
        make_dir(path, mode, uid, gid)
        return path

    def install_binary(self, src, dest, mode=0o755):
        """Copy a program into the site (the checkout may sit under 0700 /root)."""
        if not os.path.isfile(src):
            raise RuntimeError(f"{src} does not exist: build it first")
        tmp = dest + ".tmp"
        shutil.copyfile(src, tmp)
        os.chown(tmp, 0, 0)
        os.chmod(tmp, mode)
        os.rename(tmp, dest)
        return dest

    # users, groups, shells ---------------------------------------------------
    def add_group(self, role):
        name = f"st{self.tag}-{role}"
        try:
            grp.getgrnam(name)
            raise RuntimeError(f"group {name} already exists")
        except KeyError:
            pass
        self._record("group", name=name)
        run(["groupadd", name])
        return name

    def add_user(self, role, home, shell, groups=(), key_options=None):
        """A user with a key pair; home is not created (the caller lays it out)."""
        name = f"st{self.tag}-{role}"
        try:
            pwd.getpwnam(name)
            raise RuntimeError(f"user {name} already exists")
        except KeyError:
            pass
        self._record("user", name=name)
        argv = ["useradd", "-M", "-U", "-d", home, "-s", shell, "-p", "*"]
        if groups:
            argv += ["-G", ",".join(groups)]
        run(argv + [name])
        # '*' (not '!'): sshd without PAM refuses key login to a locked account.
        run(["usermod", "-p", "*", name])
        user = TestUser(self, role, name, key_options)
        self.users[role] = user
        return user

    def add_shell(self, path):
        """Add path to /etc/shells (once) and remove it again on close."""
        with open("/etc/shells") as f:
            lines = f.read().splitlines()
        if path in lines:
            return
        self._record("shell", line=path)
        with open("/etc/shells", "a") as f:
            f.write(path + "\n")

    def catch_syslog(self):
        """Bind /dev/log to a collector so tests see what sftpsh and the server log."""
        if self.syslog is None:
            self.syslog = SyslogCatcher(self)
        return self.syslog

    # processes ---------------------------------------------------------------
    def record_process(self, pid):
        self._record("process", pid=pid, start=proc_starttime(pid))

    def record_mount(self, path):
        self._record("mount", path=path)

    def forget_mount(self, path):
        self._forget("mount", path=path)

    # cleanup -----------------------------------------------------------------
    def close(self):
        """Remove everything; returns the problems (empty when all is gone)."""
        if self._closed:
            return []
        self._closed = True
        errors = []
        for sshd in reversed(self.sshds):
            try:
                sshd.stop()
            except Exception as e:  # keep cleaning up
                errors.append(f"stop sshd: {e}")
        if self.syslog:
            self.syslog.close()
        failed = []
        errors += undo_actions(self._journal["actions"], own=True, failed=failed)
        if failed:
            # Keep what could not be undone (and the directory) in the journal:
            # the next run's recover_stale_sites() tries again.
            self._journal["actions"] = list(reversed(failed))  # journal order
            try:
                self._save()
            except OSError as e:
                errors.append(f"cannot keep the journal: {e}")
        users = [a["name"] for a in self._journal["actions"] if a["kind"] == "user"]
        errors += [f"user {u} still exists" for u in users if _user_exists(u)]
        if os.path.lexists(self.path) and not failed:
            errors.append(f"{self.path} still exists")
        if errors:
            print("# cleanup problems: " + "; ".join(errors), file=sys.stderr, flush=True)
        return errors


def _user_exists(name):
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


class TestUser:
    def __init__(self, site, role, name, key_options=None):
        self.site, self.role, self.name = site, role, name
        pw = pwd.getpwnam(name)
        self.uid, self.gid, self.home, self.shell = pw.pw_uid, pw.pw_gid, pw.pw_dir, pw.pw_shell
        self.key = os.path.join(site.client_dir, name)
        run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", self.key])
        with open(self.key + ".pub") as f:
            self.pubkey = f.read().strip()
        self.set_key_options(key_options)

    def set_key_options(self, options=None):
        """Rewrite this user's authorized_keys line (options as in sshd(8))."""
        line = (options + " " if options else "") + self.pubkey + "\n"
        write_file(os.path.join(self.site.keys_dir, self.name), line, 0o644)

    def groups(self):
        return run(["id", "-Gn", self.name]).stdout.split()


# --- undo and stale-run recovery ---------------------------------------------

def undo_actions(actions, own, failed=None):
    """Undo journal actions, newest first. Returns a list of problems; the
    actions that could not be undone are appended to `failed` (then the site
    directory, which holds the journal, is kept)."""
    errors = []
    failed = [] if failed is None else failed
    users = [a["name"] for a in actions if a["kind"] == "user"]
    uids = set()
    for name in users:
        try:
            uids.add(pwd.getpwnam(name).pw_uid)
        except KeyError:
            pass
    # Processes first: recorded ones (sshd), then whatever runs as a test user,
    # then (in the owning run) every descendant of ours (we are a subreaper).
    victims = []
    for a in actions:
        if a["kind"] == "process" and alive(a["pid"], a["start"]):
            victims += descendants(a["pid"]) + [a["pid"]]
    kill_pids(victims)
    for a in reversed(actions):
        if a["kind"] == "mount":
            if os.path.ismount(a["path"]):
                r = run(["fusermount3", "-u", "-z", a["path"]], check=False)
                if r.returncode != 0:
                    r = run(["umount", "-l", a["path"]], check=False)
                    if r.returncode != 0:
                        errors.append(f"umount {a['path']}: {r.stderr.strip()}")
                        failed.append(a)
    if uids:
        kill_pids([p for p in all_pids() if _real_uid(p) in uids])
    if own:
        kill_pids(descendants(os.getpid()))
    for a in reversed(actions):
        kind = a["kind"]
        try:
            if kind == "user":
                try:
                    pwd.getpwnam(a["name"])
                except KeyError:
                    continue
                r = run(["userdel", a["name"]], check=False)
                if r.returncode not in (0, 6):
                    errors.append(f"userdel {a['name']}: {r.stderr.strip()}")
                    failed.append(a)
                    continue
                # userdel leaves the user private group if it has other members
                try:
                    grp.getgrnam(a["name"])
                    run(["groupdel", a["name"]], check=False)
                except KeyError:
                    pass
            elif kind == "group":
                try:
                    grp.getgrnam(a["name"])
                except KeyError:
                    continue
                r = run(["groupdel", a["name"]], check=False)
                if r.returncode != 0:
                    errors.append(f"groupdel {a['name']}: {r.stderr.strip()}")
                    failed.append(a)
            elif kind == "shell":
                _remove_shell_line(a["line"])
            elif kind == "devlog":
                try:
                    st = os.lstat(a["path"])
                    if stat.S_ISSOCK(st.st_mode) and st.st_ino == a["ino"]:
                        os.unlink(a["path"])
                except FileNotFoundError:
                    pass
            elif kind == "rundir":
                # /run/sshd is shared with any other sshd: leave it while one runs.
                if not any(_comm(p) == "sshd" for p in all_pids()):
                    try:
                        os.rmdir(a["path"])
                    except OSError:
                        pass
            elif kind == "dir":
                if failed:
                    failed.append(a)  # keep the journal for the next run
                else:
                    _remove_tree(a["path"])
        except Exception as e:
            errors.append(f"undo {a}: {e}")
            failed.append(a)
    return errors


def _real_uid(pid):
    uid = proc_status(pid).get("Uid", "").split()
    return int(uid[0]) if uid else None


def _comm(pid):
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return ""


def _remove_tree(path):
    """rm -rf that never follows symlinks and never crosses a mount point."""
    if not os.path.lexists(path):
        return
    for mnt in _mounts_under(path):
        run(["umount", "-l", mnt], check=False)
    # chattr/immutable is never used; make dirs writable for root anyway
    shutil.rmtree(path)


def _mounts_under(path):
    out = []
    with open("/proc/self/mountinfo") as f:
        for line in f:
            mnt = line.split()[4]
            if mnt == path or mnt.startswith(path.rstrip("/") + "/"):
                out.append(mnt)
    return sorted(out, key=len, reverse=True)


def _remove_shell_line(line):
    with open("/etc/shells") as f:
        lines = f.read().splitlines(keepends=True)
    kept, removed = [], False
    for l in lines:
        if not removed and l.rstrip("\n") == line:
            removed = True
            continue
        kept.append(l)
    if removed:
        with open("/etc/shells", "w") as f:
            f.write("".join(kept))


def recover_stale_sites():
    """Finish the cleanup of runs that were killed before they could clean up."""
    for journal in glob.glob(os.path.join(SITE_GLOB, "journal.json")):
        try:
            with open(journal) as f:
                data = json.load(f)
        except (OSError, ValueError):
            continue
        owner = data.get("owner", {})
        if alive(owner.get("pid", -1), owner.get("start")):
            continue
        print(f"# cleaning up after a killed run: {os.path.dirname(journal)}",
              file=sys.stderr, flush=True)
        for err in undo_actions(data.get("actions", []), own=False):
            print(f"# {err}", file=sys.stderr, flush=True)


_handlers_installed = False


def _install_signal_handlers():
    global _handlers_installed
    if _handlers_installed:
        return
    _handlers_installed = True

    def handler(signum, frame):
        raise SystemExit(128 + signum)  # runs finally blocks and atexit

    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
        signal.signal(sig, handler)


# --- syslog catcher -------------------------------------------------------------

class SyslogCatcher:
    """A datagram socket at /dev/log that keeps every line it receives.

    Where /dev/log already exists (a real syslog daemon), sshd must run in a
    private mount namespace with the catcher bound over /dev/log
    (PrivateSshd(..., syslog=True) does that); otherwise the catcher is bound at
    /dev/log itself for the duration of the test and removed after.
    """

    def __init__(self, site):
        self.site = site
        self.lines = []
        self._lock = threading.Lock()
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.own_path = not os.path.lexists(DEV_LOG)
        self.path = DEV_LOG if self.own_path else os.path.join(site.path, "devlog.sock")
        self.sock.bind(self.path)
        os.chmod(self.path, 0o666)
        if self.own_path:
            site._record("devlog", path=self.path, ino=os.lstat(self.path).st_ino)
        self._stop = False
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self):
        while not self._stop:
            try:
                data = self.sock.recv(65536)
            except OSError:
                return
            with self._lock:
                self.lines.append(data.decode(errors="replace").rstrip("\n"))

    def text(self, settle=0.3):
        time.sleep(settle)
        with self._lock:
            return "\n".join(self.lines)

    def mark(self):
        with self._lock:
            return len(self.lines)

    def since(self, mark, settle=0.3):
        time.sleep(settle)
        with self._lock:
            return self.lines[mark:]

    def close(self):
        self._stop = True
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()


# --- the private sshd ------------------------------------------------------------

class PrivateSshd:
    """sshd -D on 127.0.0.1:<free port>, configured only by what the test gives it.

    config_lines come before the includes (first obtained value wins in
    sshd_config, so they take precedence over an included file's global lines;
    an included Match block still overrides them for the users it matches).
    """

    def __init__(self, site, name, subsystem, config_lines=(), include=(), syslog=False,
                 log_level="VERBOSE", no_devlog=False):
        self.site, self.name = site, name
        self.dir = site.sub(f"sshd-{name}")
        self.subsystem = subsystem
        self.config_lines = list(config_lines)
        self.include = list(include)
        self.syslog = syslog
        self.no_devlog = no_devlog  # sessions find no syslog socket (a container)
        self.log_level = log_level
        self.config = os.path.join(self.dir, "sshd_config")
        self.log = os.path.join(self.dir, "sshd.log")
        self.pidfile = os.path.join(self.dir, "sshd.pid")
        self.ssh_config = os.path.join(self.dir, "ssh_config")
        self.port = None
        self.proc = None
        site.sshds.append(self)

    def write_config(self):
        lines = [
            "# private sshd for sftpsh tests (tests/lib/sshd.py); never the system one",
            f"ListenAddress 127.0.0.1:{self.port}",
            f"HostKey {self.site.host_key}",
            f"PidFile {self.pidfile}",
            "UsePAM no",
            "PermitRootLogin no",
            "PubkeyAuthentication yes",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "HostbasedAuthentication no",
            f"AuthorizedKeysFile {self.site.keys_dir}/%u",
            "StrictModes yes",
            f"LogLevel {self.log_level}",
            "UseDNS no",
            "PrintMotd no",
            "PrintLastLog no",
            "MaxStartups 100:30:200",
            "MaxSessions 32",
            f"Subsystem sftp {self.subsystem}",
        ] + self.config_lines + [f"Include {path}" for path in self.include]
        write_file(self.config, "\n".join(lines) + "\n", 0o644)
        write_file(self.ssh_config, "\n".join([
            "Host *",
            "  HostName 127.0.0.1",
            f"  Port {self.port}",
            f"  IdentityFile {self.site.client_dir}/%r",
            "  IdentitiesOnly yes",
            "  IdentityAgent none",
            "  PKCS11Provider none",
            f"  UserKnownHostsFile {self.site.known_hosts}",
            "  GlobalKnownHostsFile /dev/null",
            f"  HostKeyAlias {HOST_ALIAS}",
            "  StrictHostKeyChecking yes",
            "  CheckHostIP no",
            "  UpdateHostKeys no",
            "  BatchMode yes",
            "  ConnectTimeout 20",
            "  ControlMaster no",
            "  ControlPath none",
            "  ForwardAgent no",
            "  ForwardX11 no",
            "  PermitLocalCommand no",
            "  LogLevel ERROR",
        ]) + "\n", 0o644)

    def check_config(self):
        """sshd -t: the config parses (returns stderr for the caller's message)."""
        return run([SSHD, "-t", "-f", self.config], check=False)

    def effective_config(self, user, host="localhost", addr="127.0.0.1"):
        """`sshd -T -C ...` as a dict of lowercase keyword -> list of values."""
        r = run([SSHD, "-T", "-f", self.config, "-C",
                 f"user={user},host={host},addr={addr},laddr=127.0.0.1,lport={self.port}"])
        out = {}
        for line in r.stdout.splitlines():
            key, _, value = line.partition(" ")
            out.setdefault(key.lower(), []).append(value)
        return out

    def start(self, timeout=15):
        if not os.path.isdir("/run/sshd"):
            self.site._record("rundir", path="/run/sshd")
            make_dir("/run/sshd", 0o755)
        for attempt in range(5):
            self.port = free_port()
            self.write_config()
            t = self.check_config()
            if t.returncode != 0:
                raise RuntimeError(f"sshd -t rejects {self.config}:\n{t.stderr}")
            argv = [SSHD, "-D", "-f", self.config, "-E", self.log]
            over_devlog = None
            if self.no_devlog and os.path.lexists(DEV_LOG):
                over_devlog = "/dev/null"  # connect() to it fails: no syslog
            elif self.syslog and not self.site.syslog.own_path:
                over_devlog = self.site.syslog.path  # a real /dev/log exists
            if over_devlog:
                # In a private mount namespace, for this sshd and its sessions only.
                argv = ["unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
                        'mount --bind "$0" /dev/log && exec "$@"', over_devlog] + argv
            offset = os.path.getsize(self.log) if os.path.exists(self.log) else 0
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                         start_new_session=True)
            self.site.record_process(self.proc.pid)
            if self._wait_ready(timeout, offset):
                return self
            err = self.proc.stderr.read().decode(errors="replace") if self.proc.poll() is not None else ""
            self.stop()
            if "Address already in use" not in (self.log_since(offset) + err):
                raise RuntimeError(f"sshd did not start:\n{self.log_since(offset)}\n{err}")
        raise RuntimeError("sshd: no free port after 5 attempts")

    def _wait_ready(self, timeout, offset):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            if f"Server listening on 127.0.0.1 port {self.port}" in self.log_since(offset):
                try:
                    with socket.create_connection(("127.0.0.1", self.port), timeout=2) as s:
                        if s.recv(64).startswith(b"SSH-2.0-"):
                            return True
                except OSError:
                    pass
            time.sleep(0.05)
        return False

    def stop(self):
        if self.proc is None:
            return
        pid = self.proc.pid
        kill_pids(descendants(pid) + [pid])
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        if self.proc.stderr:
            self.proc.stderr.close()
        self.proc = None

    def restart(self):
        self.stop()
        return self.start()

    def log_text(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def log_since(self, offset):
        try:
            with open(self.log, "rb") as f:
                f.seek(offset)
                return f.read().decode(errors="replace")
        except FileNotFoundError:
            return ""

    def log_mark(self):
        return os.path.getsize(self.log) if os.path.exists(self.log) else 0

    # clients -------------------------------------------------------------
    def dest(self, user):
        return f"{_name(user)}@127.0.0.1"

    def ssh_argv(self, user, *remote, opts=()):
        """ssh USER@127.0.0.1 [REMOTE...] through this sshd's client config."""
        return ["ssh", "-F", self.ssh_config, *opts, self.dest(user), *remote]

    def sftp_argv(self, user, *opts):
        return ["sftp", "-F", self.ssh_config, *opts, self.dest(user)]

    def scp_argv(self, *args):
        """scp -F CONFIG ARGS; remote operands as self.remote(user, path)."""
        return ["scp", "-F", self.ssh_config, *args]

    def remote(self, user, path):
        return f"{self.dest(user)}:{path}"

    def ssh(self, user, *remote, opts=(), input=None, timeout=60, check=False):
        return run(self.ssh_argv(user, *remote, opts=opts), input=input, timeout=timeout,
                   check=check, stdin=None if input is not None else subprocess.DEVNULL)

    def sftp_batch(self, user, commands, opts=(), timeout=300, check=True):
        """Run sftp -b - with the given batch lines (a failing line aborts sftp)."""
        text = "\n".join(commands) + "\n"
        return run(self.sftp_argv(user, "-b", "-", *opts), input=text, stdin=None,
                   timeout=timeout, check=check)

    def paramiko_client(self, user, **kw):
        import paramiko
        client = paramiko.SSHClient()
        kt, key = self.site.host_pub.split()[:2]
        client.get_host_keys().add(f"[127.0.0.1]:{self.port}", kt,
                                   paramiko.Ed25519Key(data=_b64(key)))
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
        client.connect("127.0.0.1", port=self.port, username=_name(user),
                       key_filename=_key(self.site, user),
                       allow_agent=False, look_for_keys=False, timeout=20, **kw)
        return client

    def known_hosts_line(self):
        return f"[127.0.0.1]:{self.port} {self.site.host_pub}\n"

    def session_processes(self, uid=None):
        """Live descendants of this sshd that are not sshd (the shell and the server)."""
        if self.proc is None:
            return []
        out = []
        for pid in descendants(self.proc.pid):
            if _comm(pid) == "sshd":
                continue
            st = proc_status(pid)
            if uid is None or (st.get("Uid") and int(st["Uid"].split()[0]) == uid):
                out.append(pid)
        return out


def _name(user):
    return user if isinstance(user, str) else user.name


def _key(site, user):
    if not isinstance(user, str):
        return user.key
    for u in site.users.values():
        if u.name == user:
            return u.key
    raise KeyError(user)


def _b64(text):
    import base64
    return base64.b64decode(text)
