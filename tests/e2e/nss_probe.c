// Control for the NSS test: a static program that looks up the groups of a
// user, as sftpsh does to hand names to the server. A static glibc dlopen()s
// the NSS modules nsswitch.conf names (libnss_systemd here) for that, and an
// unprivileged process honours LD_LIBRARY_PATH when it does: run with the
// evil library's directory there, this probe must leave a marker.
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <unistd.h>

int main(void) {
  struct passwd* pw = getpwuid(getuid());
  if (pw == NULL) return 2;
  gid_t groups[256];
  int count = 256;
  if (getgrouplist(pw->pw_name, pw->pw_gid, groups, &count) < 0) return 3;
  printf("%s: %d groups\n", pw->pw_name, count);
  return 0;
}
