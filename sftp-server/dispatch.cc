#include "sftp-server/dispatch.h"

#include "sftp-server/request_table.h"

namespace sftpsh::server {

namespace {

void process_init(Session& s, Reader& in) {
  const auto version = in.u32();
  // An INIT without a version gets one all the same: 0 means "pre-v3".
  s.client_version = version.value_or(0);
  s.log.verbose("received client version {}", s.client_version);
  // Clients offering a later version (lftp, WinSCP and asyncssh offer 6) get
  // version 3, the one we speak.
  Reply reply = s.out.begin_version();
  Writer& w = reply.writer();
  w.u32(kProtocolVersion);
  for (const auto& spec : request_specs()) {
    if (spec.type != Msg::kExtended) continue;
    // Disallowed extensions are not advertised.
    if (!s.policy.permits(spec, s.log)) continue;
    w.text(spec.extension);
    w.text(spec.version);
  }
  s.finish(reply);
  s.initialized = true;
}

void dispatch(Session& s, const RequestSpec& spec, std::uint32_t id, Reader& in) {
  if (!s.policy.permits(spec, s.log)) return s.send_status(id, Status::kPermissionDenied);
  spec.handler(s, id, in);
}

}  // namespace

bool process_packet(Session& s, Bytes packet) {
  Reader in(packet);
  const auto type = in.u8();
  if (!type) {
    s.log.error("bad message from {} local user {}: empty packet", s.client, s.user.name);
    return false;
  }
  if (*type == static_cast<std::uint8_t>(Msg::kInit)) {
    process_init(s, in);
    return true;
  }
  if (!s.initialized) {
    s.log.error("Received {} request before init", *type);
    return false;
  }
  const auto id = in.u32();
  if (!id) {
    s.log.error("bad message from {} local user {}: no request id", s.client, s.user.name);
    return false;
  }
  ++s.traffic.requests;
  if (*type == static_cast<std::uint8_t>(Msg::kExtended)) {
    const auto name = in.text();
    if (!name) {
      s.send_bad_message(*id);
      return true;
    }
    const RequestSpec* spec = find_extension(*name);
    if (spec == nullptr) {
      s.log.error("Unknown extended request \"{:.100}\"", *name);
      s.send_status(*id, Status::kOpUnsupported);
      return true;
    }
    dispatch(s, *spec, *id, in);
    return true;
  }
  const RequestSpec* spec = find_request(*type);
  if (spec == nullptr) {
    // OpenSSH 9.2 sends nothing here, leaving the client waiting forever; the
    // draft wants SSH_FX_OP_UNSUPPORTED.
    s.log.error("Unknown message {}", *type);
    s.send_status(*id, Status::kOpUnsupported);
    return true;
  }
  dispatch(s, *spec, *id, in);
  return true;
}

}  // namespace sftpsh::server
