#include "sftpsh/check_user_facts.h"

#include <charconv>

#include <fmt/format.h>

namespace sftpsh {

namespace {

// Fields are separated by tabs, records by newlines; a field's own
// backslashes, tabs and newlines are escaped.
std::string escape(std::string_view field) {
  std::string out;
  for (const char c : field) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string record(std::initializer_list<std::string_view> fields) {
  std::string line;
  for (const auto field : fields) {
    if (!line.empty()) line += '\t';
    line += escape(field);
  }
  return line + "\n";
}

Result<std::vector<std::string>> split_record(std::string_view line) {
  std::vector<std::string> fields(1);
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '\t') {
      fields.emplace_back();
    } else if (c != '\\') {
      fields.back() += c;
    } else if (i + 1 == line.size()) {
      return Error{"a record ends in a backslash"};
    } else {
      const char next = line[++i];
      if (next == '\\') {
        fields.back() += '\\';
      } else if (next == 't') {
        fields.back() += '\t';
      } else if (next == 'n') {
        fields.back() += '\n';
      } else {
        return Error{"a record holds an unknown escape"};
      }
    }
  }
  return fields;
}

Result<unsigned long> number(const std::string& text) {
  unsigned long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size() || text.empty())
    return Error{fmt::format("\"{}\" is not a number", text)};
  return value;
}

}  // namespace

std::string encode_walk_facts(const WalkFacts& facts) {
  std::string out = record({"jail", facts.jail_error});
  out += record({"home", facts.home_checked ? "1" : "0", facts.home_error,
                 facts.home_writable_at});
  for (const auto& path : facts.paths)
    out += record({"path", path.path, std::to_string(static_cast<int>(path.kind)),
                   std::to_string(path.owner), path.user_writable ? "1" : "0", path.error});
  for (const auto& key : facts.keys)
    out += record({"key", key.path, key.exists ? "1" : "0", key.writable_at, key.error});
  return out;
}

Result<WalkFacts> decode_walk_facts(std::string_view text) {
  WalkFacts facts;
  bool saw_jail = false, saw_home = false;
  while (!text.empty()) {
    const auto newline = text.find('\n');
    if (newline == std::string_view::npos) return Error{"the last record is cut short"};
    auto fields = split_record(text.substr(0, newline));
    text.remove_prefix(newline + 1);
    if (!fields) return Error{fields.error()};
    const auto& f = *fields;
    if (f[0] == "jail" && f.size() == 2) {
      facts.jail_error = f[1];
      saw_jail = true;
    } else if (f[0] == "home" && f.size() == 4) {
      facts.home_checked = f[1] == "1";
      facts.home_error = f[2];
      facts.home_writable_at = f[3];
      saw_home = true;
    } else if (f[0] == "path" && f.size() == 6) {
      const auto kind = number(f[2]);
      const auto owner = number(f[3]);
      if (!kind || !owner || *kind > static_cast<unsigned long>(PathFact::Kind::kError))
        return Error{"a path record is malformed"};
      facts.paths.push_back(PathFact{f[1], static_cast<PathFact::Kind>(*kind),
                                     static_cast<uid_t>(*owner), f[4] == "1", f[5]});
    } else if (f[0] == "key" && f.size() == 5) {
      facts.keys.push_back(KeyFileFact{f[1], f[2] == "1", f[3], f[4]});
    } else {
      return Error{fmt::format("unknown record \"{}\"", f[0])};
    }
  }
  if (!saw_jail || !saw_home) return Error{"the facts are incomplete"};
  return facts;
}

}  // namespace sftpsh
