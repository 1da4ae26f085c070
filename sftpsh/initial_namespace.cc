#include "sftpsh/initial_namespace.h"

#include <charconv>
#include <cstdint>
#include <string>

#include "common/read_file.h"

namespace sftpsh {

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// The next decimal number after blanks, or nullopt.
bool next_number(std::string_view& text, std::uint64_t& value) {
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end == text.data()) return false;
  text.remove_prefix(static_cast<std::size_t>(end - text.data()));
  return true;
}

}  // namespace

bool is_initial_uid_map(std::string_view uid_map) {
  std::uint64_t inside = 1, outside = 1, count = 0;
  if (!next_number(uid_map, inside) || !next_number(uid_map, outside) ||
      !next_number(uid_map, count))
    return false;
  while (!uid_map.empty() && is_blank(uid_map.front())) uid_map.remove_prefix(1);
  if (uid_map.starts_with('\n')) uid_map.remove_prefix(1);
  return inside == 0 && outside == 0 && count == 4294967295ULL && uid_map.empty();
}

bool in_initial_user_namespace() {
  const auto text = read_small_file("/proc/self/uid_map", 4096);
  return text && is_initial_uid_map(*text);
}

}  // namespace sftpsh
