# make install / make uninstall — PREFIX (default /usr/local) and DESTDIR.
#
#   $(PREFIX)/sbin/sftpsh                   the login shell, with the file capability
#                                           cap_sys_chroot (setuid root where the
#                                           filesystem has no extended attributes)
#   $(PREFIX)/libexec/sftpsh/sftp-server    the server sftpsh execs (also usable alone)
#   $(PREFIX)/share/man/man{5,8}/...        manual pages
#   $(PREFIX)/share/doc/sftpsh/sftpsh.conf.example
#   $(SFTPSH_CONF)                          the same example, only if no config exists
#                                           (every line is a comment: the defaults)
# With an empty DESTDIR the shell is also added to /etc/shells (and removed
# again by uninstall). Both targets can run any number of times.
#
# Privilege: only root can set a file capability or a setuid root bit. A
# DESTDIR install by a packager gets plain files and a note: set the
# capability in the package's post-install step (extended attributes do not
# survive most package formats). As root the capability is required: if
# setcap is missing or fails, the install fails, printing setcap's own error.
# Only where the filesystem takes no file capabilities ("Operation not
# supported") does it fall back to setuid root, saying so; SFTPSH_SETUID=yes
# asks for setuid root outright.
#
# Directories are created only where missing: an existing one (/etc,
# /usr/local/sbin) keeps its owner and mode.

INSTALL ?= install
SETCAP  ?= /usr/sbin/setcap
SHELLS  ?= /etc/shells
SFTPSH_SETUID ?= no

SFTPSH_BIN      := $(SBINDIR)/sftpsh
SFTPSH_SERVER_BIN := $(LIBEXECDIR)/sftp-server
MAN5_PAGES := $(wildcard man/*.5)
MAN8_PAGES := $(wildcard man/*.8)
EXAMPLE_CONF := $(DOCDIR)/sftpsh.conf.example

install: $(BUILD)/sftpsh $(BUILD)/sftp-server
	@for dir in $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBEXECDIR) \
	  $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(DOCDIR) \
	  $(DESTDIR)$(dir $(SFTPSH_CONF)); do \
	  if [ ! -d "$$dir" ]; then \
	    echo "$(INSTALL) -d -m 0755 $$dir"; $(INSTALL) -d -m 0755 "$$dir" || exit 1; \
	  fi; \
	done
	$(INSTALL) -m 0755 $(BUILD)/sftp-server $(DESTDIR)$(SFTPSH_SERVER_BIN)
	$(INSTALL) -m 0755 $(BUILD)/sftpsh $(DESTDIR)$(SFTPSH_BIN)
	$(if $(MAN5_PAGES),$(INSTALL) -m 0644 $(MAN5_PAGES) $(DESTDIR)$(MANDIR)/man5/)
	$(if $(MAN8_PAGES),$(INSTALL) -m 0644 $(MAN8_PAGES) $(DESTDIR)$(MANDIR)/man8/)
	$(INSTALL) -m 0644 etc/sftpsh.conf $(DESTDIR)$(EXAMPLE_CONF)
	@if [ -e "$(DESTDIR)$(SFTPSH_CONF)" ]; then \
	  echo "install: keeping the existing $(DESTDIR)$(SFTPSH_CONF)"; \
	else \
	  echo "$(INSTALL) -m 0644 etc/sftpsh.conf $(DESTDIR)$(SFTPSH_CONF)"; \
	  $(INSTALL) -m 0644 etc/sftpsh.conf $(DESTDIR)$(SFTPSH_CONF); \
	fi
	@# The privilege sftpsh needs to chroot: the file capability, or setuid root
	@# only where the filesystem can't hold one (or SFTPSH_SETUID=yes).
	@bin='$(DESTDIR)$(SFTPSH_BIN)'; \
	setuid_root() { \
	  chown root:root "$$bin" && chmod 4755 "$$bin" && \
	  echo "install: $$bin is setuid root ($$1). sftpsh drops root before it runs" && \
	  echo "  the server; see PRIVILEGE MODES in sftpsh(8)."; \
	}; \
	if [ "$$(id -u)" != 0 ]; then \
	  echo "install: not root: $$bin has no privilege; as root run"; \
	  echo "  $(SETCAP) cap_sys_chroot+ep $(SFTPSH_BIN)"; \
	  echo "  (or sftpsh uses an unprivileged user namespace: PRIVILEGE MODES in sftpsh(8))"; \
	elif [ "$(SFTPSH_SETUID)" = yes ]; then \
	  setuid_root "SFTPSH_SETUID=yes" || exit 1; \
	elif ! [ -x "$(SETCAP)" ] && ! command -v "$(SETCAP)" >/dev/null 2>&1; then \
	  echo "install: ERROR: $(SETCAP) not found, so $$bin can't get the file capability" >&2; \
	  echo "  cap_sys_chroot. Install it (Debian: apt-get install libcap2-bin) and run" >&2; \
	  echo "  make install again, or choose setuid root with SFTPSH_SETUID=yes." >&2; \
	  exit 1; \
	elif err=$$($(SETCAP) cap_sys_chroot+ep "$$bin" 2>&1); then \
	  echo "install: $$bin: file capability cap_sys_chroot+ep"; \
	else \
	  case "$$err" in \
	  *"Operation not supported"*) \
	    echo "install: NOTE: $(SETCAP) says: $$err"; \
	    echo "  This filesystem does not take file capabilities (no extended attributes)."; \
	    setuid_root "no file capabilities on this filesystem" || exit 1 ;; \
	  *) \
	    echo "install: ERROR: $(SETCAP) cap_sys_chroot+ep $$bin failed:" >&2; \
	    echo "  $$err" >&2; \
	    echo "  $$bin is left without privilege. Fix the cause and run make install" >&2; \
	    echo "  again, or choose setuid root with SFTPSH_SETUID=yes." >&2; \
	    exit 1 ;; \
	  esac; \
	fi
	@if [ -z "$(DESTDIR)" ]; then \
	  if grep -qxF '$(SFTPSH_BIN)' $(SHELLS) 2>/dev/null; then \
	    echo "install: $(SFTPSH_BIN) is already in $(SHELLS)"; \
	  elif [ ! -w $(SHELLS) ]; then \
	    echo "install: cannot write $(SHELLS): add $(SFTPSH_BIN) to it as root"; \
	  else \
	    echo "install: adding $(SFTPSH_BIN) to $(SHELLS)"; \
	    if [ -n "$$(tail -c 1 $(SHELLS))" ]; then echo >> $(SHELLS); fi; \
	    echo '$(SFTPSH_BIN)' >> $(SHELLS); \
	  fi; \
	fi

uninstall:
	rm -f $(DESTDIR)$(SFTPSH_BIN) $(DESTDIR)$(SFTPSH_SERVER_BIN) $(DESTDIR)$(EXAMPLE_CONF)
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(MAN5_PAGES))) \
	  $(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(MAN8_PAGES)))
	-rmdir $(DESTDIR)$(LIBEXECDIR) $(DESTDIR)$(DOCDIR) 2>/dev/null
	@# The config goes only if it is still the untouched example.
	@if cmp -s etc/sftpsh.conf "$(DESTDIR)$(SFTPSH_CONF)"; then \
	  echo "rm -f $(DESTDIR)$(SFTPSH_CONF)"; rm -f "$(DESTDIR)$(SFTPSH_CONF)"; \
	elif [ -e "$(DESTDIR)$(SFTPSH_CONF)" ]; then \
	  echo "uninstall: keeping $(DESTDIR)$(SFTPSH_CONF): it was changed"; \
	fi
	@if [ -z "$(DESTDIR)" ] && [ -w $(SHELLS) ] && grep -qxF '$(SFTPSH_BIN)' $(SHELLS); then \
	  echo "uninstall: removing $(SFTPSH_BIN) from $(SHELLS)"; \
	  grep -vxF '$(SFTPSH_BIN)' $(SHELLS) > $(SHELLS).sftpsh-new; \
	  cat $(SHELLS).sftpsh-new > $(SHELLS); rm -f $(SHELLS).sftpsh-new; \
	fi
	@if [ -z "$(DESTDIR)" ]; then \
	  users=$$(getent passwd | awk -F: '$$7 == "$(SFTPSH_BIN)" { print $$1 }' | tr '\n' ' '); \
	  if [ -n "$$users" ]; then \
	    echo "uninstall: WARNING: these accounts still have $(SFTPSH_BIN) as shell: $$users"; \
	  fi; \
	fi
