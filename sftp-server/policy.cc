#include "sftp-server/policy.h"

#include <algorithm>

#include "sftp-server/protocol.h"

namespace sftpsh::server {

namespace {

bool listed(const std::optional<std::vector<std::string>>& list, std::string_view name) {
  return list && std::find(list->begin(), list->end(), name) != list->end();
}

}  // namespace

bool RequestPolicy::permits(const RequestSpec& spec, Logger& log) const {
  if (read_only_ && spec.does_write) {
    log.verbose("Refusing {} request in read-only mode", spec.name);
    return false;
  }
  if (listed(denied_, spec.name)) {
    log.verbose("Refusing denylisted {} request", spec.name);
    return false;
  }
  if (listed(allowed_, spec.name)) {
    log.log(LogLevel::kDebug2, "Permitting allowlisted {} request", spec.name);
    return true;
  }
  if (allowed_) {
    log.verbose("Refusing non-allowlisted {} request", spec.name);
    return false;
  }
  return true;
}

bool RequestPolicy::allows(const RequestSpec& spec) const {
  if (read_only_ && spec.does_write) return false;
  if (listed(denied_, spec.name)) return false;
  return !allowed_ || listed(allowed_, spec.name);
}

bool RequestPolicy::permits_open(std::uint32_t sftp_flags) const {
  if (!read_only_) return true;
  // As OpenSSH: no write access, and nothing that creates or truncates
  // (O_TRUNC truncates even a read-only open on Linux).
  return (sftp_flags & (kOpenWrite | kOpenCreate | kOpenTruncate)) == 0;
}

}  // namespace sftpsh::server
