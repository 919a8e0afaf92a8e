// SPDX-License-Identifier: Apache-2.0
// File: dnie/transport/scripted.hpp
// A transport for tests: a script of expected command bytes and canned responses. Any
// deviation is reported as a ProtocolError naming the step, so a test fails with a clear
// message instead of a hang. Not thread-safe.
#pragma once

#include <deque>
#include <functional>
#include <string>

#include "dnie/transport/transport.hpp"

namespace dnie::transport {

class ScriptedTransport final : public Transport {
 public:
  struct Step {
    Bytes expected_command;     ///< empty = accept any command
    Bytes response;             ///< data ‖ SW
    std::optional<Error> fail;  ///< when set, transmit() returns this error instead
  };

  ScriptedTransport() = default;
  /// Appends an exchange; hex strings with optional spaces.
  ScriptedTransport& expect(std::string_view command_hex, std::string_view response_hex);
  ScriptedTransport& expect(Bytes command, Bytes response);
  /// The next transmit fails with `e` (e.g. CardRemoved).
  ScriptedTransport& fail_next(Error e);
  /// Stands in for a secure channel (tests of the layers above secure messaging): every scripted
  /// answer counts as MAC-verified and is_secure() is true.
  ScriptedTransport& as_secure_channel(bool yes = true) {
    m_secure = yes;
    return *this;
  }
  bool is_secure() const override { return m_secure; }
  void set_atr(Bytes atr) { m_atr = std::move(atr); }
  void set_limits(LinkLimits l) { m_limits = l; }

  Result<ResponseApdu> transmit(const CommandApdu& cmd) override;
  Bytes atr() const override { return m_atr; }
  LinkLimits limits() const override { return m_limits; }
  std::string name() const override { return "scripted"; }
  Status reconnect(bool) override {
    ++m_reconnects;
    return ok_status();
  }

  /// True when every scripted step was consumed.
  bool done() const noexcept { return m_steps.empty(); }
  std::size_t remaining() const noexcept { return m_steps.size(); }
  std::size_t exchanges() const noexcept { return m_count; }
  std::size_t reconnects() const noexcept { return m_reconnects; }

 private:
  std::deque<Step> m_steps;
  Bytes m_atr;
  LinkLimits m_limits;
  std::size_t m_count = 0;
  std::size_t m_reconnects = 0;
  bool m_secure = false;
};

/// A transport backed by a function (in-process peers, fault injection wrappers).
class FunctionTransport final : public Transport {
 public:
  using Handler = std::function<Result<Bytes>(ByteView command)>;
  FunctionTransport(Handler h, Bytes atr, LinkLimits limits, std::string name = "function")
      : m_handler(std::move(h)), m_atr(std::move(atr)), m_limits(limits), m_name(std::move(name)) {}
  Result<ResponseApdu> transmit(const CommandApdu& cmd) override;
  Bytes atr() const override { return m_atr; }
  LinkLimits limits() const override { return m_limits; }
  std::string name() const override { return m_name; }
  Status reconnect(bool) override { return ok_status(); }

 private:
  Handler m_handler;
  Bytes m_atr;
  LinkLimits m_limits;
  std::string m_name;
};

}  // namespace dnie::transport
