// SPDX-License-Identifier: Apache-2.0
// Card-side secure messaging codec (see sm_card.hpp). References: ISO/IEC 7816-4:2013 §6
// (SM data objects), ICAO 9303-11 §9.8 (message structure, SSC, AES IV), TR-03110-3 §F.
#include "vcard/sm_card.hpp"

#include "dnie/bytes/tlv.hpp"

#include "crypto/cipher.hpp"

namespace dnie::vcard {

namespace {
constexpr std::uint16_t kSmMissing = 0x6987;
constexpr std::uint16_t kSmIncorrect = 0x6988;

std::size_t length_octets(std::size_t v) noexcept {
  return v < 0x80 ? 1 : v < 0x100 ? 2 : v < 0x10000 ? 3 : 4;
}
}  // namespace

void CardSm::start(SmSuite suite, SecureBuffer k_enc, SecureBuffer k_mac, SecureBuffer ssc) {
  close();
  m_suite = suite;
  m_kenc = std::move(k_enc);
  m_kmac = std::move(k_mac);
  m_ssc = std::move(ssc);
  m_active = true;
}

void CardSm::close() noexcept {
  m_active = false;
  m_kenc.clear();
  m_kmac.clear();
  m_ssc.clear();
}

void CardSm::increment_ssc() noexcept {
  // Big-endian counter (ICAO 9303-11 §9.8.2).
  for (std::size_t i = m_ssc.size(); i-- > 0;) {
    m_ssc[i] = static_cast<std::uint8_t>(m_ssc[i] + 1);
    if (m_ssc[i] != 0) break;
  }
}

Result<Bytes> CardSm::iv() const {
  if (m_suite == SmSuite::Des3) return Bytes(8, 0);             // 3DES: IV = 0 (ICAO 9303-11 §9.8.6.1)
  return crypto::aes_ecb_encrypt(m_kenc.view(), m_ssc.view());  // AES: IV = E(KSenc, SSC)
}

Result<Bytes> CardSm::mac(ByteView padded) const {
  if (m_suite == SmSuite::Des3) return crypto::retail_mac(m_kmac.view(), padded);
  DNIE_ASSIGN_OR_RETURN(Bytes full, crypto::aes_cmac(m_kmac.view(), padded));
  full.resize(8);
  return full;
}

Result<SmCommand> CardSm::unwrap(const std::uint8_t header[4], ByteView body, std::uint16_t* sw_out) {
  *sw_out = kSmIncorrect;
  auto fail = [&](std::uint16_t sw) -> Error {
    *sw_out = sw;
    return make_error(ErrorCode::SecureMessagingError, "protected command rejected");
  };
  if (!m_active) return fail(kSmIncorrect);
  increment_ssc();  // before the command MAC

  auto dos = tlv::parse_all(body);
  if (!dos) return fail(kSmIncorrect);
  const tlv::Tlv* cryptogram = nullptr;
  const tlv::Tlv* le = nullptr;
  const tlv::Tlv* cc = nullptr;
  int stage = 0;  // order: 85|87, 97, 8E (ISO 7816-4 §6.2.3)
  for (const auto& d : *dos) {
    if (cc != nullptr) return fail(kSmIncorrect);  // nothing may follow DO'8E'
    if ((d.tag == 0x87 || d.tag == 0x85) && stage == 0) {
      cryptogram = &d;
      stage = 1;
    } else if (d.tag == 0x97 && stage <= 1) {
      le = &d;
      stage = 2;
    } else if (d.tag == 0x8E) {
      cc = &d;
    } else {
      return fail(kSmIncorrect);
    }
  }
  if (cc == nullptr) return fail(kSmMissing);
  if (cc->value.size() != 8) return fail(kSmIncorrect);

  // MAC input: SSC ‖ pad(header) ‖ DOs, padded (ICAO 9303-11 §9.8.6.1).
  const std::size_t bs = block();
  const SecureBuffer m = SecureBuffer::concat({m_ssc.view(), ByteView(header, 4)});
  SecureBuffer padded_header_part = crypto::pad_iso9797_m2_secret(m.view(), bs);
  if (cryptogram) padded_header_part.append(cryptogram->raw);
  if (le) padded_header_part.append(le->raw);
  auto expected = mac(crypto::pad_iso9797_m2_secret(padded_header_part.view(), bs).view());
  if (!expected) return fail(kSmIncorrect);
  bool ok = ct_equal(*expected, cc->value);
  if (!cryptogram && !le) {
    // [I] JMC pads the header only when DO'87'/DO'97' follow (docs/dnie-card.md §3.3): with no
    // data objects it MACs pad(SSC ‖ header). Accept that form too.
    auto alt = mac(crypto::pad_iso9797_m2_secret(m.view(), bs).view());
    if (alt) ok = ct_equal(*alt, cc->value) || ok;
  }
  if (!ok) return fail(kSmIncorrect);

  SmCommand out;
  out.cla = static_cast<std::uint8_t>(header[0] & ~0x0C);
  out.ins = header[1];
  out.p1 = header[2];
  out.p2 = header[3];
  if (cryptogram) {
    ByteView c = cryptogram->value;
    if (cryptogram->tag == 0x87) {
      if (c.empty() || c[0] != 0x01) return fail(kSmIncorrect);  // padding-content indicator
      c = c.subview(1);
    }
    if (c.empty() || c.size() % bs != 0) return fail(kSmIncorrect);
    auto iv_r = iv();
    if (!iv_r) return fail(kSmIncorrect);
    auto plain = m_suite == SmSuite::Aes ? crypto::aes_cbc_decrypt(m_kenc.view(), *iv_r, c)
                                         : crypto::des3_cbc_decrypt(m_kenc.view(), *iv_r, c);
    if (!plain) return fail(kSmIncorrect);
    auto unpadded = crypto::unpad_iso9797_m2_secret(plain->view());
    if (!unpadded) return fail(kSmIncorrect);
    out.data = std::move(unpadded->bytes());
  }
  if (le) {
    if (le->value.size() == 1) {
      std::size_t v = le->value[0];
      out.ne = v == 0 ? 256 : v;
      out.ne_max = v == 0;
    } else if (le->value.size() == 2) {
      std::size_t v = (std::size_t{le->value[0]} << 8) | le->value[1];
      out.ne = v == 0 ? 65536 : v;
      out.ne_max = v == 0;
    } else {
      return fail(kSmIncorrect);
    }
  }
  *sw_out = 0x9000;
  return out;
}

Result<Bytes> CardSm::wrap(ByteView data, std::uint16_t sw) {
  if (!m_active) return make_error(ErrorCode::InvalidState, "no secure messaging");
  increment_ssc();  // before the response MAC
  const std::size_t bs = block();
  Bytes dos;
  if (!data.empty()) {
    DNIE_ASSIGN_OR_RETURN(Bytes iv_b, iv());
    const SecureBuffer padded = crypto::pad_iso9797_m2_secret(data, bs);
    auto enc = m_suite == SmSuite::Aes ? crypto::aes_cbc_encrypt(m_kenc.view(), iv_b, padded.view())
                                       : crypto::des3_cbc_encrypt(m_kenc.view(), iv_b, padded.view());
    if (!enc) return std::move(enc).error();
    Bytes v{0x01};
    append(v, *enc);
    tlv::append(dos, 0x87, v);
  }
  append(dos, {0x99, 0x02, static_cast<std::uint8_t>(sw >> 8), static_cast<std::uint8_t>(sw)});
  const SecureBuffer mac_in =
      crypto::pad_iso9797_m2_secret(SecureBuffer::concat({m_ssc.view(), dos}).view(), bs);
  DNIE_ASSIGN_OR_RETURN(Bytes cc, mac(mac_in.view()));
  append(dos, {0x8E, 0x08});
  append(dos, cc);
  return dos;
}

std::size_t CardSm::protected_size(std::size_t plain) const noexcept {
  std::size_t n = 4 + 10;  // DO'99' + DO'8E'
  if (plain > 0) {
    const std::size_t bs = block();
    const std::size_t v = (plain / bs + 1) * bs + 1;
    n += 1 + length_octets(v) + v;
  }
  return n;
}

std::size_t CardSm::max_plain(std::size_t limit) const noexcept {
  std::size_t p = limit;
  while (p > 0 && protected_size(p) > limit) --p;
  return p;
}

}  // namespace dnie::vcard
