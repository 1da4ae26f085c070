// The one place that decides whether a request may run: read-only mode and
// the allow/deny lists (-R, -p, -P), checked before dispatch, as OpenSSH's
// request_permitted().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/log.h"
#include "sftp-server/request_table.h"

namespace sftpsh::server {

class RequestPolicy {
 public:
  RequestPolicy() = default;
  RequestPolicy(bool read_only, std::optional<std::vector<std::string>> allowed,
                std::optional<std::vector<std::string>> denied)
      : read_only_(read_only), allowed_(std::move(allowed)), denied_(std::move(denied)) {}

  // Logs refusals at OpenSSH's levels and with its wording.
  [[nodiscard]] bool permits(const RequestSpec& spec, Logger& log) const;
  // The same decision, silently (a fast path asking before the real check).
  [[nodiscard]] bool allows(const RequestSpec& spec) const;
  // OPEN is not a writing request as such: under -R it is refused only when
  // it would write, create or truncate (the CVE-2017-15906 fix).
  [[nodiscard]] bool permits_open(std::uint32_t sftp_flags) const;
  [[nodiscard]] bool read_only() const { return read_only_; }

 private:
  bool read_only_ = false;
  std::optional<std::vector<std::string>> allowed_;
  std::optional<std::vector<std::string>> denied_;
};

}  // namespace sftpsh::server
