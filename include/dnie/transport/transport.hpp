// SPDX-License-Identifier: Apache-2.0
// File: dnie/transport/transport.hpp
// The transport interface: one command APDU in, one response APDU out. PC/SC, libnfc, the
// virtual card and the application-supplied callback transport implement it; secure messaging
// is a decorator that implements it over another transport (sm/secure_messaging.hpp).
//
// transmit() is one exchange on the link; it does not follow 61xx or 6Cxx. transceive() adds
// the ISO 7816-4 response chaining (61xx → GET RESPONSE), 6Cxx re-send and command chaining.
//
// Ownership: a Transport is owned by the caller (usually a session); decorators hold a
// non-owning reference or a unique_ptr as documented. Thread safety: a Transport is used by one
// thread at a time; PC/SC transactions (begin/end_transaction) keep other processes out.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "dnie/apdu/apdu.hpp"
#include "dnie/apdu/trace.hpp"

namespace dnie::transport {

using apdu::CommandApdu;
using apdu::ResponseApdu;

/// What the link can carry. Sizes are for the APDU data fields (Nc and Ne).
struct LinkLimits {
  std::size_t max_command_data = 255;   ///< largest Nc
  std::size_t max_response_data = 256;  ///< largest Ne
  bool extended_length = false;         ///< reader and card accept extended APDUs
};

enum class Interface { Unknown, Contact, Contactless };

class Transport {
 public:
  virtual ~Transport() = default;

  /// One exchange: encodes `cmd`, sends it, returns the response whatever its status word.
  virtual Result<ResponseApdu> transmit(const CommandApdu& cmd) = 0;

  /// Answer-to-reset (contact) or the PC/SC-synthesised ATR (contactless); may be empty.
  virtual Bytes atr() const = 0;
  virtual LinkLimits limits() const = 0;
  virtual Interface interface_type() const { return Interface::Unknown; }
  /// Human-readable name ("Virtual PCD 00 00", "virtual", "pn532_uart:/dev/pts/3").
  virtual std::string name() const = 0;

  /// Resets (or just reconnects to) the card. Secure channels built over it are lost.
  virtual Status reconnect(bool reset_card) = 0;
  /// Exclusive access across processes (PC/SC SCardBeginTransaction); nested calls nest.
  virtual Status begin_transaction() { return ok_status(); }
  virtual void end_transaction() {}
  /// True if this transport wraps commands in secure messaging.
  virtual bool is_secure() const { return false; }
  /// Asks the link to reset the card when it is closed (PC/SC: SCardDisconnect with
  /// SCARD_RESET_CARD), so that no secure channel outlives the process that set it up. Links
  /// that cannot (or need not) ignore it.
  virtual void reset_on_close(bool yes) { (void)yes; }
};

/// RAII transaction: begins in the constructor, ends in the destructor.
class Transaction {
 public:
  explicit Transaction(Transport& t) : m_t(t), m_status(t.begin_transaction()) {}
  ~Transaction() {
    if (m_status.ok()) m_t.end_transaction();
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  const Status& status() const { return m_status; }

 private:
  Transport& m_t;
  Status m_status;
};

/// Exchange with ISO 7816-4 chaining rules applied: follows 61xx with GET RESPONSE
/// (concatenating data), re-sends once with Le = SW2 on 6Cxx, and splits commands whose data
/// exceed the link's max_command_data with command chaining (CLA b5, §5.1.1.1) when
/// `allow_command_chaining`. Returns the final response.
Result<ResponseApdu> transceive(Transport& t, const CommandApdu& cmd, bool allow_command_chaining = true);

/// Base of transport decorators: forwards every call to `inner` (non-owning; it must outlive
/// the decorator). A decorator overrides what it changes, usually transmit().
class ForwardingTransport : public Transport {
 public:
  explicit ForwardingTransport(Transport& inner) : m_inner(inner) {}
  Result<ResponseApdu> transmit(const CommandApdu& cmd) override { return m_inner.transmit(cmd); }
  Bytes atr() const override { return m_inner.atr(); }
  LinkLimits limits() const override { return m_inner.limits(); }
  Interface interface_type() const override { return m_inner.interface_type(); }
  std::string name() const override { return m_inner.name(); }
  Status reconnect(bool reset_card) override { return m_inner.reconnect(reset_card); }
  Status begin_transaction() override { return m_inner.begin_transaction(); }
  void end_transaction() override { m_inner.end_transaction(); }
  bool is_secure() const override { return m_inner.is_secure(); }
  void reset_on_close(bool yes) override { m_inner.reset_on_close(yes); }

 protected:
  Transport& m_inner;
};

/// A decorator that reports each exchange to a TraceSink (redacted) and forwards it.
class TracingTransport final : public ForwardingTransport {
 public:
  TracingTransport(Transport& inner, apdu::TraceSink sink, std::string_view level = "wire")
      : ForwardingTransport(inner), m_sink(std::move(sink)), m_level(level) {}
  Result<ResponseApdu> transmit(const CommandApdu& cmd) override;

 private:
  apdu::TraceSink m_sink;
  std::string m_level;
};

/// Counts APDUs and bytes that pass through (benchmarks, APDU-economy tests).
class CountingTransport final : public ForwardingTransport {
 public:
  explicit CountingTransport(Transport& inner) : ForwardingTransport(inner) {}
  Result<ResponseApdu> transmit(const CommandApdu& cmd) override;

  std::size_t apdus() const noexcept { return m_apdus; }
  std::size_t bytes_sent() const noexcept { return m_sent; }
  std::size_t bytes_received() const noexcept { return m_received; }
  void reset_counters() noexcept { m_apdus = m_sent = m_received = 0; }

 private:
  std::size_t m_apdus = 0, m_sent = 0, m_received = 0;
};

}  // namespace dnie::transport
