#include "sftpsh/sshd_dump.h"

#include <charconv>

#include <fmt/format.h>

namespace sftpsh {

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool parse_int(std::string_view& text, int& value) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end == text.data()) return false;
  text.remove_prefix(static_cast<std::size_t>(end - text.data()));
  return true;
}

}  // namespace

void SshdDump::add(std::string keyword, std::string value) {
  entries_.emplace_back(std::move(keyword), std::move(value));
}

std::optional<std::string_view> SshdDump::first(std::string_view keyword) const {
  for (const auto& [key, value] : entries_)
    if (key == keyword) return std::string_view(value);
  return std::nullopt;
}

std::vector<std::string_view> SshdDump::all(std::string_view keyword) const {
  std::vector<std::string_view> values;
  for (const auto& [key, value] : entries_)
    if (key == keyword) values.emplace_back(value);
  return values;
}

SshdDump parse_sshd_dump(std::string_view text) {
  SshdDump dump;
  while (!text.empty()) {
    const auto newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) continue;
    const auto space = line.find(' ');
    if (space == std::string_view::npos) {
      dump.add(lower(line), "");
    } else {
      dump.add(lower(line.substr(0, space)), std::string(line.substr(space + 1)));
    }
  }
  return dump;
}

bool OpensshVersion::at_least(int want_major, int want_minor) const {
  if (!known) return false;
  return major > want_major || (major == want_major && minor >= want_minor);
}

std::string OpensshVersion::text() const {
  return known ? fmt::format("{}.{}", major, minor) : std::string("unknown");
}

OpensshVersion parse_openssh_version(std::string_view text) {
  constexpr std::string_view kMarker = "OpenSSH_";
  for (auto at = text.find(kMarker); at != std::string_view::npos;
       at = text.find(kMarker, at + 1)) {
    std::string_view rest = text.substr(at + kMarker.size());
    OpensshVersion version;
    if (!parse_int(rest, version.major) || !rest.starts_with('.')) continue;
    rest.remove_prefix(1);
    if (!parse_int(rest, version.minor)) continue;
    version.known = true;
    return version;
  }
  return {};
}

}  // namespace sftpsh
