#include "sftpsh/check_program.h"

#include <fcntl.h>

#include <doctest/doctest.h>

#include "common/unique_fd.h"

namespace sftpsh {
namespace {

TEST_CASE("run_program: status, stdout and stderr apart, a bare environment") {
  UniqueFd shell(::open("/bin/sh", O_RDONLY | O_CLOEXEC));
  REQUIRE(shell);
  auto out = run_program(shell.get(), {"sh", "-c", "echo out; echo err >&2; env; exit 3"});
  REQUIRE(out.ok());
  CHECK(out->exit_status == 3);
  CHECK(out->out.find("out\n") == 0);
  CHECK(out->out.find("PATH=/usr/sbin:/usr/bin:/sbin:/bin\n") != std::string::npos);
  CHECK(out->out.find("HOME=") == std::string::npos);
  CHECK(out->err == "err\n");
}

TEST_CASE("run_program: stdin is empty, and a hung program is killed") {
  UniqueFd shell(::open("/bin/sh", O_RDONLY | O_CLOEXEC));
  REQUIRE(shell);
  auto read = run_program(shell.get(), {"sh", "-c", "cat; echo done"});
  REQUIRE(read.ok());
  CHECK(read->out == "done\n");
  auto hung = run_program(shell.get(), {"sh", "-c", "exec sleep 30"}, 1);
  REQUIRE(hung.ok());
  CHECK(hung->exit_status == -1);
  CHECK(hung->err == "killed by signal 14");
}

}  // namespace
}  // namespace sftpsh
