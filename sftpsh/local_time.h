// The host's time zone for the server in the jail.
//
// The jail has no /etc/localtime, so the server's `ls -l` dates would be UTC.
// A TZif file (version 2 or later) ends with the zone's rule as a POSIX TZ
// string ("CET-1CEST,M3.5.0,M10.5.0/3"), which glibc applies with no file at
// all. sftpsh reads it from root's /etc/localtime before the chroot and puts
// TZ= into the server's environment. Never from the client's environment.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sftpsh {

// The POSIX TZ string in a TZif file's footer; nullopt for a version 1 file,
// a missing or malformed footer, or one glibc would take as a file name.
[[nodiscard]] std::optional<std::string> posix_tz_from_tzif(std::string_view tzif);

// That of /etc/localtime, or nullopt (then the server shows UTC).
[[nodiscard]] std::optional<std::string> host_posix_tz();

}  // namespace sftpsh
