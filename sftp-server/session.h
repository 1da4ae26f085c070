// Session: everything one SFTP session owns, passed to every handler (no
// global state). Handlers decode their request, act, and build exactly one
// reply through the helpers here.
#pragma once

#include <sys/types.h>

#include <climits>
#include <cstdint>
#include <ctime>
#include <memory>
#include <string>
#include <string_view>

#include "common/log.h"
#include "common/name_db.h"
#include "sftp-server/attrs.h"
#include "sftp-server/handle_table.h"
#include "sftp-server/longname.h"
#include "sftp-server/output_queue.h"
#include "sftp-server/policy.h"
#include "sftp-server/protocol.h"
#include "sftp-server/transport.h"

namespace sftpsh::server {

// A path from a request as a NUL-terminated string, without heap allocation.
// A path longer than PATH_MAX is kept as too_long(): the handler answers as
// the kernel would (ENAMETOOLONG).
class CPath {
 public:
  explicit CPath(std::string_view path);
  [[nodiscard]] const char* c_str() const { return buffer_; }
  [[nodiscard]] bool too_long() const { return too_long_; }

 private:
  char buffer_[PATH_MAX + 1];
  bool too_long_ = false;
};

// READDIR's getdents64 buffer, kept for the directory handle that used it
// last, so consecutive READDIRs of one directory continue where the previous
// reply stopped without asking the kernel again.
struct DirCache {
  const OpenHandle* owner = nullptr;
  std::uint32_t owner_generation = 0;
  std::unique_ptr<std::byte[]> buffer;
  std::size_t length = 0;
  std::size_t position = 0;
};

// Totals for the session summary line.
struct Traffic {
  std::uint64_t bytes_read = 0;     // from files, sent to the client
  std::uint64_t bytes_written = 0;  // from the client, written to files
  std::uint64_t requests = 0;
};

class Session {
 public:
  Session(Logger& logger, Transport& connection, RequestPolicy request_policy,
          std::size_t max_handles)
      : log(logger),
        transport(connection),
        out(connection.queue()),
        policy(std::move(request_policy)),
        handles(max_handles) {}

  Logger& log;
  Transport& transport;
  OutputQueue& out;  // transport.queue(): where replies are built
  RequestPolicy policy;
  HandleTable handles;
  UserEntry user;         // who the session serves
  NameDb names;           // ids → names for ls -l, users-groups-by-id, ~user
  std::string client = "UNKNOWN";
  bool initialized = false;
  std::uint32_t client_version = 0;
  Traffic traffic;
  DirCache dir_cache;
  std::string scratch;  // reused for longnames: no allocation per entry
  DateColumn dates;     // the longnames' date column, cached per minute

  // --- replies -----------------------------------------------------------
  void send_status(std::uint32_t id, Status status, std::string_view message = {});
  void send_errno(std::uint32_t id, int error);
  void send_bad_message(std::uint32_t id) { send_status(id, Status::kBadMessage); }
  void send_handle(std::uint32_t id, const OpenHandle& entry);
  void send_attrs(std::uint32_t id, const Attrs& attrs);
  // A NAME reply with one entry whose longname is the name and no attributes
  // (REALPATH, READLINK, expand-path, home-directory), as OpenSSH.
  void send_single_name(std::uint32_t id, std::string_view name);
  // Commits a reply built by a handler; an overflow is an internal error.
  void finish(Reply& reply);
  // The same for a reply whose last `trailing` bytes are spliced behind it.
  void finish_with_trailer(Reply& reply, std::size_t trailing);

  // A handle about to close must not stay the owner of the READDIR buffer.
  void forget_dir_cache(const OpenHandle& entry) {
    if (dir_cache.owner == &entry) {
      dir_cache.owner = nullptr;
      dir_cache.length = dir_cache.position = 0;
    }
  }

  // --- names -------------------------------------------------------------
  [[nodiscard]] std::string_view user_name(std::uint32_t uid);
  [[nodiscard]] std::string_view group_name(std::uint32_t gid);

  // Writes "forced close" lines for handles still open, and the session
  // summary; called once on the way out.
  void log_session_end();

 private:
  // ids without a name, as text; one each so a longname can use both.
  std::string uid_text_;
  std::string gid_text_;
};

// Internal errors (a reply that does not fit) end the session: logged, exit.
[[noreturn]] void fatal(Logger& log, std::string_view message);

}  // namespace sftpsh::server
