#include "common/name_db.h"

#include <charconv>
#include <optional>

namespace sftpsh {

namespace {

// Splits `line` at ':' into exactly `count` fields (the last takes the rest).
std::optional<std::vector<std::string_view>> split_fields(std::string_view line,
                                                          std::size_t count) {
  std::vector<std::string_view> fields;
  while (fields.size() + 1 < count) {
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    fields.push_back(line.substr(0, colon));
    line.remove_prefix(colon + 1);
  }
  fields.push_back(line);
  return fields;
}

std::optional<std::uint32_t> parse_id(std::string_view text) {
  std::uint32_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

template <typename LineFn>
void for_each_line(std::string_view text, LineFn fn) {
  while (!text.empty()) {
    const auto newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    if (line.empty() || line.front() == '#' || line.front() == '+' || line.front() == '-')
      continue;
    fn(line);
  }
}

}  // namespace

void NameDb::add_user(UserEntry user) {
  const std::size_t index = users_.size();
  if (user_by_uid_.count(user.uid) != 0 && user_by_name_.count(user.name) != 0) return;
  user_by_uid_.emplace(user.uid, index);
  user_by_name_.emplace(user.name, index);
  users_.push_back(std::move(user));
}

void NameDb::add_group(GroupEntry group) {
  if (group_by_gid_.count(group.gid) != 0) return;
  group_by_gid_.emplace(group.gid, groups_.size());
  groups_.push_back(std::move(group));
}

const UserEntry* NameDb::user_by_uid(std::uint32_t uid) const {
  const auto it = user_by_uid_.find(uid);
  return it == user_by_uid_.end() ? nullptr : &users_[it->second];
}

const UserEntry* NameDb::user_by_name(std::string_view name) const {
  const auto it = user_by_name_.find(std::string(name));
  return it == user_by_name_.end() ? nullptr : &users_[it->second];
}

const GroupEntry* NameDb::group_by_gid(std::uint32_t gid) const {
  const auto it = group_by_gid_.find(gid);
  return it == group_by_gid_.end() ? nullptr : &groups_[it->second];
}

void parse_passwd(std::string_view text, NameDb& db) {
  for_each_line(text, [&db](std::string_view line) {
    const auto fields = split_fields(line, 7);
    if (!fields || (*fields)[0].empty()) return;
    const auto uid = parse_id((*fields)[2]);
    const auto gid = parse_id((*fields)[3]);
    if (!uid || !gid) return;
    db.add_user(UserEntry{std::string((*fields)[0]), *uid, *gid, std::string((*fields)[5]),
                          std::string((*fields)[6])});
  });
}

void parse_group(std::string_view text, NameDb& db) {
  for_each_line(text, [&db](std::string_view line) {
    const auto fields = split_fields(line, 4);
    if (!fields || (*fields)[0].empty()) return;
    const auto gid = parse_id((*fields)[2]);
    if (!gid) return;
    db.add_group(GroupEntry{std::string((*fields)[0]), *gid});
  });
}

}  // namespace sftpsh
