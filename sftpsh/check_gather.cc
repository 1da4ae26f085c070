#include "sftpsh/check_gather.h"

#include <fcntl.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <set>

#include <fmt/format.h>

#include "common/read_file.h"
#include "common/unique_fd.h"
#include "sftpsh/config_file.h"
#include "sftpsh/trusted_file.h"

namespace sftpsh {

namespace {

constexpr std::size_t kMaxPamFile = 1 << 20;
constexpr int kMaxPamDepth = 8;  // Linux-PAM's own include limit is similar

void read_pam_file(const std::string& path, int depth, std::set<std::string>& seen,
                   PamFacts& facts) {
  if (depth > kMaxPamDepth || !seen.insert(path).second) return;
  auto text = read_small_file(path.c_str(), kMaxPamFile);
  if (!text) {
    facts.problems.push_back(fmt::format("cannot read {} (included by sshd's PAM stack): {}",
                                         path, text.error()));
    return;
  }
  PamFile file = parse_pam_file(*text, path);
  for (auto& entry : file.entries) facts.entries.push_back(std::move(entry));
  for (const auto& include : file.includes)
    read_pam_file(pam_include_path(include), depth + 1, seen, facts);
}

}  // namespace

Result<SelfFile> identify_self() {
  char buffer[PATH_MAX];
  const ssize_t n = ::readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  if (n <= 0) return Error{fmt::format("readlink /proc/self/exe: {}", std::strerror(errno))};
  struct stat st {};
  if (::stat("/proc/self/exe", &st) != 0)
    return Error{fmt::format("stat /proc/self/exe: {}", std::strerror(errno))};
  return SelfFile{std::string(buffer, static_cast<std::size_t>(n)), st.st_dev, st.st_ino};
}

bool is_this_sftpsh(const SelfFile& self, std::string_view shell) {
  if (shell.empty()) return false;
  if (shell == self.path) return true;
  struct stat st {};
  return ::stat(std::string(shell).c_str(), &st) == 0 && st.st_dev == self.dev &&
         st.st_ino == self.ino;
}

void gather_binary(const SelfFile& self, InstallFacts& facts) {
  facts.self_path = self.path;
  if (auto trusted = open_trusted_file(self.path, O_RDONLY, "sftpsh"); !trusted)
    facts.self_trust_error = trusted.error();
  UniqueFd fd(::open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
  struct stat st {};
  if (!fd || ::fstat(fd.get(), &st) != 0) {
    facts.self_trust_error = fmt::format("cannot open /proc/self/exe: {}", std::strerror(errno));
    return;
  }
  facts.setuid_root = (st.st_mode & S_ISUID) != 0 && st.st_uid == 0;
  if (cap_t caps = ::cap_get_fd(fd.get())) {
    cap_flag_value_t permitted = CAP_CLEAR;
    if (::cap_get_flag(caps, CAP_SYS_CHROOT, CAP_PERMITTED, &permitted) == 0)
      facts.file_capability = permitted == CAP_SET;
    if (char* text = ::cap_to_text(caps, nullptr)) {
      facts.capability_text = text;
      ::cap_free(text);
    }
    ::cap_free(caps);
  }
  struct statvfs vfs {};
  facts.nosuid_mount = ::fstatvfs(fd.get(), &vfs) == 0 && (vfs.f_flag & ST_NOSUID) != 0;
}

Config gather_config(std::string_view path, InstallFacts& facts) {
  facts.config_path = std::string(path);
  bool missing = false;
  if (auto fd = open_trusted_file(path, O_RDONLY, "config", &missing); !fd) {
    if (missing) {
      facts.config_missing = true;
    } else {
      facts.config_error = fd.error();
    }
    return Config{};
  }
  auto config = load_config(path);
  if (!config) {
    facts.config_error = config.error();
    return Config{};
  }
  return std::move(*config);
}

PamFacts gather_pam(bool use_pam) {
  PamFacts facts;
  facts.use_pam = use_pam;
  struct stat st {};
  if (::lstat(facts.sshrc_path.c_str(), &st) == 0) {
    facts.sshrc_exists = true;
  } else if (errno != ENOENT) {
    facts.sshrc_error = std::strerror(errno);
  }
  for (const char* stack : {"/etc/pam.d/sshd", "/etc/pam.d/other"}) {
    if (::access(stack, F_OK) != 0) continue;
    facts.stack_file = stack;
    std::set<std::string> seen;
    read_pam_file(stack, 0, seen, facts);
    break;
  }
  return facts;
}

}  // namespace sftpsh
