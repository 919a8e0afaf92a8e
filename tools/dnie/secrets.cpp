// SPDX-License-Identifier: Apache-2.0
#include "secrets.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

namespace dnie::cli {

namespace {
constexpr std::size_t kMaxSecret = 256;

Result<SecureBuffer> read_line_from(int fd) {
  SecureBuffer out;
  for (;;) {
    std::uint8_t c = 0;
    const ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      return Error(ErrorCode::InvalidArgument,
                   std::string("cannot read from descriptor: ") + std::strerror(errno));
    if (n == 0 || c == '\n') break;
    if (c == '\r') continue;
    if (out.size() >= kMaxSecret) return Error(ErrorCode::InvalidArgument, "secret too long");
    out.append(ByteView(&c, 1));
    c = 0;
  }
  return out;
}
}  // namespace

bool interactive() noexcept { return ::isatty(0) == 1; }

Result<SecureBuffer> read_secret_line(int fd) { return read_line_from(fd); }

Result<SecureBuffer> prompt_secret(const std::string& prompt) {
  const int tty = ::open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (tty < 0) return Error(ErrorCode::InvalidArgument, "no terminal to prompt on");
  termios old{};
  const bool have_termios = ::tcgetattr(tty, &old) == 0;
  if (have_termios) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    quiet.c_lflag |= ECHONL;
    (void)::tcsetattr(tty, TCSANOW, &quiet);
  }
  (void)!::write(tty, prompt.data(), prompt.size());
  auto r = read_line_from(tty);
  if (have_termios) (void)::tcsetattr(tty, TCSANOW, &old);
  ::close(tty);
  return r;
}

Result<SecureBuffer> read_secret(const SecretSource& src) {
  if (src.fd >= 0) return read_line_from(src.fd);
  if (!src.env.empty()) {
    if (const char* v = std::getenv(src.env.c_str()); v && *v) return SecureBuffer::from_string(v);
  }
  if (!src.prompt.empty() && interactive()) return prompt_secret(src.prompt);
  std::string how = "no " + src.what + " given: ";
  if (!src.env.empty()) how += "set " + src.env + ", ";
  how += "use --pin-fd N, or run on a terminal to be prompted";
  return Error(ErrorCode::InvalidArgument, how);
}

}  // namespace dnie::cli
