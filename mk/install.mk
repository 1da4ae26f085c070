# install / uninstall / demo: see issue 5 (sftpsh). Filled in with the login shell.
install uninstall demo:
	@echo "make $@: not implemented yet"; exit 1
