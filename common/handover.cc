#include "common/handover.h"

#include <charconv>
#include <cstdint>
#include <optional>
#include <vector>

#include <fmt/format.h>

namespace sftpsh {

namespace {

bool is_plain(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '.': case '_': case '@': case '+': case '-': case '/': case '~': case ',':
    case ':': case '=':
      return true;
    default:
      return false;
  }
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::vector<std::string_view> split_spaces(std::string_view line) {
  std::vector<std::string_view> fields;
  while (true) {
    const auto space = line.find(' ');
    fields.push_back(line.substr(0, space));
    if (space == std::string_view::npos) break;
    line.remove_prefix(space + 1);
  }
  return fields;
}

template <typename Int>
std::optional<Int> parse_int(std::string_view text) {
  Int value{};
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

Error bad(std::size_t line_number, std::string_view why) {
  return Error{fmt::format("hand-over line {}: {}", line_number, why)};
}

Result<UserEntry> parse_user(const std::vector<std::string_view>& f, std::size_t n) {
  if (f.size() != 5) return bad(n, "user record needs 4 fields");
  auto name = percent_decode(f[1]);
  auto home = percent_decode(f[4]);
  const auto uid = parse_int<std::uint32_t>(f[2]);
  const auto gid = parse_int<std::uint32_t>(f[3]);
  if (!name || !home || !uid || !gid || name->empty()) return bad(n, "malformed user record");
  return UserEntry{std::move(*name), *uid, *gid, std::move(*home), ""};
}

}  // namespace

std::string percent_encode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_plain(c)) {
      out += ch;
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

Result<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '%') {
      if (i + 2 >= text.size()) return Error{"truncated escape"};
      const int hi = hex_value(text[i + 1]);
      const int lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0) return Error{"bad escape"};
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (is_plain(c)) {
      out += static_cast<char>(c);
    } else {
      return Error{"unencoded byte"};
    }
  }
  return out;
}

std::string encode_handover(const Handover& h) {
  std::string out = fmt::format("sftpsh-handover {} {}\n", kHandoverFormat, percent_encode(h.version));
  out += fmt::format("user {} {} {} {}\n", percent_encode(h.user.name), h.user.uid, h.user.gid,
                     percent_encode(h.user.home));
  out += fmt::format("client {}\n", percent_encode(h.client));
  out += fmt::format("logfd {}\n", h.log_fd);
  for (const auto& u : h.names.users())
    out += fmt::format("passwd {} {} {} {}\n", percent_encode(u.name), u.uid, u.gid,
                       percent_encode(u.home));
  for (const auto& g : h.names.groups())
    out += fmt::format("group {} {}\n", percent_encode(g.name), g.gid);
  out += "end\n";
  return out;
}

Result<Handover> decode_handover(std::string_view text) {
  Handover h;
  bool have_user = false;
  bool ended = false;
  std::size_t n = 0;
  while (!text.empty()) {
    ++n;
    const auto newline = text.find('\n');
    if (newline == std::string_view::npos) return bad(n, "unterminated line");
    const std::string_view line = text.substr(0, newline);
    text.remove_prefix(newline + 1);
    if (ended) return bad(n, "data after end");
    const auto f = split_spaces(line);
    if (n == 1) {
      if (f.size() != 3 || f[0] != "sftpsh-handover") return bad(n, "not a hand-over");
      if (parse_int<int>(f[1]) != kHandoverFormat) return bad(n, "unknown format");
      auto version = percent_decode(f[2]);
      if (!version) return bad(n, "malformed version");
      h.version = std::move(*version);
    } else if (f[0] == "user") {
      auto user = parse_user(f, n);
      if (!user) return Error{user.error()};
      h.user = std::move(*user);
      have_user = true;
    } else if (f[0] == "client" && f.size() == 2) {
      auto client = percent_decode(f[1]);
      if (!client) return bad(n, "malformed client");
      h.client = std::move(*client);
    } else if (f[0] == "logfd" && f.size() == 2) {
      const auto fd = parse_int<int>(f[1]);
      if (!fd || *fd < -1) return bad(n, "malformed logfd");
      h.log_fd = *fd;
    } else if (f[0] == "passwd") {
      auto user = parse_user(f, n);
      if (!user) return Error{user.error()};
      h.names.add_user(std::move(*user));
    } else if (f[0] == "group" && f.size() == 3) {
      auto name = percent_decode(f[1]);
      const auto gid = parse_int<std::uint32_t>(f[2]);
      if (!name || name->empty() || !gid) return bad(n, "malformed group");
      h.names.add_group(GroupEntry{std::move(*name), *gid});
    } else if (f[0] == "end" && f.size() == 1) {
      ended = true;
    } else {
      return bad(n, "unknown record");
    }
  }
  if (n == 0) return Error{"hand-over is empty"};
  if (!have_user) return Error{"hand-over has no user record"};
  if (!ended) return Error{"hand-over is truncated (no end record)"};
  return h;
}

}  // namespace sftpsh
