// Handling of one complete packet: INIT/VERSION, then every request through
// the policy gate to its handler.
#pragma once

#include "sftp-server/session.h"
#include "sftp-server/wire.h"

namespace sftpsh::server {

// `packet` is one packet without its length field. Returns false when the
// session must end (a request before INIT, a packet too short to carry an
// id): the reason has been logged.
[[nodiscard]] bool process_packet(Session& session, Bytes packet);

}  // namespace sftpsh::server
