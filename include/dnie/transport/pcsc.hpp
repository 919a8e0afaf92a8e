// SPDX-License-Identifier: Apache-2.0
// File: dnie/transport/pcsc.hpp
// PC/SC transport (pcsc-lite on Linux; the WinSCard subset shared with macOS and Windows:
// SCardEstablishContext, ListReaders, GetStatusChange, Cancel, Connect, Reconnect, Disconnect,
// Begin/EndTransaction, Transmit, Status). Untested on macOS/Windows (docs/readers.md).
//
// Ownership: PcscContext owns an SCARDCONTEXT; PcscTransport owns a card handle and shares the
// context (shared_ptr). Thread safety: a PcscContext may be used from several threads only
// through cancel(); everything else is one thread at a time.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "dnie/transport/transport.hpp"

namespace dnie::transport {

/// Maps a PC/SC return code (SCARD_E_*, SCARD_W_*) to the SDK's error set, keeping the native
/// code in Error::native. `what` names the operation for the message.
Error pcsc_error(long rv, std::string_view what);
/// Stable text for a PC/SC code ("SCARD_W_REMOVED_CARD").
std::string_view pcsc_code_name(long rv) noexcept;

struct ReaderState {
  std::string name;
  bool present = false;    ///< a card is in the reader / in the field
  bool exclusive = false;  ///< held exclusively by another process
  bool in_use = false;
  Bytes atr;
};

class PcscContext {
 public:
  /// Establishes a context; NoService when pcscd is not running.
  static Result<std::shared_ptr<PcscContext>> establish();
  ~PcscContext();
  PcscContext(const PcscContext&) = delete;
  PcscContext& operator=(const PcscContext&) = delete;

  /// Names of the connected readers (empty list when none).
  Result<std::vector<std::string>> list_readers();
  /// Current state of each reader (card present, ATR).
  Result<std::vector<ReaderState>> reader_states();
  /// Waits until the card presence of `reader` differs from `present_now`, up to `timeout`.
  /// Returns the new presence; Timeout when nothing changed; Cancelled after cancel().
  Result<bool> wait_for_change(const std::string& reader, bool present_now,
                               std::chrono::milliseconds timeout);
  /// Wakes a wait_for_change() running in another thread.
  void cancel();

  std::uintptr_t handle() const noexcept { return m_ctx; }

 private:
  explicit PcscContext(std::uintptr_t ctx) : m_ctx(ctx) {}
  std::uintptr_t m_ctx;
};

struct PcscOptions {
  bool exclusive = false;             ///< SCARD_SHARE_EXCLUSIVE instead of SHARED
  bool allow_extended_length = true;  ///< try extended APDUs when the card allows them
};

class PcscTransport final : public Transport {
 public:
  /// Connects to the card in `reader` (T=0 or T=1, whichever the card offers).
  static Result<std::unique_ptr<PcscTransport>> connect(std::shared_ptr<PcscContext> ctx,
                                                        const std::string& reader, PcscOptions options = {});
  ~PcscTransport() override;

  /// One exchange. A card reset by another process surfaces once as CardReset (the handle is
  /// re-attached so that the caller can re-establish its channel); removal as CardRemoved.
  Result<ResponseApdu> transmit(const CommandApdu& cmd) override;
  Bytes atr() const override { return m_atr; }
  LinkLimits limits() const override;
  Interface interface_type() const override;
  std::string name() const override { return m_reader; }
  Status reconnect(bool reset_card) override;
  Status begin_transaction() override;
  void end_transaction() override;
  void reset_on_close(bool yes) override { m_reset_on_close = yes; }

  /// Protocol in use: 0 for T=0, 1 for T=1.
  int protocol() const noexcept { return m_protocol; }
  /// Extended length was tried and refused: remembered for this card (and its ATR).
  bool extended_refused() const noexcept { return m_extended_refused; }

 private:
  PcscTransport(std::shared_ptr<PcscContext> ctx, std::string reader)
      : m_ctx(std::move(ctx)), m_reader(std::move(reader)) {}
  Status refresh_status();

  std::shared_ptr<PcscContext> m_ctx;
  std::string m_reader;
  std::uintptr_t m_card = 0;
  unsigned long m_active_protocol = 0;
  int m_protocol = -1;
  Bytes m_atr;
  PcscOptions m_options;
  int m_transaction_depth = 0;
  bool m_extended_refused = false;
  bool m_reset_on_close = false;
};

}  // namespace dnie::transport
