// nss_lookup: a static program that makes one NSS lookup, as sftpsh does.
//
// The control for the environment-injection tests: run unprivileged with
// LD_LIBRARY_PATH pointing at a directory holding a fake libnss_*.so.2, it
// shows that a static glibc dlopen()s NSS modules through that variable, so
// a test that finds sftpsh unaffected proves sftpsh's defence, not an
// attack that could never work. Prints "found" or "not found"; exits 0.
#include <pwd.h>
#include <unistd.h>

#include <cstdio>

int main(int argc, char** argv) {
  const char* name = argc > 1 ? argv[1] : "sftpsh-no-such-user";
  const passwd* pw = ::getpwnam(name);
  std::printf("%s\n", pw != nullptr ? "found" : "not found");
  return 0;
}
