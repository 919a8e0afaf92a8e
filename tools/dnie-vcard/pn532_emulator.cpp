// SPDX-License-Identifier: Apache-2.0
// PN532 emulator on a pseudo-terminal (see pn532_emulator.hpp). Section numbers refer to the
// PN532 User Manual UM0701-02 unless stated otherwise.
#include "pn532_emulator.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/select.h>
#include <termios.h>
#include <unistd.h>

namespace dnie::tools {

namespace pn532 {

namespace {
std::uint8_t neg(unsigned v) { return static_cast<std::uint8_t>((0x100u - (v & 0xFFu)) & 0xFFu); }
}  // namespace

void FrameParser::feed(ByteView bytes) {
  compact();
  append(m_buf, bytes);
}

void FrameParser::compact() {
  if (m_pos == 0) return;
  if (m_pos >= m_buf.size()) {
    m_buf.clear();
  } else {
    m_buf.erase(m_buf.begin(), m_buf.begin() + static_cast<std::ptrdiff_t>(m_pos));
  }
  m_pos = 0;
}

std::optional<Frame> FrameParser::next() {
  for (;;) {
    const std::size_t size = m_buf.size();
    // §6.2.1.1: look for the start code 00 FF (preamble bytes and 55 wake-up bytes are skipped).
    std::size_t i = m_pos;
    while (i + 1 < size && !(m_buf[i] == 0x00 && m_buf[i + 1] == 0xFF)) ++i;
    if (i + 1 >= size) {
      // Keep a trailing 00: it may be the first half of a start code.
      m_pos = (i < size && m_buf[i] == 0x00) ? i : size;
      return std::nullopt;
    }
    m_pos = i;
    if (size < i + 4) return std::nullopt;
    const std::uint8_t len = m_buf[i + 2], lcs = m_buf[i + 3];
    if (len == 0x00 && lcs == 0xFF) {  // §6.2.1.3 ACK
      m_pos = i + 4;
      return Frame{FrameKind::Ack, {}};
    }
    if (len == 0xFF && lcs == 0x00) {  // §6.2.1.4 NACK
      m_pos = i + 4;
      return Frame{FrameKind::Nack, {}};
    }
    std::size_t n = 0, start = 0;
    if (len == 0xFF && lcs == 0xFF) {  // §6.2.1.2 extended frame: FF FF LENm LENl LCS
      if (size < i + 7) return std::nullopt;
      const std::uint8_t hi = m_buf[i + 4], lo = m_buf[i + 5], elcs = m_buf[i + 6];
      n = (static_cast<std::size_t>(hi) << 8) | lo;
      if (static_cast<std::uint8_t>(hi + lo + elcs) != 0 || n == 0 || n > kMaxFrameLen) {
        ++m_rejected;
        m_pos = i + 2;
        continue;
      }
      start = i + 7;
    } else {
      if (static_cast<std::uint8_t>(len + lcs) != 0 || len == 0) {  // LEN + LCS = 0 (mod 256)
        ++m_rejected;
        m_pos = i + 2;
        continue;
      }
      n = len;
      start = i + 4;
    }
    if (size < start + n + 1) return std::nullopt;  // truncated: wait for DCS
    unsigned sum = 0;
    for (std::size_t k = 0; k <= n; ++k) sum += m_buf[start + k];  // TFI + PDs + DCS = 0
    if ((sum & 0xFFu) != 0) {
      // Re-scan from just after this start code: a valid frame may hide in a bogus length.
      ++m_rejected;
      m_pos = i + 2;
      continue;
    }
    Frame f;
    f.payload.assign(m_buf.begin() + static_cast<std::ptrdiff_t>(start),
                     m_buf.begin() + static_cast<std::ptrdiff_t>(start + n));
    if (n == 1 && f.payload[0] == 0x7F) f.kind = FrameKind::Error;  // §6.2.1.5
    m_pos = start + n + 1;
    if (m_pos < size && m_buf[m_pos] == 0x00) ++m_pos;  // postamble (optional)
    return f;
  }
}

Bytes encode_frame(ByteView payload) {
  const std::size_t n = payload.size();
  Bytes out{0x00, 0x00, 0xFF};
  if (n <= 0xFF) {
    append(out, {static_cast<std::uint8_t>(n), neg(static_cast<unsigned>(n))});
  } else {
    const auto hi = static_cast<std::uint8_t>((n >> 8) & 0xFF), lo = static_cast<std::uint8_t>(n & 0xFF);
    append(out, {0xFF, 0xFF, hi, lo, neg(static_cast<unsigned>(hi) + lo)});
  }
  unsigned sum = 0;
  for (std::uint8_t b : payload) sum += b;
  append(out, payload);
  append(out, {neg(sum), 0x00});
  return out;
}

}  // namespace pn532

namespace {

// PN532 command codes (§7.2, §7.3) and status codes (§7.1, Table "Error code list").
enum Cmd : std::uint8_t {
  Diagnose = 0x00,
  GetFirmwareVersion = 0x02,
  GetGeneralStatus = 0x04,
  ReadRegister = 0x06,
  WriteRegister = 0x08,
  SetParameters = 0x12,
  SAMConfiguration = 0x14,
  PowerDown = 0x16,
  RFConfiguration = 0x32,
  InDataExchange = 0x40,
  InCommunicateThru = 0x42,
  InDeselect = 0x44,
  InListPassiveTarget = 0x4A,
  InRelease = 0x52,
  InSelect = 0x54,
  InAutoPoll = 0x60,
};
constexpr std::uint8_t kStatusOk = 0x00;
constexpr std::uint8_t kStatusTimeout = 0x01;                      // the target did not answer
constexpr std::uint8_t kStatusBadContext = 0x27;                   // command not acceptable in this context
constexpr std::uint8_t kStatusMi = 0x40;                           // §7.3.8: more information follows
constexpr std::size_t kMaxExchangeData = pn532::kMaxFrameLen - 3;  // TFI, cmd, status

constexpr int kNone = 0, kTypeA = 1, kTypeB = 2;

}  // namespace

Pn532Emulator::Pn532Emulator(CardHandler card_apdu_handler, Pn532Target target_info)
    : m_card(std::move(card_apdu_handler)), m_target(std::move(target_info)) {}

Pn532Emulator::~Pn532Emulator() {
  if (m_master >= 0) ::close(m_master);
  if (m_slave >= 0) ::close(m_slave);
}

void Pn532Emulator::set_card_present(bool present) noexcept {
  if (!present) m_epoch.fetch_add(1);  // the card loses power: its ISO 14443-4 state is gone
  m_present.store(present);
}

void Pn532Emulator::remove_after(std::size_t n) noexcept {
  m_remove_at.store(n == 0 ? 0 : m_apdus.load() + n);
}

void Pn532Emulator::log(const std::string& line) {
  if (m_log) m_log(line);
}

bool Pn532Emulator::target_alive() const noexcept {
  return m_active != kNone && m_present.load() && m_active_epoch == m_epoch.load();
}

Bytes Pn532Emulator::on_host_bytes(ByteView in) {
  m_parser.feed(in);
  Bytes out;
  const bool mute = m_mute.load();
  while (auto f = m_parser.next()) {
    if (mute) continue;  // a hung reader: frames are swallowed
    switch (f->kind) {
      case pn532::FrameKind::Ack:
        break;  // host abort (§6.2.1.3): nothing is pending
      case pn532::FrameKind::Error:
        break;                      // not sent by hosts
      case pn532::FrameKind::Nack:  // §6.2.1.4: re-send the last response
        append(out, m_last_response);
        break;
      case pn532::FrameKind::Information: {
        if (f->payload.size() < 2 || f->payload[0] != pn532::kTfiHost) break;  // not for us
        m_commands.fetch_add(1);
        log("host> " + to_hex(f->payload, ' '));
        append(out, pn532::kAck);  // §6.2.2: ACK first, then the response frame
        Bytes rsp = handle_command(f->payload);
        if (rsp.empty()) {
          log("chip< error frame (unsupported command)");
          m_last_response.assign(pn532::kErrorFrame.begin(), pn532::kErrorFrame.end());
        } else {
          log("chip< " + to_hex(rsp, ' '));
          m_last_response = pn532::encode_frame(rsp);
        }
        append(out, m_last_response);
        break;
      }
    }
  }
  return out;
}

Bytes Pn532Emulator::handle_command(ByteView payload) {
  if (payload.size() < 2 || payload[0] != pn532::kTfiHost) return {};
  const std::uint8_t cmd = payload[1];
  const ByteView data = payload.subview(2);
  Bytes r{pn532::kTfiChip, static_cast<std::uint8_t>(cmd + 1)};
  switch (cmd) {
    case Diagnose:  // §7.2.1: NumTst 00 = communication line test (echo), 06 = attention request
      if (data.empty()) return {};
      if (data[0] == 0x06)
        append(r, {target_alive() ? kStatusOk : kStatusTimeout});
      else if (data[0] == 0x00)
        append(r, data);
      else
        append(r, {kStatusOk});
      return r;
    case GetFirmwareVersion:  // §7.2.2: IC=32 (PN532), Ver 1, Rev 6, Support = A|B|DEP
      append(r, {0x32, 0x01, 0x06, 0x07});
      return r;
    case GetGeneralStatus: {  // §7.2.3: Err, Field, NbTg, [Tg BrRx BrTx Type], SAM
      const bool alive = target_alive();
      append(r, {0x00, 0x01, static_cast<std::uint8_t>(alive ? 1 : 0)});
      if (alive) append(r, {0x01, 0x00, 0x00, static_cast<std::uint8_t>(m_active == kTypeB ? 0x03 : 0x00)});
      append(r, {0x00});
      return r;
    }
    case ReadRegister:  // §7.2.4: one value per 16-bit address; zeros are good enough for libnfc
      r.resize(r.size() + data.size() / 2, 0x00);
      return r;
    case WriteRegister:
    case SetParameters:
    case SAMConfiguration:  // §7.2.5, §7.2.9, §7.2.10
      return r;
    case RFConfiguration:  // §7.3.1: item 01 = RF field; field off powers the card down
      if (data.size() >= 2 && data[0] == 0x01 && (data[1] & 0x01) == 0) m_active = kNone;
      return r;
    case PowerDown:  // §7.2.11
      append(r, {kStatusOk});
      return r;
    case InDeselect:
    case InRelease:  // §7.3.12, §7.3.11
      m_active = kNone;
      m_chain_in.clear();
      m_chain_out.clear();
      append(r, {kStatusOk});
      return r;
    case InSelect:  // §7.3.10
      append(r, {m_active != kNone ? kStatusOk : kStatusBadContext});
      return r;
    case InListPassiveTarget:
      if (data.size() < 2) return {};
      append(r, in_list_passive_target(data));
      return r;
    case InAutoPoll: {  // §7.3.13: PollNr Period Type1..Typen → NbTg [Type Len TargetData]
      if (data.size() < 3) return {};
      for (std::size_t k = 2; k < data.size(); ++k) {
        const std::uint8_t type = data[k];
        const bool b = (type == 0x03 || type == 0x23), a = (type == 0x00 || type == 0x10 || type == 0x20);
        if (!a && !b) continue;
        const std::uint8_t brty = b ? 0x03 : 0x00;
        Bytes t = in_list_passive_target(Bytes{0x01, brty});
        if (t.size() > 1 && t[0] == 1) {
          append(r, {0x01, type, static_cast<std::uint8_t>(t.size() - 1)});
          append(r, ByteView(t).subview(1));
          return r;
        }
      }
      append(r, {0x00});
      return r;
    }
    case InDataExchange:
      if (data.empty()) return {};
      append(r, in_data_exchange(data));
      return r;
    case InCommunicateThru:
      append(r, in_communicate_thru(data));
      return r;
    default:
      return {};
  }
}

// §7.3.5 InListPassiveTarget: MaxTg BrTy [InitiatorData] → NbTg [TargetData].
Bytes Pn532Emulator::in_list_passive_target(ByteView data) {
  const std::uint8_t brty = data[1];
  m_active = kNone;
  m_chain_in.clear();
  m_chain_out.clear();
  const bool present = m_present.load();
  Bytes r;
  if (brty == 0x03 && m_target.emulate_type_b && present) {
    // Type B target data: Tg, ATQB(12) = 50 PUPI AppData ProtInfo (ISO/IEC 14443-3 §7.9),
    // ATTRIB_RES length, ATTRIB_RES (§7.11). The PN532 sends REQB/WUPB with the AFI from
    // InitiatorData and ATTRIB itself.
    r = {0x01, 0x01, 0x50};
    append(r, m_target.pupi);
    append(r, m_target.app_data);
    append(r, m_target.protocol_info);
    const std::size_t alen = m_target.attrib_res.size() > 32 ? 32 : m_target.attrib_res.size();
    r.push_back(static_cast<std::uint8_t>(alen));
    append(r, ByteView(m_target.attrib_res).first(alen));
    m_active = kTypeB;
  } else if (brty == 0x00 && m_target.emulate_type_a && present) {
    // Type A target data: Tg, SENS_RES(2), SEL_RES, NFCIDLength, NFCID1, [ATS with TL].
    const std::size_t ulen = m_target.uid.size() > 10 ? 10 : m_target.uid.size();
    const std::size_t slen = m_target.ats.size() > 240 ? 240 : m_target.ats.size();  // frame ≤ 265
    r = {0x01, 0x01, m_target.atqa[0], m_target.atqa[1], m_target.sak, static_cast<std::uint8_t>(ulen)};
    append(r, ByteView(m_target.uid).first(ulen));
    if ((m_target.sak & 0x20) != 0) {  // RATS was sent by the PN532: ATS with its TL byte
      r.push_back(static_cast<std::uint8_t>(slen + 1));
      append(r, ByteView(m_target.ats).first(slen));
    }
    m_active = kTypeA;
  } else {
    r = {0x00};  // no target for this modulation (or the card is out of the field)
  }
  if (m_active != kNone) {
    m_active_epoch = m_epoch.load();
    if (m_on_activate) m_on_activate();
  }
  return r;
}

// §7.3.8 InDataExchange: Tg [DataOut] → Status [DataIn]. Tg b6 (MI) = more data follows from
// the host; status b6 (MI) = more data follows from the card, fetched with an empty exchange.
Bytes Pn532Emulator::in_data_exchange(ByteView data) {
  const std::uint8_t tg = data[0];
  const ByteView out = data.subview(1);
  if (m_active == kNone || (tg & 0x3F) != 0x01) return {kStatusBadContext};
  if (!target_alive()) return {kStatusTimeout};
  if ((tg & 0x40) != 0) {
    if (m_chain_in.size() + out.size() > 65544) return {kStatusBadContext};
    append(m_chain_in, out);
    return {kStatusOk};
  }
  Bytes resp;
  if (out.empty() && m_chain_in.empty()) {
    if (m_chain_out.empty()) return {kStatusOk};  // empty I-block, empty answer
    resp.swap(m_chain_out);
  } else {
    Bytes apdu;
    apdu.swap(m_chain_in);
    append(apdu, out);
    resp = exchange_apdu(apdu);
  }
  Bytes r{kStatusOk};
  if (resp.size() > kMaxExchangeData) {
    r[0] = kStatusMi;
    m_chain_out.assign(resp.begin() + static_cast<std::ptrdiff_t>(kMaxExchangeData), resp.end());
    resp.resize(kMaxExchangeData);
  }
  append(r, resp);
  return r;
}

Bytes Pn532Emulator::exchange_apdu(ByteView apdu) {
  Bytes resp = m_card ? m_card(apdu) : Bytes{0x6F, 0x00};
  const std::size_t count = m_apdus.fetch_add(1) + 1;
  const std::size_t at = m_remove_at.load();
  if (at != 0 && count >= at) {  // the card leaves the field after answering this APDU
    m_remove_at.store(0);
    set_card_present(false);
    log("card removed from the field after APDU #" + std::to_string(count));
  }
  return resp;
}

// §7.3.9 InCommunicateThru: raw frames. Only ISO/IEC 14443-4 §7.1 R(NAK) (presence check)
// and S(DESELECT) to the active target are answered; anything else times out, so probes for
// other card families (SRx, Jewel, iClass...) find nothing.
Bytes Pn532Emulator::in_communicate_thru(ByteView data) {
  if (data.empty() || !target_alive()) return {kStatusTimeout};
  const std::uint8_t pcb = data[0];
  const bool has_cid = (pcb & 0x08) != 0;
  if (has_cid && data.size() < 2) return {kStatusTimeout};
  Bytes r{kStatusOk};
  if ((pcb & 0xF6) == 0xB2) {  // R(NAK), any block number: answer R(ACK)
    r.push_back(static_cast<std::uint8_t>(0xA2 | (pcb & 0x09)));
  } else if ((pcb & 0xF7) == 0xC2) {  // S(DESELECT): confirm, the card goes to HALT
    r.push_back(pcb);
    m_active = kNone;
  } else {
    return {kStatusTimeout};
  }
  if (has_cid) r.push_back(data[1]);
  return r;
}

// ---- pseudo-terminal ------------------------------------------------------------------------

Result<std::string> Pn532Emulator::open_pty() {
  if (m_master >= 0) return make_error(ErrorCode::InvalidState, "pn532 emulator: pty already open");
  const int master = ::posix_openpt(O_RDWR | O_NOCTTY);
  if (master < 0) return make_error(ErrorCode::TransportError, "posix_openpt failed").with_native(errno);
  char name[128] = {};
  if (::grantpt(master) != 0 || ::unlockpt(master) != 0 || ::ptsname_r(master, name, sizeof name) != 0) {
    const int e = errno;
    ::close(master);
    return make_error(ErrorCode::TransportError, "pty setup failed").with_native(e);
  }
  // Keep our own slave descriptor open: when the host closes its side, the master would
  // otherwise read EIO until it reopens.
  const int slave = ::open(name, O_RDWR | O_NOCTTY);
  if (slave < 0) {
    const int e = errno;
    ::close(master);
    return make_error(ErrorCode::TransportError, "cannot open pty slave").with_native(e);
  }
  termios tio{};
  if (::tcgetattr(slave, &tio) == 0) {
    ::cfmakeraw(&tio);  // binary frames: no echo, no CR/LF mapping, no signals
    (void)::tcsetattr(slave, TCSANOW, &tio);
  }
  const int flags = ::fcntl(master, F_GETFL);
  if (flags >= 0) (void)::fcntl(master, F_SETFL, flags | O_NONBLOCK);
  m_master = master;
  m_slave = slave;
  return std::string(name);
}

Status Pn532Emulator::serve(std::chrono::milliseconds max_time, std::atomic<bool>& stop) {
  if (m_master < 0) return make_error(ErrorCode::InvalidState, "pn532 emulator: open_pty() first");
  using Clock = std::chrono::steady_clock;
  const auto end = Clock::now() + max_time;
  Bytes pending;  // bytes for the host not yet written
  std::uint8_t buf[4096];
  while (!stop.load()) {
    if (max_time.count() > 0 && Clock::now() >= end) break;
    fd_set rd, wr;
    FD_ZERO(&rd);
    FD_ZERO(&wr);
    FD_SET(m_master, &rd);
    if (!pending.empty()) FD_SET(m_master, &wr);
    timeval tv{0, 20000};  // 20 ms: bounds the reaction time to `stop`
    const int n = ::select(m_master + 1, &rd, &wr, nullptr, &tv);
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_error(ErrorCode::TransportError, "select on pty failed").with_native(errno);
    }
    if (n == 0) continue;
    if (FD_ISSET(m_master, &rd)) {
      const ssize_t got = ::read(m_master, buf, sizeof buf);
      if (got > 0) {
        append(pending, on_host_bytes(ByteView(buf, static_cast<std::size_t>(got))));
      } else if (got < 0 && errno != EAGAIN && errno != EINTR && errno != EIO) {
        return make_error(ErrorCode::TransportError, "read from pty failed").with_native(errno);
      }
    }
    if (!pending.empty()) {
      const ssize_t put = ::write(m_master, pending.data(), pending.size());
      if (put > 0) {
        pending.erase(pending.begin(), pending.begin() + put);
      } else if (put < 0 && errno != EAGAIN && errno != EINTR) {
        return make_error(ErrorCode::TransportError, "write to pty failed").with_native(errno);
      }
    }
  }
  return ok_status();
}

}  // namespace dnie::tools
