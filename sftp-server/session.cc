#include "sftp-server/session.h"

#include <unistd.h>

#include <cstring>

#include <fmt/format.h>

#include "sftp-server/status.h"

namespace sftpsh::server {

CPath::CPath(std::string_view path) {
  if (path.size() > PATH_MAX) {
    too_long_ = true;
    buffer_[0] = '\0';
    return;
  }
  std::memcpy(buffer_, path.data(), path.size());
  buffer_[path.size()] = '\0';
}

void fatal(Logger& log, std::string_view message) {
  log.emit(LogLevel::kFatal, message);
  ::_exit(255);
}

void Session::finish(Reply& reply) {
  if (!out.finish(reply)) fatal(log, "internal error: reply does not fit the output buffer");
}

void Session::finish_with_trailer(Reply& reply, std::size_t trailing) {
  if (!out.finish_with_trailer(reply, trailing))
    fatal(log, "internal error: spliced reply does not fit");
}

void Session::send_status(std::uint32_t id, Status status, std::string_view message) {
  log.log(LogLevel::kDebug3, "request {}: sent status {}", id, static_cast<unsigned>(status));
  // As OpenSSH: failures at INFO, every status only above VERBOSE.
  if (log.level() > LogLevel::kVerbose || (status != Status::kOk && status != Status::kEof))
    log.info("sent status {}", status_message(status));
  Reply reply = out.begin(Msg::kStatus, id);
  Writer& w = reply.writer();
  w.u32(static_cast<std::uint32_t>(status));
  // Version 3 added the message and language tag; older clients get neither.
  if (client_version >= 3) {
    w.text(message.empty() ? status_message(status) : message);
    w.text("");
  }
  finish(reply);
}

void Session::send_errno(std::uint32_t id, int error) {
  send_status(id, status_from_errno(error));
}

void Session::send_handle(std::uint32_t id, const OpenHandle& entry) {
  Reply reply = out.begin(Msg::kHandle, id);
  handles.encode(entry, reply.writer());
  finish(reply);
}

void Session::send_attrs(std::uint32_t id, const Attrs& attrs) {
  Reply reply = out.begin(Msg::kAttrs, id);
  encode_attrs(reply.writer(), attrs);
  finish(reply);
}

void Session::send_single_name(std::uint32_t id, std::string_view name) {
  Reply reply = out.begin(Msg::kName, id);
  Writer& w = reply.writer();
  w.u32(1);
  w.text(name);
  w.text(name);
  encode_attrs(w, Attrs{});
  finish(reply);
}

std::string_view Session::user_name(std::uint32_t uid) {
  if (const UserEntry* entry = names.user_by_uid(uid)) return entry->name;
  uid_text_ = fmt::format("{}", uid);
  return uid_text_;
}

std::string_view Session::group_name(std::uint32_t gid) {
  if (const GroupEntry* entry = names.group_by_gid(gid)) return entry->name;
  gid_text_ = fmt::format("{}", gid);
  return gid_text_;
}

void Session::log_session_end() {
  handles.for_each_open([this](OpenHandle& entry) {
    if (entry.kind == HandleKind::kFile)
      log.info("forced close \"{}\" bytes read {} written {}", entry.path, entry.bytes_read,
               entry.bytes_written);
    else
      log.info("forced closedir \"{}\"", entry.path);
  });
  // Ours, for accounting; OpenSSH's own closing line follows unchanged.
  log.info("session totals for local user {} from [{}]: bytes read {} written {}, requests {}",
           user.name, client, traffic.bytes_read, traffic.bytes_written, traffic.requests);
  log.info("session closed for local user {} from [{}]", user.name, client);
}

}  // namespace sftpsh::server
