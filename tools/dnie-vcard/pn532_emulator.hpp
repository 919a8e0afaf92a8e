// SPDX-License-Identifier: Apache-2.0
// File: tools/dnie-vcard/pn532_emulator.hpp
// An NXP PN532 (HSU/UART link) emulated on a pseudo-terminal, so that the real libnfc
// (`pn532_uart:/dev/pts/N`) finds one ISO/IEC 14443-4 Type B target (optionally Type A too) and
// carries APDUs to a card handler. References: PN532 User Manual (UM0701-02) §6.2 frames, §7
// commands; ISO/IEC 14443-3 §7.9 (ATQB), §7.11 (ATTRIB answer); ISO/IEC 14443-4 §7.1 (blocks).
//
// Layout: FrameParser (bytes from the host → frames; never trusts the input), then
// Pn532Emulator::on_host_bytes() (frames → ACK + response frames, no I/O, fuzzable), then
// open_pty()/serve() (the POSIX pty loop). Depends only on POSIX and dnie::bytes.
//
// Thread safety: serve()/on_host_bytes() run on one thread; set_card_present(), remove_after()
// and the counters may be called from any thread (atomics). Handlers run on the serve thread.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "dnie/bytes/bytes.hpp"

namespace dnie::tools {

namespace pn532 {

/// UM0701 §6.2.1.3/§6.2.1.4: ACK and NACK frames.
inline constexpr std::array<std::uint8_t, 6> kAck{0x00, 0x00, 0xFF, 0x00, 0xFF, 0x00};
inline constexpr std::array<std::uint8_t, 6> kNack{0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00};
/// UM0701 §6.2.1.5: application-level error frame (TFI 7F, code 81).
inline constexpr std::array<std::uint8_t, 8> kErrorFrame{0x00, 0x00, 0xFF, 0x01, 0xFF, 0x7F, 0x81, 0x00};
inline constexpr std::uint8_t kTfiHost = 0xD4;  ///< host → PN532
inline constexpr std::uint8_t kTfiChip = 0xD5;  ///< PN532 → host
/// Largest LEN (TFI + data) accepted in an extended frame: the PN532 buffer holds 264 bytes of
/// data (§6.2.1.2); anything longer is treated as line noise.
inline constexpr std::size_t kMaxFrameLen = 265;

enum class FrameKind { Information, Ack, Nack, Error };

struct Frame {
  FrameKind kind = FrameKind::Information;
  Bytes payload;  ///< Information frames: TFI ‖ PD0..PDn (checksums verified and stripped)
};

/// Splits the host byte stream into frames (UM0701 §6.2.1). Garbage, wake-up bytes (55 55 00..),
/// bad LCS/DCS and oversized lengths are skipped; a truncated frame waits for more bytes.
class FrameParser {
 public:
  void feed(ByteView bytes);
  /// The next complete frame, or nullopt when more bytes are needed.
  std::optional<Frame> next();
  std::size_t buffered() const noexcept { return m_buf.size() - m_pos; }
  /// Frames dropped for a checksum or length error since construction.
  std::size_t rejected() const noexcept { return m_rejected; }
  void clear() noexcept {
    m_buf.clear();
    m_pos = 0;
  }

 private:
  void compact();
  Bytes m_buf;
  std::size_t m_pos = 0;
  std::size_t m_rejected = 0;
};

/// Encodes an information frame around `payload` (TFI ‖ data): a normal frame up to 255 bytes,
/// an extended frame (00 00 FF FF FF LENm LENl LCS ...) above (§6.2.1.1, §6.2.1.2).
Bytes encode_frame(ByteView payload);

}  // namespace pn532

/// What the emulated PN532 finds in its field.
struct Pn532Target {
  // ISO/IEC 14443-3 Type B: ATQB = 50 ‖ PUPI(4) ‖ application data(4) ‖ protocol info(3).
  std::array<std::uint8_t, 4> pupi{0x1A, 0x2B, 0x3C, 0x4D};
  std::array<std::uint8_t, 4> app_data{0xE1, 0xF3, 0x5E, 0x11};  ///< DNIe (facts §1.2)
  std::array<std::uint8_t, 3> protocol_info{0x77, 0x81, 0xA1};   ///< FSCI 256, -4, FWI 10
  Bytes attrib_res{0x00};  ///< answer to ATTRIB: MBLI|CID (ISO/IEC 14443-3 §7.11)
  // Optional ISO/IEC 14443-3 Type A identity (answered only when emulate_type_a).
  bool emulate_type_a = false;
  bool emulate_type_b = true;
  Bytes uid{0x08, 0x11, 0x22, 0x33};
  std::array<std::uint8_t, 2> atqa{0x00, 0x04};
  std::uint8_t sak = 0x20;  ///< b6: ISO/IEC 14443-4
  /// ATS without TL: T0 TA TB TC ‖ historical bytes (DNIe: E1 F3 5E 11 77 81 A1 00).
  Bytes ats{0x78, 0x80, 0x70, 0x02, 0xE1, 0xF3, 0x5E, 0x11, 0x77, 0x81, 0xA1, 0x00};
};

class Pn532Emulator {
 public:
  using CardHandler = std::function<Bytes(ByteView apdu)>;
  using LogSink = std::function<void(std::string_view line)>;

  explicit Pn532Emulator(CardHandler card_apdu_handler, Pn532Target target_info = {});
  ~Pn532Emulator();
  Pn532Emulator(const Pn532Emulator&) = delete;
  Pn532Emulator& operator=(const Pn532Emulator&) = delete;

  /// Creates the pseudo-terminal (raw mode; the slave stays open so the master never sees EIO)
  /// and returns the slave path for `pn532_uart:<path>`.
  Result<std::string> open_pty();
  /// Serves the host until `stop` is set or `max_time` elapses (0 = no limit). Ok on either.
  Status serve(std::chrono::milliseconds max_time, std::atomic<bool>& stop);

  /// The I/O-free core: host bytes in, bytes for the host out (ACK + response frames).
  Bytes on_host_bytes(ByteView in);
  /// One command frame payload (D4 cmd ...) → response payload (D5 cmd+1 ...); empty = the
  /// command is unknown (answered with the error frame).
  Bytes handle_command(ByteView payload);

  /// Card in or out of the field (out: no target found, InDataExchange times out).
  void set_card_present(bool present) noexcept;
  bool card_present() const noexcept { return m_present.load(); }
  /// The card leaves the field after `n` more successful APDUs (0 = never).
  void remove_after(std::size_t n) noexcept;
  /// Stops answering the host at all (a hung reader) while set.
  void set_mute(bool mute) noexcept { m_mute.store(mute); }
  /// Called on each activation of the target (field on + select: the card's power-on).
  void set_activation_handler(std::function<void()> h) { m_on_activate = std::move(h); }
  /// Receives one line per frame (debugging; the tool sends it to stderr with --verbose).
  void set_log(LogSink sink) { m_log = std::move(sink); }

  std::size_t apdu_count() const noexcept { return m_apdus.load(); }
  std::size_t command_count() const noexcept { return m_commands.load(); }
  const Pn532Target& target() const noexcept { return m_target; }

 private:
  Bytes in_list_passive_target(ByteView data);
  Bytes in_data_exchange(ByteView data);
  Bytes in_communicate_thru(ByteView data);
  Bytes exchange_apdu(ByteView apdu);
  bool target_alive() const noexcept;
  void log(const std::string& line);

  CardHandler m_card;
  Pn532Target m_target;
  pn532::FrameParser m_parser;
  Bytes m_last_response;             ///< re-sent on a host NACK (§6.2.1.4)
  Bytes m_chain_in;                  ///< InDataExchange command chaining (Tg b6 = MI)
  Bytes m_chain_out;                 ///< response remainder after MI (status b6)
  int m_active = 0;                  ///< 0 none, 1 Type A, 2 Type B (the selected target)
  unsigned m_active_epoch = 0;       ///< m_epoch when the target was activated
  std::atomic<unsigned> m_epoch{0};  ///< bumped each time the card leaves the field
  std::atomic<bool> m_present{true};
  std::atomic<bool> m_mute{false};
  std::atomic<std::size_t> m_remove_at{0};
  std::atomic<std::size_t> m_apdus{0};
  std::atomic<std::size_t> m_commands{0};
  std::function<void()> m_on_activate;
  LogSink m_log;
  int m_master = -1;
  int m_slave = -1;
};

}  // namespace dnie::tools
