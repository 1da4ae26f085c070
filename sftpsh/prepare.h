// Step 4: what sftpsh must open before the chroot, while it can still see
// the host: the server binary (exec'd later by fd, so the jail needs no
// copy), and the hand-over the server can no longer look up inside the jail.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/handover.h"
#include "common/result.h"
#include "common/unique_fd.h"
#include "sftpsh/account.h"
#include "sftpsh/environment.h"
#include "sftpsh/locate.h"

namespace sftpsh {

// Opens the server O_RDONLY|O_CLOEXEC|O_NOFOLLOW: a trusted file
// (trusted_file.h) with an execute bit. CLOEXEC: execveat() by this fd still
// works, and the server does not inherit a descriptor of its own binary.
[[nodiscard]] Result<UniqueFd> open_server(std::string_view path);

// Linux's overflow uid and gid (/proc/sys/kernel/overflow{u,g}id, 65534 unless
// changed): what ids without a mapping show as inside a user namespace, so
// root's files in the user-namespace mode.
inline constexpr std::uint32_t kOverflowId = 65534;

// The hand-over (pure): the user with its home inside the jail, the client
// address, the syslog fd, and the names `ls -l` may show: the user, its
// groups, root, and the overflow ids (nobody, nogroup).
[[nodiscard]] Handover make_handover(const Account& account, const NameDb& database,
                                     const JailPath& jail, const ClientAddress& client,
                                     int log_fd);

// Writes `text` into a sealed memfd (no CLOEXEC: the server reads it),
// positioned at offset 0. Sealed against writes, growth and shrinking, so what
// the server reads is what sftpsh wrote.
[[nodiscard]] Result<UniqueFd> write_handover_memfd(std::string_view text);

// Clears FD_CLOEXEC on a descriptor handed to the server.
[[nodiscard]] Result<void> keep_across_exec(int fd);

}  // namespace sftpsh
