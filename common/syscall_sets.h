// The system calls the bundled server needs, as data (names, resolved by
// libseccomp). Two filters are built from these lists:
//  - sftpsh's, installed just before it execs the server: kServerStartup +
//    kServerRuntime + one execveat of the server's fd (sftpsh/seccomp_shell.cc);
//  - the server's own, installed once start-up is over: kServerRuntime only
//    (sftp-server/seccomp_filter.cc). Filters stack, so the second only narrows.
// Nothing here creates sockets, execs, traces, mounts or enters namespaces.
#pragma once

#include <array>
#include <string_view>

namespace sftpsh {

// Start-up of a static-pie glibc program and the server's own set-up
// (reading the hand-over, /etc/passwd when standalone).
inline constexpr auto kServerStartup = std::to_array<std::string_view>({
    "arch_prctl",       // TLS set-up in static glibc
    "set_tid_address",  // libc start-up
    "set_robust_list",  // libc start-up
    "rseq",             // libc start-up (glibc >= 2.35)
    "prlimit64",        // libc start-up (stack limit), getrlimit
    "mprotect",         // RELRO in static-pie
    "readlinkat",       // also runtime (READLINK); listed for clarity
    "uname",            // libc start-up on some kernels
    "prctl",            // PR_SET_NO_NEW_PRIVS, PR_SET_DUMPABLE before the filter
    "seccomp",          // installing the server's own filter
    "getrandom",        // malloc's start-up in static glibc 2.36
    "pipe2",            // the splice pipe, made at start-up
    "rt_sigaction",     // SIGPIPE ignored, so a gone client is EPIPE
    "getsockopt",       // a larger send buffer when stdout is a socket
    "setsockopt",       //   (sftp -D, Dropbear, inetd): Transport
});

// Everything the server does while serving requests.
inline constexpr auto kServerRuntime = std::to_array<std::string_view>({
    // stream and file I/O
    "read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "pwritev",
    "lseek", "splice", "sendfile", "copy_file_range", "poll", "ppoll", "fcntl",
    "ioctl",  // FIONREAD on the input; glibc's isatty (TCGETS)
    "close", "sendto",  // syslog datagrams on the pre-connected socket
    // files and directories
    "openat", "open", "fstat", "newfstatat", "stat", "lstat", "statx", "getdents64",
    "mkdir", "mkdirat", "rmdir", "unlink", "unlinkat", "rename", "renameat", "renameat2",
    "link", "linkat", "symlink", "symlinkat", "readlink", "truncate", "ftruncate",
    "chmod", "fchmod", "fchmodat", "chown", "fchown", "lchown", "fchownat", "utimensat",
    "statfs", "fstatfs", "fsync", "fdatasync", "getcwd", "chdir", "fchdir", "umask",
    // memory, time, identity, signals, exit
    "brk", "mmap", "munmap", "mremap", "madvise", "clock_gettime", "gettimeofday",
    "getuid", "geteuid", "getgid", "getegid", "getpid",  // getpid: syslog lines
    "rt_sigreturn", "rt_sigprocmask",
    "exit", "exit_group",
});

// Needed only to die loudly on an internal error (abort()).
// (glibc 2.36 abort() also resets the SIGABRT handler: rt_sigaction.)
inline constexpr auto kServerAbort =
    std::to_array<std::string_view>({"gettid", "tgkill", "futex", "rt_sigaction"});

}  // namespace sftpsh
