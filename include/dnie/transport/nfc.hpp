// SPDX-License-Identifier: Apache-2.0
// File: dnie/transport/nfc.hpp
// libnfc transport (libnfc 1.8; PN53x readers: pn532_uart, pn53x_usb, acr122_usb, ...): opens a
// device, selects one ISO/IEC 14443-4 target (Type B first by default: the DNIe is Type B) and
// exchanges APDUs with nfc_initiator_transceive_bytes. libnfc is hidden behind a pimpl, so
// users of this header need no libnfc headers.
//
// Device selection: with a connstring ("pn532_uart:/dev/ttyUSB0", "pn532_uart:/dev/pts/3")
// libnfc opens that device directly. With an empty connstring libnfc takes
// LIBNFC_DEFAULT_DEVICE, then devices from /etc/nfc, then scans the buses; set
// LIBNFC_AUTO_SCAN=false in the environment to skip the scan (it probes USB and, with
// LIBNFC_INTRUSIVE_SCAN, serial ports). libnfc reads these variables in nfc_init(); this
// transport never changes the environment. libnfc logs to stderr according to
// LIBNFC_LOG_LEVEL (0 = quiet); the transport itself prints nothing.
//
// ATR: a contactless card has none; the transport synthesises the PC/SC part 3 form
// (§3.1.3.2.3): Type A 3B 8n 80 01 ‖ ATS historical bytes ‖ TCK, Type B
// 3B 88 80 01 ‖ ATQB application data(4) ‖ protocol info(3) ‖ MBLI<<4 ‖ TCK. A DNIe gives
// 3B 88 80 01 E1 F3 5E 11 77 81 A1 00 03 (docs/dnie-card.md §1.2).
//
// Ownership: NfcTransport owns its nfc_context and nfc_device; the destructor deselects the
// target, closes the device and frees the context. Thread safety: one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "dnie/transport/transport.hpp"

namespace dnie::transport {

/// Maps a libnfc error code (NFC_E*, negative) to the SDK's error set once, keeping the native
/// code in Error::native. `what` names the operation for the message. NFC_ETIMEOUT → Timeout,
/// NFC_ERFTRANS / NFC_ETGRELEASED → CardRemoved, NFC_ENOTSUCHDEV → ReaderNotFound,
/// NFC_EDEVNOTSUPP / NFC_ENOTIMPL → Unsupported, others → TransportError.
Error nfc_error(int code, std::string_view what);
/// Stable text for a libnfc code ("NFC_ERFTRANS").
std::string_view nfc_code_name(int code) noexcept;

enum class NfcTargetType { TypeA, TypeB };

/// PC/SC part 3 ATR for a Type B card from its ATQB fields and the ATTRIB answer's first byte
/// (MBLI in the high nibble; the low nibble is not part of the ATR).
Bytes pcsc_atr_type_b(ByteView app_data, ByteView protocol_info, std::uint8_t attrib_mbli_cid);
/// PC/SC part 3 ATR for a Type A ISO 14443-4 card from its ATS (without TL: T0 [TA TB TC] ‖
/// historical). MalformedData when T0 announces more interface bytes than the ATS holds.
Result<Bytes> pcsc_atr_type_a(ByteView ats);
/// The historical bytes of an ATS (without TL).
Result<Bytes> ats_historical_bytes(ByteView ats);

struct NfcOptions {
  std::string connstring;  ///< empty: libnfc's default device (see the file comment)
  /// Modulations tried in order when selecting; the first target found wins.
  std::vector<NfcTargetType> order{NfcTargetType::TypeB, NfcTargetType::TypeA};
  int timeout_ms = 3000;  ///< per APDU exchange (nfc_initiator_transceive_bytes); 0 = none
  /// ISO 14443-4 only: reject Type A targets without SAK b6 and Type B without protocol type 1.
  bool require_iso14443_4 = true;
};

struct NfcTargetInfo {
  NfcTargetType type = NfcTargetType::TypeB;
  Bytes uid;                         ///< Type A: UID (4/7/10 bytes); Type B: PUPI (4 bytes)
  Bytes atqb;                        ///< Type B: 50 ‖ PUPI ‖ application data ‖ protocol info (12)
  std::uint8_t attrib_mbli_cid = 0;  ///< Type B: first byte of the ATTRIB answer
  Bytes ats;                         ///< Type A: ATS without TL
  Bytes historical_bytes;            ///< Type A: from the ATS; Type B: app data ‖ protocol info ‖ MBLI
};

class NfcTransport final : public Transport {
 public:
  /// Opens the device, initialises it as initiator and selects a target. NoService when
  /// nfc_init fails, ReaderNotFound when the device cannot be opened, NoCard when no
  /// ISO 14443-4 target is in the field.
  static Result<std::unique_ptr<NfcTransport>> open(NfcOptions options = {});
  /// Connstrings of the devices libnfc finds (nfc_list_devices; honours LIBNFC_AUTO_SCAN).
  static Result<std::vector<std::string>> list_devices(std::size_t max_devices = 16);

  ~NfcTransport() override;
  NfcTransport(const NfcTransport&) = delete;
  NfcTransport& operator=(const NfcTransport&) = delete;

  /// One exchange. A target that stops answering (NFC_ETIMEOUT / NFC_ERFTRANS) is probed with
  /// nfc_initiator_target_is_present (pn53x: an R(NAK) block): gone → CardRemoved, and later
  /// calls fail fast with CardRemoved until reconnect(); the reader itself silent → Timeout;
  /// still there → Timeout or TransportError. Error::native keeps the libnfc code.
  Result<ResponseApdu> transmit(const CommandApdu& cmd) override;
  Bytes atr() const override;
  /// libnfc's pn53x buffers: Nc ≤ 255, Ne ≤ 256, no extended length.
  LinkLimits limits() const override;
  Interface interface_type() const override { return Interface::Contactless; }
  std::string name() const override;
  /// Deselects and selects again (reset_card: the RF field is cycled first, so the card
  /// powers up afresh). NoCard when no target answers.
  Status reconnect(bool reset_card) override;

  /// The selected target (valid after a successful open/reconnect).
  const NfcTargetInfo& target() const noexcept;
  /// Asks the reader whether the selected target still answers.
  bool target_present();
  /// Changes the per-exchange timeout (milliseconds; 0 = none).
  void set_timeout_ms(int ms) noexcept;

  struct Impl;

 private:
  explicit NfcTransport(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

}  // namespace dnie::transport
