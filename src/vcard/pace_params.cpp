// SPDX-License-Identifier: Apache-2.0
// PACE / CA building blocks for the chip (see pace_chip.hpp): OIDs, EF.CardAccess, KDF, token,
// key-agreement domains. References: ICAO 9303-11 §4.4.3, §9.2, §9.4, §9.5.1, §9.7.1.
#include <algorithm>

#include "dnie/bytes/asn1.hpp"
#include "dnie/bytes/tlv.hpp"
#include "dnie/crypto/hash.hpp"

#include "crypto/cipher.hpp"
#include "vcard/pace_chip.hpp"

namespace dnie::vcard {

namespace {
// 0.4.0.127.0.7.2.2 (bsi-de protocols), content octets.
constexpr std::uint8_t kBsiProtocols[] = {0x04, 0x00, 0x7F, 0x00, 0x07, 0x02, 0x02};

std::optional<SymCipher> cipher_from(std::uint8_t y) {
  switch (y) {
    case 1:
      return SymCipher::Des3;
    case 2:
      return SymCipher::Aes128;
    case 3:
      return SymCipher::Aes192;
    case 4:
      return SymCipher::Aes256;
    default:
      return std::nullopt;
  }
}

bool has_prefix(ByteView oid, std::uint8_t family) {
  if (oid.size() != 10) return false;
  for (std::size_t i = 0; i < sizeof(kBsiProtocols); ++i)
    if (oid[i] != kBsiProtocols[i]) return false;
  return oid[7] == family;
}
}  // namespace

std::optional<ProtocolAlg> pace_alg_from_oid(ByteView oid) {
  if (!has_prefix(oid, 0x04)) return std::nullopt;  // id-PACE
  auto c = cipher_from(oid[9]);
  if (!c) return std::nullopt;
  ProtocolAlg a;
  a.cipher = *c;
  switch (oid[8]) {
    case 1:
      a.ec = false;
      a.mapping = PaceMapping::Generic;
      break;
    case 2:
      a.ec = true;
      a.mapping = PaceMapping::Generic;
      break;
    case 3:
      a.ec = false;
      a.mapping = PaceMapping::Integrated;
      break;
    case 4:
      a.ec = true;
      a.mapping = PaceMapping::Integrated;
      break;
    case 6:  // id-PACE-ECDH-CAM: AES only
      if (*c == SymCipher::Des3) return std::nullopt;
      a.ec = true;
      a.mapping = PaceMapping::ChipAuth;
      break;
    default:
      return std::nullopt;
  }
  return a;
}

std::optional<ProtocolAlg> ca_alg_from_oid(ByteView oid) {
  if (!has_prefix(oid, 0x03)) return std::nullopt;  // id-CA
  auto c = cipher_from(oid[9]);
  if (!c || (oid[8] != 1 && oid[8] != 2)) return std::nullopt;
  ProtocolAlg a;
  a.ec = oid[8] == 2;
  a.cipher = *c;
  return a;
}

std::vector<PaceInfo> parse_card_access(ByteView ef) {
  std::vector<PaceInfo> out;
  auto set = tlv::parse_first(ef, tlv::Mode::Ber);
  if (!set || set->tag != asn1::kSet) return out;
  tlv::Reader r(set->value);
  while (!r.empty()) {
    auto info = r.next();
    if (!info) break;
    if (info->tag != asn1::kSequence) continue;
    tlv::Reader f(info->value);
    auto oid = f.next();
    if (!oid || oid->tag != asn1::kOid) continue;
    auto alg = pace_alg_from_oid(oid->value);
    if (!alg) continue;  // not a PACEInfo (CA, TA, domain parameters ...)
    auto ver = f.next();
    if (!ver || ver->tag != asn1::kInteger) continue;
    auto v = asn1::integer_value(ver->value);
    if (!v) continue;
    PaceInfo p;
    p.oid = oid->value.to_bytes();
    p.alg = *alg;
    p.version = static_cast<int>(*v);
    if (!f.empty()) {
      auto pid = f.next();
      if (pid && pid->tag == asn1::kInteger) {
        auto pv = asn1::integer_value(pid->value);
        if (pv && *pv >= 0 && *pv < 256) p.param_id = static_cast<int>(*pv);
      }
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::size_t key_length(SymCipher c) noexcept {
  switch (c) {
    case SymCipher::Aes192:
      return 24;
    case SymCipher::Aes256:
      return 32;
    default:
      return 16;
  }
}

std::size_t block_length(SymCipher c) noexcept { return c == SymCipher::Des3 ? 8 : 16; }

SecureBuffer kdf(ByteView secret, std::uint32_t counter, SymCipher c) {
  const SecureBuffer in = SecureBuffer::concat({secret, be_bytes(counter, 4)});
  const bool sha256 = c == SymCipher::Aes192 || c == SymCipher::Aes256;
  SecureBuffer h = crypto::hash_secret(sha256 ? crypto::HashAlg::Sha256 : crypto::HashAlg::Sha1, in.view());
  h.truncate(key_length(c));
  if (c == SymCipher::Des3) crypto::adjust_des_parity(h);
  return h;
}

Result<Bytes> cbc_encrypt(SymCipher c, ByteView key, ByteView iv, ByteView data) {
  if (c == SymCipher::Des3) return crypto::des3_cbc_encrypt(key, iv, data);
  return crypto::aes_cbc_encrypt(key, iv, data);
}

Result<SecureBuffer> cbc_encrypt0(SymCipher c, ByteView key, ByteView data) {
  const Bytes iv(block_length(c), 0);
  if (c == SymCipher::Des3) return crypto::des3_cbc_encrypt_secret(key, iv, data);
  return crypto::aes_cbc_encrypt_secret(key, iv, data);
}

Result<Bytes> token_mac(SymCipher c, ByteView k_mac, ByteView input) {
  // "Padding is performed internally by the message authentication code" (9303-11 §4.4.3.4):
  // CMAC pads by itself; the retail MAC takes padding method 2.
  if (c == SymCipher::Des3) return crypto::retail_mac(k_mac, crypto::pad_iso9797_m2(input, 8));
  DNIE_ASSIGN_OR_RETURN(Bytes full, crypto::aes_cmac(k_mac, input));
  full.resize(8);
  return full;
}

Bytes token_input(ByteView oid_content, bool ec, ByteView public_key) {
  Bytes inner = tlv::encode(asn1::kOid, oid_content);
  tlv::append(inner, ec ? 0x86 : 0x84, public_key);
  return tlv::encode(0x7F49, inner);
}

// ---- KaDomain ---------------------------------------------------------------------------------

Result<KaDomain> KaDomain::standard(int param_id) {
  if (param_id >= 0 && param_id <= 2) {
    DNIE_ASSIGN_OR_RETURN(auto g, crypto::DhGroup::standard(param_id));
    return from_dh(std::move(g));
  }
  DNIE_ASSIGN_OR_RETURN(auto g, crypto::EcGroup::standard(param_id));
  return from_ec(std::move(g));
}

KaDomain KaDomain::from_ec(crypto::EcGroup g) {
  KaDomain d;
  // The card multiplies with mbedTLS whatever the terminal uses: two independent implementations.
  d.m_ec.emplace(g.with_arithmetic(crypto::EcArithmetic::Reference));
  return d;
}

KaDomain KaDomain::from_dh(crypto::DhGroup g) {
  KaDomain d;
  d.m_dh.emplace(std::move(g));
  return d;
}

Bytes KaDomain::order() const { return is_ec() ? m_ec->params().n : m_dh->q(); }

std::size_t KaDomain::element_size() const noexcept { return is_ec() ? m_ec->point_size() : m_dh->size(); }

Result<Bytes> KaDomain::public_key(ByteView priv) const {
  if (is_ec()) return m_ec->public_key(priv);
  return m_dh->public_key(priv);
}

Status KaDomain::check_public(ByteView pub) const {
  if (is_ec()) {
    // Uncompressed points only on the wire (9303-11 §9.4.5), at full width.
    if (pub.size() != m_ec->point_size() || pub[0] != 0x04)
      return make_error(ErrorCode::MalformedData, "bad point encoding");
    return m_ec->check_point(pub);
  }
  // DH values are integers: accept a terminal that strips leading zeros (OpenSSL-based ones do);
  // what the card itself sends is always full width.
  if (pub.empty() || pub.size() > m_dh->size())
    return make_error(ErrorCode::MalformedData, "bad DH value size");
  if (pub.size() < m_dh->size()) {
    Bytes full(m_dh->size() - pub.size(), 0);
    append(full, pub);
    return m_dh->check_public(full);
  }
  return m_dh->check_public(pub);
}

Result<SecureBuffer> KaDomain::agree(ByteView priv, ByteView peer) const {
  if (is_ec()) return m_ec->ecdh(priv, peer);
  return m_dh->shared_secret(priv, peer);
}

Result<KaDomain> KaDomain::map_generic(ByteView s, ByteView sk_map, ByteView pk_map_pcd) const {
  if (is_ec()) {
    DNIE_ASSIGN_OR_RETURN(SecureBuffer h, m_ec->mul(sk_map, pk_map_pcd));  // H = SK_map,IC · PK_map,PCD
    DNIE_ASSIGN_OR_RETURN(SecureBuffer sg, m_ec->mul(s, m_ec->generator()));
    DNIE_ASSIGN_OR_RETURN(Bytes g_hat, m_ec->add(sg.view(), h.view()));
    DNIE_ASSIGN_OR_RETURN(auto g, m_ec->with_generator(g_hat));
    return from_ec(std::move(g));
  }
  DNIE_ASSIGN_OR_RETURN(SecureBuffer h, m_dh->exp(pk_map_pcd, sk_map));  // h = PK^sk mod p
  DNIE_ASSIGN_OR_RETURN(SecureBuffer gs, m_dh->exp(m_dh->g(), s));
  DNIE_ASSIGN_OR_RETURN(Bytes g_hat, m_dh->mul(gs.view(), h.view()));  // g^ = g^s · h mod p
  DNIE_ASSIGN_OR_RETURN(auto g, m_dh->with_generator(g_hat));
  return from_dh(std::move(g));
}

Result<KaDomain> KaDomain::map_integrated(SymCipher c, ByteView s, ByteView t) const {
  const Bytes& p = is_ec() ? m_ec->params().p : m_dh->p();
  const crypto::BigInt pb = crypto::BigInt::from_bytes(p);
  DNIE_ASSIGN_OR_RETURN(SecureBuffer r, im_prf(c, s, t, pb.bits()));
  if (is_ec()) {
    DNIE_ASSIGN_OR_RETURN(Bytes point, im_point_encode(m_ec->params(), r.view()));
    DNIE_ASSIGN_OR_RETURN(auto g, m_ec->with_generator(point));
    return from_ec(std::move(g));
  }
  // DH: g^ = f_g(R_p(s,t)) = R_p^((p-1)/q) mod p (9303-11 §4.4.3.3.2).
  if (m_dh->q().empty()) return make_error(ErrorCode::Unsupported, "IM needs the group order");
  DNIE_ASSIGN_OR_RETURN(auto rp, crypto::BigInt::from_bytes(r.view()).mod(pb));
  DNIE_ASSIGN_OR_RETURN(auto pm1, pb.sub(crypto::BigInt(1)));
  DNIE_ASSIGN_OR_RETURN(auto e, pm1.div(crypto::BigInt::from_bytes(m_dh->q())));
  DNIE_ASSIGN_OR_RETURN(auto gh, rp.exp_mod(e, pb));
  if (gh.compare(crypto::BigInt(1)) <= 0) return make_error(ErrorCode::CryptoError, "degenerate g^");
  DNIE_ASSIGN_OR_RETURN(Bytes gb, gh.to_bytes(p.size()));
  DNIE_ASSIGN_OR_RETURN(auto g, m_dh->with_generator(gb));
  return from_dh(std::move(g));
}

// ---- MRZ ----------------------------------------------------------------------------------------

Result<std::string> mrz_information(ByteView dg1) {
  DNIE_ASSIGN_OR_RETURN(auto outer, tlv::parse_first(dg1));
  if (outer.tag != 0x61) return make_error(ErrorCode::MalformedData, "DG1 tag");
  DNIE_ASSIGN_OR_RETURN(auto mrz_t, tlv::find(outer.value, 0x5F1F));
  const std::string mrz(mrz_t.value.begin(), mrz_t.value.end());
  // Positions of document number+cd, birth date+cd, expiry+cd (9303 Parts 4-6).
  std::size_t doc = 0, dob = 0, doe = 0;
  if (mrz.size() == 90) {  // TD1: line 1 holds the number, line 2 the dates
    doc = 5;
    dob = 30;
    doe = 38;
  } else if (mrz.size() == 88) {  // TD3
    doc = 44;
    dob = 57;
    doe = 65;
  } else if (mrz.size() == 72) {  // TD2
    doc = 36;
    dob = 49;
    doe = 57;
  } else {
    return make_error(ErrorCode::MalformedData, "MRZ length");
  }
  return mrz.substr(doc, 10) + mrz.substr(dob, 7) + mrz.substr(doe, 7);
}

}  // namespace dnie::vcard
