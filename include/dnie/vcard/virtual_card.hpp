// SPDX-License-Identifier: Apache-2.0
// File: dnie/vcard/virtual_card.hpp
// The virtual DNIe 3.0 card engine: an ISO 7816-4 command processor with the real card's file
// map, FCIs, status words, READ BINARY limits, PACE (chip side), secure messaging (card side),
// CWA-14890 channels and signing, driven by a CardImage. It speaks raw APDU bytes, so the same
// engine serves three ways in: the in-process VirtualTransport, dnie-vcard on pcscd/vpcd, and
// the emulated PN532 for libnfc.
//
// The card side's crypto path is written independently of the SDK's terminal side: it shares
// only the crypto façade primitives, never the terminal's PACE/SM code (enforced by the layer
// check: dnie::vcard may not link dnie::sm or dnie::auth).
// Thread safety: one VirtualCard per thread; calls are not synchronised.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "dnie/transport/transport.hpp"
#include "dnie/vcard/card_image.hpp"

namespace dnie::vcard {

/// Link model for benchmarks: modeled time per APDU (ISO 14443 framing at a bit rate plus card
/// processing costs). Disabled by default.
struct LinkModel {
  bool enabled = false;
  unsigned bit_rate_kbps = 424;    ///< 106, 212, 424 or 848
  std::size_t frame_size = 256;    ///< FSC/FSD
  double frame_overhead_bits = 0;  ///< filled from the framing rules when 0
  double turnaround_ms = 0.1;      ///< per exchange
};

/// How the card behaves; the defaults are the strict card, as a real DNIe (docs/dnie-card.md):
/// every test runs against it unless it asks otherwise.
struct CardOptions {
  bool contactless = true;         ///< NFC (ATR from ATS) or contact
  bool extended_length = false;    ///< accept extended APDUs (the real card: unknown; off)
  std::size_t max_response = 256;  ///< longer responses are split with 61xx
  std::string state_file;          ///< when set, PIN counters persist here across runs
  /// Contactless: a warm reset (reset(), PC/SC SCardReconnect with RESET) leaves the card
  /// powered and keeps its secure channel, as a reader that cannot reset a contactless card
  /// does; the next plain command then gets 69 87. Only power_off()/power_on() end it.
  bool warm_reset_keeps_channel = true;
  /// Contact: the card speaks T=0 as its ATR announces (only T=0; an ATR offering T=1, e.g. one
  /// given to dnie-vcard --atr, turns this off): an answer with data to a command with data gets
  /// 61 xx, and the data comes with GET RESPONSE.
  bool t0 = true;
  /// Refuse SELECT with P2 = 0C (6A 86). No DNIe is known to do so; tests use it to check that
  /// the SDK falls back to the form of the proven clients (P1 00, P2 00).
  bool refuse_select_p2_0c = false;
  /// Accept CHANGE PIN (90 24) only in the user channel instead of the PIN channel (unknown on
  /// the real card; tests of the SDK's fallback).
  bool change_pin_in_user_channel = false;
  LinkModel link;
};

class VirtualCard {
 public:
  VirtualCard(CardImage image, CardOptions options = {});
  ~VirtualCard();
  VirtualCard(const VirtualCard&) = delete;
  VirtualCard& operator=(const VirtualCard&) = delete;

  /// Cold reset: ends every session, returns the ATR.
  Bytes power_on();
  void power_off();
  /// Warm reset: like power_on, except that a contactless card keeps its secure channel when
  /// CardOptions::warm_reset_keeps_channel (the default).
  Bytes reset();
  Bytes atr() const;
  bool powered() const noexcept;

  /// Processes one command APDU (raw bytes) and returns the response (data ‖ SW).
  /// Never fails: malformed commands get the status word the real card would send.
  Bytes process(ByteView command);

  const CardImage& image() const noexcept;
  const CardOptions& options() const noexcept;
  /// Modeled link time accumulated so far (ms), when the link model is enabled.
  double modeled_time_ms() const noexcept;
  void reset_modeled_time() noexcept;

  struct Impl;

 private:
  std::unique_ptr<Impl> m_impl;
};

/// In-process transport to a VirtualCard (the reader name "virtual"). Holds the card by
/// reference (it must outlive the transport) or owns it (make_virtual_transport).
class VirtualTransport final : public transport::Transport {
 public:
  explicit VirtualTransport(VirtualCard& card);
  explicit VirtualTransport(std::unique_ptr<VirtualCard> card);
  ~VirtualTransport() override;
  Result<apdu::ResponseApdu> transmit(const apdu::CommandApdu& cmd) override;
  Bytes atr() const override;
  transport::LinkLimits limits() const override;
  transport::Interface interface_type() const override;
  std::string name() const override { return "virtual"; }
  Status reconnect(bool reset_card) override;
  VirtualCard& card() noexcept { return *m_card; }

  /// Fault injection for tests: called before each exchange with its index; returning an
  /// Error makes that exchange fail (CardRemoved, Timeout...), returning nullopt passes.
  using FaultHook = std::function<std::optional<Error>(std::size_t index, const apdu::CommandApdu&)>;
  void set_fault_hook(FaultHook hook) { m_fault = std::move(hook); }

 private:
  std::unique_ptr<VirtualCard> m_owned;
  VirtualCard* m_card;
  FaultHook m_fault;
  std::size_t m_index = 0;
};

}  // namespace dnie::vcard
