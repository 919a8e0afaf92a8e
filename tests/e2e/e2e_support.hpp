// SPDX-License-Identifier: Apache-2.0
// File: tests/e2e/e2e_support.hpp — child processes for end-to-end tests (dnie-vcard and
// friends), started and stopped by PID.
#pragma once

#include <chrono>
#include <string>
#include <sys/types.h>
#include <vector>

namespace dnie::e2e {

/// A child process killed (SIGTERM, then SIGKILL) and reaped when the object dies.
class Child {
 public:
  explicit Child(std::vector<std::string> argv, const std::string& stdout_path = "");
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  pid_t pid() const { return m_pid; }
  bool running();
  void stop();

 private:
  pid_t m_pid = -1;
};

/// Starts dnie-vcard for `profile` on vpcd port `port` (35963 = "Virtual PCD 00 00").
std::vector<std::string> vcard_args(const std::string& profile, bool contact, int port = 35963);

extern const char* const kReader0;  ///< "Virtual PCD 00 00"

/// Waits up to `timeout` until pcscd reports a card in kReader0 (present = true) or none
/// (present = false), sleeping in SCardGetStatusChange. Returns "" on success, otherwise what
/// went wrong: whether `card` (the dnie-vcard expected to connect) is still running, and the
/// tail of pcscd's log (DNIE_E2E_STATE/pcscd.log) for the test's failure message.
std::string wait_card(bool present, std::chrono::milliseconds timeout, Child* card = nullptr);

}  // namespace dnie::e2e
