// What sftpsh keeps of the environment sshd hands it: nothing but the client
// address, and that only for the logs.
//
// The environment is the client's to choose (AcceptEnv, PermitUserEnvironment,
// environment= in authorized_keys), so no decision is ever made on it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sftpsh {

// Where the client connects from, as sshd put it into SSH_CONNECTION.
struct ClientAddress {
  std::string address = "UNKNOWN";
  std::string port = "0";
};

// Parses "client_addr client_port server_addr server_port". Addresses may hold
// only the characters of IPv4/IPv6 literals (and an IPv6 zone), ports only
// digits; anything else is not well-formed.
[[nodiscard]] std::optional<ClientAddress> parse_ssh_connection(std::string_view value);

// True when every variable in `envp` is one that a static glibc's start-up
// never reads (the ones sshd sets for a session, and the locale variables
// Debian's sshd accepts by default: USER LOGNAME HOME PATH MAIL SHELL TERM
// LANG LANGUAGE LC_* SSH_CLIENT SSH_TTY and a well-formed SSH_CONNECTION).
// Anything else (LD_LIBRARY_PATH, GLIBC_TUNABLES, MALLOC_*, TZ, an unknown
// name, an entry without '=') may have been read before main, so an
// unprivileged sftpsh re-executes itself without it. Allowing sshd's own
// variables spares the re-exec in the usual case; the values don't matter,
// as clearenv() follows before anything else runs.
[[nodiscard]] bool environment_is_clean(const char* const* envp);

}  // namespace sftpsh
