#include "sftpsh/local_time.h"

#include "common/read_file.h"

namespace sftpsh {

namespace {

// Zone files are a few KiB; the largest in tzdata is under 10 KiB.
constexpr std::size_t kMaxZoneFile = 256 * 1024;
constexpr std::size_t kMaxTzString = 128;

bool is_tz_character(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '<' ||
         c == '>' || c == '+' || c == '-' || c == ',' || c == '.' || c == '/' || c == ':';
}

}  // namespace

std::optional<std::string> posix_tz_from_tzif(std::string_view tzif) {
  // "TZif", then a version: '\0' (1, no footer) or '2', '3', '4'.
  if (tzif.size() < 6 || tzif.substr(0, 4) != "TZif" || tzif[4] < '2' || tzif[4] > '9')
    return std::nullopt;
  if (tzif.back() != '\n') return std::nullopt;
  const auto start = tzif.rfind('\n', tzif.size() - 2);
  if (start == std::string_view::npos) return std::nullopt;
  const std::string_view footer = tzif.substr(start + 1, tzif.size() - start - 2);
  if (footer.empty() || footer.size() > kMaxTzString) return std::nullopt;
  // A leading ':' makes glibc read a file: only a rule is wanted.
  if (footer.front() == ':') return std::nullopt;
  for (const char c : footer)
    if (!is_tz_character(c)) return std::nullopt;
  return std::string(footer);
}

std::optional<std::string> host_posix_tz() {
  const auto zone = read_small_file("/etc/localtime", kMaxZoneFile);
  if (!zone) return std::nullopt;
  return posix_tz_from_tzif(*zone);
}

}  // namespace sftpsh
