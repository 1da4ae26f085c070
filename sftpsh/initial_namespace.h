// Is this process in the initial user namespace?
//
// `sftpsh check` reads what only root may read (check_run.h), so it runs only
// for real uid 0 — and a user's own user namespace (`unshare -r`) makes any
// user uid 0 there, owning nothing outside it. The initial namespace maps
// every id to itself: /proc/self/uid_map is exactly "0 0 4294967295". Only a
// process privileged over all ids could make a child namespace with that map,
// so the map is the test, and anything else (or no readable map) is "no".
#pragma once

#include <string_view>

namespace sftpsh {

// Pure: `uid_map` (the text of /proc/self/uid_map) is the identity map of
// all 2^32-1 ids, on one line.
[[nodiscard]] bool is_initial_uid_map(std::string_view uid_map);

// Reads /proc/self/uid_map; false when it can't.
[[nodiscard]] bool in_initial_user_namespace();

}  // namespace sftpsh
