# sftpsh — an SFTP-only jail: the login shell (sftpsh) and its static SFTP server.
#
#   make deps      install every Debian package the build, tests, demo and bench need
#   make           build build/sftpsh and build/sftp-server (static-pie, hardened)
#   make check     every test suite (needs root); ends with "N passed, M failed"
#   make bench     benchmarks against OpenSSH's sftp-server (bench/README)
#   make install / uninstall   PREFIX=/usr/local DESTDIR=
#   make demo      a throwaway jailed user behind a private sshd on 127.0.0.1
#
# Everything is built into $(BUILD)/, never into the source tree.

# Build in parallel on every core unless told otherwise (make -jN): CI runs a
# plain `make check` on a 2-core machine.
ifeq ($(filter -j%,$(MAKEFLAGS)),)
  MAKEFLAGS += -j$(shell nproc 2>/dev/null || echo 2)
endif

PREFIX     ?= /usr/local
DESTDIR    ?=
SYSCONFDIR ?= /etc
SBINDIR    := $(PREFIX)/sbin
LIBEXECDIR := $(PREFIX)/libexec/sftpsh
MANDIR     := $(PREFIX)/share/man
DOCDIR     := $(PREFIX)/share/doc/sftpsh
BUILD      ?= build

# Paths compiled into sftpsh: never taken from argv or the environment.
SFTPSH_CONF   ?= $(SYSCONFDIR)/sftpsh.conf
SFTPSH_SERVER ?= $(LIBEXECDIR)/sftp-server
# The end-to-end tests use a second sftpsh build whose paths point into the
# test directory (tests/e2e creates and removes it).
E2E_ROOT      := /srv/sftpsh-e2e

CXX     ?= g++
CLANGXX ?= clang++

CXXSTD   := -std=c++20
WARNINGS := -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wcast-qual \
            -Wnon-virtual-dtor -Wunreachable-code -Wundef -Werror
HARDEN   := -D_FORTIFY_SOURCE=3 -fstack-protector-strong -fstack-clash-protection \
            -fcf-protection -fPIE
DEFINES  :=
# Program code runs without exceptions: a failed allocation aborts (fail closed),
# and no exception can cross the privilege boundary.
CODEFLAGS := -fno-exceptions
CPPFLAGS += -I.
CXXFLAGS ?= -O2 -g
RELRO    := -Wl,-z,relro,-z,now -Wl,-z,noexecstack
STATIC   := -static-pie $(RELRO)

SERVER_LIBS := -lseccomp
SHELL_LIBS  := -lseccomp -lcap

# ---- sources: one concept per file; *_test.cc sit beside what they test ----
COMMON_SRCS := $(filter-out %_test.cc,$(wildcard common/*.cc))
SERVER_SRCS := $(filter-out %_test.cc sftp-server/main.cc,$(wildcard sftp-server/*.cc))
SHELL_SRCS  := $(filter-out %_test.cc sftpsh/main.cc sftpsh/build_paths.cc,$(wildcard sftpsh/*.cc))
COMMON_TESTS := $(wildcard common/*_test.cc)
SERVER_TESTS := $(wildcard sftp-server/*_test.cc)
SHELL_TESTS  := $(wildcard sftpsh/*_test.cc)
HEADERS := $(wildcard common/*.h sftp-server/*.h sftpsh/*.h)

# ---- variants: release (static), asan (dynamic), fuzz (clang) ----
REL  := $(BUILD)/obj/release
ASAN := $(BUILD)/obj/asan
FUZZ := $(BUILD)/obj/fuzz

REL_FLAGS  := $(CXXSTD) $(CXXFLAGS) $(WARNINGS) $(HARDEN) $(DEFINES) $(CPPFLAGS)
# -fno-sanitize=vptr: UBSan validates a vptr through a pipe(), which fails when a
# test has used every descriptor (the too-many-handles tests) and then reports a
# false error; our code has no polymorphism for the check to guard.
ASAN_FLAGS := $(CXXSTD) -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
              -fno-sanitize=vptr -fno-sanitize-recover=all $(WARNINGS) -fPIE $(DEFINES) $(CPPFLAGS)
# clang 14 + libstdc++ 12: fuzzed code must stay free of std::views (DESIGN.md §3).
FUZZ_FLAGS := $(CXXSTD) -O1 -g -fsanitize=fuzzer-no-link,address,undefined \
              -fno-sanitize-recover=all -Wall -Wextra -Werror -fPIE $(DEFINES) \
              -DSFTPSH_FUZZING $(CPPFLAGS)
TEST_FLAGS := -DDOCTEST_CONFIG_SUPER_FAST_ASSERTS

objs = $(patsubst %.cc,$(1)/%.o,$(2))

# Quiet build lines ("CXX file"); make V=1 shows whole commands.
ifeq ($(V),1)
  Q :=
  say = @true
else
  Q := @
  say = @printf '  %-6s %s\n' '$(1)' '$(2)'
endif

.PHONY: all deps check unit bench bench-quick bench-cpu bench-startup bench-tools clean install uninstall demo \
        asan fuzz e2e-build test-helpers
.DEFAULT_GOAL := all

all: $(BUILD)/sftp-server $(BUILD)/sftpsh

# ---- release objects and binaries ----
$(REL)/%.o: %.cc $(HEADERS)
	@mkdir -p $(dir $@)
	$(call say,CXX,$<)
	$(Q)$(CXX) $(REL_FLAGS) $(CODEFLAGS) -c $< -o $@

# The compiled-in paths are part of the object's name: `make PREFIX=/opt/x
# install` after a plain `make` rebuilds sftpsh instead of installing one that
# points at /usr/local.
PATHS_ID := $(shell printf '%s\n%s\n' '$(SFTPSH_CONF)' '$(SFTPSH_SERVER)' | md5sum | cut -c1-10)
E2E_PATHS_ID := $(shell printf '%s\n' '$(E2E_ROOT)' | md5sum | cut -c1-10)
PATHS_OBJ := $(REL)/sftpsh/build_paths-$(PATHS_ID).o
E2E_PATHS_OBJ := $(REL)/e2e/build_paths-$(E2E_PATHS_ID).o
ASAN_PATHS_OBJ := $(ASAN)/sftpsh/build_paths-$(PATHS_ID).o

$(PATHS_OBJ): sftpsh/build_paths.cc $(HEADERS)
	@mkdir -p $(dir $@)
	$(call say,CXX,$< [release paths])
	$(Q)$(CXX) $(REL_FLAGS) $(CODEFLAGS) -DSFTPSH_CONF_PATH='"$(SFTPSH_CONF)"' \
	  -DSFTPSH_SERVER_PATH='"$(SFTPSH_SERVER)"' -c $< -o $@

$(E2E_PATHS_OBJ): sftpsh/build_paths.cc $(HEADERS)
	@mkdir -p $(dir $@)
	$(call say,CXX,$< [e2e paths])
	$(Q)$(CXX) $(REL_FLAGS) $(CODEFLAGS) -DSFTPSH_CONF_PATH='"$(E2E_ROOT)/sftpsh.conf"' \
	  -DSFTPSH_SERVER_PATH='"$(E2E_ROOT)/sftp-server"' -c $< -o $@

SERVER_OBJS := $(call objs,$(REL),$(COMMON_SRCS) $(SERVER_SRCS))
SHELL_OBJS  := $(call objs,$(REL),$(COMMON_SRCS) $(SHELL_SRCS))

$(BUILD)/sftp-server: $(SERVER_OBJS) $(REL)/sftp-server/main.o
	$(call say,LD,$@)
	$(Q)$(CXX) $(CXXFLAGS) $(HARDEN) $^ $(STATIC) $(SERVER_LIBS) -o $@

# sftpsh is static too: no dynamic loader runs before main (DESIGN.md §1).
$(BUILD)/sftpsh: $(SHELL_OBJS) $(REL)/sftpsh/main.o $(PATHS_OBJ)
	$(call say,LD,$@)
	$(Q)$(CXX) $(CXXFLAGS) $(HARDEN) $^ $(STATIC) $(SHELL_LIBS) -o $@

$(BUILD)/e2e/sftpsh: $(SHELL_OBJS) $(REL)/sftpsh/main.o $(E2E_PATHS_OBJ)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CXX) $(CXXFLAGS) $(HARDEN) $^ $(STATIC) $(SHELL_LIBS) -o $@

e2e-build: $(BUILD)/e2e/sftpsh all

# ---- unit tests (doctest, dynamic, no root) ----
$(REL)/%_test.o: %_test.cc $(HEADERS)
	@mkdir -p $(dir $@)
	$(call say,CXX,$<)
	$(Q)$(CXX) $(REL_FLAGS) $(TEST_FLAGS) -c $< -o $@

$(REL)/tests/doctest_main.o: tests/lib/doctest_main.cc
	@mkdir -p $(dir $@)
	$(call say,CXX,$<)
	$(Q)$(CXX) $(REL_FLAGS) -c $< -o $@

UNIT_BINS := $(BUILD)/unit/common_test $(BUILD)/unit/server_test $(BUILD)/unit/sftpsh_test

$(BUILD)/unit/common_test: $(call objs,$(REL),$(COMMON_SRCS) $(COMMON_TESTS)) $(REL)/tests/doctest_main.o
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CXX) $(CXXFLAGS) -pie $^ $(RELRO) $(SHELL_LIBS) -o $@

$(BUILD)/unit/server_test: $(call objs,$(REL),$(COMMON_SRCS) $(SERVER_SRCS) $(SERVER_TESTS)) $(REL)/tests/doctest_main.o
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CXX) $(CXXFLAGS) -pie $^ $(RELRO) $(SERVER_LIBS) -o $@

$(BUILD)/unit/sftpsh_test: $(call objs,$(REL),$(COMMON_SRCS) $(SHELL_SRCS) $(SHELL_TESTS)) $(PATHS_OBJ) $(REL)/tests/doctest_main.o
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CXX) $(CXXFLAGS) -pie $^ $(RELRO) $(SHELL_LIBS) -o $@

unit: $(UNIT_BINS)

# Small C++ helpers the tests drive (e.g. probes run inside a jail).
TEST_HELPER_SRCS := $(wildcard tests/helpers/*.cc)
TEST_HELPERS := $(patsubst tests/helpers/%.cc,$(BUILD)/tests/%,$(TEST_HELPER_SRCS))
$(BUILD)/tests/%: tests/helpers/%.cc
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CXX) $(CXXSTD) -O2 -g -Wall -Wextra -Werror $(DEFINES) $(CPPFLAGS) $< -static-pie $(SHELL_LIBS) -o $@
test-helpers: $(TEST_HELPERS)

# ---- ASan + UBSan build (dynamic: sanitizers can't be static) ----
$(ASAN)/%.o: %.cc $(HEADERS)
	@mkdir -p $(dir $@)
	$(call say,CXX,$<)
	$(Q)$(CXX) $(ASAN_FLAGS) -c $< -o $@

$(ASAN_PATHS_OBJ): sftpsh/build_paths.cc $(HEADERS)
	@mkdir -p $(dir $@)
	$(call say,CXX,$< [asan])
	$(Q)$(CXX) $(ASAN_FLAGS) -DSFTPSH_CONF_PATH='"$(SFTPSH_CONF)"' \
	  -DSFTPSH_SERVER_PATH='"$(SFTPSH_SERVER)"' -c $< -o $@

$(BUILD)/asan/sftp-server: $(call objs,$(ASAN),$(COMMON_SRCS) $(SERVER_SRCS) sftp-server/main.cc)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CXX) -fsanitize=address,undefined -pie $^ $(SERVER_LIBS) -o $@

$(BUILD)/asan/server_test: $(call objs,$(ASAN),$(COMMON_SRCS) $(SERVER_SRCS) $(SERVER_TESTS) tests/lib/doctest_main.cc)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CXX) -fsanitize=address,undefined -pie $^ $(SERVER_LIBS) -o $@

$(BUILD)/asan/sftpsh_test: $(call objs,$(ASAN),$(COMMON_SRCS) $(COMMON_TESTS) $(SHELL_SRCS) $(SHELL_TESTS) tests/lib/doctest_main.cc) $(ASAN_PATHS_OBJ)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CXX) -fsanitize=address,undefined -pie $^ $(SHELL_LIBS) -o $@

asan: $(BUILD)/asan/sftp-server $(BUILD)/asan/server_test $(BUILD)/asan/sftpsh_test

# ---- libFuzzer target over the packet parser and dispatcher ----
$(FUZZ)/%.o: %.cc $(HEADERS)
	@mkdir -p $(dir $@)
	$(call say,CLANG,$<)
	$(Q)$(CLANGXX) $(FUZZ_FLAGS) -c $< -o $@

$(BUILD)/fuzz/fuzz_server: $(call objs,$(FUZZ),$(COMMON_SRCS) $(SERVER_SRCS) tests/fuzz/fuzz_server.cc)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CLANGXX) -fsanitize=fuzzer,address,undefined $^ $(SERVER_LIBS) -o $@

fuzz: $(BUILD)/fuzz/fuzz_server

# ---- tests: every suite, one summary line ----
# Said before anything is built: the end-to-end suites need root.
ifneq ($(filter check,$(MAKECMDGOALS)),)
ifneq ($(shell id -u),0)
$(error make check needs root: the end-to-end tests create users, run sshd and check privilege drops)
endif
endif
check: all unit asan fuzz e2e-build test-helpers
	/usr/bin/python3 tests/run.py --build $(BUILD)

# ---- benchmarks (not tests: timings live here only) ----
# bench/*.cc are tools (the load generator): each becomes $(BUILD)/bench/<name>,
# linked with the server's wire codec.
BENCH_TOOL_SRCS := $(wildcard bench/*.cc)
BENCH_TOOLS := $(patsubst bench/%.cc,$(BUILD)/bench/%,$(BENCH_TOOL_SRCS))
$(BUILD)/bench/%: bench/%.cc $(REL)/sftp-server/wire.o $(HEADERS)
	@mkdir -p $(dir $@)
	$(call say,LD,$@)
	$(Q)$(CXX) $(REL_FLAGS) $< $(REL)/sftp-server/wire.o -pie $(RELRO) -o $@
bench-tools: $(BENCH_TOOLS)

bench: $(BUILD)/sftp-server bench-tools e2e-build
	/usr/bin/python3 bench/bench.py --build $(BUILD)
	/usr/bin/python3 bench/bench_startup.py --build $(BUILD)
bench-startup: $(BUILD)/sftp-server bench-tools e2e-build
	/usr/bin/python3 bench/bench_startup.py --build $(BUILD)
bench-quick: $(BUILD)/sftp-server bench-tools
	/usr/bin/python3 bench/bench.py --build $(BUILD) --quick
bench-cpu: $(BUILD)/sftp-server bench-tools
	/usr/bin/python3 bench/bench_cpu.py --build $(BUILD)

# ---- dependencies: Debian 12 packages, idempotent ----
DEPS_BUILD := g++ make pkg-config libcap-dev libseccomp-dev libfmt-dev doctest-dev \
              clang libclang-rt-14-dev libcap2-bin valgrind
DEPS_TEST  := python3 python3-paramiko python3-asyncssh openssh-server openssh-client \
              openssh-sftp-server lftp rclone curl golang-go golang-github-pkg-sftp-dev \
              sshfs fuse3 rsync passwd procps strace groff man-db iproute2 util-linux
DEPS_BENCH := valgrind hyperfine time
deps:
	@if [ "$$(id -u)" != 0 ]; then echo "make deps: run as root (apt-get install)"; exit 1; fi
	DEBIAN_FRONTEND=noninteractive apt-get update -q
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	  $(DEPS_BUILD) $(DEPS_TEST) $(DEPS_BENCH)

# ---- install ----
include mk/install.mk

# ---- demo: a jailed user behind a private sshd on 127.0.0.1, then cleaned up ----
demo: e2e-build
	/usr/bin/python3 tests/demo.py --build $(BUILD)

clean:
	rm -rf $(BUILD)
