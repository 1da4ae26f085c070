# install / uninstall: see issue 5 (sftpsh). Filled in with the login shell.
install uninstall:
	@echo "make $@: not implemented yet"; exit 1
