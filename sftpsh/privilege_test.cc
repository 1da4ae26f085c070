#include "sftpsh/privilege.h"

#include <doctest/doctest.h>

#include <string>

namespace sftpsh {
namespace {

constexpr Privileges kSetuid{1001, 0, 0, true};
constexpr Privileges kCapability{1001, 1001, 1001, true};
constexpr Privileges kNothing{1001, 1001, 1001, false};

PrivilegeMode chosen(const Privileges& got, PrivilegeMode pinned = PrivilegeMode::kAuto) {
  auto mode = choose_privilege_mode(got, pinned);
  REQUIRE_MESSAGE(mode.ok(), mode.error());
  return *mode;
}

TEST_CASE("the mode follows what the process was given") {
  CHECK(chosen(kSetuid) == PrivilegeMode::kSetuid);
  CHECK(chosen(Privileges{1001, 1001, 0, false}) == PrivilegeMode::kSetuid);  // saved uid 0
  CHECK(chosen(kCapability) == PrivilegeMode::kCapability);
  CHECK(chosen(kNothing) == PrivilegeMode::kUserNamespace);
}

TEST_CASE("a pinned mode that matches is used") {
  CHECK(chosen(kSetuid, PrivilegeMode::kSetuid) == PrivilegeMode::kSetuid);
  CHECK(chosen(kCapability, PrivilegeMode::kCapability) == PrivilegeMode::kCapability);
  CHECK(chosen(kNothing, PrivilegeMode::kUserNamespace) == PrivilegeMode::kUserNamespace);
}

TEST_CASE("a pinned mode is never downgraded, nor swapped") {
  auto missing = choose_privilege_mode(kNothing, PrivilegeMode::kCapability);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().find("PrivilegeMode capability is configured, but it has neither") == 0);
  CHECK(missing.error().find("setcap cap_sys_chroot+ep") != std::string::npos);
  CHECK_FALSE(choose_privilege_mode(kNothing, PrivilegeMode::kSetuid).ok());
  CHECK_FALSE(choose_privilege_mode(kCapability, PrivilegeMode::kSetuid).ok());
  CHECK_FALSE(choose_privilege_mode(kSetuid, PrivilegeMode::kCapability).ok());
  CHECK_FALSE(choose_privilege_mode(kSetuid, PrivilegeMode::kUserNamespace).ok());
  CHECK_FALSE(choose_privilege_mode(kCapability, PrivilegeMode::kUserNamespace).ok());
}

TEST_CASE("root is never served") {
  auto root = choose_privilege_mode(Privileges{0, 0, 0, true}, PrivilegeMode::kAuto);
  REQUIRE_FALSE(root.ok());
  CHECK(root.error().find("refusing to serve root") == 0);
}

}  // namespace
}  // namespace sftpsh
