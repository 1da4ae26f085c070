// Step 0: make the process trustworthy before it does anything else.
//
// sftpsh may run with privilege (file capability or setuid root) and, in
// every mode, with an environment, signal state, umask, limits and fds chosen
// by someone else. None of it is trusted.
#pragma once

#include "sftpsh/environment.h"

namespace sftpsh {

// Must be the first call in main, before anything that could load code
// (an NSS lookup) or write to a file descriptor:
//  - unprivileged (no AT_SECURE): glibc has already read LD_LIBRARY_PATH,
//    LD_PRELOAD, GLIBC_TUNABLES, ... and a later getpwuid() would dlopen()
//    NSS modules through them, so sftpsh re-executes itself (by
//    /proc/self/exe) with nothing but a validated SSH_CONNECTION;
//  - then: keeps the client address, clears the environment, makes sure fds
//    0-2 are open (so no file we open lands on "stderr"), closes every other
//    inherited fd, sets umask 022, resets every signal disposition and the
//    signal mask, and sets RLIMIT_CORE to 0 (no core file of a privileged
//    process).
// Other inherited resource limits are left alone: every step fails closed,
// so a limit set low by a caller can only make sftpsh refuse (and the kernel
// resets the stack limit of a privileged exec). The server runs under the
// limits sshd/PAM gave the session, as OpenSSH's does.
// Dies on any failure.
[[nodiscard]] ClientAddress sanitize_process(char** argv);

}  // namespace sftpsh
