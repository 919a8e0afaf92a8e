// SPDX-License-Identifier: Apache-2.0
// Secure messaging codec and decorator: ISO/IEC 7816-4 §6, ICAO 9303-11 §9.8, CWA 14890-1 §8.
// Layouts are drawn in dnie/sm/secure_messaging.hpp.
#include "dnie/sm/secure_messaging.hpp"

#include "dnie/apdu/status.hpp"
#include "dnie/bytes/tlv.hpp"

#include "crypto/cipher.hpp"

namespace dnie::sm {

using apdu::CommandApdu;
using apdu::ResponseApdu;

struct SmSession::Impl {
  Suite suite;
  Options options;
  SecureBuffer k_enc, k_mac, ssc;
  bool open = true;

  std::size_t block() const noexcept { return suite == Suite::Aes ? 16 : 8; }

  void increment_ssc() noexcept {
    for (std::size_t i = ssc.size(); i-- > 0;)
      if (++ssc[i] != 0) break;
  }

  Error fail(std::string msg, std::uint16_t sw = 0) {
    close();
    Error e(ErrorCode::SecureMessagingError, std::move(msg));
    if (sw) e.with_sw(sw);
    return e;
  }

  void close() noexcept {
    k_enc.clear();
    k_mac.clear();
    ssc.clear();
    open = false;
  }

  // ICAO 9303-11 §9.8.6.1: IV = 0 (3DES) or E(KSenc, SSC) (AES).
  Result<Bytes> iv() const {
    if (suite == Suite::Des3) return Bytes(8, 0);
    return crypto::aes_ecb_encrypt(k_enc.view(), ssc.view());
  }

  Result<Bytes> encrypt(ByteView plain) const {
    DNIE_ASSIGN_OR_RETURN(Bytes v, iv());
    const SecureBuffer padded = crypto::pad_iso9797_m2_secret(plain, block());
    return suite == Suite::Aes ? crypto::aes_cbc_encrypt(k_enc.view(), v, padded.view())
                               : crypto::des3_cbc_encrypt(k_enc.view(), v, padded.view());
  }

  Result<Bytes> decrypt(ByteView cipher) const {
    if (cipher.empty() || cipher.size() % block())
      return make_error(ErrorCode::SecureMessagingError, "SM: ciphertext not a multiple of the block size");
    DNIE_ASSIGN_OR_RETURN(Bytes v, iv());
    auto r = suite == Suite::Aes ? crypto::aes_cbc_decrypt(k_enc.view(), v, cipher)
                                 : crypto::des3_cbc_decrypt(k_enc.view(), v, cipher);
    if (!r) return std::move(r).error();
    auto u = crypto::unpad_iso9797_m2(r->view());  // the answer's data, handed to the caller
    if (!u) return make_error(ErrorCode::SecureMessagingError, "SM: bad padding in decrypted data");
    return u;
  }

  // MAC over pad(SSC ‖ input): retail MAC (3DES) or AES-CMAC truncated (ICAO 9303-11 §9.8.6.1).
  Result<Bytes> mac(ByteView input) const {
    const SecureBuffer padded =
        crypto::pad_iso9797_m2_secret(SecureBuffer::concat({ssc.view(), input}).view(), block());
    auto r = suite == Suite::Aes ? crypto::aes_cmac(k_mac.view(), padded.view())
                                 : crypto::retail_mac(k_mac.view(), padded.view());
    if (!r) return r;
    Bytes m = std::move(r).value();
    m.resize(options.mac_length);
    return m;
  }

  // Protected data size for n plain bytes in DO'87' (with the padding-indicator byte).
  std::size_t do87_size(std::size_t n) const noexcept {
    if (n == 0) return 0;
    std::size_t l = 1 + (n / block() + 1) * block();
    return 1 + tlv::encode_length(l).size() + l;
  }
};

SmSession::SmSession(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
SmSession::SmSession(SmSession&&) noexcept = default;
SmSession& SmSession::operator=(SmSession&&) noexcept = default;
SmSession::~SmSession() = default;

Result<SmSession> SmSession::create(Suite suite, SecureBuffer k_enc, SecureBuffer k_mac, SecureBuffer ssc,
                                    Options options) {
  const bool aes = suite == Suite::Aes;
  auto key_ok = [aes](std::size_t n) { return aes ? (n == 16 || n == 24 || n == 32) : (n == 16 || n == 24); };
  if (!key_ok(k_enc.size()) || !key_ok(k_mac.size()))
    return make_error(ErrorCode::InvalidArgument, "SM: bad key length");
  if (ssc.size() != (aes ? 16u : 8u)) return make_error(ErrorCode::InvalidArgument, "SM: bad SSC length");
  if (options.mac_length < 4 || options.mac_length > 8)
    return make_error(ErrorCode::InvalidArgument, "SM: MAC length must be 4..8");
  auto impl = std::make_unique<Impl>();
  impl->suite = suite;
  impl->options = options;
  impl->k_enc = std::move(k_enc);
  impl->k_mac = std::move(k_mac);
  impl->ssc = std::move(ssc);
  return SmSession(std::move(impl));
}

Suite SmSession::suite() const noexcept { return m_impl->suite; }
const Options& SmSession::options() const noexcept { return m_impl->options; }
bool SmSession::is_open() const noexcept { return m_impl && m_impl->open; }
void SmSession::close() noexcept {
  if (m_impl) m_impl->close();
}

Result<CommandApdu> SmSession::wrap(const CommandApdu& plain, bool extended) {
  if (!is_open())
    return make_error(ErrorCode::SecureMessagingError,
                      "SM: the secure channel is closed; nothing is sent until it is re-established");
  Impl& s = *m_impl;
  if ((plain.cla() & 0x0C) != 0)
    return make_error(ErrorCode::InvalidArgument, "SM: command already protected");
  s.increment_ssc();
  const auto cla = static_cast<std::uint8_t>(plain.cla() | 0x0C);
  Bytes header{cla, plain.ins(), plain.p1(), plain.p2()};
  Bytes body;
  if (!plain.data().empty()) {
    auto enc = s.encrypt(plain.data());
    if (!enc) return s.fail("SM: encryption failed");
    if (plain.ins() & 1) {
      tlv::append(body, 0x85, *enc);  // odd INS: DO'85', no padding-indicator byte
    } else {
      Bytes v{0x01};
      append(v, *enc);
      tlv::append(body, 0x87, v);
    }
  }
  const bool ext = extended || plain.needs_extended();
  if (plain.le() && (plain.data().empty() || s.options.le_with_data)) {
    std::size_t le = *plain.le();
    if (ext) {
      std::size_t e = le >= 65536 ? 0 : le;
      tlv::append(body, 0x97, Bytes{static_cast<std::uint8_t>(e >> 8), static_cast<std::uint8_t>(e)});
    } else {
      tlv::append(body, 0x97, Bytes{static_cast<std::uint8_t>(le >= 256 ? 0 : le)});
    }
  }
  Bytes m = crypto::pad_iso9797_m2(header, s.block());
  append(m, body);
  auto mac = s.mac(m);
  if (!mac) return s.fail("SM: MAC computation failed");
  tlv::append(body, 0x8E, *mac);
  CommandApdu out(cla, plain.ins(), plain.p1(), plain.p2(), body);
  if (s.options.append_le) out.set_le(ext || body.size() > 255 ? std::size_t{65536} : std::size_t{256});
  return out;
}

Result<ResponseApdu> SmSession::unwrap(const ResponseApdu& resp) {
  if (!is_open()) return make_error(ErrorCode::SecureMessagingError, "SM: channel closed");
  Impl& s = *m_impl;
  s.increment_ssc();
  const Bytes& d = resp.data();
  if (d.empty()) {
    // No SM objects (ICAO 9303-11 §9.8.6.2): the card ended SM, or someone on the link answered.
    const std::uint16_t sw = resp.sw();
    if (sw == apdu::sw::kSmObjectsMissing || sw == apdu::sw::kSmObjectsIncorrect ||
        sw == apdu::sw::kSmWrongChecksum)
      return s.fail("SM: the card rejected the secure messaging and closed the channel", sw);
    return s.fail("SM: status word without secure messaging (not authenticated); channel closed", sw);
  }
  auto parsed = tlv::parse_all(d);
  if (!parsed) return s.fail("SM: malformed response data objects", resp.sw());
  const tlv::Tlv* data_do = nullptr;
  const tlv::Tlv* do99 = nullptr;
  const tlv::Tlv* do8e = nullptr;
  Bytes mac_input;
  for (const auto& t : *parsed) {
    if (do8e) return s.fail("SM: data after the MAC object");
    switch (t.tag) {
      case 0x81:
      case 0x85:
      case 0x87:
        if (data_do || do99) return s.fail("SM: unexpected data object order");
        data_do = &t;
        append(mac_input, t.raw);
        break;
      case 0x99:
        if (do99) return s.fail("SM: duplicate status object");
        do99 = &t;
        append(mac_input, t.raw);
        break;
      case 0x8E:
        do8e = &t;
        break;
      default:
        return s.fail("SM: unknown response data object");
    }
  }
  if (!do8e) return s.fail("SM: response MAC missing", resp.sw());
  if (!do99 || do99->value.size() != 2) return s.fail("SM: status object missing or malformed", resp.sw());
  // Check the MAC (constant time) before decrypting anything.
  auto expected = s.mac(mac_input);
  if (!expected) return s.fail("SM: MAC computation failed");
  if (do8e->value.size() != s.options.mac_length || !ct_equal(*expected, do8e->value))
    return s.fail("SM: response MAC is wrong", resp.sw());
  const auto sw = static_cast<std::uint16_t>(do99->value[0] << 8 | do99->value[1]);
  Bytes plain;
  if (data_do) {
    if (data_do->tag == 0x81) {
      plain = data_do->value.to_bytes();
    } else {
      ByteView c = data_do->value;
      if (data_do->tag == 0x87) {
        if (c.empty() || c[0] != 0x01) return s.fail("SM: unknown padding indicator");
        c = c.subview(1);
      }
      auto dec = s.decrypt(c);
      if (!dec) return s.fail(dec.error().message);
      plain = std::move(dec).value();
    }
  }
  ResponseApdu out(std::move(plain), sw);
  out.mark_authenticated();
  return out;
}

std::size_t SmSession::max_plain_response(std::size_t link) const noexcept {
  const std::size_t fixed = 4 + 2 + m_impl->options.mac_length;  // DO'99' + DO'8E'
  if (link <= fixed) return 0;
  std::size_t n = link;
  while (n > 0 && m_impl->do87_size(n) + fixed > link) --n;
  return n;
}

std::size_t SmSession::max_plain_command(std::size_t link) const noexcept {
  const std::size_t fixed = 4 + 2 + m_impl->options.mac_length;  // DO'97' (short) + DO'8E'
  if (link <= fixed) return 0;
  std::size_t n = link;
  while (n > 0 && m_impl->do87_size(n) + fixed > link) --n;
  return n;
}

SecureMessagingTransport::SecureMessagingTransport(transport::Transport& inner, SmSession session)
    : m_inner(inner), m_session(std::move(session)) {}

Result<ResponseApdu> SecureMessagingTransport::transmit(const CommandApdu& cmd) {
  const transport::LinkLimits lim = m_inner.limits();
  const bool extended = lim.extended_length && cmd.needs_extended();
  DNIE_ASSIGN_OR_RETURN(CommandApdu wrapped, m_session.wrap(cmd, extended));
  auto r = transport::transceive(m_inner, wrapped, false);
  if (!r) {
    m_session.close();  // the SSC is now out of step with the card
    return r.error();
  }
  return m_session.unwrap(*r);
}

transport::LinkLimits SecureMessagingTransport::limits() const {
  transport::LinkLimits in = m_inner.limits();
  transport::LinkLimits out = in;
  if (m_session.is_open()) {
    out.max_command_data = m_session.max_plain_command(in.max_command_data);
    out.max_response_data = m_session.max_plain_response(in.max_response_data);
  }
  return out;
}

Status SecureMessagingTransport::reconnect(bool reset_card) {
  m_session.close();
  return m_inner.reconnect(reset_card);
}

}  // namespace dnie::sm
