#include "sftpsh/check_options.h"

#include <fmt/format.h>

namespace sftpsh {

Result<CheckOptions> parse_check_options(std::span<const std::string_view> args) {
  CheckOptions options;
  bool options_end = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (!options_end && arg == "--") {
      options_end = true;
    } else if (!options_end && (arg == "-h" || arg == "--help")) {
      options.help = true;
    } else if (!options_end && arg == "-f") {
      if (i + 1 == args.size()) return Error{"option -f needs a file name"};
      if (!options.sshd_config.empty()) return Error{"option -f given twice"};
      const std::string_view file = args[++i];
      if (file.empty()) return Error{"option -f needs a file name"};
      options.sshd_config = std::string(file);
    } else if (!options_end && arg.starts_with('-')) {
      return Error{fmt::format("unknown option \"{}\"", arg)};
    } else if (arg.empty() || arg.find_first_of(":/\n") != std::string_view::npos) {
      return Error{fmt::format("\"{}\" is not a user name", arg)};
    } else {
      options.users.emplace_back(arg);
    }
  }
  return options;
}

}  // namespace sftpsh
