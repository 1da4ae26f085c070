// Compiled twice by the Makefile: the release build and the end-to-end test
// build differ only in these two macros (the ASan unit-test build sets the
// release values). A build without them is a mistake, not a default.
#include "sftpsh/build_paths.h"

#ifndef SFTPSH_CONF_PATH
#error "SFTPSH_CONF_PATH must be defined by the build"
#endif
#ifndef SFTPSH_SERVER_PATH
#error "SFTPSH_SERVER_PATH must be defined by the build"
#endif

namespace sftpsh {

std::string_view compiled_config_path() { return SFTPSH_CONF_PATH; }
std::string_view compiled_server_path() { return SFTPSH_SERVER_PATH; }

}  // namespace sftpsh
