// Placed in a jail as /bin/sh for the seccomp test: if an exec from the
// jailed process ever succeeds, this says so on stdout.
#include <stdio.h>

int main(void) {
  puts("EXECUTED INSIDE THE JAIL");
  return 0;
}
