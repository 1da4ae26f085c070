#include "sftpsh/log_lines.h"

#include <doctest/doctest.h>

namespace sftpsh {
namespace {

const ClientAddress kClient{"192.0.2.7", "51234"};

TEST_CASE("denial lines have one fixed shape, the client's text last") {
  Decision login{false, DenyReason::kInteractiveLogin, ""};
  CHECK(denial_line("alice", kClient, login) ==
        "Denied user alice from 192.0.2.7 port 51234: interactive login");
  Decision command{false, DenyReason::kCommandRefused, "scp -t /x"};
  CHECK(denial_line("alice", kClient, command) ==
        "Denied user alice from 192.0.2.7 port 51234: command \"scp -t /x\"");
  Decision args{false, DenyReason::kNotACommand, "-x y"};
  CHECK(denial_line("alice", ClientAddress{}, args) ==
        "Denied user alice from UNKNOWN port 0: arguments \"-x y\"");
}

TEST_CASE("a forged line inside a command stays inside the quotes, escaped") {
  Decision forged{false, DenyReason::kCommandRefused,
                  "x\nDenied user root from 6.6.6.6 port 1: interactive login"};
  const std::string logged = denial_line("alice", kClient, forged);
  CHECK(logged.find('\n') == std::string::npos);
  CHECK(logged == "Denied user alice from 192.0.2.7 port 51234: command \"x\\nDenied user root "
                  "from 6.6.6.6 port 1: interactive login\"");
}

TEST_CASE("a quote in a command can't end the quoted text early") {
  // Without the escape, the line read: ...: command "x" from 203.0.113.66 port 22: y"
  Decision forged{false, DenyReason::kCommandRefused, "x\" from 203.0.113.66 port 22: y"};
  CHECK(denial_line("alice", kClient, forged) ==
        "Denied user alice from 192.0.2.7 port 51234: command \"x\\\" from 203.0.113.66 port "
        "22: y\"");
  // A backslash is escaped too, so `\"` can't unescape the quote after it.
  Decision slash{false, DenyReason::kNotACommand, "a\\\" b"};
  CHECK(describe_attempt(slash) == "arguments \"a\\\\\\\" b\"");
}

TEST_CASE("quote_for_log leaves only printable ASCII and no bare quote inside") {
  const std::string quoted = quote_for_log("\"\\\n\t\x1b\xc3\xa4\"");
  CHECK(quoted == "\"\\\"\\\\\\n\\t\\033\\303\\244\\\"\"");
  for (const char c : quoted) CHECK((c >= 0x20 && c < 0x7f));
  // Inside the outer quotes every `"` follows an escaping backslash.
  const std::string inner = quoted.substr(1, quoted.size() - 2);
  for (std::size_t i = 0; i < inner.size(); ++i) {
    if (inner[i] == '\\') {
      ++i;  // an escape pair
      continue;
    }
    CHECK(inner[i] != '"');
  }
  CHECK(quote_for_log("") == "\"\"");
}

TEST_CASE("a long command is cut, and the line still ends as its format says") {
  Decision flood{false, DenyReason::kCommandRefused, std::string(5000, '"')};
  std::string expected = "command \"";
  for (std::size_t i = 0; i < kMaxLoggedAttempt; ++i) expected += "\\\"";  // each `"` as \"
  expected += "\" (truncated)";
  CHECK(describe_attempt(flood) == expected);
  Decision fits{false, DenyReason::kCommandRefused, std::string(kMaxLoggedAttempt, 'a')};
  CHECK(describe_attempt(fits).ends_with("aa\""));
}

TEST_CASE("describe_attempt names the attempt") {
  CHECK(describe_attempt(Decision{false, DenyReason::kInteractiveLogin, ""}) ==
        "interactive login");
  CHECK(describe_attempt(Decision{false, DenyReason::kNoArguments, ""}) == "no arguments");
  CHECK(describe_attempt(Decision{false, DenyReason::kCommandRefused, "id"}) == "command \"id\"");
}

TEST_CASE("session and refusal lines") {
  JailPath jail{"/srv/jail/alice", {"srv", "jail", "alice"}, "/", {}};
  CHECK(session_line("alice", kClient, jail, PrivilegeMode::kCapability) ==
        "Session for user alice from 192.0.2.7 port 51234: jail /srv/jail/alice start / mode "
        "capability");
  CHECK(refusal_line("alice", kClient, "why") ==
        "Refused user alice from 192.0.2.7 port 51234: why");
}

}  // namespace
}  // namespace sftpsh
