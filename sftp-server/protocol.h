// SFTP version 3 (draft-ietf-secsh-filexfer-02) and OpenSSH's PROTOCOL file:
// message types, status codes, flags and the limits we enforce.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sftpsh::server {

inline constexpr std::uint32_t kProtocolVersion = 3;

enum class Msg : std::uint8_t {
  kInit = 1,
  kVersion = 2,
  kOpen = 3,
  kClose = 4,
  kRead = 5,
  kWrite = 6,
  kLstat = 7,
  kFstat = 8,
  kSetstat = 9,
  kFsetstat = 10,
  kOpendir = 11,
  kReaddir = 12,
  kRemove = 13,
  kMkdir = 14,
  kRmdir = 15,
  kRealpath = 16,
  kStat = 17,
  kRename = 18,
  kReadlink = 19,
  kSymlink = 20,
  kStatus = 101,
  kHandle = 102,
  kData = 103,
  kName = 104,
  kAttrs = 105,
  kExtended = 200,
  kExtendedReply = 201,
};

enum class Status : std::uint32_t {
  kOk = 0,
  kEof = 1,
  kNoSuchFile = 2,
  kPermissionDenied = 3,
  kFailure = 4,
  kBadMessage = 5,
  kNoConnection = 6,
  kConnectionLost = 7,
  kOpUnsupported = 8,
};

// SSH_FILEXFER_ATTR_*
inline constexpr std::uint32_t kAttrSize = 0x00000001;
inline constexpr std::uint32_t kAttrUidGid = 0x00000002;
inline constexpr std::uint32_t kAttrPermissions = 0x00000004;
inline constexpr std::uint32_t kAttrAcModTime = 0x00000008;
inline constexpr std::uint32_t kAttrExtended = 0x80000000;

// SSH_FXF_* open flags
inline constexpr std::uint32_t kOpenRead = 0x00000001;
inline constexpr std::uint32_t kOpenWrite = 0x00000002;
inline constexpr std::uint32_t kOpenAppend = 0x00000004;
inline constexpr std::uint32_t kOpenCreate = 0x00000008;
inline constexpr std::uint32_t kOpenTruncate = 0x00000010;
inline constexpr std::uint32_t kOpenExclusive = 0x00000020;

// statvfs@openssh.com flag bits
inline constexpr std::uint64_t kStatvfsReadOnly = 0x1;
inline constexpr std::uint64_t kStatvfsNoSuid = 0x2;

// The largest packet (length field value) we accept and send, as OpenSSH.
inline constexpr std::uint32_t kMaxPacket = 256 * 1024;
// Largest READ we answer and WRITE we advertise, as OpenSSH: leaves room for
// the reply header inside kMaxPacket.
inline constexpr std::uint32_t kMaxReadLength = kMaxPacket - 1024;
inline constexpr std::uint32_t kMaxWriteLength = kMaxPacket - 1024;
// READDIR replies carry more than OpenSSH's 100 entries while they stay under
// this size. The draft asks every client to accept packets of at least 34000
// bytes; staying below keeps old clients working while sending ~300 typical
// entries per round trip.
inline constexpr std::size_t kMaxReaddirReply = 32 * 1024;

}  // namespace sftpsh::server
