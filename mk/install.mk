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
# survive most package formats).

INSTALL ?= install
SETCAP  ?= /usr/sbin/setcap
SHELLS  ?= /etc/shells

SFTPSH_BIN      := $(SBINDIR)/sftpsh
SFTPSH_SERVER_BIN := $(LIBEXECDIR)/sftp-server
MAN5_PAGES := $(wildcard man/*.5)
MAN8_PAGES := $(wildcard man/*.8)
EXAMPLE_CONF := $(DOCDIR)/sftpsh.conf.example

install: $(BUILD)/sftpsh $(BUILD)/sftp-server
	$(INSTALL) -d -m 0755 $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBEXECDIR) \
	  $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(DOCDIR) \
	  $(DESTDIR)$(dir $(SFTPSH_CONF))
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
	@# The privilege sftpsh needs to chroot: the file capability, or setuid root.
	@if [ "$$(id -u)" != 0 ]; then \
	  echo "install: not root: $(DESTDIR)$(SFTPSH_BIN) has no privilege; as root run"; \
	  echo "  $(SETCAP) cap_sys_chroot+ep $(SFTPSH_BIN)"; \
	  echo "  (or sftpsh uses an unprivileged user namespace: PRIVILEGE MODES in sftpsh(8))"; \
	elif $(SETCAP) cap_sys_chroot+ep $(DESTDIR)$(SFTPSH_BIN); then \
	  echo "install: $(DESTDIR)$(SFTPSH_BIN): file capability cap_sys_chroot+ep"; \
	else \
	  chown root:root $(DESTDIR)$(SFTPSH_BIN) && chmod 4755 $(DESTDIR)$(SFTPSH_BIN) && \
	  echo "install: NOTE: this filesystem does not take file capabilities (no extended" && \
	  echo "  attributes), so $(DESTDIR)$(SFTPSH_BIN) is setuid root instead. sftpsh drops" && \
	  echo "  root before it runs the server; see PRIVILEGE MODES in sftpsh(8)."; \
	fi
	@if [ -z "$(DESTDIR)" ]; then \
	  if grep -qxF '$(SFTPSH_BIN)' $(SHELLS) 2>/dev/null; then \
	    echo "install: $(SFTPSH_BIN) is already in $(SHELLS)"; \
	  elif [ ! -w $(SHELLS) ]; then \
	    echo "install: cannot write $(SHELLS): add $(SFTPSH_BIN) to it as root"; \
	  else \
	    echo "install: adding $(SFTPSH_BIN) to $(SHELLS)"; \
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
