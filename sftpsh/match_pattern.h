// sshd's pattern lists, as `Match User`/`Match Group` take them.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace sftpsh {

// `pattern` with '*' (any run of characters) and '?' (one character);
// case-sensitive, like sshd's matching of user and group names.
[[nodiscard]] bool match_pattern(std::string_view text, std::string_view pattern);

// A comma-separated list of patterns, each possibly negated with '!':
// false if any negated pattern matches, else true if any plain one matches
// (so a list of negations alone matches nothing, as in sshd).
[[nodiscard]] bool match_pattern_list(std::string_view text, std::string_view list);

// sshd's `Match Group`: false if any of `names` matches a negated pattern,
// else true if any matches a plain one ("*,!staff" excludes members of staff
// whatever their other groups).
[[nodiscard]] bool match_any_pattern_list(std::span<const std::string> names,
                                          std::string_view list);

}  // namespace sftpsh
