// SPDX-License-Identifier: Apache-2.0
// The prompt program: fork + execv (no shell, no PATH search), one line read from its stdout
// under a deadline, the child killed when the deadline passes.
#include <cerrno>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "p11_prompt.hpp"

namespace dnie::p11 {
namespace {

constexpr std::size_t kMaxAnswer = 1024;

using Clock = std::chrono::steady_clock;

int ms_left(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

// Waits for the child until the deadline, then kills it. Returns its wait status, or -1 when
// the status is not available (SIGCHLD ignored by the application: the kernel reaps it).
int reap(pid_t pid, Clock::time_point deadline, bool& timed_out) {
  int status = 0;
  for (;;) {
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return -1;  // ECHILD
    if (ms_left(deadline) == 0) {
      timed_out = true;
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      return -1;
    }
    ::poll(nullptr, 0, 10);
  }
}

}  // namespace

Result<SecureBuffer> run_prompt(const std::string& program, const std::vector<std::string>& args,
                                int timeout_ms) {
  if (program.empty() || program[0] != '/')
    return Error(ErrorCode::InvalidArgument, "the prompt program must be an absolute path");
  // Everything the child needs is prepared before fork(): after it, only async-signal-safe calls.
  std::vector<std::string> storage;
  storage.reserve(args.size() + 1);
  storage.push_back(program);
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  const int devnull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (devnull < 0) return Error(ErrorCode::NoService, "cannot open /dev/null for the prompt program");
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    ::close(devnull);
    return Error(ErrorCode::NoService, "cannot create a pipe for the prompt program");
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(devnull);
    ::close(fds[0]);
    ::close(fds[1]);
    return Error(ErrorCode::NoService, "cannot start the prompt program (fork failed)");
  }
  if (pid == 0) {
    // stdin: /dev/null; stdout: the pipe; stderr: the application's. No other descriptor
    // reaches the program (close_range, Linux 5.9; descriptors are CLOEXEC otherwise).
    if (::dup2(devnull, STDIN_FILENO) < 0 || ::dup2(fds[1], STDOUT_FILENO) < 0) ::_exit(126);
#ifdef SYS_close_range
    (void)::syscall(SYS_close_range, 3u, ~0u, 0u);
#endif
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    ::sigaction(SIGPIPE, &dfl, nullptr);
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(devnull);
  ::close(fds[1]);
  const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
  SecureBuffer got(kMaxAnswer);
  std::size_t n = 0;
  bool line_done = false, timed_out = false;
  while (!line_done && n < got.size()) {
    pollfd p{fds[0], POLLIN, 0};
    const int left = ms_left(deadline);
    if (left == 0) {
      timed_out = true;
      break;
    }
    const int pr = ::poll(&p, 1, left);
    if (pr < 0 && errno == EINTR) continue;
    if (pr <= 0) {
      timed_out = pr == 0;
      break;
    }
    const ssize_t r = ::read(fds[0], got.data() + n, got.size() - n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;  // EOF: the program closed its stdout
    for (ssize_t i = 0; i < r; ++i)
      if (got[n + static_cast<std::size_t>(i)] == '\n') line_done = true;
    n += static_cast<std::size_t>(r);
  }
  ::close(fds[0]);
  if (timed_out) {
    ::kill(pid, SIGKILL);
    bool ignored = false;
    (void)reap(pid, Clock::now() + std::chrono::seconds(1), ignored);
    return Error(ErrorCode::Timeout,
                 "the prompt program gave no answer within " + std::to_string(timeout_ms / 1000) + " s");
  }
  const int status = reap(pid, deadline, timed_out);
  if (timed_out)
    return Error(ErrorCode::Timeout,
                 "the prompt program did not exit within " + std::to_string(timeout_ms / 1000) + " s");
  if (status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 127)
    return Error(ErrorCode::NoService, "the prompt program " + program + " could not be run");
  if (status != -1 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
    return Error(ErrorCode::Cancelled, "the prompt program was cancelled (non-zero exit)");
  // The first line, without its end of line.
  std::size_t len = 0;
  while (len < n && got[len] != '\n') ++len;
  if (len > 0 && got[len - 1] == '\r') --len;
  got.truncate(len);
  if (got.empty()) return Error(ErrorCode::Cancelled, "the prompt program gave an empty answer");
  return got;
}

bool is_yes(const SecureBuffer& answer) {
  std::size_t b = 0, e = answer.size();
  while (b < e && (answer[b] == ' ' || answer[b] == '\t')) ++b;
  while (e > b && (answer[e - 1] == ' ' || answer[e - 1] == '\t')) --e;
  if (e - b != 3) return false;
  auto lc = [](std::uint8_t c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); };
  return lc(answer[b]) == 'y' && lc(answer[b + 1]) == 'e' && lc(answer[b + 2]) == 's';
}

}  // namespace dnie::p11
