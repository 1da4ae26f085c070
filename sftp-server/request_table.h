// The one table of requests: name (for -p/-P/-Q), message type or extension
// name, the handler, and whether it writes (refused under -R). The VERSION
// reply advertises the extensions from the same table, in this order.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "sftp-server/protocol.h"
#include "sftp-server/wire.h"

namespace sftpsh::server {

class Session;
using Handler = void (*)(Session& session, std::uint32_t id, Reader& in);

struct RequestSpec {
  std::string_view name;       // as -p/-P/-Q requests name it
  Msg type;                    // kExtended for extensions
  std::string_view extension;  // the extended-request name, else empty
  std::string_view version;    // advertised extension version, else empty
  Handler handler;
  bool does_write;
};

[[nodiscard]] std::span<const RequestSpec> request_specs();
[[nodiscard]] const RequestSpec* find_request(std::uint8_t type);
[[nodiscard]] const RequestSpec* find_extension(std::string_view name);
// Every name, in table order: -Q requests prints them, -p/-P check against them.
[[nodiscard]] std::vector<std::string_view> request_names();

}  // namespace sftpsh::server
