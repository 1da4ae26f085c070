// Running a program for `sftpsh check` (sshd -T, sshd -V) and collecting its
// output.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"

namespace sftpsh {

struct ProgramOutput {
  int exit_status = -1;  // -1 when killed by a signal
  std::string out;
  std::string err;
};

// Executes the file open at `program` (open_trusted_file: what runs is what
// was checked, not whatever the path names by then) with `argv`, stdin
// /dev/null, a fixed PATH and nothing else in the environment, and stdout
// and stderr in memory files (no pipe to fill up and block on). Killed
// after `timeout_seconds`.
[[nodiscard]] Result<ProgramOutput> run_program(int program, const std::vector<std::string>& argv,
                                                unsigned timeout_seconds = 60);

}  // namespace sftpsh
