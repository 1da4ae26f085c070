// The version both programs report. sftpsh writes it into the hand-over and
// the server refuses (exit 255, logged) a hand-over from another version, so
// a half-upgraded installation fails closed.
#pragma once

#include <string_view>

namespace sftpsh {

inline constexpr std::string_view kVersion = "0.1.0";

}  // namespace sftpsh
