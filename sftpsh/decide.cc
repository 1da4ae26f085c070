#include "sftpsh/decide.h"

#include <algorithm>

namespace sftpsh {

namespace {

Decision deny(DenyReason reason, std::string attempted) {
  return Decision{false, reason, std::move(attempted)};
}

std::string join_arguments(std::span<const std::string_view> args) {
  std::string joined;
  for (const auto arg : args) {
    if (!joined.empty()) joined += ' ';
    joined += arg;
  }
  return joined;
}

}  // namespace

Decision decide(std::span<const std::string_view> argv, std::span<const std::string> accepted) {
  if (argv.empty()) return deny(DenyReason::kNoArguments, "");
  const auto args = argv.subspan(1);
  if (argv[0].starts_with('-') || args.empty())
    return deny(DenyReason::kInteractiveLogin, join_arguments(args));
  if (args.size() != 2 || args[0] != "-c")
    return deny(DenyReason::kNotACommand, join_arguments(args));
  const std::string_view command = args[1];
  const bool listed = std::any_of(accepted.begin(), accepted.end(),
                                  [command](const std::string& line) { return line == command; });
  if (!listed) return deny(DenyReason::kCommandRefused, std::string(command));
  return Decision{true, DenyReason::kNoArguments, std::string(command)};
}

Invocation classify_invocation(std::span<const std::string_view> argv, uid_t real_uid,
                               bool initial_user_namespace) {
  if (argv.size() < 2 || argv[0].starts_with('-') || argv[1] != "check")
    return Invocation::kShell;
  if (real_uid != 0 || !initial_user_namespace) return Invocation::kCheckRefused;
  return Invocation::kCheck;
}

std::vector<std::string_view> argv_views(int argc, char** argv) {
  std::vector<std::string_view> views;
  for (int i = 0; i < argc && argv[i] != nullptr; ++i) views.emplace_back(argv[i]);
  return views;
}

}  // namespace sftpsh
