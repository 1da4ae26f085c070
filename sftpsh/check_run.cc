#include "sftpsh/check_run.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "common/read_file.h"
#include "common/unique_fd.h"
#include "common/version.h"
#include "sftpsh/account.h"
#include "sftpsh/build_paths.h"
#include "sftpsh/check_as_user.h"
#include "sftpsh/check_gather.h"
#include "sftpsh/check_groups.h"
#include "sftpsh/check_keys.h"
#include "sftpsh/check_options.h"
#include "sftpsh/check_program.h"
#include "sftpsh/check_report.h"
#include "sftpsh/check_sshd.h"
#include "sftpsh/check_user.h"
#include "sftpsh/prepare.h"
#include "sftpsh/privilege.h"
#include "sftpsh/sshd_dump.h"
#include "sftpsh/trusted_file.h"

namespace sftpsh {

namespace {

constexpr std::size_t kMaxDatabase = 64 * 1024 * 1024;

void print(int fd, std::string_view text) {
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n <= 0) return;
    text.remove_prefix(static_cast<std::size_t>(n));
  }
}

// What sshd says for one user.
struct SshdResult {
  std::optional<SshdDump> dump;
  std::string text;   // the raw output: users with equal text share a section
  std::string error;  // sshd -T failed
};

struct Sshd {
  UniqueFd fd;
  std::string error;  // not trusted, not there
  OpensshVersion version;
  std::string config;  // -f
};

std::string sshd_conditions(std::string_view user) {
  return fmt::format("user={},host=localhost,addr=127.0.0.1", user);
}

Sshd open_sshd(const std::string& config) {
  Sshd sshd;
  sshd.config = config;
  auto fd = open_trusted_file(kSshdPath, O_RDONLY, "sshd");
  if (!fd) {
    sshd.error = fd.error();
    return sshd;
  }
  sshd.fd = std::move(*fd);
  if (auto out = run_program(sshd.fd.get(), {std::string(kSshdPath), "-V"}))
    sshd.version = parse_openssh_version(out->out + out->err);
  return sshd;
}

SshdResult effective_config(const Sshd& sshd, std::string_view user) {
  SshdResult result;
  std::vector<std::string> argv{std::string(kSshdPath), "-T"};
  if (!sshd.config.empty()) {
    argv.push_back("-f");
    argv.push_back(sshd.config);
  }
  argv.push_back("-C");
  argv.push_back(sshd_conditions(user));
  auto out = run_program(sshd.fd.get(), argv);
  if (!out) {
    result.error = out.error();
  } else if (out->exit_status != 0 || out->out.empty()) {
    const std::string_view err = out->err;
    result.error = fmt::format("sshd -T exited with status {}: {}", out->exit_status,
                               err.substr(0, err.find('\n')));
  } else {
    result.dump = parse_sshd_dump(out->out);
    result.text = std::move(out->out);
  }
  return result;
}

// One jailed user, everything gathered.
struct User {
  UserFacts facts;
  Settings settings;
  SshdResult sshd;
};

User examine(const UserEntry* entry, std::string_view name, const SelfFile& self,
             const Config& config, const std::string& group_text, const InstallFacts& install,
             const Sshd& sshd, const std::string& default_server) {
  User user;
  UserFacts& facts = user.facts;
  facts.name = std::string(name);
  facts.self_path = self.path;
  facts.userns_works = install.userns_works;
  if (entry == nullptr) return user;
  facts.in_passwd = true;
  facts.uid = entry->uid;
  facts.home = entry->home;
  facts.shell = entry->shell;
  facts.shell_is_this = is_this_sftpsh(self, entry->shell);
  if (entry->uid == 0) return user;

  const auto groups = groups_of(group_text, entry->name, entry->gid);
  Subject subject{entry->name, {}};
  std::vector<gid_t> gids;
  for (const auto& group : groups) {
    subject.groups.push_back(group.name);
    gids.push_back(group.gid);
  }
  user.settings = resolve_settings(config, subject, compiled_server_path());
  if (user.settings.server != default_server) {
    facts.server_path = user.settings.server;
    if (auto server = open_server(user.settings.server); !server)
      facts.server_error = server.error();
  }

  const bool setuid = install.setuid_root && !install.nosuid_mount;
  const Privileges got{entry->uid, setuid ? 0 : entry->uid, setuid ? 0 : entry->uid,
                       install.file_capability && !install.nosuid_mount};
  auto mode = choose_privilege_mode(got, user.settings.privilege_mode);
  if (mode) {
    facts.mode = std::string(privilege_mode_name(*mode));
  } else {
    facts.mode_error = mode.error();
  }

  if (sshd.fd) {
    user.sshd = effective_config(sshd, entry->name);
    if (user.sshd.dump) {
      facts.keys_known = true;
      facts.key_files = authorized_keys_paths(
          user.sshd.dump->first("authorizedkeysfile").value_or(".ssh/authorized_keys"),
          entry->name, entry->uid, entry->home);
    }
  }

  auto jail = split_home(entry->home);
  if (!jail) {
    facts.locate_error = jail.error();
    return user;
  }
  facts.jail = *jail;
  WalkRequest request{entry->uid, entry->gid, gids, setuid, *jail, {}};
  for (const auto& path : facts.key_files)
    if (path_within(path, jail->root)) request.key_files.push_back(path);
  auto walk = walk_as_user(request);
  if (walk) {
    facts.walk = std::move(*walk);
  } else {
    facts.walk_error = walk.error();
  }
  return user;
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& word : words) out += (out.empty() ? "" : ", ") + word;
  return out;
}

// sshd sections: users whose sshd -T output and accepted commands are the
// same share one.
void sshd_sections(const Sshd& sshd, const std::vector<User>& users,
                   std::vector<Section>& sections) {
  const std::string f = sshd.config.empty() ? "" : " -f " + sshd.config;
  if (!sshd.error.empty()) {
    sections.push_back({"sshd", {fail(sshd.error + ": sftpsh check runs no sshd it can't "
                                      "trust, so sshd's configuration is not checked")}});
    return;
  }
  struct Group {
    std::vector<std::string> names;
    const User* first = nullptr;
  };
  std::vector<std::pair<std::string, Group>> groups;  // in the users' order
  for (const auto& user : users) {
    if (!user.facts.in_passwd || user.facts.uid == 0) continue;
    std::string key = user.sshd.error.empty() ? user.sshd.text : "\x01" + user.facts.name;
    key += '\0' + join(user.settings.subsystem_commands);
    auto it = std::find_if(groups.begin(), groups.end(),
                           [&key](const auto& g) { return g.first == key; });
    if (it == groups.end()) {
      groups.push_back({key, Group{{}, &user}});
      it = std::prev(groups.end());
    }
    it->second.names.push_back(user.facts.name);
  }
  for (const auto& [key, group] : groups) {
    const User& user = *group.first;
    Section section{fmt::format("sshd for {} (sshd -T{} -C {}; OpenSSH {})", join(group.names),
                                f, sshd_conditions(group.names.size() == 1 ? user.facts.name
                                                                             : "USER"),
                                sshd.version.text()),
                    {}};
    if (!user.sshd.error.empty()) {
      section.findings.push_back(fail(fmt::format("sshd -T for {}: {}", user.facts.name,
                                                  user.sshd.error),
                                      fmt::format("sshd -t{} names the problem", f)));
    } else {
      section.findings = check_sshd_config(
          *user.sshd.dump,
          SshdCheckContext{sshd.version, user.settings.subsystem_commands,
                           std::string(compiled_config_path())});
    }
    sections.push_back(std::move(section));
  }
}

int usage(std::string_view error) {
  print(2, fmt::format("sftpsh check: {}\n{}\n", error, kCheckUsage));
  return 2;
}

}  // namespace

int run_check(std::span<const std::string_view> argv) {
  auto options = parse_check_options(argv.size() > 2 ? argv.subspan(2)
                                                     : std::span<const std::string_view>());
  if (!options) return usage(options.error());
  if (options->help) {
    print(1, fmt::format("{}\n", kCheckUsage));
    return 0;
  }
  auto self = identify_self();
  if (!self) {
    print(2, fmt::format("sftpsh check: {}\n", self.error()));
    return 1;
  }

  // The installation: binary, privilege, config, default server. The user
  // namespace probe first, while this process holds nothing (check_as_user.h).
  InstallFacts install;
  install.userns_probed = true;
  if (auto probe = probe_user_namespace(); probe) {
    install.userns_works = true;
  } else {
    install.userns_error = probe.error();
  }
  gather_binary(*self, install);
  const Config config = gather_config(compiled_config_path(), install);
  const Settings defaults = resolve_settings(config, Subject{}, compiled_server_path());
  install.server_path = defaults.server;
  if (auto server = open_server(defaults.server); !server) install.server_error = server.error();

  // The accounts: named ones, or every account whose shell is this sftpsh.
  auto database = read_account_database();
  if (!database) {
    print(2, fmt::format("sftpsh check: {}\n", database.error()));
    return 1;
  }
  const auto group_text = read_small_file("/etc/group", kMaxDatabase);
  const std::string groups = group_text ? *group_text : std::string();
  std::vector<std::pair<const UserEntry*, std::string>> wanted;
  if (options->users.empty()) {
    for (const auto& entry : database->users()) {
      if (is_this_sftpsh(*self, entry.shell)) {
        wanted.emplace_back(&entry, entry.name);
      } else if (entry.shell.ends_with("/sftpsh")) {
        install.other_sftpsh_accounts.push_back(fmt::format("{} ({})", entry.name, entry.shell));
      }
    }
  } else {
    for (const auto& name : options->users) wanted.emplace_back(database->user_by_name(name), name);
  }

  Sshd sshd = open_sshd(options->sshd_config);
  std::vector<User> users;
  for (const auto& [entry, name] : wanted)
    users.push_back(examine(entry, name, *self, config, groups, install, sshd, defaults.server));

  // PAM: UsePAM is global; unknown (no sshd -T) counts as yes.
  bool use_pam = true;
  for (const auto& user : users)
    if (user.sshd.dump) {
      use_pam = user.sshd.dump->first("usepam") != "no";
      break;
    }
  PamFacts pam = gather_pam(use_pam);
  for (const auto& user : users)
    if (user.facts.walk && !user.facts.walk->home_writable_at.empty())
      pam.writable_homes.push_back(
          fmt::format("{} ({})", user.facts.name, user.facts.walk->home_writable_at));
  install.pam_shells = use_pam && stack_uses(pam.entries, "pam_shells.so");

  // /etc/shells: each passwd shell naming this sftpsh.
  auto shells_text = read_small_file("/etc/shells", kMaxDatabase);
  if (!shells_text) install.shells_error = shells_text.error();
  std::vector<std::string> shells;
  for (const auto& user : users)
    if (user.facts.shell_is_this &&
        std::find(shells.begin(), shells.end(), user.facts.shell) == shells.end())
      shells.push_back(user.facts.shell);
  if (shells.empty()) shells.push_back(self->path);
  if (shells_text)
    for (const auto& shell : shells)
      install.shells.push_back(ShellListing{shell, shell_listed(*shells_text, shell)});

  std::vector<Section> sections;
  sshd_sections(sshd, users, sections);
  sections.push_back({"PAM and rc files", check_pam_and_rc(pam)});
  sections.push_back({fmt::format("installation: sftpsh {} (version {})", self->path, kVersion),
                      check_installation(install)});
  if (users.empty())
    sections.push_back({"users", {warn(fmt::format("no account has {} as its login shell",
                                                   self->path),
                                       fmt::format("usermod -s {} USER, with a home such as "
                                                   "/srv/jail/USER/./", self->path))}});
  for (const auto& user : users)
    sections.push_back({fmt::format("user {}", user.facts.name), check_user(user.facts)});

  print(1, render_report(sections));
  return exit_status(count(sections));
}

}  // namespace sftpsh
