#include "sftpsh/check_groups.h"

#include <charconv>
#include <string>

namespace sftpsh {

namespace {

// Field `index` of a colon-separated line.
std::string_view field(std::string_view line, int index) {
  for (int i = 0; i < index; ++i) {
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return {};
    line.remove_prefix(colon + 1);
  }
  return line.substr(0, line.find(':'));
}

bool lists(std::string_view members, std::string_view user) {
  while (!members.empty()) {
    const auto comma = members.find(',');
    if (members.substr(0, comma) == user) return true;
    members.remove_prefix(comma == std::string_view::npos ? members.size() : comma + 1);
  }
  return false;
}

}  // namespace

std::vector<GroupEntry> groups_of(std::string_view group_text, std::string_view user,
                                  gid_t primary_gid) {
  std::vector<GroupEntry> groups{GroupEntry{std::to_string(primary_gid), primary_gid}};
  auto have = [&groups](gid_t gid) {
    for (const auto& g : groups)
      if (g.gid == gid) return true;
    return false;
  };
  while (!group_text.empty()) {
    const auto newline = group_text.find('\n');
    const std::string_view line = group_text.substr(0, newline);
    group_text.remove_prefix(newline == std::string_view::npos ? group_text.size()
                                                               : newline + 1);
    if (line.empty() || line.starts_with('#') || line.starts_with('+') ||
        line.starts_with('-'))
      continue;
    const std::string_view name = field(line, 0);
    const std::string_view gid_text = field(line, 2);
    std::uint32_t gid = 0;
    const auto [end, error] =
        std::from_chars(gid_text.data(), gid_text.data() + gid_text.size(), gid);
    if (name.empty() || error != std::errc{} || end != gid_text.data() + gid_text.size() ||
        gid_text.empty())
      continue;
    if (gid == primary_gid && groups.front().name == std::to_string(primary_gid)) {
      groups.front().name = std::string(name);
      continue;
    }
    if (!have(gid) && lists(field(line, 3), user))
      groups.push_back(GroupEntry{std::string(name), gid});
  }
  return groups;
}

}  // namespace sftpsh
