// A library that must never run inside sftpsh or the server.
//
// The end-to-end tests hand it to sessions as LD_PRELOAD, and as
// libnss_systemd.so.2 in an LD_LIBRARY_PATH directory (a static glibc's
// getgrouplist() and lookup misses dlopen() NSS modules). Its constructor
// leaves a marker file in every directory of MARK_DIRS it can write to and
// says so on stderr: a marker, or the text on a client's stderr, means code
// of the client's choosing ran. Controls in the same tests load it into
// ordinary programs to show it works.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#ifndef MARK_DIRS
#error "build with -DMARK_DIRS='\"/dir/one\", \"/dir/two\"'"
#endif

__attribute__((constructor)) static void leave_marker(void) {
  static const char* const dirs[] = {MARK_DIRS};
  for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; ++i) {
    char path[512];
    snprintf(path, sizeof path, "%s/%d-uid%d-%s", dirs[i], (int)getpid(), (int)geteuid(),
             program_invocation_short_name);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd >= 0) close(fd);
  }
  dprintf(2, "EVIL LIBRARY LOADED in %s\n", program_invocation_name);
}
