#include "sftpsh/decide.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace sftpsh {
namespace {

const std::vector<std::string> kAccepted{"/usr/libexec/sftpsh/sftp-server",
                                         "/usr/lib/openssh/sftp-server"};

Decision run(std::vector<std::string_view> argv) { return decide(argv, kAccepted); }

TEST_CASE("decide serves exactly a configured subsystem command line") {
  CHECK(run({"sftpsh", "-c", "/usr/lib/openssh/sftp-server"}).serve);
  CHECK(run({"sftpsh", "-c", "/usr/libexec/sftpsh/sftp-server"}).serve);
  CHECK(run({"/any/argv0", "-c", "/usr/lib/openssh/sftp-server"}).serve);
}

TEST_CASE("decide denies an interactive login") {
  const Decision login = run({"-sftpsh"});
  CHECK_FALSE(login.serve);
  CHECK(login.reason == DenyReason::kInteractiveLogin);
  CHECK(run({"sftpsh"}).reason == DenyReason::kInteractiveLogin);
  CHECK_FALSE(run({"-sftpsh", "-c", "/usr/lib/openssh/sftp-server"}).serve);
}

TEST_CASE("decide denies every other command, naming it") {
  for (const char* command :
       {"id", "scp -t /upload", "scp -f x", "rsync --server -vlogDtpre.iLsfxC . up",
        "/bin/sh .ssh/rc", "/usr/lib/openssh/sftp-server -d /", "/usr/lib/openssh/sftp-server;id",
        " /usr/lib/openssh/sftp-server", "/usr/lib/openssh/sftp-server ",
        "/usr/lib/openssh/sftp-server\n", "internal-sftp", "sftp-server", ""}) {
    const Decision d = run({"sftpsh", "-c", command});
    CHECK_FALSE(d.serve);
    CHECK(d.reason == DenyReason::kCommandRefused);
    CHECK(d.attempted == command);
  }
}

TEST_CASE("decide denies argument shapes other than -c <command>") {
  const std::string server = "/usr/lib/openssh/sftp-server";
  CHECK(run({"sftpsh", "-c"}).reason == DenyReason::kNotACommand);
  CHECK(run({"sftpsh", "-c", server, "extra"}).reason == DenyReason::kNotACommand);
  CHECK(run({"sftpsh", "-x", server}).reason == DenyReason::kNotACommand);
  CHECK(run({"sftpsh", server}).reason == DenyReason::kNotACommand);
  CHECK(run({"sftpsh", "-c", server, "-c", server}).reason == DenyReason::kNotACommand);
  CHECK(run({"sftpsh", "-c", server, "x"}).attempted == "-c /usr/lib/openssh/sftp-server x");
  CHECK(run({}).reason == DenyReason::kNoArguments);
}

TEST_CASE("decide with no accepted command serves nothing") {
  const std::vector<std::string> none;
  const std::vector<std::string_view> argv{"sftpsh", "-c", ""};
  CHECK_FALSE(decide(argv, none).serve);
}

Invocation classify(std::vector<std::string_view> argv, uid_t uid, bool initial_ns = true) {
  return classify_invocation(argv, uid, initial_ns);
}

TEST_CASE("classify_invocation: `sftpsh check` by root is the audit") {
  CHECK(classify({"sftpsh", "check"}, 0) == Invocation::kCheck);
  CHECK(classify({"/usr/local/sbin/sftpsh", "check", "alice", "bob"}, 0) == Invocation::kCheck);
  CHECK(classify({"sftpsh", "check", "-f", "/tmp/sshd_config"}, 0) == Invocation::kCheck);
}

TEST_CASE("classify_invocation refuses `sftpsh check` to everyone but root") {
  CHECK(classify({"sftpsh", "check"}, 1001) == Invocation::kCheckRefused);
  CHECK(classify({"sftpsh", "check", "alice"}, 65534) == Invocation::kCheckRefused);
  // uid 0 inside a user namespace of one's own (unshare -r) is not root
  CHECK(classify({"sftpsh", "check"}, 0, false) == Invocation::kCheckRefused);
}

TEST_CASE("classify_invocation leaves everything sshd can produce to the shell") {
  for (const uid_t uid : {uid_t{0}, uid_t{1001}}) {
    // a client's `ssh host check`, with or without arguments
    CHECK(classify({"sftpsh", "-c", "check"}, uid) == Invocation::kShell);
    CHECK(classify({"sftpsh", "-c", "check alice"}, uid) == Invocation::kShell);
    // a login shell (argv[0] "-sftpsh") is never the audit
    CHECK(classify({"-sftpsh", "check"}, uid) == Invocation::kShell);
    CHECK(classify({"-sftpsh"}, uid) == Invocation::kShell);
    CHECK(classify({"sftpsh"}, uid) == Invocation::kShell);
    CHECK(classify({}, uid) == Invocation::kShell);
    // only the exact word
    CHECK(classify({"sftpsh", "Check"}, uid) == Invocation::kShell);
    CHECK(classify({"sftpsh", "check "}, uid) == Invocation::kShell);
    CHECK(classify({"sftpsh", "--check"}, uid) == Invocation::kShell);
    CHECK(classify({"sftpsh", "-c", "/usr/lib/openssh/sftp-server"}, uid) ==
          Invocation::kShell);
  }
}

TEST_CASE("argv_views stops at argc") {
  char a[] = "sftpsh", b[] = "-c", c[] = "x";
  char* argv[] = {a, b, c, nullptr};
  CHECK(argv_views(2, argv) == std::vector<std::string_view>{"sftpsh", "-c"});
}

}  // namespace
}  // namespace sftpsh
