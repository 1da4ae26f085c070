// The version both programs report, and the version of the sftpsh → server
// hand-over format. sftpsh refuses to hand over to a server of another version.
#pragma once

#include <string_view>

namespace sftpsh {

inline constexpr std::string_view kVersion = "0.1.0";

}  // namespace sftpsh
