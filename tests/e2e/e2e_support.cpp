// SPDX-License-Identifier: Apache-2.0
#include "e2e_support.hpp"

#include <chrono>
#include <deque>
#include <fcntl.h>
#include <fstream>
#include <signal.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "dnie/transport/pcsc.hpp"

namespace dnie::e2e {

const char* const kReader0 = "Virtual PCD 00 00";

Child::Child(std::vector<std::string> argv, const std::string& stdout_path) {
  m_pid = ::fork();
  if (m_pid == 0) {
    if (!stdout_path.empty()) {
      int fd = ::open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::close(fd);
      }
    }
    std::vector<char*> a;
    for (auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
    a.push_back(nullptr);
    ::execv(a[0], a.data());
    ::_exit(127);
  }
}

bool Child::running() {
  if (m_pid <= 0) return false;
  int st = 0;
  if (::waitpid(m_pid, &st, WNOHANG) == m_pid) {
    m_pid = -1;
    return false;
  }
  return true;
}

void Child::stop() {
  if (m_pid <= 0) return;
  ::kill(m_pid, SIGTERM);
  for (int i = 0; i < 100; ++i) {
    int st = 0;
    if (::waitpid(m_pid, &st, WNOHANG) == m_pid) {
      m_pid = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(m_pid, SIGKILL);
  int st = 0;
  ::waitpid(m_pid, &st, 0);
  m_pid = -1;
}

Child::~Child() { stop(); }

std::vector<std::string> vcard_args(const std::string& profile, bool contact, int port) {
  std::vector<std::string> a{DNIE_VCARD_BIN, "--profile", profile, "--vpcd",
                             "127.0.0.1:" + std::to_string(port)};
  if (contact) a.push_back("--contact");
  return a;
}

std::string wait_card(bool present, std::chrono::milliseconds timeout, Child* card) {
  using clock = std::chrono::steady_clock;
  const auto deadline = clock::now() + timeout;
  std::string last_error;
  auto ctx = transport::PcscContext::establish();
  if (!ctx) return "no PC/SC context: " + ctx.error().to_string();
  while (clock::now() < deadline) {
    auto st = (*ctx)->reader_states();
    if (!st) {
      last_error = st.error().to_string();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    bool now = false;
    for (const auto& r : *st)
      if (r.name == kReader0) now = r.present;
    if (now == present) return "";
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
    auto ch = (*ctx)->wait_for_change(kReader0, now, std::min(left, std::chrono::milliseconds(500)));
    if (ch && *ch == present) return "";
    if (!ch && ch.error().code != ErrorCode::Timeout) {  // e.g. the reader is not listed yet
      last_error = ch.error().to_string();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  std::string why = std::string("after ") + std::to_string(timeout.count()) + " ms pcscd still reports " +
                    (present ? "no card" : "a card") + " in " + kReader0;
  if (!last_error.empty()) why += " (last error: " + last_error + ")";
  if (card) why += card->running() ? "; dnie-vcard is running" : "; dnie-vcard has exited";
#ifdef DNIE_E2E_STATE
  std::ifstream log(std::string(DNIE_E2E_STATE) + "/pcscd.log");
  std::deque<std::string> tail;
  for (std::string line; std::getline(log, line);) {
    tail.push_back(line);
    if (tail.size() > 15) tail.pop_front();
  }
  why += "\n--- pcscd.log (tail) ---";
  for (const auto& l : tail) why += "\n" + l;
#endif
  return why;
}

}  // namespace dnie::e2e
