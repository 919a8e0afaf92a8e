// SPDX-License-Identifier: Apache-2.0
// PC/SC transport over the WinSCard API subset (PC/SC Workgroup spec part 5; pcsc-lite).
#include "dnie/transport/pcsc.hpp"

#include <cstring>
#include <map>
#include <mutex>

#include <winscard.h>

#include "dnie/bytes/secure.hpp"
#include "dnie/transport/atr.hpp"

namespace dnie::transport {

namespace {

SCARDCONTEXT ctx_of(std::uintptr_t v) { return static_cast<SCARDCONTEXT>(v); }
SCARDHANDLE card_of(std::uintptr_t v) { return static_cast<SCARDHANDLE>(v); }

// Cards (by ATR) that refused extended APDUs in this process: remembered, not re-tried.
std::mutex g_ext_mutex;
std::map<Bytes, bool> g_ext_refused;

// ISO/IEC 7816-3 §8.2: walk T0/TDi to the historical bytes; 7816-4 §8.1.1.2.7 card capabilities
// (compact-TLV tag 7, third byte b7 = extended Lc/Le) tell whether extended length is supported.
bool atr_announces_extended_length(ByteView atr) {
  if (atr.size() < 2) return false;
  std::size_t i = 1;
  std::uint8_t y = static_cast<std::uint8_t>(atr[1] >> 4);
  const std::size_t k = atr[1] & 0x0F;
  ++i;
  for (;;) {
    std::size_t n = ((y & 1) != 0) + ((y & 2) != 0) + ((y & 4) != 0);
    bool td = (y & 8) != 0;
    i += n;
    if (!td) break;
    if (i >= atr.size()) return false;
    y = static_cast<std::uint8_t>(atr[i] >> 4);
    ++i;
  }
  if (i + k > atr.size() || k == 0) return false;
  ByteView hist = atr.subview(i, k);
  std::size_t end = hist.size();
  if (hist[0] == 0x00 && end >= 3)
    end -= 3;  // category 00: status indicator in the last 3 bytes
  else if (hist[0] != 0x80)
    return false;
  for (std::size_t p = 1; p < end;) {
    std::uint8_t tag = static_cast<std::uint8_t>(hist[p] >> 4), len = hist[p] & 0x0F;
    if (p + 1 + len > end) return false;
    if (tag == 7 && len >= 3) return (hist[p + 3] & 0x40) != 0;
    p += 1 + len;
  }
  return false;
}

}  // namespace

std::string_view pcsc_code_name(long rv) noexcept {
  switch (rv) {
    case SCARD_S_SUCCESS:
      return "SCARD_S_SUCCESS";
    case SCARD_E_CANCELLED:
      return "SCARD_E_CANCELLED";
    case SCARD_E_INVALID_HANDLE:
      return "SCARD_E_INVALID_HANDLE";
    case SCARD_E_INVALID_PARAMETER:
      return "SCARD_E_INVALID_PARAMETER";
    case SCARD_E_NO_MEMORY:
      return "SCARD_E_NO_MEMORY";
    case SCARD_E_INSUFFICIENT_BUFFER:
      return "SCARD_E_INSUFFICIENT_BUFFER";
    case SCARD_E_UNKNOWN_READER:
      return "SCARD_E_UNKNOWN_READER";
    case SCARD_E_TIMEOUT:
      return "SCARD_E_TIMEOUT";
    case SCARD_E_SHARING_VIOLATION:
      return "SCARD_E_SHARING_VIOLATION";
    case SCARD_E_NO_SMARTCARD:
      return "SCARD_E_NO_SMARTCARD";
    case SCARD_E_PROTO_MISMATCH:
      return "SCARD_E_PROTO_MISMATCH";
    case SCARD_E_NOT_READY:
      return "SCARD_E_NOT_READY";
    case SCARD_E_SYSTEM_CANCELLED:
      return "SCARD_E_SYSTEM_CANCELLED";
    case SCARD_E_NOT_TRANSACTED:
      return "SCARD_E_NOT_TRANSACTED";
    case SCARD_E_READER_UNAVAILABLE:
      return "SCARD_E_READER_UNAVAILABLE";
    case SCARD_E_NO_SERVICE:
      return "SCARD_E_NO_SERVICE";
    case SCARD_E_SERVICE_STOPPED:
      return "SCARD_E_SERVICE_STOPPED";
    case SCARD_E_NO_READERS_AVAILABLE:
      return "SCARD_E_NO_READERS_AVAILABLE";
    case SCARD_E_COMM_DATA_LOST:
      return "SCARD_E_COMM_DATA_LOST";
    case SCARD_F_COMM_ERROR:
      return "SCARD_F_COMM_ERROR";
    case SCARD_E_UNEXPECTED:
      return "SCARD_E_UNEXPECTED";
    case SCARD_W_UNRESPONSIVE_CARD:
      return "SCARD_W_UNRESPONSIVE_CARD";
    case SCARD_W_UNPOWERED_CARD:
      return "SCARD_W_UNPOWERED_CARD";
    case SCARD_W_RESET_CARD:
      return "SCARD_W_RESET_CARD";
    case SCARD_W_REMOVED_CARD:
      return "SCARD_W_REMOVED_CARD";
    case SCARD_W_UNSUPPORTED_CARD:
      return "SCARD_W_UNSUPPORTED_CARD";
    default:
      return "SCARD_(unknown)";
  }
}

Error pcsc_error(long rv, std::string_view what) {
  ErrorCode code = ErrorCode::TransportError;
  switch (rv) {
    case SCARD_E_NO_SERVICE:
    case SCARD_E_SERVICE_STOPPED:
      code = ErrorCode::NoService;
      break;
    case SCARD_E_UNKNOWN_READER:
    case SCARD_E_READER_UNAVAILABLE:
    case SCARD_E_NO_READERS_AVAILABLE:
      code = ErrorCode::ReaderNotFound;
      break;
    case SCARD_E_NO_SMARTCARD:
      code = ErrorCode::NoCard;
      break;
    case SCARD_W_REMOVED_CARD:
    case SCARD_W_UNPOWERED_CARD:
      code = ErrorCode::CardRemoved;
      break;
    case SCARD_W_RESET_CARD:
      code = ErrorCode::CardReset;
      break;
    case SCARD_E_SHARING_VIOLATION:
      code = ErrorCode::SharingViolation;
      break;
    case SCARD_E_TIMEOUT:
    case SCARD_W_UNRESPONSIVE_CARD:
      code = ErrorCode::Timeout;
      break;
    case SCARD_E_CANCELLED:
    case SCARD_E_SYSTEM_CANCELLED:
      code = ErrorCode::Cancelled;
      break;
    case SCARD_E_INVALID_PARAMETER:
    case SCARD_E_INVALID_HANDLE:
      code = ErrorCode::InvalidArgument;
      break;
    case SCARD_W_UNSUPPORTED_CARD:
    case SCARD_E_PROTO_MISMATCH:
      code = ErrorCode::Unsupported;
      break;
    default:
      break;
  }
  Error e(code, std::string(what) + ": " + std::string(pcsc_code_name(rv)));
  e.with_native(rv);
  return e;
}

// ---- context -------------------------------------------------------------------------------

Result<std::shared_ptr<PcscContext>> PcscContext::establish() {
  SCARDCONTEXT ctx = 0;
  LONG rv = SCardEstablishContext(SCARD_SCOPE_SYSTEM, nullptr, nullptr, &ctx);
  if (rv != SCARD_S_SUCCESS) return pcsc_error(rv, "SCardEstablishContext");
  return std::shared_ptr<PcscContext>(new PcscContext(static_cast<std::uintptr_t>(ctx)));
}

PcscContext::~PcscContext() { SCardReleaseContext(ctx_of(m_ctx)); }

void PcscContext::cancel() { SCardCancel(ctx_of(m_ctx)); }

Result<std::vector<std::string>> PcscContext::list_readers() {
  DWORD len = 0;
  LONG rv = SCardListReaders(ctx_of(m_ctx), nullptr, nullptr, &len);
  if (rv == SCARD_E_NO_READERS_AVAILABLE) return std::vector<std::string>{};
  if (rv != SCARD_S_SUCCESS) return pcsc_error(rv, "SCardListReaders");
  std::string buf(len, '\0');
  rv = SCardListReaders(ctx_of(m_ctx), nullptr, &buf[0], &len);
  if (rv == SCARD_E_NO_READERS_AVAILABLE) return std::vector<std::string>{};
  if (rv != SCARD_S_SUCCESS) return pcsc_error(rv, "SCardListReaders");
  std::vector<std::string> out;
  for (std::size_t p = 0; p < buf.size() && buf[p];) {  // multi-string: "a\0b\0\0"
    std::string name(buf.c_str() + p);
    p += name.size() + 1;
    out.push_back(std::move(name));
  }
  return out;
}

Result<std::vector<ReaderState>> PcscContext::reader_states() {
  DNIE_ASSIGN_OR_RETURN(auto names, list_readers());
  std::vector<SCARD_READERSTATE> rs(names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    std::memset(&rs[i], 0, sizeof rs[i]);
    rs[i].szReader = names[i].c_str();
    rs[i].dwCurrentState = SCARD_STATE_UNAWARE;
  }
  std::vector<ReaderState> out;
  if (names.empty()) return out;
  LONG rv = SCardGetStatusChange(ctx_of(m_ctx), 0, rs.data(), static_cast<DWORD>(rs.size()));
  if (rv != SCARD_S_SUCCESS && rv != SCARD_E_TIMEOUT) return pcsc_error(rv, "SCardGetStatusChange");
  for (std::size_t i = 0; i < names.size(); ++i) {
    ReaderState s;
    s.name = names[i];
    s.present = (rs[i].dwEventState & SCARD_STATE_PRESENT) != 0;
    s.exclusive = (rs[i].dwEventState & SCARD_STATE_EXCLUSIVE) != 0;
    s.in_use = (rs[i].dwEventState & SCARD_STATE_INUSE) != 0;
    s.atr.assign(rs[i].rgbAtr, rs[i].rgbAtr + rs[i].cbAtr);
    out.push_back(std::move(s));
  }
  return out;
}

Result<bool> PcscContext::wait_for_change(const std::string& reader, bool present_now,
                                          std::chrono::milliseconds timeout) {
  SCARD_READERSTATE rs;
  std::memset(&rs, 0, sizeof rs);
  rs.szReader = reader.c_str();
  rs.dwCurrentState = present_now ? SCARD_STATE_PRESENT : SCARD_STATE_EMPTY;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() < 0) left = std::chrono::milliseconds(0);
    LONG rv = SCardGetStatusChange(ctx_of(m_ctx), static_cast<DWORD>(left.count()), &rs, 1);
    if (rv != SCARD_S_SUCCESS) return pcsc_error(rv, "waiting for the card");
    const bool present = (rs.dwEventState & SCARD_STATE_PRESENT) != 0;
    if (present != present_now) return present;
    if (rs.dwEventState & SCARD_STATE_UNKNOWN)
      return pcsc_error(SCARD_E_UNKNOWN_READER, "waiting for the card");
    rs.dwCurrentState = rs.dwEventState & ~static_cast<DWORD>(SCARD_STATE_CHANGED);
  }
}

// ---- card ----------------------------------------------------------------------------------

Result<std::unique_ptr<PcscTransport>> PcscTransport::connect(std::shared_ptr<PcscContext> ctx,
                                                              const std::string& reader,
                                                              PcscOptions options) {
  std::unique_ptr<PcscTransport> t(new PcscTransport(ctx, reader));
  t->m_options = options;
  SCARDHANDLE h = 0;
  DWORD proto = 0;
  LONG rv = SCardConnect(ctx_of(ctx->handle()), reader.c_str(),
                         options.exclusive ? SCARD_SHARE_EXCLUSIVE : SCARD_SHARE_SHARED,
                         SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, &h, &proto);
  if (rv != SCARD_S_SUCCESS) return pcsc_error(rv, "SCardConnect(" + reader + ")");
  t->m_card = static_cast<std::uintptr_t>(h);
  t->m_active_protocol = proto;
  t->m_protocol = proto == SCARD_PROTOCOL_T1 ? 1 : 0;
  DNIE_TRY(t->refresh_status());
  std::lock_guard<std::mutex> lock(g_ext_mutex);
  t->m_extended_refused = g_ext_refused.count(t->m_atr) != 0;
  return t;
}

PcscTransport::~PcscTransport() {
  if (m_card) {
    while (m_transaction_depth-- > 0) SCardEndTransaction(card_of(m_card), SCARD_LEAVE_CARD);
    SCardDisconnect(card_of(m_card), m_reset_on_close ? SCARD_RESET_CARD : SCARD_LEAVE_CARD);
  }
}

Status PcscTransport::refresh_status() {
  BYTE atr[MAX_ATR_SIZE];
  DWORD atr_len = sizeof atr, state = 0, proto = 0, name_len = 0;
  LONG rv = SCardStatus(card_of(m_card), nullptr, &name_len, &state, &proto, atr, &atr_len);
  if (rv != SCARD_S_SUCCESS) return pcsc_error(rv, "SCardStatus");
  m_atr.assign(atr, atr + atr_len);
  return ok_status();
}

LinkLimits PcscTransport::limits() const {
  LinkLimits l;
  if (m_options.allow_extended_length && !m_extended_refused && atr_announces_extended_length(m_atr)) {
    l.extended_length = true;
    l.max_command_data = 65535;
    l.max_response_data = 65536;
  }
  return l;
}

Interface PcscTransport::interface_type() const {
  return identify_atr(m_atr).contactless || (m_atr.size() > 3 && m_atr[2] == 0x80 && m_atr[3] == 0x01)
             ? Interface::Contactless
             : Interface::Contact;
}

Result<ResponseApdu> PcscTransport::transmit(const CommandApdu& cmd) {
  const bool extended = cmd.needs_extended();
  if (extended && !limits().extended_length)
    return make_error(ErrorCode::Unsupported,
                      "command needs extended length, which this card/reader refused");
  DNIE_ASSIGN_OR_RETURN(Bytes enc, cmd.encode(true));
  Bytes resp(extended ? 65538 : 258);
  DWORD resp_len = static_cast<DWORD>(resp.size());
  const SCARD_IO_REQUEST* pci = m_protocol == 1 ? SCARD_PCI_T1 : SCARD_PCI_T0;
  LONG rv = SCardTransmit(card_of(m_card), pci, enc.data(), static_cast<DWORD>(enc.size()), nullptr,
                          resp.data(), &resp_len);
  secure_wipe(enc.data(), enc.size());  // wire form handed to PC/SC: a plain vector that may carry a VERIFY
  if (rv == SCARD_W_RESET_CARD) {
    // Another process reset the card: re-attach so the caller can rebuild its channel.
    DWORD proto = 0;
    SCardReconnect(card_of(m_card), m_options.exclusive ? SCARD_SHARE_EXCLUSIVE : SCARD_SHARE_SHARED,
                   SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, SCARD_LEAVE_CARD, &proto);
    return pcsc_error(rv, "SCardTransmit");
  }
  if (rv != SCARD_S_SUCCESS) {
    if (extended &&
        (rv == SCARD_E_INSUFFICIENT_BUFFER || rv == SCARD_E_NOT_TRANSACTED || rv == SCARD_F_COMM_ERROR)) {
      m_extended_refused = true;
      std::lock_guard<std::mutex> lock(g_ext_mutex);
      g_ext_refused[m_atr] = true;
      return make_error(ErrorCode::Unsupported,
                        "extended length refused by the reader; retry with short APDUs");
    }
    return pcsc_error(rv, "SCardTransmit");
  }
  resp.resize(resp_len);
  auto r = ResponseApdu::parse(resp);
  if (r && extended && r->sw() == 0x6700) {  // the card does not take extended APDUs
    m_extended_refused = true;
    std::lock_guard<std::mutex> lock(g_ext_mutex);
    g_ext_refused[m_atr] = true;
  }
  return r;
}

Status PcscTransport::reconnect(bool reset_card) {
  DWORD proto = 0;
  LONG rv = SCardReconnect(card_of(m_card), m_options.exclusive ? SCARD_SHARE_EXCLUSIVE : SCARD_SHARE_SHARED,
                           SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1,
                           reset_card ? SCARD_RESET_CARD : SCARD_LEAVE_CARD, &proto);
  if (rv != SCARD_S_SUCCESS) return pcsc_error(rv, "SCardReconnect");
  m_active_protocol = proto;
  m_protocol = proto == SCARD_PROTOCOL_T1 ? 1 : 0;
  m_transaction_depth = 0;
  return refresh_status();
}

Status PcscTransport::begin_transaction() {
  if (m_transaction_depth > 0) {
    ++m_transaction_depth;
    return ok_status();
  }
  LONG rv = SCardBeginTransaction(card_of(m_card));
  if (rv == SCARD_W_RESET_CARD) {
    DWORD proto = 0;
    SCardReconnect(card_of(m_card), m_options.exclusive ? SCARD_SHARE_EXCLUSIVE : SCARD_SHARE_SHARED,
                   SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1, SCARD_LEAVE_CARD, &proto);
    return pcsc_error(rv, "SCardBeginTransaction");
  }
  if (rv != SCARD_S_SUCCESS) return pcsc_error(rv, "SCardBeginTransaction");
  m_transaction_depth = 1;
  return ok_status();
}

void PcscTransport::end_transaction() {
  if (m_transaction_depth <= 0) return;
  if (--m_transaction_depth == 0) SCardEndTransaction(card_of(m_card), SCARD_LEAVE_CARD);
}

}  // namespace dnie::transport
