#include "common/log_escape.h"

namespace sftpsh {

namespace {

// The C-style short form for the control characters that have one.
char c_style_letter(unsigned char c) {
  switch (c) {
    case '\n': return 'n';
    case '\t': return 't';
    case '\r': return 'r';
    case '\b': return 'b';
    case '\a': return 'a';
    case '\v': return 'v';
    case '\f': return 'f';
    default: return 0;
  }
}

}  // namespace

std::string escape_for_log(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\\') {
      out += "\\\\";
    } else if (c >= 0x20 && c < 0x7f) {
      out += ch;
    } else if (const char letter = c_style_letter(c); letter != 0) {
      out += '\\';
      out += letter;
    } else {
      out += '\\';
      out += static_cast<char>('0' + ((c >> 6) & 7));
      out += static_cast<char>('0' + ((c >> 3) & 7));
      out += static_cast<char>('0' + (c & 7));
    }
  }
  return out;
}

}  // namespace sftpsh
