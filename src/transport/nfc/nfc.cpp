// SPDX-License-Identifier: Apache-2.0
// libnfc transport (libnfc 1.8 API: nfc_init/nfc_open, nfc_initiator_init,
// nfc_initiator_select_passive_target, nfc_initiator_transceive_bytes,
// nfc_initiator_target_is_present, nfc_initiator_deselect_target, nfc_close/nfc_exit).
#include "dnie/transport/nfc.hpp"

#include <array>
#include <cstring>

#include <nfc/nfc.h>

namespace dnie::transport {

std::string_view nfc_code_name(int code) noexcept {
  switch (code) {
    case NFC_SUCCESS:
      return "NFC_SUCCESS";
    case NFC_EIO:
      return "NFC_EIO";
    case NFC_EINVARG:
      return "NFC_EINVARG";
    case NFC_EDEVNOTSUPP:
      return "NFC_EDEVNOTSUPP";
    case NFC_ENOTSUCHDEV:
      return "NFC_ENOTSUCHDEV";
    case NFC_EOVFLOW:
      return "NFC_EOVFLOW";
    case NFC_ETIMEOUT:
      return "NFC_ETIMEOUT";
    case NFC_EOPABORTED:
      return "NFC_EOPABORTED";
    case NFC_ENOTIMPL:
      return "NFC_ENOTIMPL";
    case NFC_ETGRELEASED:
      return "NFC_ETGRELEASED";
    case NFC_ERFTRANS:
      return "NFC_ERFTRANS";
    case NFC_EMFCAUTHFAIL:
      return "NFC_EMFCAUTHFAIL";
    case NFC_ESOFT:
      return "NFC_ESOFT";
    case NFC_ECHIP:
      return "NFC_ECHIP";
    default:
      return "NFC_(unknown)";
  }
}

Error nfc_error(int code, std::string_view what) {
  ErrorCode c = ErrorCode::TransportError;
  switch (code) {
    case NFC_ETIMEOUT:
      c = ErrorCode::Timeout;
      break;
    case NFC_ERFTRANS:
    case NFC_ETGRELEASED:
      c = ErrorCode::CardRemoved;
      break;
    case NFC_ENOTSUCHDEV:
      c = ErrorCode::ReaderNotFound;
      break;
    case NFC_EDEVNOTSUPP:
    case NFC_ENOTIMPL:
      c = ErrorCode::Unsupported;
      break;
    case NFC_EINVARG:
      c = ErrorCode::InvalidArgument;
      break;
    case NFC_EOPABORTED:
      c = ErrorCode::Cancelled;
      break;
    default:
      break;
  }
  Error e(c, std::string(what) + ": " + std::string(nfc_code_name(code)));
  e.with_native(code);
  return e;
}

namespace {

// pn53x InDataExchange carries at most 262 data bytes; a short APDU response is ≤ 258.
constexpr std::size_t kRxBuffer = 272;

class NfcContext {
 public:
  NfcContext() { nfc_init(&m_ctx); }
  ~NfcContext() {
    if (m_ctx != nullptr) nfc_exit(m_ctx);
  }
  NfcContext(const NfcContext&) = delete;
  NfcContext& operator=(const NfcContext&) = delete;
  nfc_context* get() const noexcept { return m_ctx; }

 private:
  nfc_context* m_ctx = nullptr;
};

bool is_link_loss(int code) {
  return code == NFC_ETIMEOUT || code == NFC_ERFTRANS || code == NFC_ETGRELEASED;
}

}  // namespace

struct NfcTransport::Impl {
  NfcOptions options;
  nfc_context* ctx = nullptr;
  nfc_device* dev = nullptr;
  std::string connstring;
  nfc_target nt{};
  bool selected = false;
  bool lost = false;  ///< the target left the field; transmit fails fast until reconnect()
  NfcTargetInfo info;
  Bytes atr;

  ~Impl() {
    if (dev != nullptr) {
      if (selected) (void)nfc_initiator_deselect_target(dev);
      nfc_close(dev);  // InRelease, RF field off, PowerDown on pn53x
    }
    if (ctx != nullptr) nfc_exit(ctx);
  }

  Status init_initiator() {
    int r = nfc_initiator_init(dev);
    if (r < 0) return nfc_error(r, "nfc_initiator_init");
    // nfc_initiator_init turns infinite select on: a select would then wait for a card forever.
    r = nfc_device_set_property_bool(dev, NP_INFINITE_SELECT, false);
    if (r < 0) return nfc_error(r, "NP_INFINITE_SELECT");
    // libnfc activates ISO 14443-4 itself (RATS for Type A; the PN53x sends ATTRIB for Type B).
    r = nfc_device_set_property_bool(dev, NP_AUTO_ISO14443_4, true);
    if (r < 0) return nfc_error(r, "NP_AUTO_ISO14443_4");
    return ok_status();
  }

  // Fills info/atr from the selected target; false when it is not ISO 14443-4.
  bool take_target(NfcTargetType type) {
    info = NfcTargetInfo{};
    info.type = type;
    if (type == NfcTargetType::TypeB) {
      const nfc_iso14443b_info& b = nt.nti.nbi;
      info.uid.assign(b.abtPupi, b.abtPupi + 4);
      info.atqb = {0x50};
      append(info.atqb, ByteView(b.abtPupi, 4));
      append(info.atqb, ByteView(b.abtApplicationData, 4));
      append(info.atqb, ByteView(b.abtProtocolInfo, 3));
      info.attrib_mbli_cid = b.ui8CardIdentifier;
      atr = pcsc_atr_type_b(ByteView(b.abtApplicationData, 4), ByteView(b.abtProtocolInfo, 3),
                            b.ui8CardIdentifier);
      // PC/SC part 3 layout: 3B 88 80 01 ‖ 8 historical bytes ‖ TCK.
      info.historical_bytes.assign(atr.begin() + 4, atr.end() - 1);
      // ISO/IEC 14443-3 §7.9.4: protocol info byte 2, low nibble = Protocol_Type (1 = -4).
      return !options.require_iso14443_4 || (b.abtProtocolInfo[1] & 0x01) != 0;
    }
    const nfc_iso14443a_info& a = nt.nti.nai;
    const std::size_t uid_len = a.szUidLen <= sizeof a.abtUid ? a.szUidLen : sizeof a.abtUid;
    const std::size_t ats_len = a.szAtsLen <= sizeof a.abtAts ? a.szAtsLen : sizeof a.abtAts;
    info.uid.assign(a.abtUid, a.abtUid + uid_len);
    info.ats.assign(a.abtAts, a.abtAts + ats_len);
    auto hist = ats_historical_bytes(info.ats);
    info.historical_bytes = hist ? *hist : Bytes{};
    auto full = pcsc_atr_type_a(info.ats);  // a malformed ATS gives an ATR without historical bytes
    atr = full ? *full : pcsc_atr_type_a(ByteView()).value_or(Bytes{});
    // ISO/IEC 14443-3 §6.5.3.4: SAK b6 = compliant with ISO/IEC 14443-4.
    return !options.require_iso14443_4 || (a.btSak & 0x20) != 0;
  }

  Status select() {
    selected = false;
    lost = false;
    for (NfcTargetType type : options.order) {
      const nfc_modulation nm{type == NfcTargetType::TypeB ? NMT_ISO14443B : NMT_ISO14443A, NBR_106};
      std::memset(&nt, 0, sizeof nt);
      // No initiator data: libnfc sends AFI 00 (all families) for Type B.
      const int r = nfc_initiator_select_passive_target(dev, nm, nullptr, 0, &nt);
      if (r < 0 && !is_link_loss(r)) return nfc_error(r, "nfc_initiator_select_passive_target");
      if (r <= 0) continue;
      if (take_target(type)) {
        selected = true;
        return ok_status();
      }
      (void)nfc_initiator_deselect_target(dev);
    }
    return make_error(ErrorCode::NoCard, "no ISO 14443-4 card in the field of " + connstring);
  }
};

NfcTransport::NfcTransport(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
NfcTransport::~NfcTransport() = default;

Result<std::unique_ptr<NfcTransport>> NfcTransport::open(NfcOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  if (impl->options.order.empty())
    return make_error(ErrorCode::InvalidArgument, "NfcOptions::order is empty");
  nfc_init(&impl->ctx);
  if (impl->ctx == nullptr) return make_error(ErrorCode::NoService, "nfc_init failed (libnfc unavailable)");
  const std::string& cs = impl->options.connstring;
  if (cs.size() >= sizeof(nfc_connstring))
    return make_error(ErrorCode::InvalidArgument, "libnfc connstring too long");
  impl->dev = nfc_open(impl->ctx, cs.empty() ? nullptr : cs.c_str());
  if (impl->dev == nullptr)
    return make_error(ErrorCode::ReaderNotFound,
                      "nfc_open: cannot open " + (cs.empty() ? std::string("the default NFC device") : cs))
        .with_native(NFC_ENOTSUCHDEV);
  const char* opened = nfc_device_get_connstring(impl->dev);
  impl->connstring = opened != nullptr ? opened : cs;
  DNIE_TRY(impl->init_initiator());
  DNIE_TRY(impl->select());
  return std::unique_ptr<NfcTransport>(new NfcTransport(std::move(impl)));
}

Result<std::vector<std::string>> NfcTransport::list_devices(std::size_t max_devices) {
  NfcContext ctx;
  if (ctx.get() == nullptr) return make_error(ErrorCode::NoService, "nfc_init failed (libnfc unavailable)");
  if (max_devices == 0) return std::vector<std::string>{};
  if (max_devices > 64) max_devices = 64;
  std::vector<nfc_connstring> found(max_devices);
  const std::size_t n = nfc_list_devices(ctx.get(), found.data(), found.size());
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n && i < found.size(); ++i) {
    found[i][sizeof(nfc_connstring) - 1] = '\0';
    out.emplace_back(found[i]);
  }
  return out;
}

Result<ResponseApdu> NfcTransport::transmit(const CommandApdu& cmd) {
  Impl& m = *m_impl;
  if (!m.selected) return make_error(ErrorCode::NoCard, "no target selected; call reconnect()");
  if (m.lost) return make_error(ErrorCode::CardRemoved, "the card left the field; call reconnect()");
  DNIE_ASSIGN_OR_RETURN(Bytes tx, cmd.encode(false));
  std::array<std::uint8_t, kRxBuffer> rx{};
  const int n = nfc_initiator_transceive_bytes(m.dev, tx.data(), tx.size(), rx.data(), rx.size(),
                                               m.options.timeout_ms < 0 ? 0 : m.options.timeout_ms);
  if (n < 0) {
    if (!is_link_loss(n)) return nfc_error(n, "nfc_initiator_transceive_bytes");
    // No answer or an RF error: ask the reader whether the target is still in the field
    // (pn53x: an R(NAK) block through InCommunicateThru, ISO/IEC 14443-4 §7.5.4).
    const int presence = n == NFC_ETGRELEASED ? n : nfc_initiator_target_is_present(m.dev, nullptr);
    if (presence == NFC_ETIMEOUT)  // the reader itself did not answer the presence check
      return make_error(ErrorCode::Timeout, "the reader did not answer within " +
                                                std::to_string(m.options.timeout_ms) + " ms to " +
                                                cmd.describe())
          .with_native(n);
    if (presence != NFC_SUCCESS) {  // pn53x: NFC_ETGRELEASED when the R(NAK) gets no answer
      m.lost = true;
      return make_error(ErrorCode::CardRemoved,
                        "the card left the field during " + cmd.describe() +
                            " (presence check: " + std::string(nfc_code_name(presence)) + ")")
          .with_native(n);
    }
    if (n == NFC_ETIMEOUT)
      return make_error(ErrorCode::Timeout, "no answer within " + std::to_string(m.options.timeout_ms) +
                                                " ms to " + cmd.describe())
          .with_native(n);
    return make_error(ErrorCode::TransportError, "RF transmission error during " + cmd.describe())
        .with_native(n);
  }
  return ResponseApdu::parse(ByteView(rx.data(), static_cast<std::size_t>(n)));
}

Bytes NfcTransport::atr() const { return m_impl->atr; }

LinkLimits NfcTransport::limits() const {
  LinkLimits l;
  l.max_command_data = 255;
  l.max_response_data = 256;
  l.extended_length = false;
  return l;
}

std::string NfcTransport::name() const { return m_impl->connstring; }

Status NfcTransport::reconnect(bool reset_card) {
  Impl& m = *m_impl;
  if (m.selected) (void)nfc_initiator_deselect_target(m.dev);
  m.selected = false;
  if (reset_card) {
    // Cycle the RF field: the card loses power and starts again from IDLE (ISO/IEC 14443-3 §5).
    int r = nfc_device_set_property_bool(m.dev, NP_ACTIVATE_FIELD, false);
    if (r >= 0) r = nfc_device_set_property_bool(m.dev, NP_ACTIVATE_FIELD, true);
    if (r < 0) return nfc_error(r, "RF field reset");
  }
  return m.select();
}

const NfcTargetInfo& NfcTransport::target() const noexcept { return m_impl->info; }

bool NfcTransport::target_present() {
  Impl& m = *m_impl;
  if (!m.selected || m.lost) return false;
  if (nfc_initiator_target_is_present(m.dev, nullptr) == 0) return true;
  m.lost = true;
  return false;
}

void NfcTransport::set_timeout_ms(int ms) noexcept { m_impl->options.timeout_ms = ms; }

}  // namespace dnie::transport
